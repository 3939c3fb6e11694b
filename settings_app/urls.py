from django.urls import path
from django.views.generic import RedirectView

app_name = "settings_app"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="settings_app:types"), name="index"),
]
