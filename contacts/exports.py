"""Export contacts as CSV and vCard 4.0 (SPEC L9).

The CSV columns, in order (CSV_COLUMNS, then the contact information, address and user
field columns), use English header names that the CSV import maps by itself, and
machine values where a label would be translated (Kind, Access), so that export then
import gives the same contacts back:

- Kind: "person" or "company"; First name, Last name; Company name: the company's name,
  for a person the name of the company linked to him (or the name typed on him).
- Job title; Contact type (its title); Currency (ISO code); Description.
- Tags: the tag names, sorted, joined with ", ".
- Access: "private", "public_read" or "public_rw".
- Responsible: the usernames of the responsible users, sorted, joined with ", ".
- One column per contact information kind × category: "Email (work)", "Email (home)",
  "Email (other)", "Phone (work)", "Phone (mobile)"…, "Web (website)",
  "Web (linkedin)"…: several values of one kind and category are joined with ", "
  (primary first), the separator the import splits emails and phones on.
- The primary address only (the card and the vCard have them all): Street, City,
  Region, Postcode, Country, Address category.
- One column per user field, headed by its label, in the settings' order (headings left
  out): the option or text, "Yes" for a ticked checkbox, a date as YYYY-MM-DD. A label
  that repeats a column already there gets " (user field)" appended, then a number.

Every cell goes through escape_cell against spreadsheet formula injection.
"""

import csv

import vobject
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

from . import custom_fields, selectors
from .models import Address, ContactInfo, CustomField

# Contacts fetched per query: memory stays bounded however long the list is, and the
# number of queries grows with the batches, never with each contact.
BATCH_SIZE = 1000

CSV_COLUMNS = [
    "Kind",
    "First name",
    "Last name",
    "Company name",
    "Job title",
    "Contact type",
    "Currency",
    "Description",
    "Tags",
    "Access",
    "Responsible",
]
INFO_KIND_NAMES = {
    ContactInfo.Kind.EMAIL: "Email",
    ContactInfo.Kind.PHONE: "Phone",
    ContactInfo.Kind.WEB: "Web",
}
ADDRESS_COLUMNS = ["Street", "City", "Region", "Postcode", "Country", "Address category"]
ADDRESS_FIELDS = ["street", "city", "region", "postcode", "country", "category"]
VALUE_SEPARATOR = ", "

# OWASP "CSV injection": a spreadsheet reads a cell starting with one of these as a
# formula. Tab and carriage return can hide such a start from a first look.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

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


def _needs_escape(value):
    # A cell that already starts with the apostrophe and then something escaped is
    # escaped once more, so that unescape_cell(escape_cell(x)) == x for every x.
    return value[:1] in FORMULA_TRIGGERS or (value[:1] == ESCAPE and _needs_escape(value[1:]))


def escape_cell(value):
    """Return value with a leading apostrophe when a spreadsheet would run it as a formula.

    Phone numbers such as "+33 1 23 45 67 89" are escaped too: a spreadsheet shows
    them as text, and the import strips the apostrophe again with unescape_cell.
    """
    # The OWASP rule, by the first character only. Escaping only what "would be a
    # formula" would keep phones bare, but what parses as one differs between Excel,
    # LibreOffice and Google Sheets and their versions ("+1-555-0100" is arithmetic to
    # some), so the safe reading is the one that does not guess.
    value = "" if value is None else str(value)
    return ESCAPE + value if _needs_escape(value) else value


def unescape_cell(value):
    """Return a cell written by escape_cell as it was before."""
    if value[:1] == ESCAPE and _needs_escape(value[1:]):
        return value[1:]
    return value


def exported_contacts(contacts):
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


def _user_fields():
    """Return the user fields that hold values, each with its column header."""
    fields = list(CustomField.objects.exclude(field_type=CustomField.Type.HEADING))
    taken = set(CSV_COLUMNS) | set(ADDRESS_COLUMNS) | set(info_columns())
    for field in fields:
        header = field.label
        if header in taken:
            header = f"{field.label} (user field)"
        n = 2
        while header in taken:
            header = f"{field.label} (user field {n})"
            n += 1
        taken.add(header)
        field.header = header
    return fields


def info_columns():
    """Return the (kind, category) of every contact information column, with its header."""
    return {
        f"{INFO_KIND_NAMES[kind]} ({category})": (kind, category)
        for kind in ContactInfo.Kind
        for category, _label in ContactInfo.CATEGORIES[kind]
    }


def _custom_cell(field, value):
    if value in (None, "", False):
        return ""
    if field.field_type == CustomField.Type.CHECKBOX:
        # Not translated: the import reads "yes" in any language.
        return "Yes"
    if field.field_type == CustomField.Type.NUMBER:
        # Like the dates, in one form for every language: 1234.5, read back by the import.
        return custom_fields.number_plain(value)
    return str(value)


def _company_name(contact):
    """Return the person's company's name, if the reader may see it, or the name typed."""
    if contact.shown_company:
        return contact.shown_company.company_name
    if contact.live_company:
        return ""
    return contact.company_name


def csv_row(contact, infos, fields):
    """Return the cells of one contact, unescaped, in the order of csv_header."""
    by_column = {}
    for info in contact.infos.all():
        by_column.setdefault((info.kind, info.category), []).append(info.value)
    addresses = contact.addresses.all()
    address = addresses[0] if addresses else None
    row = [
        contact.kind,
        contact.first_name,
        contact.last_name,
        _company_name(contact),
        contact.job_title,
        contact.contact_type.title if contact.contact_type else "",
        contact.currency,
        contact.description,
        VALUE_SEPARATOR.join(sorted((t.name for t in contact.tags.all()), key=str.casefold)),
        contact.access,
        VALUE_SEPARATOR.join(sorted(u.username for u in contact.responsible.all())),
    ]
    row += [VALUE_SEPARATOR.join(by_column.get(key, [])) for key in infos.values()]
    row += [getattr(address, name) if address else "" for name in ADDRESS_FIELDS]
    row += [_custom_cell(f, contact.custom.get(f.key)) for f in fields]
    return row


class _Echo:
    """A file-like object whose write returns what it is given, for csv.writer."""

    def write(self, value):
        return value


def csv_lines(contacts):
    """Yield the CSV text of contacts: a BOM and the header first, CRLF line ends."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    infos = info_columns()
    fields = _user_fields()
    header = CSV_COLUMNS + list(infos) + ADDRESS_COLUMNS + [f.header for f in fields]
    # The BOM makes spreadsheets read the file as UTF-8.
    yield "\ufeff" + writer.writerow([escape_cell(h) for h in header])
    for contact in exported_contacts(contacts):
        yield writer.writerow([escape_cell(c) for c in csv_row(contact, infos, fields)])


def vcard(contact):
    """Return the vCard 4.0 text of one contact (prefetched as exported_contacts does)."""
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("fn").value = contact.display_name or "?"
    if contact.is_person:
        card.add("kind").value = "individual"
        card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    else:
        card.add("kind").value = "org"
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
            line.pref_param = "1"
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
            line.pref_param = "1"
    if contact.description:
        card.add("note").value = contact.description
    tags = sorted((t.name for t in contact.tags.all()), key=str.casefold)
    if tags:
        card.add("categories").value = tags
    return card.serialize()


def vcard_lines(contacts):
    """Yield the vCards of contacts one after the other."""
    for contact in exported_contacts(contacts):
        yield vcard(contact)


def export_filename(extension):
    return f"contacts-{timezone.localdate().isoformat()}.{extension}"


def vcard_filename(contact):
    return f"{slugify(contact.display_name) or 'contact'}.vcf"
