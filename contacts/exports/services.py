"""Export contacts as CSV and vCard 4.0.

The CSV opens right in the reader's spreadsheet: it is written in the reader's language,
with ";" between cells where the decimal separator is a comma (French: a spreadsheet
there reads "," as part of a number) and "," elsewhere, and a cell holds what the page
shows rather than a code. The import maps every header and value back, in either
language (imports/mapping.py and imports/rows.py), so that export then import gives the
same contacts back. The columns, in order:

- Person or company ("Person" or "Company"); First name, Last name; Company name: the
  company's name, for a person the name of the company linked to him (or the name typed
  on him); Job title; Contact type (its title); Currency as the card shows it
  ("Euro (EUR)"); Description; Tags: the tag names, sorted, joined with ", ".
- Access, as the card says it ("Only responsible users"...).
- Responsible users: their full names as the card shows them, joined with ", "; the
  user name of one whose full name another user shares (or is another's user name),
  so that the import finds each again.
- One column per contact information kind × category: "Email (Work)", "Phone (Mobile)",
  "Web (LinkedIn)"...: several values of one kind and category are joined with ", "
  (primary first), the separator the import splits emails and phones on.
- The primary address only (the card and the vCard have them all): Street, City,
  State/region, Postcode, Country, Address category.
- Last activity: the day of the newest event of the timeline, in the reader's time zone,
  as YYYY-MM-DD (empty without any); the import leaves it out.
- Companies: for a person, every company he works at now that the reader may see, the
  primary one first, joined with ", " (Company name holds the primary one alone); the
  import leaves it out.
- One column per user field, headed by its label, in the settings' order (headings left
  out): the option or text, "Yes" for a ticked checkbox, a date as YYYY-MM-DD. A label
  that repeats a column already there gets " (user field)" appended, then a number.

Every cell goes through escape_cell against spreadsheet formula injection, except a
phone cell that holds only phone numbers (escape_phone_cell).
"""

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any, TypedDict

import vobject
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import currencies as config
from contacts import selectors
from contacts.access import AnyUser, contacts_visible_to
from contacts.csv_columns import (
    ADDRESS_COLUMNS,
    ADDRESS_FIELDS,
    CONSENT_HEADER,
    CONTACT_COLUMNS,
    INFO_KIND_NAMES,
    NAME_SEPARATORS,
    VALUE_SEPARATOR,
    escape_cell,
    escape_phone_cell,
    list_delimiter,
    user_field_header,
)
from contacts.custom_fields import values as custom_fields
from contacts.models import Address, Contact, ContactInfo, CustomField, Position, TaggedContact

LAST_ACTIVITY_HEADER = gettext_lazy("Last activity")
COMPANIES_HEADER = gettext_lazy("Companies")
# Contacts fetched per query: memory stays bounded however long the list is, and the
# number of queries grows with the batches, never with each contact.
BATCH_SIZE = 1000

# vCard 4.0 TYPE values (RFC 6350) for the categories of phones and addresses.
VCARD_TEL_TYPES = {
    "work": ["work", "voice"],
    "home": ["home", "voice"],
    "mobile": ["cell"],
    "fax": ["fax"],
    "direct": ["work", "voice"],
    "other": ["voice"],
}
VCARD_ADR_TYPES = {"work": ["work"], "home": ["home"]}


class Details(TypedDict):
    """What the CSV writes of a batch's contacts besides their own columns, by contact id."""

    infos: dict[int, dict[tuple[str, ...], list[str]]]  # (kind, category): values
    addresses: dict[int, list[str]]  # the first address: ADDRESS_FIELDS
    tags: dict[int, list[str]]
    responsible: dict[int, list[int]]  # user ids
    companies: dict[int, list[str]]  # a person's current companies the reader may see


def exported_contacts(contacts: QuerySet[Contact]) -> Iterator[Contact]:
    """Return contacts with everything an export writes, prefetched per batch."""
    return (
        contacts.select_related("company", "contact_type")
        .prefetch_related(
            *selectors.ordered_tags_and_responsible(),
            Prefetch("infos", queryset=ContactInfo.objects.all()),
            Prefetch("addresses", queryset=Address.objects.all()),
        )
        .iterator(chunk_size=BATCH_SIZE)
    )


def columns() -> list[tuple[str, str]]:
    """Return (header, import target) of the columns every CSV export has, in the active
    language; the user fields' columns follow them."""
    found = [(str(label), target) for target, label in CONTACT_COLUMNS]
    for kind in ContactInfo.Kind:
        for category, label in ContactInfo.CATEGORIES[kind]:
            found.append((f"{INFO_KIND_NAMES[kind]} ({label})", f"{kind}:{category}"))
    found += [(str(label), f"address:{part}") for part, label in ADDRESS_COLUMNS]
    # Written for the reader, read back by nobody: the events make it, not the import.
    found.append((str(LAST_ACTIVITY_HEADER), ""))
    found.append((str(COMPANIES_HEADER), ""))
    found.append((str(CONSENT_HEADER), "consent"))
    return found


def _user_fields(taken: Iterable[str]) -> list[tuple[CustomField, str]]:
    """Return the user fields that hold values, each with its column header."""
    taken = set(taken)
    found = []
    for field in CustomField.objects.exclude(field_type=CustomField.Type.HEADING):
        header = field.label
        n = 1
        while header in taken:
            header = user_field_header(field.label, n)
            n += 1
        taken.add(header)
        found.append((field, header))
    return found


def user_names() -> dict[int, str]:
    """Return each user's name as an export writes it, by id, in the card's order: what
    the card shows, unless the import could not tell who it is."""
    users = list(
        get_user_model()
        .objects.order_by("first_name", "last_name", "username")
        .values_list("pk", "username", "first_name", "last_name")
    )
    usernames = {username for _pk, username, _first, _last in users}
    full_names = {pk: f"{first} {last}".strip() for pk, _username, first, last in users}
    shared = Counter(full_names.values())
    names = {}
    for pk, username, _first, _last in users:
        full = full_names[pk]
        unique = shared[full] == 1 and (full == username or full not in usernames)
        if full and unique and not any(s in full for s in NAME_SEPARATORS):
            names[pk] = full
        else:
            names[pk] = username
    return names


def _details(contacts: list[Contact], reader: AnyUser) -> Details:
    """Return what the CSV writes of contacts besides their own columns, in five queries.

    Flat rows grouped in dictionaries: prefetch_related would build a queryset per
    contact and relation, which costs more than the rest of the export together.
    """
    ids = [c.pk for c in contacts]
    details: Details = {
        "infos": {},
        "addresses": {},
        "tags": {},
        "responsible": {},
        "companies": {},
    }
    for pk, kind, category, value in ContactInfo.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "kind", "category", "value"
    ):
        details["infos"].setdefault(pk, {}).setdefault((kind, category), []).append(value)
    for pk, *address in Address.objects.filter(contact_id__in=ids).values_list(
        "contact_id", *ADDRESS_FIELDS
    ):
        details["addresses"].setdefault(pk, address)
    for pk, name in TaggedContact.objects.filter(content_object_id__in=ids).values_list(
        "content_object_id", "tag__name"
    ):
        details["tags"].setdefault(pk, []).append(name)
    through = Contact.responsible.through.objects.filter(contact_id__in=ids)
    for pk, user_id in through.values_list("contact_id", "user_id"):
        details["responsible"].setdefault(pk, []).append(user_id)
    seen = contacts_visible_to(reader).filter(kind=Contact.Kind.COMPANY).values("pk")
    positions = Position.objects.filter(person_id__in=ids, end_date__isnull=True, company__in=seen)
    for pk, name in positions.order_by("person_id", "-is_primary", "pk").values_list(
        "person_id", "company__display_name"
    ):
        details["companies"].setdefault(pk, []).append(name)
    return details


def _batches(
    contacts: QuerySet[Contact], reader: AnyUser
) -> Iterator[tuple[list[Contact], Details]]:
    """Yield the contacts in lists of BATCH_SIZE, each list with its _details."""
    rows = contacts.select_related("company", "contact_type").iterator(chunk_size=BATCH_SIZE)
    while batch := list(islice(rows, BATCH_SIZE)):
        yield batch, _details(batch, reader)


class CsvLayout:
    """The header of a CSV export and the words for its codes, in one language.

    Built once per export, before the first row, so that the rows are only dictionary
    look-ups: no query and no translation per contact.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self.delimiter = list_delimiter(language)
        with translation.override(language):
            fixed = columns()
            user_fields = _user_fields(h for h, _target in fixed)
            self.kinds = {code: str(label) for code, label in Contact.Kind.choices}
            self.access = {code: str(label) for code, label in Contact.Access.choices}
            self.consents = {code: str(label) for code, label in Contact.Consent.choices}
            self.address_categories = {code: str(label) for code, label in Address.CATEGORIES}
            self.yes = _("Yes")
        self.fields = [field for field, _header in user_fields]
        self.header = [h for h, _target in fixed] + [header for _field, header in user_fields]
        self.infos = [tuple(t.split(":")) for _h, t in fixed if t.split(":")[0] in ContactInfo.Kind]
        first = len(CONTACT_COLUMNS)
        self.phone_columns = {
            first + n for n, (kind, _category) in enumerate(self.infos) if kind == "phone"
        }
        self.users = user_names()
        self.user_order = {pk: n for n, pk in enumerate(self.users)}
        self.currencies: dict[str, str] = {}
        # The reader's, read here: the rows are streamed after the request's zone is reset.
        self.zone = timezone.get_current_timezone()

    def currency(self, code: str) -> str:
        if not code:
            return ""
        if code not in self.currencies:
            name = config.currency_name(code, self.language)
            self.currencies[code] = f"{name} ({code})"
        return self.currencies[code]

    def day(self, moment: datetime | None) -> str:
        """Return the day of moment in the reader's zone, as YYYY-MM-DD like the dates."""
        return timezone.localtime(moment, self.zone).date().isoformat() if moment else ""

    def custom(self, field: CustomField, value: object) -> str:
        if value in (None, "", False):
            return ""
        if field.field_type == CustomField.Type.CHECKBOX:
            return self.yes
        if field.field_type == CustomField.Type.NUMBER:
            # Like the dates, in one form for every language: 1234.5, read back by the import.
            return custom_fields.number_plain(value)
        # A date stays YYYY-MM-DD: every spreadsheet reads it as a date in any language,
        # while 03/04/2026 means two different days on the two sides of the Atlantic.
        return str(value)

    def row(self, contact: Contact, details: Details) -> list[str]:
        """Return the cells of one contact, unescaped, in the order of the header."""
        pk = contact.pk
        infos = details["infos"].get(pk, {})
        address = details["addresses"].get(pk)
        users = details["responsible"].get(pk, [])
        if any(u not in self.users for u in users):
            # Made responsible while the export runs: newer than the names read first.
            self.users.update(user_names())
            self.user_order = {pk: n for n, pk in enumerate(self.users)}
        users = sorted(users, key=self.user_order.__getitem__)
        row = [
            self.kinds.get(contact.kind, contact.kind),
            contact.first_name,
            contact.last_name,
            _company_name(contact),
            contact.job_title,
            contact.contact_type.title if contact.contact_type else "",
            self.currency(contact.currency),
            contact.description,
            VALUE_SEPARATOR.join(sorted(details["tags"].get(pk, []), key=str.casefold)),
            self.access.get(contact.access, contact.access),
            VALUE_SEPARATOR.join(self.users[u] for u in users),
        ]
        row += [VALUE_SEPARATOR.join(infos.get(key, [])) for key in self.infos]
        if address:
            *parts, category = address
            row += [*parts, self.address_categories.get(category, category)]
        else:
            row += [""] * len(ADDRESS_FIELDS)
        row.append(self.day(contact.last_activity_at))
        row.append(VALUE_SEPARATOR.join(details["companies"].get(pk, [])))
        row.append(self.consents.get(contact.consent, contact.consent))
        row += [self.custom(f, contact.custom.get(f.key)) for f in self.fields]
        return row

    def escaped(self, row: list[str]) -> list[str]:
        return [
            escape_phone_cell(c) if n in self.phone_columns else escape_cell(c)
            for n, c in enumerate(row)
        ]


def _company_name(contact: Contact) -> str:
    """Return the person's company's name, if the reader may see it, or the name typed."""
    if contact.shown_company:
        return contact.shown_company.company_name
    if contact.live_company:
        return ""
    return contact.company_name


class _Echo:
    """A file-like object whose write returns what it is given, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    contacts: QuerySet[Contact], reader: AnyUser, language: str | None = None
) -> Iterator[str]:
    """Return the CSV text of contacts, in language, as an iterator of lines; what names
    another contact (a person's companies) is what reader may see.

    A BOM and the header come first; lines end with CRLF. The layout is built here, in
    the request, so that streaming the rows later needs no active language.
    """
    layout = CsvLayout(language or translation.get_language() or "en")
    return _csv_lines(contacts, layout, reader)


def _csv_lines(contacts: QuerySet[Contact], layout: CsvLayout, reader: AnyUser) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=layout.delimiter, lineterminator="\r\n")
    # The BOM makes spreadsheets read the file as UTF-8.
    yield "\ufeff" + writer.writerow([escape_cell(h) for h in layout.header])
    for batch, details in _batches(contacts, reader):
        for contact in batch:
            yield writer.writerow(layout.escaped(layout.row(contact, details)))


def vcard(contact: Contact, uid: str = "", version: str = "4.0") -> str:
    """Return the vCard text of one contact (prefetched as exported_contacts does).

    uid, when given, is the card's UID: what an address book app knows it again by.
    version "3.0" is the vCard phones and CardDAV clients read by default: no KIND (a
    company is told by Apple's X-ADDRESSBOOKSERVER-KIND), an N even for a company, and
    the preferred detail marked by TYPE=pref rather than PREF=1.
    """
    modern = version == "4.0"
    card = vobject.vCard()
    card.add("version").value = version
    if uid:
        card.add("uid").value = uid
    card.add("fn").value = contact.display_name or "?"
    if contact.is_person:
        if modern:
            card.add("kind").value = "individual"
        card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    elif modern:
        card.add("kind").value = "org"
    else:
        card.add("x-addressbookserver-kind").value = "org"
        card.add("n").value = vobject.vcard.Name()
    company_name = _company_name(contact)
    if company_name:
        card.add("org").value = [company_name]
    if contact.job_title:
        card.add("title").value = contact.job_title
    for info in contact.infos.all():
        if info.kind == ContactInfo.Kind.EMAIL:
            line = card.add("email")
            line.value = info.value
            if info.category in ("work", "home"):
                line.type_param = info.category
        elif info.kind == ContactInfo.Kind.PHONE:
            line = card.add("tel")
            line.value = info.value
            line.type_paramlist = VCARD_TEL_TYPES.get(info.category, ["voice"])
        else:
            line = card.add("url")
            line.value = info.href
        if info.is_primary:
            _prefer(line, modern)
    for address in contact.addresses.all():
        line = card.add("adr")
        line.value = vobject.vcard.Address(
            street=address.street,
            city=address.city,
            region=address.region,
            code=address.postcode,
            country=address.country,
        )
        if address.category in VCARD_ADR_TYPES:
            line.type_paramlist = VCARD_ADR_TYPES[address.category]
        if address.is_primary:
            _prefer(line, modern)
    if contact.description:
        card.add("note").value = contact.description
    tags = sorted((t.name for t in contact.tags.all()), key=str.casefold)
    if tags:
        card.add("categories").value = tags
    return card.serialize()


def _prefer(line: Any, modern: bool) -> None:
    """Mark a card's line as the preferred one of its kind, as its vCard version says."""
    if modern:
        line.pref_param = "1"
    else:
        line.params["TYPE"] = [*line.params.get("TYPE", []), "pref"]


def vcard_lines(contacts: QuerySet[Contact]) -> Iterator[str]:
    """Yield the vCards of contacts one after the other."""
    for contact in exported_contacts(contacts):
        yield vcard(contact)


def export_filename(extension: str) -> str:
    return f"contacts-{timezone.localdate().isoformat()}.{extension}"


def vcard_filename(contact: Contact) -> str:
    return f"{slugify(contact.display_name) or 'contact'}.vcf"
