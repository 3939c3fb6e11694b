"""Typed links between two contacts: who assists, manages or referred whom."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Contact.Kind's choices, written out: contacts.models imports this module (to register
# its models), which therefore cannot import it back.
KINDS = [("person", _("Person")), ("company", _("Company"))]


def reads_french() -> bool:
    return (get_language() or "").startswith("fr")


class RelationType(models.Model):
    """A kind of relation CRM admins keep: its label both ways, in English and French."""

    label_en = models.CharField(_("label in English"), max_length=80)
    label_fr = models.CharField(_("label in French"), max_length=80, blank=True)
    inverse_en = models.CharField(_("inverse label in English"), max_length=80, blank=True)
    inverse_fr = models.CharField(_("inverse label in French"), max_length=80, blank=True)
    symmetric = models.BooleanField(
        _("symmetric"),
        default=False,
        help_text=_("The same both ways, as “spouse of”: the inverse label is the label."),
    )
    # Blank: a contact of either kind.
    from_kind = models.CharField(_("from"), max_length=10, choices=KINDS, blank=True)
    to_kind = models.CharField(_("to"), max_length=10, choices=KINDS, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("relation type")
        verbose_name_plural = _("relation types")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """Return the label in the reader's language: French under French, else English."""
        return (reads_french() and self.label_fr) or self.label_en

    @property
    def inverse(self) -> str:
        """Return the label read from the other end, in the reader's language."""
        if self.symmetric:
            return self.label
        return (reads_french() and self.inverse_fr) or self.inverse_en or self.label

    def fits(self, from_kind: str, to_kind: str) -> bool:
        """Return whether it may link a contact of from_kind to one of to_kind."""
        return self.from_kind in ("", from_kind) and self.to_kind in ("", to_kind)


class Relation(models.Model):
    """from_contact is <type's label> to_contact: “Marie is assistant of Jean”."""

    # The unique constraint's index, which starts with it, serves the lookups by
    # from_contact; to_contact has its own.
    from_contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="relations_from", db_index=False
    )
    to_contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="relations_to"
    )
    type = models.ForeignKey(RelationType, on_delete=models.CASCADE, related_name="relations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["type__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_contact", "to_contact", "type"], name="relation_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_contact=models.F("to_contact")), name="relation_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.from_contact_id} {self.type_id} {self.to_contact_id}"
