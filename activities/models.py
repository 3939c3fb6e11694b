"""What happened with a contact: notes, calls, e-mails and meetings on its timeline."""

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import Contact

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.contrib.auth.base_user import AbstractBaseUser


class Category(models.Model):
    """A kind of event or task, chosen when one is written down; CRM admins keep the list."""

    class Icon(models.TextChoices):
        # Bootstrap icon names: the card shows them before each event or task.
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
        ARROW = "arrow-repeat", _("Arrows")

    # The defaults made by the migrations, stored with their English names: while an admin
    # has not renamed one, its name follows the reader's language.
    ENGLISH_NAMES: dict[str, str] = {}
    DEFAULT_NAMES: dict[str, Any] = {}

    code = models.CharField(max_length=20, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=60)
    icon = models.CharField(_("icon"), max_length=30, choices=Icon.choices, default=Icon.NOTE)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return str(self.shown_name)

    @property
    def shown_name(self):
        """Return the name in the reader's language for a default, as typed otherwise."""
        if self.code in self.DEFAULT_NAMES and self.name == self.ENGLISH_NAMES[self.code]:
            return self.DEFAULT_NAMES[self.code]
        return self.name


class EventCategory(Category):
    ENGLISH_NAMES = {"note": "Note", "call": "Call", "email": "E-mail", "meeting": "Meeting"}
    DEFAULT_NAMES = {
        "note": pgettext_lazy("event category", "Note"),
        "call": pgettext_lazy("event category", "Call"),
        "email": pgettext_lazy("event category", "E-mail"),
        "meeting": pgettext_lazy("event category", "Meeting"),
    }

    class Meta(Category.Meta):
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")


class TaskCategory(Category):
    ENGLISH_NAMES = {
        "call": "Call",
        "email": "E-mail",
        "meeting": "Meeting",
        "follow_up": "Follow-up",
    }
    DEFAULT_NAMES = {
        "call": pgettext_lazy("task category", "Call"),
        "email": pgettext_lazy("task category", "E-mail"),
        "meeting": pgettext_lazy("task category", "Meeting"),
        "follow_up": pgettext_lazy("task category", "Follow-up"),
    }

    class Meta(Category.Meta):
        verbose_name = _("task category")
        verbose_name_plural = _("task categories")


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


class Task(models.Model):
    """Something to do by a date, for a responsible user, often about a contact.

    The due date and time are wall-clock values in the responsible user's time zone;
    remind_at is the instant they give, less the reminder's advance, kept in UTC so the
    worker finds due reminders on an index. reminded_at is set by the one worker that
    sends the reminder, in the transaction that claims it.
    """

    class Reminder(models.IntegerChoices):
        # Minutes before the due time.
        AT_DUE = 0, _("At the due time")
        MINUTES_15 = 15, _("15 minutes before")
        HOUR_1 = 60, _("1 hour before")
        DAY_1 = 1440, _("1 day before")

    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    due_time = models.TimeField(_("time"), null=True, blank=True)
    category = models.ForeignKey(
        TaskCategory, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("category")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="crm_tasks",
        verbose_name=_("responsible"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("contact"),
    )
    description = models.TextField(_("description"), max_length=20000, blank=True)
    reminder = models.PositiveIntegerField(
        _("reminder"), choices=Reminder.choices, null=True, blank=True
    )
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "due_time", "id"]
        indexes = [
            # My tasks and the navbar's badge: a user's open tasks by due date. Partial,
            # not on done_at: PostgreSQL reads an index in order after equalities only,
            # and "done_at IS NULL" is none.
            models.Index(
                fields=["responsible", "due_date", "due_time", "id"],
                name="task_open",
                condition=models.Q(done_at__isnull=True),
            ),
            # My tasks' done section, last done first and the id deciding between equal
            # times: read in that order from the index, not sorted.
            models.Index(
                fields=["responsible", "-done_at", "-id"],
                name="task_done",
                condition=models.Q(done_at__isnull=False),
            ),
            models.Index(fields=["contact", "done_at", "due_date"], name="task_contact"),
            # The worker's sweep: reminders due and not sent yet.
            models.Index(
                fields=["remind_at"],
                name="task_reminder_due",
                condition=models.Q(reminded_at__isnull=True, done_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title
