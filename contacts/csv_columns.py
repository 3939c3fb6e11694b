"""The CSV columns the export writes and the import reads back, and how a cell is
escaped so that a spreadsheet never runs it as a formula.
"""

import re

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from contacts.models import ContactInfo

# Each column's header, with the import's target of the same name (imports/mapping.py).
CONTACT_COLUMNS = [
    ("kind", gettext_lazy("Person or company")),
    ("first_name", gettext_lazy("First name")),
    ("last_name", gettext_lazy("Last name")),
    ("company_name", gettext_lazy("Company name")),
    ("job_title", gettext_lazy("Job title")),
    ("contact_type", gettext_lazy("Contact type")),
    ("currency", gettext_lazy("Currency")),
    ("description", gettext_lazy("Description")),
    ("tags", gettext_lazy("Tags")),
    ("access", gettext_lazy("Access")),
    ("responsible", gettext_lazy("Responsible users")),
]
# After the other columns: the consent's status, which the import reads back.
CONSENT_HEADER = gettext_lazy("Marketing email consent")
INFO_KIND_NAMES = {
    ContactInfo.Kind.EMAIL: gettext_lazy("Email"),
    ContactInfo.Kind.PHONE: gettext_lazy("Phone"),
    ContactInfo.Kind.WEB: pgettext_lazy("export column of web addresses", "Web"),
}
ADDRESS_COLUMNS = [
    ("street", gettext_lazy("Street")),
    ("city", gettext_lazy("City")),
    ("region", gettext_lazy("State/region")),
    ("postcode", gettext_lazy("Postcode")),
    ("country", gettext_lazy("Country")),
    ("category", gettext_lazy("Address category")),
]
ADDRESS_FIELDS = [name for name, _label in ADDRESS_COLUMNS]
VALUE_SEPARATOR = ", "
# The import splits several users in one cell on these: a name holding one is written
# as the user name.
NAME_SEPARATORS = (",", ";")

# OWASP "CSV injection": a spreadsheet reads a cell starting with one of these as a
# formula. Tab and carriage return can hide such a start from a first look.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
# Phone numbers as people write them, one or several: with neither a letter nor a quote,
# a colon, "!" or "|", a spreadsheet that reads one as a formula finds no function,
# reference or link to run, only digits to add up.
PHONE_CELL = re.compile(r"\+\d[\d ().\-/]*(?:, \+?\d[\d ().\-/]*)*")


def _needs_escape(value: str) -> bool:
    # A cell that already starts with the apostrophe and then something escaped is
    # escaped once more, so that unescape_cell(escape_cell(x)) == x for every x.
    return value[:1] in FORMULA_TRIGGERS or (value[:1] == ESCAPE and _needs_escape(value[1:]))


def escape_cell(value: object) -> str:
    """Return value with a leading apostrophe when a spreadsheet would run it as a formula."""
    # The OWASP rule, by the first character only: what parses as a formula differs
    # between Excel, LibreOffice and Google Sheets and their versions, so the safe
    # reading is the one that does not guess. Phones are the one exception
    # (escape_phone_cell), because their form is known.
    value = "" if value is None else str(value)
    return ESCAPE + value if _needs_escape(value) else value


def escape_phone_cell(value: object) -> str:
    """Return a cell of phone numbers as it is when it holds only them, else escape_cell's.

    "+33 6 12 34 56 78" stays as typed: an apostrophe before it would show in the
    spreadsheet and in every number copied from it.
    """
    value = "" if value is None else str(value)
    return value if PHONE_CELL.fullmatch(value) else escape_cell(value)


def unescape_cell(value: str) -> str:
    """Return a cell written by escape_cell as it was before."""
    if value[:1] == ESCAPE and _needs_escape(value[1:]):
        return value[1:]
    return value


def user_field_header(label: str, n: int = 1) -> str:
    """Return the header of a user field whose label repeats a column already there."""
    if n == 1:
        return _("%(label)s (user field)") % {"label": label}
    return _("%(label)s (user field %(n)d)") % {"label": label, "n": n}


def list_delimiter(language: str) -> str:
    """Return the delimiter a spreadsheet expects in language: ";" where "," is decimal."""
    return ";" if formats.get_format("DECIMAL_SEPARATOR", language) == "," else ","
