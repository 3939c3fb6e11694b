"""What happened with a contact: notes, calls, e-mails and meetings on its timeline."""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import Contact

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.contrib.auth.base_user import AbstractBaseUser


class EventCategory(models.Model):
    """A kind of event, chosen when one is written down; CRM admins keep the list."""

    class Icon(models.TextChoices):
        # Bootstrap icon names: the card shows them before each event.
        NOTE = "sticky", _("Note")
        CALL = "telephone", _("Phone")
        EMAIL = "envelope", _("Envelope")
        MEETING = "people", _("People")
        CALENDAR = "calendar-event", _("Calendar")
        CHAT = "chat-dots", _("Speech bubble")
        FLAG = "flag", _("Flag")
        STAR = "star", _("Star")
        BRIEFCASE = "briefcase", _("Briefcase")
        TRUCK = "truck", _("Truck")

    # The four made by the migration, stored with their English names: while an admin
    # has not renamed one, its name follows the reader's language.
    ENGLISH_NAMES = {"note": "Note", "call": "Call", "email": "E-mail", "meeting": "Meeting"}
    DEFAULT_NAMES = {
        "note": pgettext_lazy("event category", "Note"),
        "call": pgettext_lazy("event category", "Call"),
        "email": pgettext_lazy("event category", "E-mail"),
        "meeting": pgettext_lazy("event category", "Meeting"),
    }

    code = models.CharField(max_length=20, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=60)
    icon = models.CharField(_("icon"), max_length=30, choices=Icon.choices, default=Icon.NOTE)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")

    def __str__(self):
        return str(self.shown_name)

    @property
    def shown_name(self):
        """Return the name in the reader's language for a default, as typed otherwise."""
        if self.code in self.DEFAULT_NAMES and self.name == self.ENGLISH_NAMES[self.code]:
            return self.DEFAULT_NAMES[self.code]
        return self.name


class Event(models.Model):
    """One entry written on a contact's timeline by a user."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="activities")
    category = models.ForeignKey(EventCategory, on_delete=models.PROTECT, related_name="events")
    happened_at = models.DateTimeField(_("date and time"), default=timezone.now)
    text = models.TextField(_("text"), max_length=20000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a field: set by the services that write the text, the users it newly mentions
    # who may not see the contact, and so were not notified.
    not_notified: "Sequence[AbstractBaseUser]" = ()

    class Meta:
        ordering = ["-happened_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-happened_at", "-id"], name="activity_contact_time")
        ]

    def __str__(self):
        return f"{self.contact_id} {self.category_id} {self.happened_at:%Y-%m-%d}"


def attachment_path(instance, filename):
    # Random names: an uploaded file's name never reaches the disk or a URL.
    return f"event-files/{uuid.uuid4().hex}"


class EventAttachment(models.Model):
    """A file attached to an event: stored under a random name, served by an access check."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=255)  # as uploaded: the download's name
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name
