"""What an import tells: its progress, its rejected rows, and that it ended.

The import notifies the importer (and the users it made responsible) once when it ends,
in the app and by e-mail, rather than once per contact.
"""

from __future__ import annotations

import csv
import json
import logging
import uuid
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts.preferences import EmailKind, speaking_to, wants_email
from contacts.access import contacts_visible_to
from contacts.csv_columns import escape_cell
from contacts.imports.models import ImportIssue, ImportJob
from contacts.links import absolute_url
from contacts.models import Notification
from contacts.storage import is_disk_full

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)
Status = ImportJob.Status


# The report shows this many of the rows skipped, and as many of those rejected.
ISSUES_SHOWN = 50
ENDED = (Status.DONE, Status.CANCELLED, Status.FAILED, Status.UNDONE)


def has_ended(job: ImportJob) -> bool:
    return job.status in ENDED


def report_rows(job: ImportJob, user: User) -> dict[str, list[ImportIssue]]:
    """Return the first rows the job rejected and skipped, as user may read them.

    A skipped row links to the contact it matched, as that contact is now, when user may
    see it (its visible_contact); else it says only that there is one.
    """
    issues = ImportIssue.objects.filter(job=job)
    skipped = list(issues.filter(outcome=ImportIssue.Outcome.SKIPPED)[:ISSUES_SHOWN])
    ids = {issue.contact_id for issue in skipped if issue.contact_id}
    visible = {c.pk: c for c in contacts_visible_to(user).filter(pk__in=ids)} if ids else {}
    for issue in skipped:
        issue.visible_contact = visible.get(issue.contact_id or 0)  # type: ignore[attr-defined]
    rejected = list(issues.filter(outcome=ImportIssue.Outcome.REJECTED)[:ISSUES_SHOWN])
    return {"rejected_rows": rejected, "skipped_rows": skipped}


def progress(job: ImportJob) -> dict[str, Any]:
    """Return the figures of the progress bar: percent, rows per second, seconds left."""
    total = job.total_rows or 0
    percent = 100 if job.status == Status.DONE else (job.rows_done * 100 // total if total else 0)
    rate = seconds_left = None
    if job.run_started_at:
        end = job.ended_at or job.heartbeat_at or timezone.now()
        if job.status == Status.RUNNING:
            end = timezone.now()
        elapsed = (end - job.run_started_at).total_seconds()
        done = job.rows_done - job.run_start_rows
        if elapsed > 0 and done > 0:
            rate = done / elapsed
            if job.status == Status.RUNNING:
                seconds_left = int((total - job.rows_done) / rate)
    return {"percent": min(percent, 100), "rate": rate, "seconds_left": seconds_left}


class _Echo:
    """A file that hands back what is written to it: csv.writer then returns each line."""

    def write(self, value: str) -> str:
        return value


def rejects_lines(job: ImportJob) -> Iterator[str]:
    """Yield the CSV text of the rejected rows: the file's columns and "error"."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    header = list(job.header) if job.has_header else []
    width = max(len(header), 1)
    # Without a header in the file, none here either: the rows stay importable as they were.
    yield "\ufeff" + (
        writer.writerow([escape_cell(h) for h in header + ["error"]]) if header else ""
    )
    issues = ImportIssue.objects.filter(job=job, outcome=ImportIssue.Outcome.REJECTED)
    for issue in issues.order_by("line", "id").iterator(chunk_size=1000):
        cells = json.loads(issue.cells)
        cells = cells + [""] * (width - len(cells)) if header else cells
        yield writer.writerow([escape_cell(c) for c in [*cells, issue.reason]])


def write_rejects_file(job: ImportJob) -> str | None:
    """Store the rejected rows as a CSV file beside the job; return its path (None if none)."""
    if not job.rejected:
        return None
    name = f"imports/{uuid.uuid4().hex}-rejected.csv"
    path = default_storage.save(name, ContentFile(b""))
    try:
        with open(default_storage.path(path), "w", encoding="utf-8", newline="") as out:
            for line in rejects_lines(job):
                out.write(line)
    except OSError as error:
        default_storage.delete(path)
        if not is_disk_full(error):
            raise
        # The download streams the rows from the database when no file was stored.
        logger.warning("Import %s: no room for the rejected rows' file", job.pk)
        return None
    old = job.error_file.name
    ImportJob.objects.filter(pk=job.pk).update(error_file=path)
    job.error_file.name = path
    if old:
        default_storage.delete(old)
    return default_storage.path(path)


def notify_import_ended(job: ImportJob) -> None:
    """Tell the importer (in the app and by email) and the other responsible users."""
    others = [pk for pk in job.responsible if pk != job.created_by_id]
    Notification.objects.create(
        recipient_id=job.created_by_id,
        actor_id=job.created_by_id,
        import_job=job,
        verb="import_ended",
    )
    if job.created:
        Notification.objects.bulk_create(
            Notification(
                recipient_id=pk, actor_id=job.created_by_id, import_job=job, verb="import_assigned"
            )
            for pk in others
        )
    for pk in [job.created_by_id] + (others if job.created else []):
        transaction.on_commit(partial(send_import_email.enqueue, job_id=job.pk, user_id=pk))


@task()
def send_import_email(*, job_id: int, user_id: int) -> None:
    """Email a user that an import ended: its importer, or a user made responsible by it."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if job is None or user is None or not user.is_active or not user.email:
        return
    if not wants_email(user, EmailKind.IMPORT):
        return  # he reads it under the bell only
    is_importer = user.pk == job.created_by_id
    if not is_importer and job.status == ImportJob.Status.UNDONE:
        return  # the contacts he was made responsible for are gone again
    context = {
        "user": user,
        "job": job,
        "importer": job.created_by,
        "is_importer": is_importer,
        "url": absolute_url(job.get_absolute_url()),
        "list_url": absolute_url(reverse("contacts:list") + f"?import={job.pk}"),
    }
    with speaking_to(user):
        subject = render_to_string("contacts/email/import_subject.txt", context).strip()
        body = render_to_string("contacts/email/import.txt", context)
    send_mail(subject, body, None, [user.email])
