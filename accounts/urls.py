from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/name/", views.profile_name, name="profile_name"),
    path("profile/email/", views.profile_email, name="profile_email"),
    path("profile/notifications/", views.profile_notifications, name="profile_notifications"),
    path("profile/photo/", views.profile_photo, name="profile_photo"),
    path("photo/", views.photo, name="photo"),
]
