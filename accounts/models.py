from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
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


class Invitation(models.Model):
    """An invitation by email to join the CRM.

    Its user is created with it, inactive and without a usable password, so that the
    Users page lists him, his email is taken and his role is set; accepting it sets his
    name and password and makes him active. The link carries the invitation's id and
    link_version, signed: a resend moves the version on, and the older links die.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the link in force was sent: it expires a fixed time after.
    sent_at = models.DateTimeField(default=timezone.now)
    link_version = models.PositiveIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.email

    @property
    def pending(self):
        return self.accepted_at is None and self.revoked_at is None


class AuditEntry(models.Model):
    """Who did what to which account, and when: the Settings › Audit page.

    The action is a code and details its data (ids, names as read then), never text:
    the page writes them in its reader's language. The names are kept beside the
    foreign keys so that an entry stays readable once its users are gone.
    """

    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    # A code of accounts.audit.Action; a plain column, so that a new action needs no migration.
    action = models.CharField(max_length=40)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target_name = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_newest"),
            models.Index(fields=["action", "-created_at"], name="audit_action"),
            # Also the invitations an admin sent lately, which are throttled.
            models.Index(fields=["actor", "action", "-created_at"], name="audit_actor"),
            models.Index(fields=["target", "-created_at"], name="audit_target"),
        ]

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_name}"
        )
