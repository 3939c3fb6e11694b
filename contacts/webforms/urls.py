from django.urls import path

from contacts.webforms import views

app_name = "webforms"
urlpatterns = [
    path("<uuid:public_id>/", views.submit, name="submit"),
    path("<uuid:public_id>/ts/", views.timestamp, name="timestamp"),
    path("<uuid:public_id>/thanks/", views.thanks, name="thanks"),
]
