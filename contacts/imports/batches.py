"""Read an import's file in batches, companies first, and tally what each batch gives.

Companies come first (a first pass over the file), so that the persons of the second
pass find the companies of the same file, whatever their order. Each batch carries how
far the job will have got once it is written (pass and position), which the job row
records in the batch's transaction: the next run starts where the last committed batch
ended.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from contacts.imports import files
from contacts.imports.claims import JobClaim
from contacts.imports.models import ImportIssue, ImportJob
from contacts.imports.parsing import Record
from contacts.imports.rows import RowReader
from contacts.models import Contact

# While a pass only reads, the run tells it is alive every so many records (at most
# every few seconds, claims.HEARTBEAT_SECONDS).
HEARTBEAT_RECORDS = 500


def batch_size() -> int:
    return getattr(settings, "IMPORT_BATCH_SIZE", 2000)


@dataclass
class Batch:
    """Records to write together, and where the job stands once they are written."""

    records: list[Record]
    phase: int
    position: int
    last: bool = False


def batches(claim: JobClaim, reader: RowReader) -> Iterator[Batch]:
    """Yield the job's batches from where it stopped: its companies, then the rest."""
    job = claim.job
    dialect = files.dialect_of(job)
    size = batch_size()
    # Which records make companies, noted by the first pass for the second.
    companies = bytearray()
    for phase in (1, 2):
        if phase < job.phase:
            continue
        start = job.position if phase == job.phase else 0
        batch, position = [], start
        for index, (line, cells) in enumerate(files.data_records(job.file.path, dialect)):
            if index % HEARTBEAT_RECORDS == 0:
                claim.beat()
            if phase == 1:
                is_company = reader.kind_of(cells) == Contact.Kind.COMPANY
                companies.append(is_company)
            elif index < len(companies):
                is_company = bool(companies[index])
            else:
                is_company = reader.kind_of(cells) == Contact.Kind.COMPANY
            if index < start:
                continue
            if is_company == (phase == 1):
                batch.append((line, cells))
            position = index + 1
            if len(batch) >= size:
                yield Batch(batch, phase, position)
                batch = []
        if phase == 1 and job.total_rows is None:
            # The first pass read every record: it counted them too.
            claim.save(total_rows=len(companies))
            job.total_rows = len(companies)
        next_phase, next_position = (2, 0) if phase == 1 else (2, position)
        yield Batch(batch, next_phase, next_position, last=phase == 2)


class Tally:
    """What one batch counts (created, skipped...) and the issues of its rows."""

    OUTCOMES = ("created", "updated", "skipped", "rejected", "companies_created")

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.counts = dict.fromkeys(self.OUTCOMES, 0)
        self.issues: list[ImportIssue] = []

    def issue(
        self, line: int, cells: list[str], outcome: str, reason: str, contact: Contact | None = None
    ) -> None:
        """Count a row skipped or rejected, and keep why for the report."""
        self.counts[outcome] += 1
        self.issues.append(
            ImportIssue(
                job=self.job,
                line=line,
                outcome=outcome,
                reason=reason,
                cells=json.dumps(cells, ensure_ascii=False),
                contact=contact,
            )
        )
