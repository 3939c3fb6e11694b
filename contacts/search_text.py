"""What a contact is found by: its search text and the normalised form of its e-mails and
phones. One module, used by every writer of contacts (the services, the import's bulk
writer, the bench population), so that they cannot drift apart.

Parsing a phone number costs about 0.25 ms. Writers of many contacts parse each number
once and pass what they parsed (`phones`); the others parse as they go.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import phonenumbers

from contacts import text
from contacts.custom_fields import values as custom_fields
from contacts.models import ContactInfo

if TYPE_CHECKING:
    from contacts.models import Contact

# A phone's E.164 form ("" when it does not parse) and the digit strings that find it.
PhoneParts = tuple[str, list[str]]
ParsedPhones = Mapping[str, PhoneParts]


def phone_parts(value: str) -> PhoneParts:
    """Return the E.164 form of a phone ("" when it does not parse) and its search digits.

    The digits are those of the number as typed, in E.164 and in the national format, so
    that "0612345678", "33612345678" and "612345678" all find "+33 6 12 34 56 78".
    """
    found = {text.digits(value)}
    number = text.parse_phone(value)
    if number is None:
        return "", sorted(d for d in found if d)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    found.update((text.digits(e164), text.digits(national)))
    return e164, sorted(d for d in found if d)


def _parts(value: str, phones: ParsedPhones | None) -> PhoneParts:
    found = phones.get(value) if phones else None
    return found if found is not None else phone_parts(value)


def normalized(kind: str, value: str, phones: ParsedPhones | None = None) -> str:
    """Return what ContactInfo.normalized holds: E.164 for a phone, lower case for an e-mail."""
    if kind == ContactInfo.Kind.PHONE:
        return _parts(value, phones)[0]
    if kind == ContactInfo.Kind.EMAIL:
        return value.strip().lower()
    return ""


def search_text_for(
    contact: Contact,
    infos: Iterable[Mapping[str, Any]],
    company_name: str = "",
    text_keys: Container[str] | None = None,
    phones: ParsedPhones | None = None,
) -> str:
    """Return what the list search looks into; text_keys: custom_fields.searchable_keys().

    The contact's names must be computed (compute_names) and its custom values set.
    """
    parts = [contact.display_name, contact.company_name, company_name, contact.job_title]
    for info in infos:
        parts.append(info["value"])
        if info["kind"] == ContactInfo.Kind.PHONE:
            parts.extend(_parts(info["value"], phones)[1])
    if contact.custom:
        if text_keys is None:
            text_keys = custom_fields.searchable_keys()
        parts.extend(str(contact.custom[k]) for k in sorted(contact.custom) if k in text_keys)
    return text.search_fold(" ".join(p for p in parts if p))
