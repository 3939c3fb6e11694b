"""The import's services: create a job from an upload, start, cancel, resume, undo."""

import csv
import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from accounts.preferences import speaking_to
from contacts import services
from contacts.access import contacts_visible_to
from contacts.csv_columns import escape_cell
from contacts.imports import files, mapping, runner
from contacts.imports.models import ImportIssue, ImportJob, ImportUpdate
from contacts.links import absolute_url
from contacts.models import Contact, ContactType, Notification
from contacts.services import ContactData
from contacts.storage import is_disk_full
from contacts.trash import services as trash

logger = logging.getLogger(__name__)
Status = ImportJob.Status
UNDO_CHUNK = 500


def import_max_bytes():
    return settings.IMPORT_MAX_BYTES


def job_create(*, by, upload, name=None, has_header=True, max_bytes=None):
    """Store an uploaded file (a Django File) and return a draft job, or raise ImportFileError.

    max_bytes defaults to settings.IMPORT_MAX_BYTES; the command passes no limit (0).
    """
    max_bytes = import_max_bytes() if max_bytes is None else max_bytes
    if max_bytes and upload.size is not None and upload.size > max_bytes:
        raise files.ImportFileError(
            _("The file is larger than %(max)d MB.") % {"max": max_bytes // (1024 * 1024)}
        )
    if not upload.size:
        raise files.ImportFileError(_("The file is empty."))
    job = ImportJob(
        created_by=by,
        file_name=(name or upload.name or "import.csv")[-255:],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    try:
        job.file.save(f"{uuid.uuid4().hex}.csv", upload, save=False)
    except OSError as error:
        if not is_disk_full(error):
            raise
        # The storage left no partial file behind, and no job was created.
        raise files.ImportFileError(
            _(
                "The file could not be saved because the server's disk is full: nothing "
                "was imported. Try again later."
            )
        ) from error
    job.file_size = job.file.size
    try:
        with open(job.file.path, "rb") as stream:
            sample = stream.read(files.SAMPLE_BYTES)
        encoding = files.detect_encoding(sample)
        try:
            files.check_decodes(job.file.path, encoding)
        except files.ImportFileError:
            # The first bytes looked like UTF-8 but a later one is not: a Windows file.
            if encoding != "utf-8":
                raise
            encoding = "cp1252"
            files.check_decodes(job.file.path, encoding)
        dialect = files.detect_dialect(job.file.path, encoding)
        dialect.has_header = has_header
        apply_dialect(job, dialect)
    except BaseException:
        job.file.delete(save=False)
        raise
    job.save()
    return job


def job_create_from_path(*, by, path, **kwargs):
    """Copy a file from the disk into the import storage, in chunks, and create a job."""
    with open(path, "rb") as stream:
        return job_create(by=by, upload=File(stream, name=str(path).rsplit("/", 1)[-1]), **kwargs)


def apply_dialect(job, dialect):
    """Check the file with dialect and store it with the header and automatic mapping."""
    header = files.check_file(job.file.path, dialect)
    job.encoding = dialect.encoding
    job.delimiter = dialect.delimiter
    job.quotechar = dialect.quotechar
    job.has_header = dialect.has_header
    job.skip_records = dialect.skip_records
    job.header = header if dialect.has_header else files.preview(job.file.path, dialect)[0]
    job.mapping = mapping.auto_mapping(job.header if dialect.has_header else [])
    job.mapping += [""] * (len(job.header) - len(job.mapping))


@transaction.atomic
def job_configure(*, job, dialect, duplicates, match_on, access, responsible, tags):
    """Store the settings of step 1; raise ImportFileError when the file cannot be read so."""
    changed = (
        dialect.encoding,
        dialect.delimiter,
        dialect.quotechar,
        dialect.has_header,
        dialect.skip_records,
    ) != (job.encoding, job.delimiter, job.quotechar, job.has_header, job.skip_records)
    if changed:
        apply_dialect(job, dialect)
    job.duplicates = duplicates
    job.match_on = match_on
    job.access = access
    ids = [u.pk for u in responsible]
    job.responsible = [job.created_by_id] + [i for i in ids if i != job.created_by_id]
    job.tags = tags
    job.save()
    return job


def job_set_mapping(*, job, targets):
    """Store the mapping of step 2, or raise ValidationError with what is wrong."""
    errors = mapping.mapping_errors(targets, job.header)
    if errors:
        raise ValidationError(errors)
    job.mapping = targets
    job.save(update_fields=["mapping"])
    return job


def job_start(*, job):
    """Queue the job for the worker (again, to resume it)."""

    token = runner.new_token()
    started = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.DRAFT, Status.CANCELLED, Status.FAILED, Status.RUNNING]
    ).update(status=Status.QUEUED, run_token=token, cancel_requested=False, ended_at=None)
    if not started:
        return job
    job.refresh_from_db()
    # The database task queue holds the task in the same transaction as the job.
    run_import.enqueue(job_id=job.pk, token=token)
    job.refresh_from_db()
    return job


def job_run_here(*, job):
    """Run the job in this process, without the task queue (the command does)."""
    token = runner.new_token()
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.QUEUED, run_token=token, cancel_requested=False, ended_at=None
    )
    runner.run_job(job.pk, token)
    job.refresh_from_db()
    return job


def can_resume(job):
    return job.status in (Status.CANCELLED, Status.FAILED) or is_stalled(job)


def stalled_after():
    """Return how long a running job's worker may stay silent before it counts as gone."""
    return timedelta(seconds=settings.IMPORT_STALLED_SECONDS)


def is_stalled(job):
    last = job.heartbeat_at or job.run_started_at
    return job.status == Status.RUNNING and (
        last is None or timezone.now() - last > stalled_after()
    )


def jobs_requeue_stalled():
    """Queue again the jobs whose worker went silent or died taking them; return their ids.

    django-tasks-db leaves the task of a killed worker RUNNING forever and never runs it
    again; the job knows better: its worker writes heartbeat_at with every batch (and
    while it reads a long first pass). A job silent for IMPORT_STALLED_SECONDS gets a
    new token and a new task, in one transaction, and resumes after its last committed
    batch. The conditional UPDATE is the claim: of two workers checking at once, one
    queues it; and a worker that was only slow finds its token gone at its next write,
    and its batch rolls back.
    """

    cutoff = timezone.now() - stalled_after()
    requeued = []
    stalled = ImportJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff)
    for job_id, old_token in stalled.values_list("pk", "run_token"):
        token = runner.new_token()
        with transaction.atomic():
            claimed = ImportJob.objects.filter(
                pk=job_id, status=Status.RUNNING, run_token=old_token, heartbeat_at__lt=cutoff
            ).update(status=Status.QUEUED, run_token=token, ended_at=None)
            if claimed:
                run_import.enqueue(job_id=job_id, token=token)
                requeued.append(job_id)
    # A worker killed between taking the task and marking the job running (a few ms)
    # leaves the job queued behind a task RUNNING for nobody: the same, from the task.
    orphans = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=run_import.module_path, started_at__lt=cutoff
    )
    for arguments in orphans.values_list("args_kwargs", flat=True):
        job_id, old_token = arguments["kwargs"]["job_id"], arguments["kwargs"]["token"]
        token = runner.new_token()
        with transaction.atomic():
            claimed = ImportJob.objects.filter(
                pk=job_id, status=Status.QUEUED, run_token=old_token
            ).update(run_token=token)
            if claimed:
                run_import.enqueue(job_id=job_id, token=token)
                requeued.append(job_id)
    return requeued


def job_resume(*, job):
    if not can_resume(job):
        return job
    return job_start(job=job)


def job_cancel(*, job):
    """Ask the worker to stop after the batch it is writing; a queued job stops at once."""
    ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED, run_token="", ended_at=timezone.now()
    )
    ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(cancel_requested=True)
    if is_stalled(job):
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.CANCELLED, run_token="", ended_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def progress(job):
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


# Rejected rows


def rejects_lines(job):
    """Yield the CSV text of the rejected rows: the file's columns and "error"."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo(), lineterminator="\r\n")
    header = list(job.header) if job.has_header else []
    width = max(len(header), 1)
    # Without a header in the file, none here either: the rows stay importable as they were.
    yield "\ufeff" + (
        writer.writerow([escape_cell(h) for h in header + ["error"]]) if header else ""
    )
    issues = ImportIssue.objects.filter(job=job, outcome=ImportIssue.Outcome.REJECTED)
    for issue in issues.order_by("line", "id").iterator(chunk_size=1000):
        cells = json.loads(issue.cells)
        width = max(width, len(header))
        cells = cells + [""] * (width - len(cells)) if header else cells
        yield writer.writerow([escape_cell(c) for c in [*cells, issue.reason]])


def write_rejects_file(job):
    """Store the rejected rows as a CSV file beside the job (nothing when none)."""
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


# The end of a job: notifications


def notify_import_ended(job):
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
        transaction.on_commit(lambda pk=pk: send_import_email.enqueue(job_id=job.pk, user_id=pk))


# Undo


def undo_blockers(job):
    """Return the contacts that changed since the import, which keep it from being undone."""
    if job.status not in (Status.DONE, Status.CANCELLED, Status.FAILED):
        return None
    changed = list(Contact.objects.filter(import_job=job, version__gt=1).order_by("pk")[:10])
    last = {}
    for update in ImportUpdate.objects.filter(job=job).order_by("pk"):
        last[update.contact_id] = update.version_after
    if last:
        versions = dict(Contact.objects.filter(pk__in=last).values_list("pk", "version"))
        changed_ids = [pk for pk, v in versions.items() if v != last[pk]][:10]
        changed += list(Contact.objects.filter(pk__in=changed_ids))
    return changed


def blockers_seen_by(user, blockers):
    """Return each blocker, or None where user may no longer see it.

    Someone else may have renamed it and made it private since the import: its new name
    is not the importer's to read.
    """
    visible = set(
        contacts_visible_to(
            user, Contact.objects.filter(pk__in=[c.pk for c in blockers])
        ).values_list("pk", flat=True)
    )
    return [c if c.pk in visible else None for c in blockers]


def can_undo(job):
    return (
        job.status in (Status.DONE, Status.CANCELLED, Status.FAILED)
        and (job.created or job.updated)
        and not undo_blockers(job)
    )


@transaction.atomic
def job_undo(*, by, job):
    """Delete what the import created and give what it updated its values back."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    blockers = undo_blockers(job)
    if blockers is None:
        raise ValidationError(_("Only a finished, cancelled or stopped import can be undone."))
    if blockers:
        raise ValidationError(
            _(
                "Some contacts of this import changed since (%(names)s): undoing it would "
                "lose those changes."
            )
            % {
                "names": ", ".join(
                    c.display_name if c else _("a contact you cannot see")
                    for c in blockers_seen_by(by, blockers[:5])
                )
            }
        )
    first = {}
    for update in ImportUpdate.objects.filter(job=job).select_related("contact").order_by("pk"):
        first.setdefault(update.contact_id, update)
    for update in first.values():
        _restore(by, update.contact, update.before, update.job_id)
    created = Contact.objects.filter(import_job=job)
    while True:
        ids = list(created.values_list("pk", flat=True)[:UNDO_CHUNK])
        if not ids:
            break
        # To the trash, as every deletion: the undo can be undone for TRASH_DAYS.
        trash.contacts_trash(by=by, ids=ids)
    ImportUpdate.objects.filter(job=job).delete()
    job.status = Status.UNDONE
    job.save(update_fields=["status"])
    return job


def _restore(by, contact, before, job_id):
    fields = dict(before["fields"])
    fields["contact_type"] = ContactType.objects.filter(pk=before["contact_type"]).first()
    company = Contact.objects.filter(pk=before["company"]).first() if before["company"] else None
    services.contact_update(
        by=by,
        source=Contact.Source.IMPORT,
        details={"import": job_id, "undo": True},
        contact=contact,
        data=ContactData(
            kind=contact.kind,
            fields=fields,
            access=contact.access,
            responsible=list(contact.responsible.all()),
            tags=before["tags"],
            infos=before["infos"],
            addresses=before["addresses"],
            company=company,
            custom=before["custom"],
        ),
    )


@task()
def run_import(*, job_id, token):
    """Run a CSV import job (see contacts.imports.runner)."""
    runner.run_job(job_id, token)


@task()
def send_import_email(*, job_id, user_id):
    """Email a user that an import ended: its importer, or a user made responsible by it."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if job is None or user is None or not user.is_active or not user.email:
        return
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
