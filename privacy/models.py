"""The register of requests about a person's data, and the copies of it built for him.

Neither holds the person's data: the register keeps a keyed hash of what was looked up
(register.subject_key), and a copy keeps what to look up only until it is built.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Lookup(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    NAME = "name", _("Name")


class PrivacyRequest(models.Model):
    """One request about a person's data: who asked, when, what kind, what came of it."""

    class Kind(models.TextChoices):
        FIND = "find", _("Find")
        EXPORT = "export", _("Export")
        ERASE = "erase", _("Erase")
        LIFT = "lift", _("Lift a suppression")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("In progress")
        DONE = "done", _("Done")
        NOTHING = "nothing", _("Nothing found")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The user name as it was, for the register outlives the account.
    by_name = models.CharField(_("who"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    lookup = models.CharField(_("looked up by"), max_length=10, choices=Lookup.choices)
    # HMAC of the normalised value: two requests about one person share it, and nobody
    # reads the person back from it (register.subject_key).
    subject_key = models.CharField(_("person's key"), max_length=64)
    records = models.PositiveIntegerField(_("records"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d}"


def export_path(instance, filename):
    return f"privacy/{uuid.uuid4().hex}.zip"


class PersonalDataExport(models.Model):
    """A zip of everything held about a person, built by the worker, kept for a few days."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    request = models.OneToOneField(PrivacyRequest, on_delete=models.PROTECT, related_name="export")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lookup = models.CharField(max_length=10, choices=Lookup.choices)
    # What to look up, cleared once the zip is built: the zip holds it, for its days.
    value = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"export {self.pk}"


class Erasure(models.Model):
    """The erasure of a person everywhere, run by the worker a step at a time.

    What names the person (contacts, texts, addresses) is kept here only while it runs,
    to resume it after a crash, and cleared at its end; steps lists those done.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being erased")
        INTERRUPTED = "interrupted", _("Interrupted, resumes on its own")
        DONE = "done", _("Erased")

    request = models.OneToOneField(PrivacyRequest, on_delete=models.PROTECT, related_name="erasure")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    contact_ids = models.JSONField(default=list, blank=True)
    needles = models.JSONField(default=list, blank=True)
    emails = models.JSONField(default=list, blank=True)
    phones = models.JSONField(default=list, blank=True)
    # The steps done, in order, and how many records each erased: no personal data.
    steps = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"erasure {self.pk}"
