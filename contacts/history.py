"""A contact's history: what the services record, and how the card reads it.

The services call `record` (one contact) or `record_many` (a bulk action, a settings
change) in the transaction of the change. A change is a list of
{"field", "label", "old", "new"} with the values as the user read them then.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from django.contrib.auth.models import User
from django.dispatch import Signal
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from taggit.models import Tag

from contacts.access import contacts_visible_to
from contacts.custom_fields import values as custom_fields
from contacts.models import Address, Contact, ContactEvent, ContactInfo, CustomField, TaggedContact

Verb = ContactEvent.Verb

LABELS = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "company_name": _("company name"),
    "company": _("company"),
    # A position other than the primary one, added, ended or removed (positions.services).
    "position": pgettext_lazy("a job", "position"),
    "job_title": _("job title"),
    "contact_type": _("type"),
    "currency": _("currency"),
    "description": _("description"),
    "photo": _("photo"),
    "access": _("access"),
    "consent": _("marketing email consent"),
    "responsible": _("responsible users"),
    "tags": _("tags"),
    ContactInfo.Kind.EMAIL: _("emails"),
    ContactInfo.Kind.PHONE: _("phones"),
    ContactInfo.Kind.WEB: _("web sites"),
    "address": _("addresses"),
    # An event written on the timeline, added, changed or deleted (activities.services).
    "timeline": _("timeline"),
    "relation": _("relations"),
}
# The fields whose values name another contact, with its id in old_id and new_id.
NAMING_CONTACTS = ("company", "position", "relation")
SEPARATOR = ", "
# The changes that name a company, with its id: hidden from who may not see it.
COMPANY_FIELDS = ("company", "position")


class Change(TypedDict):
    """One field's change in ContactEvent.changes; label names a user field."""

    field: str
    label: str
    old: str
    new: str
    # A person's company, or the other end of a relation: its ids say who may read its name.
    old_id: NotRequired[int | None]
    new_id: NotRequired[int | None]
    # A relation's label read from this contact, {"en": …, "fr": …}: the reader's is shown.
    relation: NotRequired[dict[str, str]]


class ReadableChange(TypedDict):
    """A change as the card shows it, in the reader's words."""

    field: str
    label: StrOrPromise
    old: StrOrPromise
    new: StrOrPromise


# What an erasure leaves of a value that named an erased person (privacy.erasure): the
# card reads it in the reader's language.
ERASED = "\u2298erased"

# Sent by record and record_many in the transaction of the change, once its events are
# written: ids, the contacts' ids; verb; by, the user or None; details. The REST API's
# webhooks receive it (api.apps): contacts does not know who listens.
recorded = Signal()

# {field: value as read}: text, or for a company its (name, id) and for a user field its
# (label, value as shown), None when empty; the key tells which, as diff reads it.
Snapshot = dict[str, Any]


def user_name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def custom_key(field: CustomField) -> str:
    return f"custom:{field.pk}"


@dataclass
class Stored:
    """What a contact holds, everything a snapshot reads: its row and its related rows."""

    contact: Contact
    responsible: list[User]
    tags: list[Tag]
    infos: list[ContactInfo]
    addresses: list[Address]
    custom_fields: list[CustomField]  # every user field but the headings, of both kinds


def read_stored(contact: Contact) -> Stored:
    """Return what contact holds now, read from the database."""
    pk = contact.pk
    # Plain queries of the related rows: prefetch_related's machinery cost more than them.
    return Stored(
        contact=Contact.all_objects.select_related("company", "contact_type").get(pk=pk),
        responsible=list(User.objects.filter(responsible_for=pk)),
        tags=tags_of(contact),
        infos=list(ContactInfo.objects.filter(contact_id=pk)),
        addresses=list(Address.objects.filter(contact_id=pk)),
        custom_fields=list(CustomField.objects.exclude(field_type=CustomField.Type.HEADING)),
    )


def tags_of(contact: Contact) -> list[Tag]:
    """Return the contact's tags as stored, whatever its manager holds prefetched."""
    rows = TaggedContact.objects.filter(content_object_id=contact.pk).select_related("tag")
    return [row.tag for row in rows]


def snapshot(contact: Contact) -> Snapshot:
    """Return {field: value as read} for everything a change can touch, from the database."""
    return snapshot_of(read_stored(contact))


def snapshot_of(stored: Stored) -> Snapshot:
    """Return {field: value as read} of what stored holds."""
    contact = stored.contact
    values: Snapshot = {
        name: getattr(contact, name)
        for name in ("first_name", "last_name", "company_name", "job_title", "currency")
    }
    values["description"] = contact.description
    values["company"] = company_value(contact.company if contact.company_id else None)
    values["contact_type"] = contact.contact_type.title if contact.contact_type else ""
    values["photo"] = contact.photo.name or ""
    values["access"] = contact.access
    values["consent"] = contact.consent
    values["responsible"] = names_list(user_name(u) for u in stored.responsible)
    values["tags"] = tag_list(t.name for t in stored.tags)
    infos = sorted(stored.infos, key=lambda i: (not i.is_primary, i.position, i.pk or 0))
    for kind in ContactInfo.Kind.values:
        values[kind] = SEPARATOR.join(i.value for i in infos if i.kind == kind)
    addresses = sorted(stored.addresses, key=lambda a: (not a.is_primary, a.position, a.pk or 0))
    values["address"] = "; ".join(address_line(a) for a in addresses)
    for field in stored.custom_fields:
        value = contact.custom.get(field.key)
        values[custom_key(field)] = (
            (field.label, custom_fields.shown_value(field, value)) if value is not None else None
        )
    return values


def tag_list(names: Iterable[str]) -> str:
    return SEPARATOR.join(sorted(names, key=str.lower))


def address_line(address: Address) -> str:
    parts = (address.street, address.postcode, address.city, address.region, address.country)
    return " ".join(" ".join(p.split()) for p in parts if p)


def diff(before: Snapshot, after: Snapshot) -> list[Change]:
    """Return the changes from one snapshot to the next."""
    changes = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "company":
            changes.append(company_change(old, new))
        elif key.startswith("custom:"):
            old_label, old_shown = old or ("", "")
            new_label, new_shown = new or ("", "")
            changes.append(change(key, old_shown, new_shown, label=new_label or old_label))
        else:
            changes.append(change(key, old or "", new or ""))
    return changes


def change(field: str, old: object, new: object, label: str = "") -> Change:
    return {"field": field, "label": label, "old": str(old), "new": str(new)}


def company_value(company: Contact | None) -> tuple[str, int] | None:
    """Return a person's company as a snapshot holds it: (name, id), or None."""
    return (company.display_name, company.pk) if company is not None else None


def company_change(old: tuple[str, int] | None, new: tuple[str, int] | None) -> Change:
    """Return the change of a person's company, with the ids that say who may read it."""
    (old_name, old_id), (new_name, new_id) = old or ("", None), new or ("", None)
    return {**change("company", old_name, new_name), "old_id": old_id, "new_id": new_id}


def position_change(old: tuple[str, int] | None, new: tuple[str, int] | None) -> Change:
    """Return the change of one of a person's positions: (its text, its company's id)."""
    return {**company_change(old, new), "field": "position"}


def hidden_companies(user: User, events: Iterable[ContactEvent]) -> set[int]:
    """Return the ids of the companies, and of the related contacts, named in events that
    user may not see."""
    ids = {
        item.get(key)
        for event in events
        for item in event.changes
        if item["field"] in NAMING_CONTACTS
        for key in ("old_id", "new_id")
    } - {None}
    if not ids:
        return set()
    companies = Contact.all_objects.filter(pk__in=ids)
    return ids - set(contacts_visible_to(user, companies).values_list("pk", flat=True))


def record(
    contact: Contact,
    by: User | None,
    verb: str,
    *,
    changes: Iterable[Change] = (),
    source: str = "",
    details: Mapping[str, object] | None = None,
) -> ContactEvent:
    event = ContactEvent.objects.create(
        contact_id=contact.pk,
        actor=by,
        verb=verb,
        source=source,
        changes=list(changes),
        details=details or {},
    )
    recorded.send(ContactEvent, ids=[contact.pk], verb=verb, by=by, details=event.details)
    return event


def record_many(
    ids: Iterable[int],
    by: User | None,
    verb: str,
    *,
    changes_by_id: Mapping[int, list[Change]] | None = None,
    source: str = "",
    details: Mapping[str, object] | None = None,
) -> None:
    """Record one event on each contact of ids (with its own changes, when given)."""
    events = []
    for pk in ids:
        changes = changes_by_id.get(pk) if changes_by_id is not None else []
        if changes_by_id is not None and not changes:
            continue
        events.append(
            ContactEvent(
                contact_id=pk,
                actor=by,
                verb=verb,
                source=source,
                changes=changes,
                details=details or {},
            )
        )
    ContactEvent.objects.bulk_create(events, batch_size=500)
    if events:
        ids = [event.contact_id for event in events]
        recorded.send(ContactEvent, ids=ids, verb=verb, by=by, details=details or {})


def readable(event: ContactEvent, hidden: Collection[int] = frozenset()) -> list[ReadableChange]:
    """Return the event's changes with the labels and values to show.

    The companies and related contacts whose ids are in hidden are not named: the reader
    may not see them.
    """
    rows: list[ReadableChange] = []
    for item in event.changes:
        field = item["field"]
        label = item.get("label") or LABELS.get(field, field)
        old, new = item["old"], item["new"]
        if ERASED in (old, new):
            rows.append(
                {
                    "field": field,
                    "label": label,
                    "old": _("erased") if old == ERASED else old,
                    "new": _("erased") if new == ERASED else new,
                }
            )
            continue
        if field == "access":
            old, new = _access_label(old), _access_label(new)
        elif field == "consent":
            old, new = _consent_label(old), _consent_label(new)
        elif field in COMPANY_FIELDS:
            unseen = _("a company you cannot see")
            old = unseen if item.get("old_id") in hidden and old else old
            new = unseen if item.get("new_id") in hidden and new else new
        elif field == "relation":
            # Of a relation to a contact the reader may not see, neither the name nor the
            # type: the card shows nothing of it either.
            if {item.get("old_id"), item.get("new_id")} & set(hidden):
                field, old, new = "relation_hidden", old and "-", new and "-"
            else:
                old, new = _relation_text(item, old), _relation_text(item, new)
        rows.append({"field": field, "label": label, "old": old, "new": new})
    return rows


def _relation_text(item: Change, name: str) -> str:
    """Return “<label> <name>” of a relation's change, the label in the reader's language."""
    if not name:
        return ""
    words = item.get("relation", {})
    label = (get_language() or "").startswith("fr") and words.get("fr") or words.get("en", "")
    return f"{label} {name}"


def _access_label(value: str) -> StrOrPromise:
    try:
        return Contact.Access(value).label
    except ValueError:
        return value


def _consent_label(value: str) -> StrOrPromise:
    try:
        return Contact.Consent(value).label
    except ValueError:
        return value


def tags_by_contact(ids: Iterable[int]) -> dict[int, list[str]]:
    """Return {contact id: [tag names]} for many contacts, in one query."""
    found: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = TaggedContact.objects.filter(content_object_id__in=ids)
    for pk, name in rows.values_list("content_object_id", "tag__name"):
        found[pk].append(name)
    return found


def responsible_by_contact(ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """Return {contact id: {user id: name}} for many contacts, in one query."""
    found: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    rows = Contact.responsible.through.objects.filter(contact_id__in=ids).select_related("user")
    for row in rows:
        found[row.contact_id][row.user_id] = user_name(row.user)
    return found


def names_list(names: Iterable[str]) -> str:
    return SEPARATOR.join(sorted(names))


def record_tag_changes(
    by: User | None,
    before: Mapping[int, Sequence[str]],
    *,
    source: str = "",
    details: Mapping[str, object] | None = None,
) -> None:
    """Record, on each contact of before ({id: tag names}), how its tags changed since."""
    after = tags_by_contact(list(before))
    changes = {
        pk: [change("tags", tag_list(before[pk]), tag_list(after[pk]))]
        for pk in before
        if sorted(before[pk]) != sorted(after[pk])
    }
    record_many(changes, by, Verb.CHANGED, changes_by_id=changes, source=source, details=details)
