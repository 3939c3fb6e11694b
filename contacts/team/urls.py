from django.urls import path

from contacts.team import views

app_name = "invitations"
urlpatterns = [
    path("<str:token>/", views.invitation_accept, name="accept"),
]
