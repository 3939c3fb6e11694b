"""Write an import's new contacts in bulk, row for row what contact_create writes.

Each contact gets the names, search text and defaults contact_create gives it, and its
history starts with the import; the rows themselves go through contacts.db.bulk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, models
from django.utils import timezone

from contacts.custom_fields import values as custom_fields
from contacts.db.bulk import (
    Grants,
    NewContact,
    allocate_ids,
    bulk_writes,
    column_defaults,
    insert,
    prepared_once,
)
from contacts.models import Contact, ContactEvent
from contacts.search_text import ParsedPhones, search_text_for
from contacts.services import new_contact_defaults

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from contacts.imports.models import ImportJob

EVENT_FIELDS = ["contact", "actor", "verb", "source", "changes", "details", "created_at"]
# A contact waiting for flush: its row so far, then its infos, addresses, tags, users.
Pending = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[int], list[int]]


class ContactWriter:
    """Insert new contacts with their rows; one instance per import run."""

    def __init__(self, *, by: User, job: ImportJob) -> None:
        self.job = job
        self.json_field = Contact._meta.get_field("custom")
        self.grants = Grants.read()
        self.scratch = Contact()
        self.pending: list[Pending] = []
        # The user fields the search finds, and the phones of the batch being written,
        # parsed by the process that read its rows.
        self.text_keys = custom_fields.searchable_keys()
        self.phones: ParsedPhones = {}
        # The same defaults as contact_create's, read once for the whole run.
        self.defaults = new_contact_defaults(by=by, source=Contact.Source.IMPORT)
        # When the last flush ran: its contacts' creation, consent and last activity.
        self.flushed_at = timezone.now()

    def add(
        self,
        *,
        kind: str,
        fields: Mapping[str, Any],
        infos: list[dict[str, Any]],
        addresses: list[dict[str, Any]],
        tags: list[int],
        custom: dict[str, Any],
        access: str,
        responsible: list[int],
        company_id: int | None = None,
        company_display: str = "",
        consent: str = "",
        noted: bool = False,
    ) -> dict[str, Any]:
        """Queue one contact; return its future row as a dict (its id is set by flush).

        noted: the contact comes with a note, which the timeline's app writes as it
        happens at flushed_at; the contact's last activity is then that moment already,
        rather than an UPDATE of every noted contact once its note is written.
        """
        scratch = self.scratch
        scratch.kind = kind
        for name in ("first_name", "last_name", "company_name", "job_title"):
            setattr(scratch, name, fields.get(name, ""))
        if kind == Contact.Kind.PERSON:
            scratch.company_name = ""
        scratch.compute_names()
        scratch.custom = custom
        row = {
            "kind": kind,
            "first_name": scratch.first_name,
            "last_name": scratch.last_name,
            "company_name": scratch.company_name,
            "job_title": fields.get("job_title", ""),
            # An empty cell names no currency: the contact gets the default one.
            "currency": fields.get("currency") or self.defaults.currency,
            "description": fields.get("description", ""),
            "contact_type_id": fields.get("contact_type_id"),
            "company_id": company_id if kind == Contact.Kind.PERSON else None,
            "access": access,
            "custom": custom,
            "display_name": scratch.display_name,
            "sort_name": scratch.sort_name,
            "search_text": search_text_for(
                scratch, infos, company_display, self.text_keys, phones=self.phones
            ),
        }
        if consent:
            # Dated by flush, as the contact's creation is.
            row.update(consent=consent, consent_source=Contact.ConsentSource.IMPORT)
        if noted:
            row["last_activity_at"] = None  # dated by flush, as above
        self.pending.append((row, infos, addresses, tags, responsible))
        return row

    def flush(self) -> list[dict[str, Any]]:
        """Insert every queued contact; return them, each with its id."""
        pending, self.pending = self.pending, []
        self.flushed_at = timezone.now()
        if not pending:
            return []
        ids = allocate_ids(len(pending))
        now = Contact._meta.get_field("created_at").get_db_prep_save(self.flushed_at, connection)
        base = self._base_row(now)
        no_custom = prepared_once(self.json_field, {})
        contacts = []
        for pk, (row, infos, addresses, tags, users) in zip(ids, pending, strict=True):
            row["id"] = pk
            values = {**base, **row}
            if "consent" in row:
                values["consent_at"] = now
            if "last_activity_at" in row:
                values["last_activity_at"] = now
            if row["custom"] == {}:
                values["custom"] = no_custom
            else:
                values["custom"] = self.json_field.get_db_prep_save(row["custom"], connection)
            contacts.append(NewContact(values, infos, addresses, tags, users))
        with bulk_writes() as write:
            write.insert_contacts(contacts, self.grants, self.phones)
        self._start_histories(ids, now)
        return [row for row, *_rest in pending]

    def _base_row(self, now: Any) -> dict[str, Any]:
        """Return the columns every contact of a flush shares, as contact_create sets them."""
        defaults = self.defaults
        base = column_defaults()
        base.update(
            created_at=now,
            updated_at=now,
            created_by_id=defaults.created_by.pk,
            updated_by_id=defaults.created_by.pk,
            source=defaults.source,
            import_job_id=self.job.pk,
            version=defaults.version,
            photo="",
            photo_thumb="",
        )
        return base

    def _start_histories(self, ids: Sequence[int], now: Any) -> None:
        """Start each contact's history with the import, as contact_create's starts it."""
        changes, details = (
            prepared_once(cast(models.Field, ContactEvent._meta.get_field(name)), value)
            for name, value in (("changes", []), ("details", self.job.history_details()))
        )
        actor, source = self.defaults.created_by.pk, self.defaults.source
        verb = ContactEvent.Verb.CREATED
        events = [(pk, actor, verb, source, changes, details, now) for pk in ids]
        insert(ContactEvent, EVENT_FIELDS, events)
