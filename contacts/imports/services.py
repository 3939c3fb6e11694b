"""An import's life: create a job from an upload, configure and map it, start, cancel, resume.

The job runs as a task of the database queue (run_import, below), which the worker runs
(contacts/imports/runner.py). A worker killed in the middle leaves its job silent: every
worker queues such jobs again (jobs_requeue_stalled), and they resume after their last
committed batch.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from contacts.imports import files, mapping, runner
from contacts.imports.claims import new_token
from contacts.imports.models import ImportJob
from contacts.storage import is_disk_full

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Status = ImportJob.Status


def job_create(
    *,
    by: User,
    upload: File,
    name: str | None = None,
    has_header: bool = True,
    max_bytes: int | None = None,
    api_token: str = "",
) -> ImportJob:
    """Store an uploaded file and return a draft job, or raise ImportFileError.

    max_bytes defaults to settings.IMPORT_MAX_BYTES; the command passes no limit (0).
    api_token names the REST API's token it is made through.
    """
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if max_bytes and upload.size is not None and upload.size > max_bytes:
        raise files.ImportFileError(
            _("The file is larger than %(max)d MB.") % {"max": max_bytes // (1024 * 1024)},
            "file_too_large",
        )
    if not upload.size:
        raise files.ImportFileError(_("The file is empty."), "empty_file")
    job = ImportJob(
        created_by=by,
        file_name=(name or upload.name or "import.csv")[-255:],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        api_token=api_token[:100],
    )
    _store_upload(job, upload)
    try:
        dialect = _detect_dialect(job.file.path)
        dialect.has_header = has_header
        apply_dialect(job, dialect)
    except BaseException:
        job.file.delete(save=False)
        raise
    job.save()
    return job


def _store_upload(job: ImportJob, upload: File) -> None:
    """Save the upload as the job's file, or raise ImportFileError when the disk is full."""
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
            ),
            "disk_full",
        ) from error
    job.file_size = job.file.size


def _detect_dialect(path: str) -> files.Dialect:
    """Return the encoding, delimiter and quote the file at path most likely has."""
    with open(path, "rb") as stream:
        sample = stream.read(files.SAMPLE_BYTES)
    encoding = files.detect_encoding(sample)
    try:
        files.check_decodes(path, encoding)
    except files.ImportFileError:
        # The first bytes looked like UTF-8 but a later one is not: a Windows file.
        if encoding != "utf-8":
            raise
        encoding = "cp1252"
        files.check_decodes(path, encoding)
    return files.detect_dialect(path, encoding)


def job_create_from_path(
    *, by: User, path: str | Path, has_header: bool = True, max_bytes: int | None = None
) -> ImportJob:
    """Copy a file from the disk into the import storage, in chunks, and create a job."""
    with open(path, "rb") as stream:
        upload = File(stream, name=Path(path).name)
        return job_create(by=by, upload=upload, has_header=has_header, max_bytes=max_bytes)


def apply_dialect(job: ImportJob, dialect: files.Dialect) -> None:
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
def job_configure(
    *,
    job: ImportJob,
    dialect: files.Dialect,
    duplicates: str,
    match_on: str,
    access: str,
    responsible: list[User],
    tags: list[str],
    company_moved: bool = False,
) -> ImportJob:
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
    job.company_moved = company_moved
    job.access = access
    ids = [u.pk for u in responsible]
    job.responsible = [job.created_by_id] + [i for i in ids if i != job.created_by_id]
    job.tags = tags
    job.save()
    return job


def job_discard(*, job: ImportJob) -> None:
    """Delete a draft job and its file: its settings or mapping were refused."""
    if job.status == Status.DRAFT:
        job.file.delete(save=False)
        job.delete()


def job_set_mapping(*, job: ImportJob, targets: list[str]) -> ImportJob:
    """Store the mapping of step 2, or raise ValidationError with what is wrong."""
    errors = mapping.mapping_errors(targets, job.header)
    if errors:
        raise ValidationError(errors)
    job.mapping = targets
    job.save(update_fields=["mapping"])
    return job


def job_start(*, job: ImportJob) -> ImportJob:
    """Queue the job for the worker (again, to resume it)."""
    token = new_token()
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


def job_run_here(*, job: ImportJob) -> ImportJob:
    """Run the job in this process, without the task queue (the command does)."""
    token = new_token()
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.QUEUED, run_token=token, cancel_requested=False, ended_at=None
    )
    runner.run_job(job.pk, token)
    job.refresh_from_db()
    return job


def can_resume(job: ImportJob) -> bool:
    return job.status in (Status.CANCELLED, Status.FAILED) or is_stalled(job)


def stalled_after() -> timedelta:
    """Return how long a running job's worker may stay silent before it counts as gone."""
    return timedelta(seconds=settings.IMPORT_STALLED_SECONDS)


def is_stalled(job: ImportJob) -> bool:
    last = job.heartbeat_at or job.run_started_at
    return job.status == Status.RUNNING and (
        last is None or timezone.now() - last > stalled_after()
    )


def jobs_requeue_stalled() -> list[int]:
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
        token = new_token()
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
        token = new_token()
        with transaction.atomic():
            claimed = ImportJob.objects.filter(
                pk=job_id, status=Status.QUEUED, run_token=old_token
            ).update(run_token=token)
            if claimed:
                run_import.enqueue(job_id=job_id, token=token)
                requeued.append(job_id)
    return requeued


def job_resume(*, job: ImportJob) -> ImportJob:
    if not can_resume(job):
        return job
    return job_start(job=job)


def job_cancel(*, job: ImportJob) -> ImportJob:
    """Ask the worker to stop after the batch it is writing; a queued job stops at once.

    A job that stops here ends as one the worker stops: its users are told, and
    import.finished goes to the webhooks.
    """
    stopped = ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED, run_token="", ended_at=timezone.now()
    )
    ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(cancel_requested=True)
    if is_stalled(job):
        stopped = ImportJob.objects.filter(pk=job.pk).update(
            status=Status.CANCELLED, run_token="", ended_at=timezone.now()
        )
    job.refresh_from_db()
    if stopped:
        runner.finish(job)
    return job


@task()
def run_import(*, job_id: int, token: str) -> None:
    """Run a CSV import job (see contacts.imports.runner)."""
    runner.run_job(job_id, token)
