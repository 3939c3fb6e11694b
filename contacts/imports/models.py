"""The rows an import keeps: the job and its progress, the rows it did not import, and
what each contact it updated held before (for undo)."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def import_path(instance, filename):
    # Random names: an uploaded file's name never reaches the disk or a URL.
    return f"imports/{uuid.uuid4().hex}.csv"


class ImportJob(models.Model):
    """One CSV import: its settings, its mapping and its progress."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not started")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Stopped by an error")
        UNDONE = "undone", _("Undone")

    class Duplicates(models.TextChoices):
        CREATE = "create", _("Create a duplicate")
        SKIP = "skip", _("Skip the row")
        UPDATE = "update", _("Update the existing contact")

    class MatchOn(models.TextChoices):
        EMAIL = "email", _("Email address")
        PHONE = "phone", _("Phone number")
        NAME = "name", _("Exact name and company")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    file = models.FileField(upload_to=import_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    # Made through the REST API: the name of its token ("session" for a signed-in
    # browser's), which the contacts' history names; empty from the wizard.
    api_token = models.CharField(max_length=100, blank=True)
    # The importer's language: the reasons in the report are written in it.
    language = models.CharField(max_length=10, blank=True)
    # How the file is read.
    encoding = models.CharField(_("encoding"), max_length=20)
    delimiter = models.CharField(_("delimiter"), max_length=1)
    quotechar = models.CharField(_("text quote"), max_length=1, default='"')
    has_header = models.BooleanField(_("first row is a header"), default=True)
    # Records before the header (e.g. the notes at the top of a LinkedIn export).
    skip_records = models.PositiveIntegerField(default=0)
    header = models.JSONField(default=list)
    # One target per column ("" = do not import), see imports.mapping.
    mapping = models.JSONField(default=list)
    # What every imported contact gets.
    duplicates = models.CharField(
        _("duplicates"), max_length=10, choices=Duplicates.choices, default=Duplicates.SKIP
    )
    match_on = models.CharField(
        _("match on"), max_length=10, choices=MatchOn.choices, default=MatchOn.EMAIL
    )
    # Updating a person with another company: he moved (his previous position ends), or
    # he works at both (the new one becomes his primary one).
    company_moved = models.BooleanField(_("a new company means the person moved"), default=False)
    access = models.CharField(_("access"), max_length=12, default="private")
    responsible = models.JSONField(default=list)  # user ids, the importer among them
    tags = models.JSONField(default=list)
    # Progress: rows_done rows of the file are accounted for, in committed batches.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    # The pass (1: companies, 2: everything else) and the records of the file it has read.
    phase = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    companies_created = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    # Each run owns the job through this token: a stale worker cannot write after another.
    run_token = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    run_started_at = models.DateTimeField(null=True, blank=True)
    run_start_rows = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_file = models.FileField(upload_to=import_path, max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="import_by_user")]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("contacts:import_detail", args=[self.pk])

    @property
    def accounted(self):
        return self.created + self.updated + self.skipped + self.rejected

    def history_details(self):
        """Return what the history of a contact it writes keeps of it."""
        return {"import": self.pk, **({"token": self.api_token} if self.api_token else {})}


class ImportIssue(models.Model):
    """A row an import skipped or rejected, with the reason and the row as it was read."""

    class Outcome(models.TextChoices):
        SKIPPED = "skipped", _("Skipped")
        REJECTED = "rejected", _("Rejected")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    line = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField()
    # The cells as JSON text: PostgreSQL's jsonb cannot hold every character a file can.
    cells = models.TextField()
    # The contact the row matched, when it was skipped for it: the report names it as it
    # is when read, and only to whoever may see it.
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["job", "outcome", "line"], name="import_issue_outcome")]

    def __str__(self):
        return f"{self.line}: {self.reason}"


class ImportUpdate(models.Model):
    """What a contact held before an import updated it, so that undo can put it back."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="updates")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    before = models.JSONField()
    # The contact's version right after the import: a higher one means it changed since.
    version_after = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.job_id} → {self.contact_id}"
