"""Webhooks: the addresses CRM admins subscribe to events, and each message sent to one."""

import secrets
import uuid
from base64 import b64encode

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_secret() -> str:
    """Return a signing secret as the Standard Webhooks libraries read it."""
    return "whsec_" + b64encode(secrets.token_bytes(24)).decode("ascii")


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Event(models.TextChoices):
    CONTACT_CREATED = "contact.created", _("Contact created")
    CONTACT_UPDATED = "contact.updated", _("Contact changed")
    CONTACT_DELETED = "contact.deleted", _("Contact moved to the trash")
    CONTACT_RESTORED = "contact.restored", _("Contact restored")
    CONTACT_MERGED = "contact.merged", _("Contacts merged")
    TASK_CREATED = "task.created", _("Task created")
    TASK_UPDATED = "task.updated", _("Task changed or done")
    TIMELINE_EVENT_CREATED = "event.created", _("Timeline event written")
    TIMELINE_EVENT_UPDATED = "event.updated", _("Timeline event changed")
    IMPORT_FINISHED = "import.finished", _("CSV import ended")


class DisabledReason(models.TextChoices):
    GONE = "gone", _("The receiver answered 410 Gone: it wants no more messages.")
    FAILURES = "failures", _("50 deliveries in a row failed.")


# Sent by the settings page's button only; nobody subscribes to it.
TEST_EVENT = "webhook.test"


class Subscription(models.Model):
    # The CRM admin who made it: the messages carry what he may see when they are sent.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(default=list)  # Event values
    secret = models.CharField(max_length=100, default=new_secret)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=10, choices=DisabledReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self):
        return self.url

    def get_absolute_url(self):
        return reverse("webhooks:deliveries", args=[self.pk])

    def event_labels(self) -> list[str]:
        return [str(Event(e).label) for e in self.events if e in Event.values]


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # The owner may not see the contact (the task, the import): nothing was sent.
        SKIPPED = "skipped", _("skipped")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=30)
    # The webhook-id header: the same on every attempt, so that receivers drop repeats.
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    object_id = models.PositiveBigIntegerField(
        null=True, blank=True
    )  # a contact, a task, an import
    # What the event adds to the object, known when it happened (the merged contact's id);
    # the object itself is read when the message is sent.
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)  # of the last attempt

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["subscription", "-created_at"], name="delivery_log"),
        ]

    def __str__(self):
        return f"{self.event} {self.message_id}"
