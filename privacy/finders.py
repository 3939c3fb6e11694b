"""Every place a person appears: one finder per kind of place, in a registry.

A finder takes a Subject (privacy.subjects) and returns its hits: each names the row it
found (model and primary key, for what erases it), says what it is in the reader's
language, when, where to see it, and holds the stored values the person's copy writes
(privacy.exports). The page, the copy and the erasure all walk FINDERS, so a place added
here is found, exported and erased everywhere at once.

A finder looks first by the contacts found (indexed foreign keys), then for the needles
in the text columns that hold names and addresses without a key (history, notes, files,
queued messages): those read the table through, as no index serves a substring, and the
files are read a line at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Concat
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django_stubs_ext import StrOrPromise
from django_tasks_db.models import DBTaskResult

from activities.models import Event, EventAttachment, Task
from api.webhooks.models import Delivery
from api.webhooks.models import Event as WebhookEvent
from contacts import selectors
from contacts.custom_fields.values import shown_value
from contacts.imports.models import ImportIssue, ImportJob, ImportUpdate
from contacts.models import Contact, ContactEvent, ContactInfo, CustomField, Notification
from contacts.positions.models import Position
from contacts.text import digits as digits_of
from privacy import files, mentions
from privacy.subjects import MIN_NEEDLE, Subject

# The hits a page lists per place; the copy takes them all.
PAGE_LIMIT = 200


@dataclass
class Hit:
    model: str  # the row's model label, "contacts.Contact"
    pk: Any
    title: str
    date: datetime | date | None
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # the stored values, for the copy
    contact_id: int | None = None
    # Stored files that belong in the copy: (storage name, name in the zip).
    files: list[tuple[str, str]] = field(default_factory=list)


Find = Callable[[Subject, int | None], list[Hit]]


@dataclass(frozen=True)
class Finder:
    key: str
    label: StrOrPromise
    find: Find


@dataclass
class Place:
    finder: Finder
    hits: list[Hit]
    more: bool  # the limit cut the list


FINDERS: dict[str, Finder] = {}


def register(key: str, label: StrOrPromise) -> Callable[[Find], Find]:
    """Add a finder to the registry, in the order the page lists the places."""

    def add(find: Find) -> Find:
        FINDERS[key] = Finder(key, label, find)
        return find

    return add


def find_everywhere(subject: Subject, limit: int | None = PAGE_LIMIT) -> list[Place]:
    """Return every place the subject appears in, with its hits (at most limit each)."""
    places = []
    for finder in FINDERS.values():
        hits = finder.find(subject, None if limit is None else limit + 1)
        more = limit is not None and len(hits) > limit
        places.append(Place(finder, hits[:limit] if limit is not None else hits, more))
    return places


class HoldsAny(Func):
    """True where the text of expression holds one of needles (lower case), whatever the case.

    PostgreSQL lowers the text once and compares it to every pattern (LIKE ANY): ten
    times faster than Django's icontains, which upper-cases the column once per needle.
    SQLite's LIKE ignores the case of ASCII letters by itself. A JSON column is read as
    its text.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression: str | Combinable, needles: Iterable[str]) -> None:
        super().__init__(F(expression) if isinstance(expression, str) else expression)
        self.patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", n) + "%" for n in needles]

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        *args: Any,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        if not self.patterns:
            return "1 = 0", ()
        ors = " OR ".join([f"{sql} LIKE %s ESCAPE '\\'"] * len(self.patterns))
        return f"({ors})", tuple(v for p in self.patterns for v in (*params, p))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        if not self.patterns:
            return "1 = 0", ()
        return f"LOWER(({sql})::text) LIKE ANY (%s)", (*params, self.patterns)


class MayHoldNumber(Func):
    """True where the text of expression may hold one of numbers (digits) written with
    separators between them: mentions.Terms says whether it does.

    PostgreSQL takes the separators out (translate) and compares the rest to every
    number. SQLite has no translate, and a chain of REPLACE costs a second at 100,000
    contacts: its GLOB looks for the digits in order, once the last two are found
    together (instr, which cuts the rows without them cheaply).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression: str | Combinable, numbers: Iterable[str]) -> None:
        super().__init__(F(expression) if isinstance(expression, str) else expression)
        self.numbers = [n for n in numbers if n.isdigit() and len(n) >= 2]

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        *args: Any,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        if not self.numbers:
            return "1 = 0", ()
        ors = " OR ".join([f"(instr({sql}, %s) > 0 AND {sql} GLOB %s)"] * len(self.numbers))
        values = [(n[-2:], "*" + "*".join(n) + "*") for n in self.numbers]
        return f"({ors})", tuple(v for tail, glob in values for v in (*params, tail, *params, glob))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        if not self.numbers:
            return "1 = 0", ()
        separators = "".join(mentions.SEPARATORS)
        patterns = [f"%{n}%" for n in self.numbers]
        return f"translate(({sql})::text, %s, '') LIKE ANY (%s)", (*params, separators, patterns)


def _any_text(columns: Iterable[str | Combinable], needles: Iterable[str]) -> Q:
    """Return the condition: one of columns holds one of needles, whatever the case."""
    needles = list(needles)
    return reduce(or_, (Q(HoldsAny(c, needles)) for c in columns), Q(pk__in=[]))


def _json_text(subject: Subject, *columns: str) -> Q:
    return _any_text(columns, subject.json_needles())


def _cut(queryset: QuerySet[Any], limit: int | None) -> QuerySet[Any]:
    return queryset if limit is None else queryset[:limit]


def _contact_url(contact: Contact) -> str:
    if contact.deleted_at is not None:
        return reverse("contacts:trash")
    return reverse("contacts:detail", args=[contact.pk])


def _on(contact: Contact, subject: Subject) -> str:
    """Return the contact's name if it is the person's, else words that name nobody.

    A note on someone else that names the person is his, but that someone's name is
    not: the copy he receives must not tell it (the link still leads an admin there).
    """
    if contact.pk not in subject.contact_ids:
        return _("another contact")
    name = contact.display_name or "?"
    return name + (" " + _("(in the trash)") if contact.deleted_at else "")


def _safe_name(name: str) -> str:
    try:
        return get_valid_filename(name)
    except SuspiciousFileOperation:
        return "file"


def _user(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def personal_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(is_personal=True).exclude(field_type="heading"))


def personal_values(contact: Contact, fields: Iterable[CustomField]) -> dict[str, str]:
    """Return {field label: value as shown} of contact's personal user fields."""
    return {
        f.label: shown_value(f, contact.custom[f.key])
        for f in fields
        if contact.custom.get(f.key) not in (None, "")
    }


@register("contacts", gettext_lazy("Contacts"))
def find_contacts(subject: Subject, limit: int | None) -> list[Hit]:
    fields = personal_fields()
    contacts = Contact.all_objects.filter(pk__in=subject.contact_ids).order_by("pk")
    contacts = contacts.prefetch_related("addresses", *selectors.ordered_tags_and_responsible())
    hits = []
    for c in _cut(contacts, limit):
        data = {
            "id": c.pk,
            "kind": c.kind,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "company_name": c.company_name,
            "job_title": c.job_title,
            "description": c.description,
            "source": c.source,
            "access": c.access,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "in_trash_since": c.deleted_at,
            "tags": sorted(t.name for t in c.tags.all()),
            "addresses": [{"category": a.category, "lines": a.lines} for a in c.addresses.all()],
            "user_fields": personal_values(c, fields),
        }
        hits.append(
            Hit(
                Contact._meta.label,
                c.pk,
                _on(c, subject),
                c.updated_at,
                _contact_url(c),
                data,
                c.pk,
            )
        )
    return hits


@register("contact_info", gettext_lazy("Contact information"))
def find_contact_info(subject: Subject, limit: int | None) -> list[Hit]:
    infos = ContactInfo.objects.filter(contact_id__in=subject.contact_ids).select_related("contact")
    hits = []
    for info in _cut(infos.order_by("contact_id", "kind", "position", "pk"), limit):
        contact = info.contact
        title = _("%(kind)s %(value)s of %(contact)s") % {
            "kind": info.get_kind_display(),
            "value": info.value,
            "contact": _on(contact, subject),
        }
        data = {
            "contact": contact.pk,
            "kind": info.kind,
            "category": info.category,
            "value": info.value,
            "primary": info.is_primary,
        }
        hits.append(
            Hit(
                ContactInfo._meta.label,
                info.pk,
                title,
                contact.updated_at,
                _contact_url(contact),
                data,
                contact.pk,
            )
        )
    return hits


@register("user_fields", gettext_lazy("User fields marked personal"))
def find_user_fields(subject: Subject, limit: int | None) -> list[Hit]:
    """The personal user fields of the contacts found (others naming him: find_mentions)."""
    fields = personal_fields()
    if not fields:
        return []
    contacts = Contact.all_objects.filter(pk__in=subject.contact_ids).order_by("pk")
    hits = []
    for contact in _cut(contacts, limit):
        for label, value in personal_values(contact, fields).items():
            title = _("%(field)s of %(contact)s") % {
                "field": label,
                "contact": _on(contact, subject),
            }
            data = {"contact": contact.pk, "field": label, "value": value}
            url = _contact_url(contact)
            hits.append(
                Hit(
                    Contact._meta.label,
                    contact.pk,
                    title,
                    contact.updated_at,
                    url,
                    data,
                    contact.pk,
                )
            )
    return hits


# The user fields whose values are typed freely: a select box's, a date's, a number's are not.
FREE_TEXT_FIELDS = (CustomField.Type.TEXT, CustomField.Type.TEXTAREA, CustomField.Type.URL)


def mention_terms(subject: Subject) -> mentions.Terms:
    """Return what names the person in free text: the needles, his full names, his numbers."""
    names = Contact.all_objects.filter(pk__in=subject.contact_ids).values_list(
        "display_name", flat=True
    )
    needles = set(subject.needles) | {n.lower() for n in names if len(n) >= MIN_NEEDLE}
    return mentions.terms(needles, subject.phones)


def _mentioning(columns: list[str], terms: mentions.Terms, json_keys: Iterable[str] = ()) -> Q:
    """Return the condition: one of columns may name the person (terms say if it does).

    The needles (in their JSON forms too, as a user field's value is stored), but the
    forms of his numbers, looked for by their digits whatever the separators. SQLite
    reads a column at a time, as a text built of several is built again for each needle
    (custom, the user fields, as its stored text). PostgreSQL builds one text of the
    columns and the user fields of json_keys, lowers it once and compares it to all the
    needles at once: a column at a time, or the whole JSON as text, cost it three times
    as much.
    """
    digits = terms.digits()
    needles = {n for n in terms.needles if not (digits and _number_form(n, digits))}
    needles |= {json.dumps(n)[1:-1] for n in needles}
    texts: list[str | Combinable] = list(columns)
    if connection.vendor == "postgresql":
        parts: list[Any] = [c for c in columns if c != "custom"]
        if "custom" in columns:
            parts += [KeyTextTransform(k, "custom") for k in json_keys]
        joined: list[Any] = []
        for part in parts:
            joined += [Value("\n"), part] if joined else [part]
        texts = [Concat(*joined, output_field=TextField()) if len(joined) > 1 else joined[0]]
    found = _any_text(texts, sorted(needles))
    if digits:
        found |= reduce(or_, (Q(MayHoldNumber(t, digits)) for t in texts))
    return found


def _number_form(needle: str, digits: list[str]) -> bool:
    """Return whether needle is one of the written forms of the numbers (their digits)."""
    written = re.fullmatch(r"[\d\s+().\-/]+", needle) is not None
    return written and any(d in digits_of(needle) for d in digits)


def mentioning_contacts(subject: Subject, terms: mentions.Terms) -> QuerySet[Contact]:
    """Return the other contacts whose description, job title or user fields may name him."""
    keys = [f.key for f in free_text_fields()]
    found = _mentioning(["description", "job_title", "custom"], terms, keys)
    return Contact.all_objects.filter(found).exclude(pk__in=subject.contact_ids).order_by("pk")


def mentioning_positions(subject: Subject, terms: mentions.Terms) -> QuerySet[Position]:
    """Return the positions of other persons whose job title or department may name him."""
    found = _mentioning(["job_title", "department"], terms)
    positions = Position.objects.filter(found).exclude(person_id__in=subject.contact_ids)
    return positions.select_related("person").order_by("pk")


MENTIONED_IN = {
    "description": gettext_lazy("Mentioned in the description of %(contact)s"),
    "job_title": gettext_lazy("Mentioned in the job title of %(contact)s"),
    "user_field": gettext_lazy("Mentioned in the user field “%(field)s” of %(contact)s"),
    "position": gettext_lazy("Mentioned in a position of %(contact)s"),
}


def free_text_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(field_type__in=FREE_TEXT_FIELDS))


@register("mentions", gettext_lazy("Mentions on other contacts' cards"))
def find_mentions(subject: Subject, limit: int | None) -> list[Hit]:
    """The free text of other contacts that holds his address, number (however written) or
    name: a hit per text, its value whole, as a note on another contact is."""
    terms = mention_terms(subject)
    if terms.pattern is None:
        return []
    fields = free_text_fields()
    hits: list[Hit] = []
    # Not iterator(): PostgreSQL would plan its cursor for the first rows, along the key.
    for contact in mentioning_contacts(subject, terms):
        # (the title's words, the field, its value): whole sentences, for the translators.
        texts: list[tuple[StrOrPromise, str, Any]] = [
            (MENTIONED_IN["description"], str(_("description")), contact.description),
            (MENTIONED_IN["job_title"], str(_("job title")), contact.job_title),
        ]
        texts += [
            (MENTIONED_IN["user_field"], f.label, contact.custom.get(f.key))
            for f in fields
            if isinstance(contact.custom.get(f.key), str)
        ]
        for words, label, value in texts:
            if not value or not terms.names(value):
                continue
            title = str(words) % {"field": label, "contact": _on(contact, subject)}
            data = {"contact": contact.pk, "field": label, "text": value}
            url = _contact_url(contact)
            hits.append(Hit(Contact._meta.label, contact.pk, title, contact.updated_at, url, data))
        if limit is not None and len(hits) >= limit:
            return hits
    for position in mentioning_positions(subject, terms):
        value = "\n".join(t for t in (position.job_title, position.department) if t)
        if not terms.names(value):
            continue
        title = str(MENTIONED_IN["position"]) % {"contact": _on(position.person, subject)}
        data = {
            "contact": position.person_id,
            "field": str(pgettext("a job", "position")),
            "text": value,
        }
        url = _contact_url(position.person)
        hits.append(
            Hit(Position._meta.label, position.pk, title, position.person.updated_at, url, data)
        )
        if limit is not None and len(hits) >= limit:
            return hits
    return hits


# The verbs' own labels end sentences that start with a date ("créé le"): these are whole.
HISTORY_TITLES = {
    "created": gettext_lazy("%(contact)s created"),
    "changed": gettext_lazy("%(contact)s changed"),
    "deleted": gettext_lazy("%(contact)s moved to the trash"),
    "restored": gettext_lazy("%(contact)s restored from the trash"),
    "merged": gettext_lazy("%(contact)s merged with another contact"),
    "handover": gettext_lazy("%(contact)s handed over to another user"),
}


def _history_data(entry: ContactEvent) -> dict[str, Any]:
    return {
        "contact": entry.contact_id,
        "verb": entry.verb,
        "source": entry.source,
        "by": _user(entry.actor),
        "changes": entry.changes,
        "details": entry.details,
        "at": entry.created_at,
    }


def _history(subject: Subject) -> QuerySet[ContactEvent]:
    found = Q(contact_id__in=subject.contact_ids) | _json_text(subject, "changes", "details")
    return (
        ContactEvent.objects.filter(found)
        .select_related("contact", "actor")
        .order_by("-created_at", "-pk")
    )


@register("history", gettext_lazy("History entries"))
def find_history(subject: Subject, limit: int | None) -> list[Hit]:
    entries = _history(subject).exclude(source=Contact.Source.WEB_FORM)
    hits = []
    for entry in _cut(entries, limit):
        title = str(HISTORY_TITLES.get(entry.verb, HISTORY_TITLES["changed"])) % {
            "contact": _on(entry.contact, subject)
        }
        hits.append(_history_hit(entry, title))
    return hits


def _history_hit(entry: ContactEvent, title: str) -> Hit:
    """Return the hit of a history entry: its contact's history page, or its card (or
    nothing) once the contact is in the trash."""
    contact = entry.contact
    url = reverse("contacts:history", args=[contact.pk]) if contact.deleted_at is None else ""
    return Hit(
        ContactEvent._meta.label,
        entry.pk,
        title,
        entry.created_at,
        url or _contact_url(contact),
        _history_data(entry),
        contact.pk,
    )


@register("web_form_submissions", gettext_lazy("Website-form submissions"))
def find_web_form_submissions(subject: Subject, limit: int | None) -> list[Hit]:
    entries = _history(subject).filter(source=Contact.Source.WEB_FORM)
    hits = []
    for entry in _cut(entries, limit):
        contact = entry.contact
        # An update names its form; a creation, its contact's source only.
        form_name = entry.details.get("web_form")
        if form_name:
            title = _("Form “%(form)s”: %(contact)s") % {
                "form": form_name,
                "contact": _on(contact, subject),
            }
        else:
            title = _("Website form: %(contact)s") % {"contact": _on(contact, subject)}
        hits.append(_history_hit(entry, title))
    return hits


def timeline_events(subject: Subject) -> QuerySet[Event]:
    """Return the timeline events on the contacts found, or whose text names the person."""
    found = Q(contact_id__in=subject.contact_ids) | _any_text(["text"], subject.needles)
    events = Event.objects.filter(found).select_related("contact", "category", "author")
    return events.prefetch_related("attachments").order_by("-happened_at", "-pk")


@register("timeline", gettext_lazy("Timeline events"))
def find_timeline(subject: Subject, limit: int | None) -> list[Hit]:
    hits = []
    for event in _cut(timeline_events(subject), limit):
        contact = event.contact
        title = _("%(category)s on %(contact)s") % {
            "category": event.category.shown_name,
            "contact": _on(contact, subject),
        }
        data = {
            "contact": contact.pk,
            "category": str(event.category.shown_name),
            "happened_at": event.happened_at,
            "by": _user(event.author),
            "text": event.text,
            "attachments": [a.name for a in event.attachments.all()],
        }
        url = _contact_url(contact)
        hits.append(
            Hit(Event._meta.label, event.pk, title, event.happened_at, url, data, contact.pk)
        )
    return hits


@register("attachments", gettext_lazy("Timeline attachments"))
def find_attachments(subject: Subject, limit: int | None) -> list[Hit]:
    found = (
        Q(event__contact_id__in=subject.contact_ids)
        | _any_text(["event__text"], subject.needles)
        | _any_text(["name"], subject.needles)
    )
    attachments = EventAttachment.objects.filter(found).select_related("event__contact")
    hits = []
    for a in _cut(attachments.order_by("-created_at", "-pk"), limit):
        contact = a.event.contact
        title = _("%(name)s, on %(contact)s") % {"name": a.name, "contact": _on(contact, subject)}
        data = {
            "event": a.event_id,
            "name": a.name,
            "size": a.size,
            "content_type": a.content_type,
            # The uploader's name, made safe to unpack: no folder, no "..".
            "file": f"attachments/{a.pk}-{_safe_name(a.name)}",
        }
        url = reverse("activities:attachment", args=[a.pk])
        hit = Hit(EventAttachment._meta.label, a.pk, title, a.created_at, url, data, contact.pk)
        hit.files.append((a.file.name, data["file"]))
        hits.append(hit)
    return hits


@register("tasks", gettext_lazy("Tasks"))
def find_tasks(subject: Subject, limit: int | None) -> list[Hit]:
    # One text, read once per task.
    text = Concat("title", Value("\n"), "description", output_field=TextField())
    found = Q(contact_id__in=subject.contact_ids) | _any_text([text], subject.needles)
    tasks = Task.objects.filter(found).select_related("contact", "responsible", "category")
    hits = []
    for task in _cut(tasks.order_by("-created_at", "-pk"), limit):
        data = {
            "contact": task.contact_id,
            "title": task.title,
            "description": task.description,
            "category": str(task.category.shown_name),
            "due_date": task.due_date,
            "due_time": task.due_time,
            "responsible": _user(task.responsible),
            "done_at": task.done_at,
            "created_at": task.created_at,
        }
        url = reverse("tasks:edit", args=[task.pk])
        hits.append(
            Hit(Task._meta.label, task.pk, task.title, task.created_at, url, data, task.contact_id)
        )
    return hits


@register("import_rows", gettext_lazy("Imported rows rejected or skipped"))
def find_import_rows(subject: Subject, limit: int | None) -> list[Hit]:
    found = Q(contact_id__in=subject.contact_ids) | _any_text(["cells"], subject.json_needles())
    issues = ImportIssue.objects.filter(found).select_related("job").order_by("-job_id", "line")
    hits = []
    for issue in _cut(issues, limit):
        title = _("Line %(line)s of %(file)s: %(outcome)s") % {
            "line": issue.line,
            "file": issue.job.file_name,
            "outcome": issue.get_outcome_display(),
        }
        try:
            cells = json.loads(issue.cells)
        except ValueError:
            cells = issue.cells
        data = {
            "import": issue.job_id,
            "line": issue.line,
            "outcome": issue.outcome,
            "reason": issue.reason,
            "cells": cells,
        }
        url = reverse("contacts:import_detail", args=[issue.job_id])
        hits.append(
            Hit(
                ImportIssue._meta.label,
                issue.pk,
                title,
                issue.job.created_at,
                url,
                data,
                issue.contact_id,
            )
        )
    return hits


@register("import_updates", gettext_lazy("What imports replaced (kept for undo)"))
def find_import_updates(subject: Subject, limit: int | None) -> list[Hit]:
    found = Q(contact_id__in=subject.contact_ids) | _json_text(subject, "before")
    updates = (
        ImportUpdate.objects.filter(found)
        .select_related("job", "contact")
        .order_by("-job_id", "pk")
    )
    hits = []
    for update in _cut(updates, limit):
        title = _("%(contact)s before %(file)s") % {
            "contact": _on(update.contact, subject),
            "file": update.job.file_name,
        }
        data = {"import": update.job_id, "contact": update.contact_id, "before": update.before}
        url = reverse("contacts:import_detail", args=[update.job_id])
        hits.append(
            Hit(
                ImportUpdate._meta.label,
                update.pk,
                title,
                update.job.created_at,
                url,
                data,
                update.contact_id,
            )
        )
    return hits


@register("import_files", gettext_lazy("Import files and rejected-row files"))
def find_import_files(subject: Subject, limit: int | None) -> list[Hit]:
    """The stored CSV files whose lines name the person, read a line at a time."""
    jobs = ImportJob.objects.exclude(file="", error_file="").order_by("-created_at", "-pk")
    hits: list[Hit] = []
    for job in jobs.only(
        "pk", "file", "error_file", "file_name", "encoding", "created_at"
    ).iterator():
        url = reverse("contacts:import_detail", args=[job.pk])
        stored = [
            ("file", job.file.name, job.encoding),
            ("error_file", job.error_file.name, "utf-8"),
        ]
        for column, name, encoding in stored:
            lines = files.matching_lines(name, encoding, subject.needles) if name else []
            if not lines:
                continue
            if column == "file":
                title = _("%(file)s, line %(lines)s")
            else:
                title = _("Rejected rows of %(file)s, line %(lines)s")
            title %= {"file": job.file_name, "lines": ", ".join(str(n) for n, _line in lines[:10])}
            data = {
                "import": job.pk,
                "file": "uploaded" if column == "file" else "rejected_rows",
                "file_name": job.file_name,
                "lines": [{"line": n, "text": text} for n, text in lines],
            }
            hits.append(
                Hit(ImportJob._meta.label, (job.pk, column), title, job.created_at, url, data)
            )
            if limit is not None and len(hits) >= limit:
                return hits
    return hits


@register("import_file_names", gettext_lazy("Names of imported files"))
def find_import_file_names(subject: Subject, limit: int | None) -> list[Hit]:
    """The imports whose file, as the importer named it, bears the person's address or name."""
    terms = mention_terms(subject)
    if terms.pattern is None:
        return []
    jobs = ImportJob.objects.filter(_mentioning(["file_name"], terms))
    hits: list[Hit] = []
    for job in jobs.only("pk", "file_name", "created_at").order_by("-created_at", "-pk"):
        if not terms.names(job.file_name):
            continue
        title = _("Import of the file %(file)s") % {"file": job.file_name}
        data = {"import": job.pk, "file_name": job.file_name}
        url = reverse("contacts:import_detail", args=[job.pk])
        hits.append(
            Hit(ImportJob._meta.label, (job.pk, "file_name"), title, job.created_at, url, data)
        )
        if limit is not None and len(hits) >= limit:
            break
    return hits


@register("notifications", gettext_lazy("Notifications"))
def find_notifications(subject: Subject, limit: int | None) -> list[Hit]:
    notes = Notification.objects.filter(contact_id__in=subject.contact_ids)
    notes = notes.select_related("recipient", "contact").order_by("-created_at", "-pk")
    hits = []
    for note in _cut(notes, limit):
        contact = note.contact
        assert contact is not None  # noqa: S101 (filtered on it)
        title = _("To %(user)s about %(contact)s") % {
            "user": _user(note.recipient),
            "contact": _on(contact, subject),
        }
        data = {
            "contact": contact.pk,
            "verb": note.verb,
            "recipient": _user(note.recipient),
            "at": note.created_at,
            "read_at": note.read_at,
        }
        url = _contact_url(contact)
        hits.append(
            Hit(Notification._meta.label, note.pk, title, note.created_at, url, data, contact.pk)
        )
    return hits


@register("webhook_deliveries", gettext_lazy("Webhook deliveries"))
def find_webhook_deliveries(subject: Subject, limit: int | None) -> list[Hit]:
    ids = subject.contact_ids
    tasks = Task.objects.filter(contact_id__in=ids).values("pk")
    events = Event.objects.filter(contact_id__in=ids).values("pk")
    found = (
        Q(event__startswith="contact.", object_id__in=ids)
        | Q(event__startswith="task.", object_id__in=tasks)
        | Q(event__startswith="event.", object_id__in=events)
        | _json_text(subject, "payload")
    )
    deliveries = Delivery.objects.filter(found)
    deliveries = deliveries.select_related("subscription").order_by("-created_at", "-pk")
    labels = dict(WebhookEvent.choices)
    hits = []
    for d in _cut(deliveries, limit):
        title = _("%(event)s to %(url)s") % {
            "event": labels.get(d.event, d.event),
            "url": d.subscription.url,
        }
        data = {
            "event": d.event,
            "message_id": d.message_id,
            "object_id": d.object_id,
            "receiver": d.subscription.url,
            "status": d.status,
            "created_at": d.created_at,
            "sent_at": d.sent_at,
            "payload": d.payload,
        }
        url = reverse("webhooks:deliveries", args=[d.subscription_id])
        hits.append(Hit(Delivery._meta.label, d.pk, title, d.created_at, url, data))
    return hits


@register("queued_emails", gettext_lazy("E-mails and other work queued for the worker"))
def find_queued_work(subject: Subject, limit: int | None) -> list[Hit]:
    """The task queue's rows whose arguments name the person: e-mails written beforehand."""
    results = DBTaskResult.objects.all()
    rows = results.filter(_json_text(subject, "args_kwargs"))
    hits = []
    for row in _cut(rows.order_by("-enqueued_at"), limit):
        name = row.task_path.rsplit(".", 1)[-1]
        title = _("%(task)s (%(status)s)") % {"task": name, "status": row.get_status_display()}
        data = {
            "task": row.task_path,
            "status": row.status,
            "enqueued_at": row.enqueued_at,
            "arguments": row.args_kwargs,
        }
        hits.append(Hit(results.model._meta.label, str(row.pk), title, row.enqueued_at, "", data))
    return hits
