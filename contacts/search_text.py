"""The text the search looks in: one function, used by every writer of contacts."""

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from contacts import text
from contacts.custom_fields import values as custom_fields
from contacts.models import Contact, ContactInfo


def search_text_for(
    contact: Contact,
    infos: Iterable[Mapping[str, Any]],
    company_name: str = "",
    text_keys: Collection[str] | None = None,
    phone_digits: Callable[[str], Iterable[str]] = text.phone_search_digits,
) -> str:
    """Return what the list search looks into; text_keys: custom_fields.searchable_keys().

    The one builder of search_text, for every writer; the import passes phone_digits from
    the phones it has parsed already.
    """
    parts = [contact.display_name, contact.company_name, company_name, contact.job_title]
    for info in infos:
        parts.append(info["value"])
        if info["kind"] == ContactInfo.Kind.PHONE:
            parts.extend(phone_digits(info["value"]))
    if contact.custom:
        if text_keys is None:
            text_keys = custom_fields.searchable_keys()
        parts.extend(str(contact.custom[k]) for k in sorted(contact.custom) if k in text_keys)
    return text.search_fold(" ".join(p for p in parts if p))
