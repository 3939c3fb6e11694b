import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def user_photo_path(instance, filename):
    # Never a name derived from the user: the folder is private, the file served by a view.
    return f"users/{uuid.uuid4().hex}{'.png' if filename.endswith('.png') else '.jpg'}"


class EmailKind(models.TextChoices):
    """The notifications that also come by e-mail, each of which a user may turn off."""

    ASSIGNMENT = "assignment", _("I am made responsible for a contact")
    IMPORT = "import", _("An import of mine ends, or makes me responsible for contacts")
    WEB_FORM = "web_form", _("A website form I am notified of is sent")


class Profile(models.Model):
    """What a user chose for himself: his language and time zone, photo and e-mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # An IANA name (Europe/Paris); the form offers zoneinfo's list.
    time_zone = models.CharField(_("time zone"), max_length=64)
    photo = models.ImageField(_("photo"), upload_to=user_photo_path, blank=True)
    # Which notifications also come by e-mail (the bell shows them all): one per kind.
    # Named email_on_<EmailKind>.
    email_on_assignment = models.BooleanField(EmailKind.ASSIGNMENT.label, default=True)
    email_on_import = models.BooleanField(EmailKind.IMPORT.label, default=True)
    email_on_web_form = models.BooleanField(EmailKind.WEB_FORM.label, default=True)

    def __str__(self):
        return f"{self.user} ({self.language}, {self.time_zone})"

    def get_absolute_url(self):
        return reverse("accounts:profile")


class SignInPolicy(models.Model):
    """The CRM-wide rules of signing in: one row, read with SignInPolicy.load()."""

    require_two_factor = models.BooleanField(
        _("require two-factor sign-in for everyone"), default=False
    )

    class Meta:
        verbose_name = _("sign-in policy")
        verbose_name_plural = _("sign-in policies")

    def __str__(self):
        return str(_("sign-in policy"))

    @classmethod
    def load(cls):
        """Return the policy; reading it writes nothing, even on a new installation."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
