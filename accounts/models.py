from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """What a user chose for himself: the language and time zone he is spoken to in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # An IANA name (Europe/Paris); the form offers zoneinfo's list.
    time_zone = models.CharField(_("time zone"), max_length=64)

    def __str__(self):
        return f"{self.user} ({self.language}, {self.time_zone})"

    def get_absolute_url(self):
        return reverse("accounts:profile")
