"""Run an import job: read the file in batches, write each batch in one transaction.

After each batch the job row records how far it got (pass and position) with the
counts, in the same transaction as the contacts: a crash or a cancel never leaves a
batch half-written, and the next run starts where the last committed batch ended.
The seams: claims.py (the run's hold on its job), batches.py (the file in batches),
parsing.py (the rows read, in a second process for a big file), references.py (users,
types, tags and companies named), matching.py (duplicates), writer.py (new contacts),
updates.py (existing ones), report.py (the end).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from contacts.db import counts
from contacts.db.statistics import refresh_grown_tables, refresh_statistics
from contacts.imports import files
from contacts.imports.batches import Batch, Tally, batch_size, batches
from contacts.imports.claims import JobClaim, Superseded, claim
from contacts.imports.matching import Matcher
from contacts.imports.models import ImportIssue, ImportJob
from contacts.imports.parsing import Parsing, Refused, frozen_heap, parser
from contacts.imports.references import References
from contacts.imports.report import notify_import_ended, write_rejects_file
from contacts.imports.rows import Row, RowReader
from contacts.imports.updates import contact_update_from_row
from contacts.imports.writer import ContactWriter
from contacts.personal_data import suppression
from contacts.search_text import ParsedPhones
from contacts.signals import import_finished, notes_imported

if TYPE_CHECKING:
    from contacts.models import Contact

logger = logging.getLogger(__name__)
Status = ImportJob.Status


def run_job(job_id: int, token: str) -> None:
    """Run the job if token still owns it; record how it ended."""
    if not claim(job_id, token):
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with override(job.language or settings.LANGUAGE_CODE):
        _run(job, token)


def _run(job: ImportJob, token: str) -> None:
    """Import the job; record a failure, unless another run took the job over meanwhile."""
    try:
        Importer(job, token).run()
    except Superseded:
        return
    except Exception as error:
        logger.exception("Import %s stopped", job.pk)
        reason = error if isinstance(error, files.ImportFileError) else type(error).__name__
        message = _("The import stopped after %(done)d rows: %(error)s") % {
            "done": ImportJob.objects.get(pk=job.pk).rows_done,
            "error": reason,
        }
        ended = ImportJob.objects.filter(pk=job.pk, run_token=token).update(
            status=Status.FAILED, error=message, ended_at=timezone.now()
        )
        if not ended:
            return
    finish(ImportJob.objects.select_related("created_by").get(pk=job.pk))


def finish(job: ImportJob) -> None:
    """Write the rejected rows' file and tell the users that the import ended."""
    if job.rows_done:
        refresh_statistics()  # the table may have grown a lot
    write_rejects_file(job)
    if job.status == Status.DONE:
        # Nothing reads the upload once every row is accounted for: free the disk.
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
    notify_import_ended(job)
    import_finished.send(sender=ImportJob, job_id=job.pk)


def no_parallel_workers() -> None:
    """Plan the rest of the transaction without parallel workers (on PostgreSQL).

    Each batch looks its thousand e-mails (or phones, names) up in the whole table. For
    so many values PostgreSQL prefers scanning the table with two parallel workers to
    its index: it finds the same rows, but the scan grows with the table and takes, on
    every core, the CPU the import's own processes need; without workers it takes the
    index, several times faster.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


class Importer:
    """One run of a job: each batch parsed while the one before it is written."""

    def __init__(self, job: ImportJob, token: str) -> None:
        self.job = job
        self.user = job.created_by
        self.claim = JobClaim(job, token)
        self.reader = RowReader(job.mapping, len(job.header) if job.has_header else 0)
        self.writer = ContactWriter(by=self.user, job=job)
        self.references = References(job, self.user)
        self.matcher = Matcher(job, self.user)
        # The live contacts, counting this run's, and how many there were when the
        # planner's statistics were last refreshed (as if then, at the start).
        self.contacts = counts.total("live")
        self.analyzed_at = max(self.contacts, batch_size() / 2)

    def run(self) -> str:
        """Import every batch; return the status the job ended with."""
        pending = None
        with frozen_heap(), parser(self.reader, self.job.file_size or 0) as parse:
            # One batch is read by the parser while the one before it is written.
            for batch in batches(self.claim, self.reader):
                parsed = parse(batch.records)
                if pending and self._commit(*pending):
                    return Status.CANCELLED
                pending = (parsed, batch)
            if pending and self._commit(*pending):
                return Status.CANCELLED
        return Status.DONE

    def _commit(self, parsed: Parsing, batch: Batch) -> bool:
        """Write one batch and the job's progress together; return True when cancelled."""
        outcomes, phones = parsed.result()
        with transaction.atomic():
            no_parallel_workers()
            tally = self._process(outcomes, phones)
            ImportIssue.objects.bulk_create(tally.issues)
            now = timezone.now()
            values = {
                "phase": batch.phase,
                "position": batch.position,
                "rows_done": F("rows_done") + len(batch.records),
                "heartbeat_at": now,
                **{name: F(name) + n for name, n in tally.counts.items()},
            }
            if batch.last:
                values.update(status=Status.DONE, ended_at=now)
            self.claim.save(**values)
        self.claim.beaten_at = now
        self.job.phase, self.job.position = batch.phase, batch.position
        self._refresh_statistics(len(batch.records))
        return not batch.last and self._cancel_if_asked()

    def _refresh_statistics(self, written: int) -> None:
        """Refresh the planner's statistics each time the contacts have doubled: into an
        empty database, its lookups would otherwise be planned for the few rows of the
        first batch; into a large one, a refresh reads a sample of every table, seconds
        at a million contacts, for rows that change no plan."""
        self.contacts += written
        if self.contacts >= 2 * self.analyzed_at:
            refresh_grown_tables()
            self.analyzed_at = self.contacts

    def _cancel_if_asked(self) -> bool:
        if ImportJob.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            self.claim.save(status=Status.CANCELLED, ended_at=timezone.now())
            return True
        return False

    def _process(self, outcomes: list[Row | Refused], phones: ParsedPhones) -> Tally:
        """Write the rows of one batch, as parse_batch read them; return its tally."""
        tally = Tally(self.job)
        rows = []
        for outcome in outcomes:
            if isinstance(outcome, Row):
                rows.append(outcome)
            elif outcome.reason is None:
                tally.issue(outcome.line, outcome.cells, "skipped", _("Empty row."))
            else:
                tally.issue(outcome.line, outcome.cells, "rejected", outcome.reason)
        rows = self._not_suppressed(rows, tally, phones)
        references = self.references
        rows = references.with_known_users(rows, tally)
        creates, updates = self.matcher.split(rows, tally, phones)
        for row in creates:
            row.fields["contact_type_id"] = references.type_id(row.contact_type)
        written = creates + [row for row, _contact in updates]
        references.add_tags([tag for row in written for tag in row.tags])
        self.writer.phones = phones
        named = [row for row in written if row.company_name]
        tally.counts["companies_created"] = references.add_companies(named, self.writer)
        created = self._create(creates)
        tally.counts["created"] += len(creates)
        for row, contact in updates:
            self._update(row, contact, phones)
        tally.counts["updated"] += len(updates)
        notes = [(pk, row.notes) for pk, row in created if row.notes]
        fresh = {pk for pk, _text in notes}
        notes += [(contact.pk, row.notes) for row, contact in updates if row.notes]
        if notes:
            notes_imported.send(
                sender=ImportJob,
                job=self.job,
                by=self.user,
                notes=notes,
                at=self.writer.flushed_at,
                fresh=fresh,
            )
        return tally

    def _not_suppressed(self, rows: list[Row], tally: Tally, phones: ParsedPhones) -> list[Row]:
        """Return rows but those of an erased person, rejected: they must not come back."""
        if not suppression.any_suppressed():
            return rows
        keys = {row.line: suppression.row_digests(row.infos, phones) for row in rows}
        found = suppression.suppressed_among({d for digests in keys.values() for d in digests})
        if not found:
            return rows
        kept = []
        for row in rows:
            if keys[row.line] & found:
                tally.issue(row.line, row.cells, "rejected", _("Erased at the person's request."))
            else:
                kept.append(row)
        return kept

    def _create(self, rows: list[Row]) -> list[tuple[int, Row]]:
        """Write the new contacts of rows; return each one's id with its row."""
        references = self.references
        for row in rows:
            company_id, company_display = references.companies.get(row.company_name, (None, ""))
            self.writer.add(
                kind=row.kind,
                fields=row.fields,
                infos=row.infos,
                addresses=row.addresses,
                tags=references.tag_ids(row),
                custom=row.custom,
                access=row.access or self.job.access,
                responsible=references.responsible_for(row),
                company_id=company_id,
                company_display=company_display,
                consent=row.consent,
                noted=bool(row.notes),
            )
        created = []
        for row, written in zip(rows, self.writer.flush(), strict=True):
            self.matcher.created(written["id"], row.line)
            created.append((written["id"], row))
        return created

    def _update(self, row: Row, contact: Contact, phones: ParsedPhones) -> None:
        company = self.references.companies.get(row.company_name) if row.company_name else None
        contact_update_from_row(
            by=self.user,
            job=self.job,
            row=row,
            contact=contact,
            type_id=self.references.type_id(row.contact_type),
            tags=self.references.all_tags(row),
            company_id=company[0] if company else None,
            phones=phones,
        )
