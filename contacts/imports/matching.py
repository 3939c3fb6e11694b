"""Duplicates: the rows of a batch that are contacts the CRM, or the file, has already.

The job says how a contact is recognised (by e-mail, phone, or name) and what becomes of
a row whose contact exists (skipped, or the contact updated), unless the job creates
every row anyway. A contact counts only if the importer may see it.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from contacts.access import contacts_visible_to, editable_ids
from contacts.imports.batches import Tally
from contacts.imports.models import ImportJob, ImportUpdate
from contacts.imports.rows import Row
from contacts.models import Contact, ContactInfo
from contacts.search_text import ParsedPhones, normalized

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MatchOn = ImportJob.MatchOn
# What recognises a contact: an e-mail or a phone, a company's name, or a person's first
# name, last name and company name.
MatchKey = str | tuple[str, str, str]
# (kind, key): (the contact's id, the import that created it)
Found = dict[tuple[str, MatchKey], tuple[int, int | None]]


def match_keys(row: Row, match_on: str, phones: ParsedPhones) -> set[MatchKey]:
    """Return what recognises the row's contact: its e-mails, its phones or its name."""
    if match_on in (MatchOn.EMAIL, MatchOn.PHONE):
        kind = ContactInfo.Kind.EMAIL if match_on == MatchOn.EMAIL else ContactInfo.Kind.PHONE
        keys: set[MatchKey] = {
            normalized(kind, i["value"], phones) for i in row.infos if i["kind"] == kind
        }
        # A phone that does not parse recognises nobody; an e-mail is always itself.
        return keys if kind == ContactInfo.Kind.EMAIL else {k for k in keys if k}
    if row.kind == Contact.Kind.PERSON:
        return {(row.fields["first_name"], row.fields["last_name"], row.company_name)}
    return {row.fields["company_name"]}


def existing_contacts(
    user: User, match_on: str, rows: list[Row], row_keys: dict[int, set[MatchKey]]
) -> Found:
    """Return the contacts user may see that match, the oldest of each key."""
    visible = contacts_visible_to(user)
    found: Found = {}
    for kind in Contact.Kind.values:
        keys = {k for row in rows if row.kind == kind for k in row_keys[row.line]}
        if keys:
            for key, pk, job_id in _matches(visible.filter(kind=kind), kind, match_on, keys):
                if (kind, key) not in found or pk < found[(kind, key)][0]:
                    found[(kind, key)] = (pk, job_id)
    return found


def _matches(
    contacts: QuerySet[Contact], kind: str, match_on: str, keys: set[MatchKey]
) -> Iterable[tuple[MatchKey, int, int | None]]:
    """Return (key, id, import job id) of the contacts of one kind holding one of keys."""
    if match_on in (MatchOn.EMAIL, MatchOn.PHONE):
        return contacts.filter(infos__kind=match_on, infos__normalized__in=keys).values_list(
            "infos__normalized", "pk", "import_job_id"
        )
    if kind == Contact.Kind.PERSON:
        persons = contacts.filter(
            first_name__in={k[0] for k in keys}, last_name__in={k[1] for k in keys}
        ).values_list("first_name", "last_name", "company__display_name", "pk", "import_job_id")
        return [
            ((first, last, company or ""), pk, job) for first, last, company, pk, job in persons
        ]
    return contacts.filter(display_name__in=keys).values_list("display_name", "pk", "import_job_id")


class Matcher:
    """Split each batch into contacts to create and contacts to update; one per run."""

    def __init__(self, job: ImportJob, user: User) -> None:
        self.job = job
        self.user = user
        self.updating = job.duplicates == ImportJob.Duplicates.UPDATE
        # The contacts this job updated, in this run or before it: each once.
        self.updated = set(
            ImportUpdate.objects.filter(job=job).values_list("contact_id", flat=True)
        )
        # The line of each contact this run created, by id, to name it when a row of a
        # later batch is the same contact: two arrays (16 bytes a contact, not a dict's
        # hundred), in ascending ids since ids are allocated in order.
        self.created_ids, self.created_lines = array("q"), array("q")

    def created(self, pk: int, line: int) -> None:
        """Remember that the row at line created the contact pk."""
        self.created_ids.append(pk)
        self.created_lines.append(line)

    def split(
        self, rows: list[Row], tally: Tally, phones: ParsedPhones
    ) -> tuple[list[Row], list[tuple[Row, Contact]]]:
        """Return the rows to create and the (row, contact) pairs to update; tally the rest."""
        if self.job.duplicates == ImportJob.Duplicates.CREATE:
            return rows, []
        # Each row's keys, computed once: they are read three times.
        row_keys = {row.line: match_keys(row, self.job.match_on, phones) for row in rows}
        matched = self._matched(rows, row_keys)
        contacts = Contact.objects.in_bulk([pk for pk, _job in matched.values()])
        editable = editable_ids(self.user, list(contacts.values())) if self.updating else set()
        creates: list[Row] = []
        updates: list[tuple[Row, Contact]] = []
        seen: dict[tuple[str, MatchKey], int] = {}
        for row in rows:
            keys = row_keys[row.line]
            earlier = next((seen[(row.kind, k)] for k in keys if (row.kind, k) in seen), None)
            if earlier is not None:
                reason = _("Same contact as line %(line)d of this file.") % {"line": earlier}
                tally.issue(row.line, row.cells, "skipped", reason)
                continue
            seen.update({(row.kind, key): row.line for key in keys})
            if row.line not in matched:
                creates.append(row)
                continue
            pk, job_id = matched[row.line]
            skipped = self._skip_reason(pk, job_id, editable)
            if skipped is None:
                self.updated.add(pk)
                updates.append((row, contacts[pk]))
            else:
                # The report names the contact as it is when read, and only to those who
                # may see it then: the reason does not.
                tally.issue(row.line, row.cells, "skipped", skipped, contacts[pk])
        return creates, updates

    def _matched(
        self, rows: list[Row], row_keys: dict[int, set[MatchKey]]
    ) -> dict[int, tuple[int, int | None]]:
        """Return {line: (contact id, import job id)} of the rows whose contact exists."""
        existing = existing_contacts(self.user, self.job.match_on, rows, row_keys)
        matched = {}
        for row in rows:
            for key in row_keys[row.line]:
                if (row.kind, key) in existing:
                    matched[row.line] = existing[(row.kind, key)]
                    break
        return matched

    def _skip_reason(self, pk: int, job_id: int | None, editable: set[int]) -> str | None:
        """Return why the row matching contact pk is skipped, or None to update it."""
        if job_id == self.job.pk:
            line = self._created_line(pk)
            if line is None:  # created by an earlier run of this job, before a restart
                return _("Same contact as an earlier row of this file.")
            return _("Same contact as line %(line)d of this file.") % {"line": line}
        if not self.updating:
            return _("Already in the CRM.")
        if pk not in editable:
            return _("Matches a contact you may not change.")
        if pk in self.updated:
            return _("Matches a contact an earlier row already updated.")
        return None

    def _created_line(self, pk: int) -> int | None:
        index = bisect_left(self.created_ids, pk)
        if index < len(self.created_ids) and self.created_ids[index] == pk:
            return self.created_lines[index]
        return None
