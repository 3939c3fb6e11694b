"""Who a request is about: the contacts that are that person, and the texts that name him.

A person is looked up by one e-mail address, phone number or name, normalised as the
contacts' own details are (contacts.search_text.normalized, contacts.text.normalize_phone):
the contacts found are those holding that address or number (indexed on
ContactInfo.normalized), or bearing that name (indexed on Contact.sort_name), in the
trash too. The needles are what the finders look for in stored text (history, notes,
files): the value in its written forms, and the other e-mail addresses and phone numbers
of the contacts found, those their history shows they held before included, so that a
person found by name is found in an import file by his address.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from django.db.models import Q

from contacts import search_text, text
from contacts.history import SEPARATOR
from contacts.models import Contact, ContactEvent, ContactInfo, named
from privacy.models import Lookup

# A name many contacts share is not one person: the first ones are shown, the page says so.
MAX_CONTACTS = 50
# Shorter texts would be found in too many places to mean this person.
MIN_NEEDLE = 4


@dataclass(frozen=True)
class Subject:
    lookup: str
    value: str  # normalised: lower-case e-mail, E.164 phone, the name as typed
    contact_ids: tuple[int, ...]
    needles: tuple[str, ...]  # lower-case texts whose presence names the person
    capped: bool = False  # more contacts than MAX_CONTACTS matched
    # His phone numbers, held now or before, as typed: free text is matched on their digits.
    phones: tuple[str, ...] = ()

    def json_needles(self) -> tuple[str, ...]:
        """Return the needles and their JSON-escaped forms, as JSON text stores them.

        Django writes JSON with its non-ASCII letters escaped ("\\u00e9") on SQLite,
        and PostgreSQL gives them back as they are: both are looked for.
        """
        escaped = {json.dumps(n)[1:-1] for n in self.needles}
        return tuple(sorted(set(self.needles) | escaped))


def normalised(lookup: str, value: str) -> str:
    """Return value as the contacts' details store it ("" for a phone that does not parse)."""
    value = " ".join(value.split())
    if lookup == Lookup.EMAIL:
        return search_text.normalized(ContactInfo.Kind.EMAIL, value)
    if lookup == Lookup.PHONE:
        return text.normalize_phone(value)
    return value


def phone_forms(value: str) -> set[str]:
    """Return the ways a phone number is commonly written: E.164, national, international."""
    number = text.parse_phone(value)
    forms = {value}
    if number is not None:
        for style in (
            phonenumbers.PhoneNumberFormat.E164,
            phonenumbers.PhoneNumberFormat.NATIONAL,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        ):
            written = phonenumbers.format_number(number, style)
            forms.update({written, text.digits(written)})
    return {f for f in forms if f}


def _contacts(lookup: str, value: str) -> list[int]:
    if lookup == Lookup.NAME:
        contacts = named(Contact.all_objects.all(), value)
        return list(contacts.order_by("pk").values_list("pk", flat=True)[: MAX_CONTACTS + 1])
    kind = ContactInfo.Kind.EMAIL if lookup == Lookup.EMAIL else ContactInfo.Kind.PHONE
    infos = ContactInfo.objects.filter(kind=kind, normalized=value)
    return sorted(set(infos.values_list("contact_id", flat=True)))[: MAX_CONTACTS + 1]


def subject_for(lookup: str, value: str) -> Subject:
    """Return the subject of a request: the contacts found by value and the needles."""
    value = normalised(lookup, value)
    ids = _contacts(lookup, value) if value else []
    capped = len(ids) > MAX_CONTACTS
    return _subject(lookup, value, ids[:MAX_CONTACTS], capped)


def subject_of_contact(contact: Contact) -> Subject:
    """Return the subject that is this contact alone: looked up by his first e-mail
    address, else phone, else name, and found by his own details' needles."""
    for kind, lookup in (
        (ContactInfo.Kind.EMAIL, Lookup.EMAIL),
        (ContactInfo.Kind.PHONE, Lookup.PHONE),
    ):
        info = (
            contact.infos.filter(kind=kind)
            .exclude(normalized="")
            .order_by("position", "pk")
            .first()
        )
        if info is not None:
            return _subject(lookup, info.normalized, [contact.pk], False)
    return _subject(Lookup.NAME, contact.display_name, [contact.pk], False)


def former_details(ids: Iterable[int]) -> tuple[set[str], set[str]]:
    """Return the e-mail addresses and phone numbers the contacts' history shows they held,
    as typed: those taken off their cards since are his as much as those still on them."""
    emails: set[str] = set()
    phones: set[str] = set()
    kinds: dict[str, set[str]] = {ContactInfo.Kind.EMAIL: emails, ContactInfo.Kind.PHONE: phones}
    entries = ContactEvent.objects.filter(contact_id__in=list(ids)).values_list(
        "changes", flat=True
    )
    for changes in entries.iterator():
        for item in changes if isinstance(changes, list) else ():
            found = kinds.get(str(item.get("field"))) if isinstance(item, dict) else None
            if found is None:
                continue
            for side in ("old", "new"):
                value = item.get(side)
                if isinstance(value, str):
                    found.update(v.strip() for v in value.split(SEPARATOR) if v.strip())
    return emails, phones


def _subject(lookup: str, value: str, ids: list[int], capped: bool) -> Subject:
    needles = phone_forms(value) if lookup == Lookup.PHONE else {value}
    phones = {value} if lookup == Lookup.PHONE and value else set()
    details = ContactInfo.objects.filter(
        Q(kind=ContactInfo.Kind.EMAIL) | Q(kind=ContactInfo.Kind.PHONE), contact_id__in=ids
    ).values_list("kind", "value", "normalized")
    for kind, written, normal in details:
        if kind == ContactInfo.Kind.PHONE:
            needles |= phone_forms(normal or written)
            phones.add(normal or written)
        else:
            needles |= {written, normal}
    former_emails, former_phones = former_details(ids)
    needles |= former_emails
    for phone in former_phones:
        needles |= phone_forms(phone)
        phones.add(phone)
    kept = {n.strip().lower() for n in needles if len(n.strip()) >= MIN_NEEDLE}
    # A text that holds "33612345678" is found by it: "+33612345678" adds nothing.
    kept = {n for n in kept if not any(o != n and o in n for o in kept)}
    return Subject(lookup, value, tuple(ids), tuple(sorted(kept)), capped, tuple(sorted(phones)))
