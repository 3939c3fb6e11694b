"""Run an import job: read the file in batches, write each batch in one transaction.

Companies come first (a first pass over the file), so that the persons of the second
pass find the companies of the same file, whatever their order. After each batch the
job row records how far it got (pass and position) with the counts, in the same
transaction as the contacts: a crash or a cancel never leaves a batch half-written,
and the next run starts where the last committed batch ended.
"""

import gc
import json
import logging
import multiprocessing
import os
import uuid
from array import array
from bisect import bisect_left
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat, Trim
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import override
from taggit.models import Tag

from contacts import contact_types as config
from contacts import services
from contacts.access import contacts_visible_to, editable_ids
from contacts.custom_fields import values as custom_fields
from contacts.db.statistics import refresh_grown_tables, refresh_statistics
from contacts.imports import files
from contacts.imports import rows as rows_module
from contacts.imports.models import ImportIssue, ImportJob, ImportUpdate
from contacts.imports.rows import EmptyRow, RowError, RowReader
from contacts.imports.writer import ContactWriter, normalized
from contacts.models import Contact, ContactInfo, ContactType
from contacts.services import ContactData
from contacts.tags import _unique_slug, tag_named

logger = logging.getLogger(__name__)
Status = ImportJob.Status
# Each committed batch is a heartbeat (see services.jobs_requeue_stalled); while a pass
# only reads (the first pass of a file with few companies), one every few seconds.
HEARTBEAT_RECORDS = 500
HEARTBEAT_SECONDS = 5


def no_parallel_workers():
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


class Superseded(Exception):
    """Another run took the job over (or it was reset): this one must stop writing."""


def batch_size():
    return getattr(settings, "IMPORT_BATCH_SIZE", 2000)


def dialect_of(job):
    return files.Dialect(
        encoding=job.encoding,
        delimiter=job.delimiter,
        quotechar=job.quotechar,
        has_header=job.has_header,
        skip_records=job.skip_records,
    )


def run_job(job_id, token):
    """Run the job if token still owns it; record how it ended."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, run_token=token, status=Status.QUEUED).update(
        status=Status.RUNNING,
        started_at=Coalesce(F("started_at"), now),
        run_started_at=now,
        run_start_rows=F("rows_done"),
        heartbeat_at=now,
        error="",
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with override(job.language or settings.LANGUAGE_CODE):
        _run(job, token)


def _run(job, token):
    job_id = job.pk
    try:
        Importer(job, token).run()
    except Superseded:
        return
    except Exception as error:
        logger.exception("Import %s stopped", job_id)
        reason = error if isinstance(error, files.ImportFileError) else type(error).__name__
        message = _("The import stopped after %(done)d rows: %(error)s") % {
            "done": ImportJob.objects.get(pk=job_id).rows_done,
            "error": reason,
        }
        ended = ImportJob.objects.filter(pk=job_id, run_token=token).update(
            status=Status.FAILED, error=message, ended_at=timezone.now()
        )
        if not ended:
            return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    finish(job)


def finish(job):
    """Write the rejected rows' file and tell the users that the import ended."""
    # The services import this module, to start a run.
    from contacts.imports.services import notify_import_ended, write_rejects_file

    refresh_statistics()  # the table may have grown a lot
    write_rejects_file(job)
    if job.status == Status.DONE:
        # Nothing reads the upload once every row is accounted for: free the disk.
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
    notify_import_ended(job)


class Importer:
    def __init__(self, job, token):
        self.job = job
        self.token = token
        self.user = job.created_by
        self.dialect = dialect_of(job)
        self.reader = RowReader(job.mapping, len(job.header) if job.has_header else 0)
        self.writer = ContactWriter(by=self.user, job=job)
        self.text_keys = custom_fields.searchable_keys()
        self.types = {t.title.casefold(): t.pk for t in ContactType.objects.all()}
        self.tags = {}
        self.companies = {}
        self.users = {}
        # The contacts this job updated, in this run or before it: each once.
        self.updated = set(
            ImportUpdate.objects.filter(job=job).values_list("contact_id", flat=True)
        )
        self.responsible = list(
            get_user_model()
            .objects.filter(pk__in=job.responsible, is_active=True)
            .values_list("pk", flat=True)
        )
        if self.user.pk not in self.responsible:
            self.responsible.insert(0, self.user.pk)
        # The line of each contact this run created, by id, to name it when a row of a
        # later batch is the same contact: two arrays (16 bytes a contact, not a dict's
        # hundred), in ascending ids since ids are allocated in order.
        self.created_ids, self.created_lines = array("q"), array("q")
        # Rows written by this run, and when the planner's statistics were last refreshed.
        self.written, self.analyzed_at = 0, batch_size() / 2
        self.beaten_at = timezone.now()

    def run(self):
        """Import every batch; return the status the job ended with."""
        pending = None
        with frozen_heap(), parser(self) as parse:
            # One batch is read by the parser while the one before it is written.
            for batch, phase, position, last in self._batches():
                parsed = parse(batch)
                if pending and self._commit(*pending):
                    return Status.CANCELLED
                pending = (parsed, batch, phase, position, last)
            if pending and self._commit(*pending):
                return Status.CANCELLED
        return Status.DONE

    def _batches(self):
        """Yield (batch, phase, position, last): companies first, then everything else."""
        job = self.job
        path = job.file.path
        size = batch_size()
        # Which records make companies, noted by the first pass for the second.
        companies = bytearray()
        for phase in (1, 2):
            if phase < job.phase:
                continue
            start = job.position if phase == job.phase else 0
            batch, position = [], start
            for index, (line, cells) in enumerate(files.data_records(path, self.dialect)):
                if index % HEARTBEAT_RECORDS == 0:
                    self._beat()
                if phase == 1:
                    is_company = self.reader.kind_of(cells) == Contact.Kind.COMPANY
                    companies.append(is_company)
                elif index < len(companies):
                    is_company = companies[index]
                else:
                    is_company = self.reader.kind_of(cells) == Contact.Kind.COMPANY
                if index < start:
                    continue
                if is_company == (phase == 1):
                    batch.append((line, cells))
                position = index + 1
                if len(batch) >= size:
                    yield batch, phase, position, False
                    batch = []
            if phase == 1 and job.total_rows is None:
                # The first pass read every record: it counted them too.
                self._save(total_rows=len(companies))
                job.total_rows = len(companies)
            next_phase, next_position = (2, 0) if phase == 1 else (2, position)
            yield batch, next_phase, next_position, phase == 2

    def _beat(self):
        """Tell the other workers that this one is alive, when a while passed since."""
        now = timezone.now()
        if (now - self.beaten_at).total_seconds() >= HEARTBEAT_SECONDS:
            self._save(heartbeat_at=now)
            self.beaten_at = now

    def _save(self, **values):
        if not ImportJob.objects.filter(pk=self.job.pk, run_token=self.token).update(**values):
            raise Superseded

    def _commit(self, parsed, batch, phase, position, last=False):
        """Write one batch and the job's progress together; return True when cancelled."""
        outcomes, phones = parsed.result()
        rows_module.PARSED_PHONES = phones
        with transaction.atomic():
            no_parallel_workers()
            counts, issues = self._process(outcomes)
            ImportIssue.objects.bulk_create(issues)
            values = {
                "phase": phase,
                "position": position,
                "rows_done": F("rows_done") + len(batch),
                "heartbeat_at": timezone.now(),
                **{name: F(name) + n for name, n in counts.items()},
            }
            if last:
                values.update(status=Status.DONE, ended_at=timezone.now())
            self._save(**values)
        self.beaten_at = values["heartbeat_at"]
        self.job.phase, self.job.position = phase, position
        self.written += len(batch)
        if self.written >= 2 * self.analyzed_at:
            refresh_grown_tables()
            self.analyzed_at = self.written
        if last:
            return False
        if ImportJob.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            self._save(status=Status.CANCELLED, ended_at=timezone.now())
            return True
        return False

    # One batch

    def _process(self, outcomes):
        """Write the rows of one batch, as parse_batch read them; return counts and issues."""
        counts = {"created": 0, "updated": 0, "skipped": 0, "rejected": 0, "companies_created": 0}
        issues = []

        def issue(line, cells, outcome, reason, contact=None):
            counts[outcome] += 1
            issues.append(
                ImportIssue(
                    job=self.job,
                    line=line,
                    outcome=outcome,
                    reason=reason,
                    cells=json.dumps(cells, ensure_ascii=False),
                    contact=contact,
                )
            )

        rows = []
        for outcome in outcomes:
            if outcome[0] == "row":
                rows.append(outcome[1])
            elif outcome[0] == "empty":
                issue(outcome[1], outcome[2], "skipped", _("Empty row."))
            else:
                issue(outcome[1], outcome[2], "rejected", outcome[3])
        rows = self._with_users(rows, issue)
        creates, updates = self._match(rows, issue)
        for row in creates:
            row.fields["contact_type_id"] = self._type_id(row.contact_type)
        self._tag_ids([t for row in creates + [u for u, _c in updates] for t in row.tags])
        named = [r for r in creates + [u for u, _c in updates] if r.company_name]
        counts["companies_created"] = self._companies(named)
        for row in creates:
            company_id, company_display = self.companies.get(row.company_name, (None, ""))
            self.writer.add(
                kind=row.kind,
                fields=row.fields,
                infos=row.infos,
                addresses=row.addresses,
                tags=[self.tags[t.casefold()] for t in self._all_tags(row)],
                custom=row.custom,
                access=row.access or self.job.access,
                responsible=self._responsible(row),
                company_id=company_id,
                company_display=company_display,
                text_keys=self.text_keys,
            )
        for row, written in zip(creates, self.writer.flush(), strict=True):
            self.created_ids.append(written["id"])
            self.created_lines.append(row.line)
        counts["created"] += len(creates)
        for row, contact in updates:
            self._update(row, contact)
        counts["updated"] += len(updates)
        return counts, issues

    def _all_tags(self, row):
        seen = {}
        for name in [*row.tags, *self.job.tags]:
            seen.setdefault(name.casefold(), name)
        return list(seen.values())

    def _responsible(self, row):
        users = list(self.responsible)
        for name in row.usernames:
            pk = self.users[name]
            if pk not in users:
                users.append(pk)
        return users

    def _with_users(self, rows, issue):
        wanted = {n for row in rows for n in row.usernames if n not in self.users}
        if wanted:
            active = get_user_model().objects.filter(is_active=True)
            self.users.update(active.filter(username__in=wanted).values_list("username", "pk"))
            # The rest by their full names, as the card and the export show them: a name
            # that several users share names none of them.
            named = {}
            for name, pk in (
                active.annotate(full_name=Trim(Concat("first_name", Value(" "), "last_name")))
                .filter(full_name__in=wanted - set(self.users))
                .values_list("full_name", "pk")
            ):
                named.setdefault(name, []).append(pk)
            self.users.update(
                {name: pks[0] if len(pks) == 1 else None for name, pks in named.items()}
            )
        kept = []
        for row in rows:
            unknown = [n for n in row.usernames if n not in self.users]
            shared = [n for n in row.usernames if self.users.get(n, 0) is None]
            if unknown:
                reason = _("Unknown user: “%(name)s”.") % {"name": unknown[0]}
            elif shared:
                reason = _(
                    "Several users are named “%(name)s”: write the user name of the one meant."
                ) % {"name": shared[0]}
            else:
                kept.append(row)
                continue
            issue(row.line, row.cells, "rejected", reason)
        return kept

    def _type_id(self, title):
        if not title:
            return None
        key = title.casefold()
        if key not in self.types:
            try:
                with transaction.atomic():
                    self.types[key] = config.contact_type_create(title=title).pk
            except ValidationError:
                # Created meanwhile under another case: use it.
                self.types = {t.title.casefold(): t.pk for t in ContactType.objects.all()}
        return self.types.get(key)

    def _tag_ids(self, names):
        for name in names + list(self.job.tags):
            key = name.casefold()
            if key in self.tags:
                continue
            tag = tag_named(name)
            if tag is None:
                tag = Tag.objects.create(name=name, slug=_unique_slug(name))
            self.tags[key] = tag.pk

    def _companies(self, persons):
        """Find or create the companies the persons name; return how many were created."""
        missing = {r.company_name for r in persons} - set(self.companies)
        if not missing:
            return 0
        found = (
            contacts_visible_to(self.user)
            .filter(kind=Contact.Kind.COMPANY, display_name__in=missing)
            .order_by("-pk")
            .values_list("display_name", "pk")
        )
        # Ordered newest first so that the oldest of several namesakes wins.
        for name, pk in found:
            self.companies[name] = (pk, name)
        created = 0
        for row in persons:
            name = row.company_name
            if name in self.companies or len(name) > 200:
                continue
            self.companies[name] = None  # placeholder, filled after the flush
            created += 1
            self.writer.add(
                kind=Contact.Kind.COMPANY,
                fields={"company_name": name, "currency": row.fields.get("currency", "")},
                infos=[],
                addresses=[],
                tags=[],
                custom={},
                access=self.job.access,
                responsible=self.responsible,
                text_keys=self.text_keys,
            )
        for row in self.writer.flush():
            self.companies[row["display_name"]] = (row["id"], row["display_name"])
        return created

    # Duplicates

    def _keys(self, row):
        mode = self.job.match_on
        if mode == ImportJob.MatchOn.EMAIL:
            return {
                normalized("email", i["value"])
                for i in row.infos
                if i["kind"] == ContactInfo.Kind.EMAIL
            }
        if mode == ImportJob.MatchOn.PHONE:
            keys = {
                normalized("phone", i["value"])
                for i in row.infos
                if i["kind"] == ContactInfo.Kind.PHONE
            }
            return {k for k in keys if k}
        if row.kind == Contact.Kind.PERSON:
            return {(row.fields["first_name"], row.fields["last_name"], row.company_name)}
        return {row.fields["company_name"]}

    def _existing(self, rows, row_keys):
        """Return {(kind, key): (contact id, import job id)} of the visible contacts matching."""
        visible = contacts_visible_to(self.user)
        mode = self.job.match_on
        found = {}
        for kind in Contact.Kind.values:
            keys = {k for row in rows if row.kind == kind for k in row_keys[row.line]}
            if not keys:
                continue
            contacts = visible.filter(kind=kind)
            if mode in (ImportJob.MatchOn.EMAIL, ImportJob.MatchOn.PHONE):
                matches = contacts.filter(infos__kind=mode, infos__normalized__in=keys).values_list(
                    "infos__normalized", "pk", "import_job_id"
                )
            elif kind == Contact.Kind.PERSON:
                matches = (
                    (key, pk, job_id)
                    for *key, pk, job_id in contacts.filter(
                        first_name__in={k[0] for k in keys}, last_name__in={k[1] for k in keys}
                    ).values_list(
                        "first_name", "last_name", "company__display_name", "pk", "import_job_id"
                    )
                )
                matches = [((k[0], k[1], k[2] or ""), pk, job_id) for k, pk, job_id in matches]
            else:
                matches = contacts.filter(display_name__in=keys).values_list(
                    "display_name", "pk", "import_job_id"
                )
            for key, pk, job_id in matches:
                key = tuple(key) if isinstance(key, list) else key
                if (kind, key) not in found or pk < found[(kind, key)][0]:
                    found[(kind, key)] = (pk, job_id)
        return found

    def _match(self, rows, issue):
        """Split rows into contacts to create and (row, contact) pairs to update."""
        if self.job.duplicates == ImportJob.Duplicates.CREATE:
            return rows, []
        # Each row's keys, computed once: they are read three times.
        row_keys = {row.line: self._keys(row) for row in rows}
        existing = self._existing(rows, row_keys)
        updating = self.job.duplicates == ImportJob.Duplicates.UPDATE
        matched = {}
        for row in rows:
            for key in row_keys[row.line]:
                if (row.kind, key) in existing:
                    matched[row.line] = existing[(row.kind, key)]
                    break
        contacts = Contact.objects.in_bulk([pk for pk, _job in matched.values()])
        editable = editable_ids(self.user, list(contacts.values())) if updating else set()
        creates, updates, seen, updated = [], [], {}, self.updated
        for row in rows:
            keys = row_keys[row.line]
            earlier = next((seen[(row.kind, k)] for k in keys if (row.kind, k) in seen), None)
            if earlier is not None:
                issue(
                    row.line,
                    row.cells,
                    "skipped",
                    _("Same contact as line %(line)d of this file.") % {"line": earlier},
                )
                continue
            for key in keys:
                seen[(row.kind, key)] = row.line
            if row.line not in matched:
                creates.append(row)
                continue
            pk, job_id = matched[row.line]
            contact = contacts[pk]
            if job_id == self.job.pk:
                line = self._created_line(pk)
                if line is None:  # created by an earlier run of this job, before a restart
                    reason = _("Same contact as an earlier row of this file.")
                else:
                    reason = _("Same contact as line %(line)d of this file.") % {"line": line}
            elif not updating:
                reason = _("Already in the CRM.")
            elif pk not in editable:
                reason = _("Matches a contact you may not change.")
            elif pk in updated:
                reason = _("Matches a contact an earlier row already updated.")
            else:
                updated.add(pk)
                updates.append((row, contact))
                continue
            # The report names the contact as it is when read, and only to those who may
            # see it then: the reason does not.
            issue(row.line, row.cells, "skipped", reason, contact)
        return creates, updates

    def _created_line(self, pk):
        index = bisect_left(self.created_ids, pk)
        if index < len(self.created_ids) and self.created_ids[index] == pk:
            return self.created_lines[index]
        return None

    # Updates

    def _update(self, row, contact):
        """Complete contact with the row through the service, keeping what it had."""
        before = snapshot(contact)
        fields = dict(before["fields"])
        for name, value in row.fields.items():
            if value and name in services.CONTACT_FIELDS:
                fields[name] = value
        type_id = self._type_id(row.contact_type) or before["contact_type"]
        fields["contact_type"] = ContactType.objects.filter(pk=type_id).first()
        have = {
            (i["kind"], normalized(i["kind"], i["value"]) or i["value"]) for i in before["infos"]
        }
        infos = list(before["infos"]) + [
            dict(i, is_primary=False)
            for i in row.infos
            if (i["kind"], normalized(i["kind"], i["value"]) or i["value"]) not in have
        ]
        addresses = list(before["addresses"])
        parts = ("street", "city", "region", "postcode", "country")
        known = {tuple(a[p] for p in parts) for a in addresses}
        addresses += [
            dict(a, is_primary=False)
            for a in row.addresses
            if tuple(a[p] for p in parts) not in known
        ]
        company = None
        if contact.kind == Contact.Kind.PERSON:
            if row.company_name and self.companies.get(row.company_name):
                company = Contact.objects.filter(pk=self.companies[row.company_name][0]).first()
            elif before["company"]:
                company = Contact.objects.filter(pk=before["company"]).first()
        data = ContactData(
            kind=contact.kind,
            fields=fields,
            access=contact.access,
            responsible=list(contact.responsible.all()),
            tags=list(dict.fromkeys(before["tags"] + self._all_tags(row))),
            infos=infos,
            addresses=addresses,
            company=company,
            new_company_name=row.company_name if company is None else "",
            custom={**before["custom"], **row.custom},
        )
        services.contact_update(
            by=self.user,
            contact=contact,
            data=data,
            source=Contact.Source.IMPORT,
            details={"import": self.job.pk},
        )
        ImportUpdate.objects.create(
            job=self.job, contact=contact, before=before, version_after=contact.version
        )


# Parsing, here or in a second process


class Done:
    """A batch parsed in this process, with the interface of a Future."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


_worker_reader = None


def _start_worker(mapping, width, fields, language):
    global _worker_reader
    _worker_reader = RowReader(mapping, width, fields)
    translation.activate(language)


def parse_batch(batch, reader=None):
    """Read the rows of a batch; return their outcomes and the phones parsed on the way."""
    reader = reader or _worker_reader
    outcomes = []
    phones = {}
    for line, cells in batch:
        try:
            row = reader.read(line, cells)
        except EmptyRow:
            outcomes.append(("empty", line, cells))
        except RowError as error:
            outcomes.append(("error", line, cells, str(error)))
        else:
            outcomes.append(("row", row))
            for info in row.infos:
                if info["kind"] == ContactInfo.Kind.PHONE:
                    phones[info["value"]] = rows_module.phone_parts(info["value"])
    return outcomes, phones


@contextmanager
def frozen_heap():
    """Keep the objects that exist before the import out of the garbage collector's way.

    An import allocates millions of objects: the cyclic collector runs thousands of
    times, dozens of them over every object of the process (Django and all the modules
    loaded): 3 to 5 s of a 40 s import of 100,000 rows in the process that writes, under
    2 s once they are frozen. They are unfrozen at the end, so that any garbage among
    them is collected as before. The parser forked meanwhile shares them untouched, as
    gc.freeze's documentation recommends.

    The youngest objects are collected less often meanwhile (every 20,000 allocations
    rather than 700): a batch keeps tens of thousands of them alive until it is written,
    which each collection traversed again: 1.0-1.3 s of collections instead of 1.7-2.6 s.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@contextmanager
def parser(importer):
    """Yield parse(batch) → a Future of parse_batch(batch).

    A big file is parsed in a second process (forked, so it shares the code and the
    settings but never the database) while this one writes: reading rows and parsing
    phone numbers take about half of the time. Small files are parsed here.
    """
    job = importer.job
    size = job.file_size or 0
    threshold = settings.IMPORT_PARALLEL_MIN_BYTES
    if not threshold or size < threshold or (os.cpu_count() or 1) < 2:
        yield lambda batch: Done(parse_batch(batch, importer.reader))
        return
    context = multiprocessing.get_context("fork")
    reader = importer.reader
    with ProcessPoolExecutor(
        max_workers=1,
        mp_context=context,
        initializer=_start_worker,
        initargs=(
            reader.mapping,
            reader.header_width,
            list(reader.fields.values()),
            translation.get_language() or settings.LANGUAGE_CODE,
        ),
    ) as pool:
        yield lambda batch: pool.submit(parse_batch, batch)


def snapshot(contact):
    """Return what undo needs to give contact back its values."""
    fields = {
        name: getattr(contact, name) for name in services.CONTACT_FIELDS if name != "contact_type"
    }
    return {
        "fields": fields,
        "contact_type": contact.contact_type_id,
        "company": contact.company_id,
        "infos": [
            {"kind": i.kind, "category": i.category, "value": i.value, "is_primary": i.is_primary}
            for i in contact.infos.all()
        ],
        "addresses": [
            {
                "category": a.category,
                "street": a.street,
                "city": a.city,
                "region": a.region,
                "postcode": a.postcode,
                "country": a.country,
                "is_primary": a.is_primary,
            }
            for a in contact.addresses.all()
        ],
        "tags": sorted(t.name for t in contact.tags.all()),
        "custom": dict(contact.custom),
    }


def new_token():
    return uuid.uuid4().hex
