from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Suppression(models.Model):
    """An erased person's e-mail address or phone number, kept only as a keyed hash.

    Imports, website forms and the API refuse to bring the person back; the address
    itself is never stored, so the list names nobody to whoever reads the database.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # HMAC-SHA256 of the normalised value with settings.PRIVACY_HASH_KEY, in hex.
    digest = models.CharField(max_length=64)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept beside the foreign key: the entry stays readable once its user is deleted.
    created_by_name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suppression")
        verbose_name_plural = _("suppression list")
        constraints = [models.UniqueConstraint(fields=["kind", "digest"], name="suppression_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}"

    @property
    def digest_prefix(self) -> str:
        return self.digest[:12]
