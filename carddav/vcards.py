"""Reading the vCard a phone sends: what it says of a contact, in the contact form's terms.

vobject reads it, as it writes the cards (contacts.exports.services.vcard): versions 3.0
and 4.0, and 2.1 where it parses. What the CRM has no place for (a birthday, a photo,
Apple's labels, related persons) is left out; what the card leaves out, the form keeps.

The mapping is the writer's read backwards, so that a card read from the CRM and sent
back unchanged says what the contact holds: a detail whose value the contact holds, in
a category the card's TYPE cannot tell from the stored one (a "direct" phone is written
"work,voice"), keeps its stored category; a link the card names by its address keeps the
value and category it is stored with.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import vobject
from vobject.base import VObjectError

from contacts.exports.services import VCARD_ADR_TYPES, VCARD_TEL_TYPES
from contacts.models import Address, Contact, ContactInfo

# What the CRM keeps of a card's UID (carddav.models.PhoneCard): a longer one is refused
# rather than cut, which would make the next upload of the card a new contact.
MAX_UID = 255
ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")
# Google puts every contact in this group: it says nothing of the contact.
IGNORED_CATEGORIES = {"mycontacts"}
WEB_CATEGORIES = {
    "linkedin.com": "linkedin",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "facebook.com": "facebook",
    "instagram.com": "instagram",
    "github.com": "github",
}


# What vobject raises on a card it cannot read, besides its own errors: a line's CHARSET
# naming no codec, a quoted-printable or base64 value that does not decode, a value
# whose parts are not where its property puts them.
READ_ERRORS = (VObjectError, ValueError, TypeError, AttributeError, LookupError)


class BadCard(ValueError):
    """The body is no vCard the CRM can store: the message says why."""


@dataclass
class CardValues:
    """What a phone's card says of a contact."""

    kind: str
    uid: str
    fields: dict[str, str]  # first_name, last_name, company_name, job_title, description
    company: str = ""  # a person's ORG: the name of his company
    tags: list[str] | None = None  # None: the card has no CATEGORIES, the tags are kept
    infos: list[dict[str, Any]] = field(default_factory=list)  # kind, category, value, …
    addresses: list[dict[str, Any]] = field(default_factory=list)


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value if _text(v))
    return " ".join(str(value or "").split())


def _types(line: Any) -> set[str]:
    types = set()
    for value in line.params.get("TYPE", []):
        types.update(part.strip().lower() for part in value.split(",") if part.strip())
    return types


def _preference(line: Any, types: set[str]) -> int:
    """Return how preferred a line is, lowest first: PREF (4.0), TYPE=pref (3.0), none."""
    for value in line.params.get("PREF", []):
        if str(value).strip().isdigit():
            return int(value)
    return 1 if "pref" in types else 1000


def tel_category(types: Iterable[str]) -> str:
    types = set(types)
    for vcard_type, category in (("cell", "mobile"), ("fax", "fax"), ("work", "work")):
        if vcard_type in types:
            return category
    return "home" if "home" in types else "other"


def email_category(types: Iterable[str]) -> str:
    types = set(types)
    return "work" if "work" in types else "home" if "home" in types else "other"


def address_category(types: Iterable[str]) -> str:
    types = set(types)
    for category in ("work", "home", "postal"):
        if category in types:
            return category
    return "other"


def web_category(url: str) -> str:
    host = re.sub(r"^[a-z]+://(www\.)?", "", url.lower()).split("/")[0]
    return WEB_CATEGORIES.get(host, "website")


def parse(body: bytes) -> vobject.base.Component:
    """Return the one vCard of body; raise BadCard."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadCard("The vCard is not UTF-8 text.") from exc
    if "\x00" in text:
        raise BadCard("The vCard holds a NUL character.")
    try:
        cards = list(vobject.readComponents(text, validate=False))
    except READ_ERRORS as exc:
        raise BadCard(f"The vCard cannot be read: {exc}"[:300]) from exc
    if len(cards) != 1 or cards[0].name != "VCARD":
        raise BadCard("A card holds exactly one vCard (BEGIN:VCARD … END:VCARD).")
    return cards[0]


def _lines(card: Any, name: str) -> list[Any]:
    return list(card.contents.get(name.lower(), []))


def _first(card: Any, name: str) -> Any:
    lines = _lines(card, name)
    return lines[0].value if lines else None


def _is_company(card: Any) -> bool:
    kinds = (
        _text(_first(card, "kind")).lower(),
        _text(_first(card, "x-addressbookserver-kind")).lower(),
        _text(_first(card, "x-abshowas")).lower(),
    )
    return kinds[0] == "org" or kinds[1] == "org" or kinds[2] == "company"


def _names(card: Any) -> tuple[str, str]:
    """Return (first name, last name): N's given (and middle) names and family name, else
    FN split at its first space."""
    name = _first(card, "n")
    first = last = ""
    if name is not None and not isinstance(name, str):
        first = _text([name.given, name.additional])
        last = _text(name.family)
    elif isinstance(name, str):
        parts = name.split(";")
        last, first = _text(parts[0]), _text(parts[1:3])
    if not first and last:  # one name alone: the form needs a first name
        first, last = last, ""
    if not first:
        first, _space, last = _text(_first(card, "fn")).partition(" ")
    return first, last


def values_of(card: Any, kind: str | None = None) -> CardValues:
    """Return what card says, as a contact of kind (None: the card's own) would hold it;
    raise BadCard when it names no one or cannot be read."""
    try:
        return _values_of(card, kind)
    except BadCard:
        raise
    except READ_ERRORS as exc:
        raise BadCard(f"The vCard cannot be read: {exc}"[:300]) from exc


def _values_of(card: Any, kind: str | None) -> CardValues:
    org = _first(card, "org")
    org_name = _text(org[0] if isinstance(org, (list, tuple)) and org else org)
    first, last = _names(card)
    if kind is None:
        kind = (
            Contact.Kind.COMPANY
            if _is_company(card) or (not first and org_name)
            else Contact.Kind.PERSON
        )
    fields = {"description": str(_first(card, "note") or "").strip()}
    company = ""
    if kind == Contact.Kind.COMPANY:
        fields["company_name"] = org_name or _text(_first(card, "fn"))
        if not fields["company_name"]:
            raise BadCard("The vCard names no company: give it a name (ORG or FN).")
    else:
        if not first:
            raise BadCard("The vCard names no one: give the contact a name (N or FN).")
        fields |= {"first_name": first, "last_name": last}
        fields["job_title"] = _text(_first(card, "title"))
        company = org_name
    uid = _text(_first(card, "uid"))
    if len(uid) > MAX_UID:
        raise BadCard(f"The vCard's UID is longer than {MAX_UID} characters.")
    tags = None
    if _lines(card, "categories"):
        tags = []
        for line in _lines(card, "categories"):
            values = line.value if isinstance(line.value, list) else str(line.value).split(",")
            tags += [
                _text(t) for t in values if _text(t) and _text(t).lower() not in IGNORED_CATEGORIES
            ]
    return CardValues(
        kind=kind,
        uid=uid,
        fields=fields,
        company=company,
        tags=tags,
        infos=_infos(card),
        addresses=_addresses(card),
    )


def _with_primary(rows: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Mark the most preferred row primary, the first of them; none when none is."""
    best = min((preference for preference, _row in rows), default=1000)
    marked = False
    for preference, row in rows:
        row["is_primary"] = preference == best < 1000 and not marked
        marked = marked or row["is_primary"]
    return [row for _preference, row in rows]


def _infos(card: Any) -> list[dict[str, Any]]:
    found = []
    for name, kind in (("email", "email"), ("tel", "phone"), ("url", "web")):
        rows = []
        for line in _lines(card, name):
            types = _types(line)
            value = str(line.value or "").strip()
            if kind == "phone":
                value = re.sub(r"^tel:", "", value, flags=re.IGNORECASE)
                category = tel_category(types)
            elif kind == "email":
                value = re.sub(r"^mailto:", "", value, flags=re.IGNORECASE)
                category = email_category(types)
            else:
                value = value.replace("\\:", ":")  # Google escapes the colon of its URLs
                category = web_category(value)
            if value:
                row = {"kind": kind, "category": category, "value": value, "types": types}
                rows.append((_preference(line, types), row))
        found += _with_primary(rows)
    return found


def _addresses(card: Any) -> list[dict[str, Any]]:
    rows = []
    for line in _lines(card, "adr"):
        value = line.value
        if isinstance(value, str):
            parts = (value.split(";") + [""] * 7)[:7]
            values = dict(zip(ADDRESS_PARTS, [parts[2], *parts[3:7]], strict=True))
        else:
            street = value.street if isinstance(value.street, list) else [value.street]
            values = {
                "street": "\n".join(str(s).strip() for s in street if str(s).strip()),
                "city": _text(value.city),
                "region": _text(value.region),
                "postcode": _text(value.code),
                "country": _text(value.country),
            }
        if any(values.values()):
            types = _types(line)
            row = {"category": address_category(types), **values, "types": types}
            rows.append((_preference(line, types), row))
    return _with_primary(rows)


def keep_stored_categories(values: CardValues, contact: Contact) -> None:
    """Give the card's details the category (and a link its value) the contact holds them
    with, where the card cannot tell them apart: the card says what the CRM wrote."""
    for row in values.infos:
        for info in contact.infos.all():
            if info.kind != row["kind"]:
                continue
            if info.kind == ContactInfo.Kind.WEB and row["value"] in (info.href, info.value):
                row["value"], row["category"] = info.value, info.category
                break
            if info.value.strip() == row["value"] and _same_types(info, row["types"]):
                row["category"] = info.category
                break
    for row in values.addresses:
        for address in contact.addresses.all():
            same = all(getattr(address, part) == row[part] for part in ADDRESS_PARTS)
            written = VCARD_ADR_TYPES.get(address.category, [])
            if same and address_category(written) == address_category(row["types"]):
                row["category"] = address.category
                break


def _same_types(info: ContactInfo, types: set[str]) -> bool:
    """Whether the card's TYPE reads as the category info is written with."""
    if info.kind == ContactInfo.Kind.PHONE:
        written = VCARD_TEL_TYPES.get(info.category, ["voice"])
        return tel_category(written) == tel_category(types)
    written = [info.category] if info.category in ("work", "home") else []
    return email_category(written) == email_category(types)


def form_rows(values: CardValues) -> dict[str, list[dict[str, Any]]]:
    """Return the card's details as the contact form's formsets take them, by prefix."""
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in ContactInfo.Kind.values}
    for info in values.infos:
        rows[info["kind"]].append(
            {"category": info["category"], "value": info["value"], "is_primary": info["is_primary"]}
        )
    known = {category for category, _label in Address.CATEGORIES}
    rows["address"] = [
        {
            **{part: row[part] for part in ADDRESS_PARTS},
            "category": row["category"] if row["category"] in known else "other",
            "is_primary": row["is_primary"],
        }
        for row in values.addresses
    ]
    return rows
