"""A run's hold on its import job: the run token, the claim and the heartbeat.

Starting or resuming a job gives it a new run token, and only the run holding that token
may write to the job. A stale worker (overtaken by a requeue, or by a reset) finds its
token gone at its next write, stops, and its batch rolls back with the transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from contacts.imports.models import ImportJob

# Each committed batch is a heartbeat (see services.jobs_requeue_stalled); while a pass
# only reads (the first pass of a file with few companies), one every few seconds.
HEARTBEAT_SECONDS = 5


class Superseded(Exception):
    """Another run took the job over (or it was reset): this one must stop writing."""


def new_token() -> str:
    return uuid.uuid4().hex


def claim(job_id: int, token: str) -> bool:
    """Mark the job running if it is queued under token; return whether it was."""
    now = timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job_id, run_token=token, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING,
            started_at=Coalesce(F("started_at"), now),
            run_started_at=now,
            run_start_rows=F("rows_done"),
            heartbeat_at=now,
            error="",
        )
    )


class JobClaim:
    """The job as one run holds it: every write to the job checks the run's token."""

    def __init__(self, job: ImportJob, token: str) -> None:
        self.job = job
        self.token = token
        self.beaten_at = timezone.now()

    def save(self, **values: Any) -> None:
        """Write values to the job, or raise Superseded when another run holds it."""
        if not ImportJob.objects.filter(pk=self.job.pk, run_token=self.token).update(**values):
            raise Superseded

    def beat(self) -> None:
        """Tell the other workers that this one is alive, when a while passed since."""
        now = timezone.now()
        if (now - self.beaten_at).total_seconds() >= HEARTBEAT_SECONDS:
            self.save(heartbeat_at=now)
            self.beaten_at = now
