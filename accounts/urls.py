from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/name/", views.profile_name, name="profile_name"),
    path("profile/email/", views.profile_email, name="profile_email"),
    path("profile/notifications/", views.profile_notifications, name="profile_notifications"),
    path("profile/photo/", views.profile_photo, name="profile_photo"),
    path("profile/tokens/", views.api_token_create, name="api_token_create"),
    path("profile/tokens/new/", views.api_token_new, name="api_token_new"),
    path("profile/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("profile/address-books/", views.address_books_choose, name="address_books"),
    path("profile/app-passwords/", views.app_password_create, name="app_password_create"),
    path("profile/app-passwords/new/", views.app_password_new, name="app_password_new"),
    path(
        "profile/app-passwords/<int:pk>/revoke/",
        views.app_password_revoke,
        name="app_password_revoke",
    ),
    path("photo/", views.photo, name="photo"),
]
