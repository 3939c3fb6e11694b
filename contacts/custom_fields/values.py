"""User fields' values on contacts: their types, cleaning, display and filters.

A contact's values live in Contact.custom, keyed by CustomField.key (the field's id): the
text typed, the option chosen, true for a ticked checkbox, a date as YYYY-MM-DD, a number
as a JSON number, a web address with its http or https scheme. Empty
values are never stored, so a contact holds data for a field exactly when its key is there.

The field list is read per request, never cached: a form always offers the fields as
they are now. A contact save share-locks the fields it reads (PostgreSQL; SQLite runs one
writing transaction at a time), so a field cannot disappear or change its options between
the moment a save cleans the values and the moment it commits them.
"""

import datetime
import decimal
import re
from collections.abc import Mapping
from typing import Any, TypedDict, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection
from django.db.models import (
    Q,
    Value,
)
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils import formats
from django.utils.translation import gettext as _

from contacts.db.json import JSONKeyNumber, JSONKeyText
from contacts.kept_rows import KeptRows
from contacts.models import Contact, CustomField

Type = CustomField.Type
AppliesTo = CustomField.AppliesTo

# A CharField always has a max_length, which the stubs type as optional for every field.
LABEL_MAX_LENGTH = cast(int, CustomField._meta.get_field("label").max_length)
TEXT_MAX_LENGTH = 255
TEXTAREA_MAX_LENGTH = 5000
OPTION_MAX_LENGTH = 100
MAX_OPTIONS = 200
URL_MAX_LENGTH = 2000
# Digits a number keeps: a float holds 15 exactly, on both databases and in JSON.
NUMBER_MAX_DIGITS = 15
NUMBER_MAX_DECIMALS = 6
# Text and web addresses are found by the list search, as the contact's own web sites
# are. A number is not: the search would find 1234.5 as stored, not "1 234,5" as shown,
# so the list's range filter finds numbers instead. An option or a date has its filter.
SEARCHABLE = (Type.TEXT, Type.TEXTAREA, Type.URL)
FILTERABLE = (Type.SELECT, Type.CHECKBOX, Type.NUMBER)
FILTER_PREFIX = "cf_"
RANGE_BOUNDS = ("min", "max")

# A value as Contact.custom stores it (a JSON number is an int or a float).
Stored = str | bool | int | float
# On a contact's card: (label, text, multiline, link).
CardItem = tuple[str, str, bool, str | None]


# Reading the fields and their use


def fields_for(kind: str) -> list[CustomField]:
    """Return the user fields of persons or companies, headings included, in order."""
    return list(CustomField.objects.filter(applies_to__in=[kind, AppliesTo.BOTH]))


_kept = KeptRows("custom-fields", lambda: list(CustomField.objects.all()))
# Every card shows the fields: read from the table once per version (kept_rows.py). The
# forms and the services read the table itself, which never shows a field deleted since.
forget_cached = _kept.forget


def shown_fields_for(kind: str) -> list[CustomField]:
    """Return fields_for(kind) as last read, for showing values."""
    return [field for field in _kept.get() if field.applies_to in (kind, AppliesTo.BOTH)]


def searchable_keys() -> set[str]:
    """Return the keys of the text and text area fields: the values the search finds."""
    return {
        str(pk)
        for pk in CustomField.objects.filter(field_type__in=SEARCHABLE).values_list("pk", flat=True)
    }


def filterable_fields() -> list[CustomField]:
    """Return the select boxes and checkboxes: the fields the contact list filters on."""
    return list(CustomField.objects.filter(field_type__in=FILTERABLE))


# Numbers and web addresses

SPACES = re.compile(r"[\s\u00a0\u2009\u202f']")
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_number(value: object) -> decimal.Decimal | None:
    """Return the number typed in value as a Decimal, or None when it is not one.

    Spaces group digits in any language; a comma is the decimal separator in French, and
    in English too unless it groups thousands (1,234,567). A dot is always decimal.
    """
    value = SPACES.sub("", str(value)).replace("\u2212", "-")
    sign = value[:1] if value[:1] in "+-" else ""
    digits = value[len(sign) :]
    if "," in digits and "." in digits:
        # 1,234.5 or 1.234,5: the last separator is the decimal one.
        if digits.rfind(",") > digits.rfind("."):
            digits = digits.replace(".", "").replace(",", ".")
        else:
            digits = digits.replace(",", "")
    elif "," in digits:
        decimal_comma = formats.get_format("DECIMAL_SEPARATOR") == ","
        if not decimal_comma and GROUPED.fullmatch(digits):
            digits = digits.replace(",", "")
        else:
            digits = digits.replace(",", ".")
    value = sign + digits
    if not PLAIN_NUMBER.fullmatch(value):
        return None
    number = decimal.Decimal(value)
    return number if number.is_finite() else None


def number_problem(number: decimal.Decimal) -> str:
    """Return why number cannot be stored, or "" when it can."""
    _sign, digits, exponent = number.normalize().as_tuple()
    # Only a finite number is ever asked about, and its exponent is a number.
    assert isinstance(exponent, int)
    decimals = max(0, -exponent)
    if decimals > NUMBER_MAX_DECIMALS:
        return _("Use at most %(max)d digits after the decimal separator.") % {
            "max": NUMBER_MAX_DECIMALS
        }
    if max(len(digits), decimals) + max(0, exponent) > NUMBER_MAX_DIGITS:
        return _("Use at most %(max)d digits.") % {"max": NUMBER_MAX_DIGITS}
    return ""


def stored_number(number: decimal.Decimal) -> int | float:
    """Return a Decimal as Contact.custom stores it: an int when whole, else a float."""
    number = number.normalize()
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _as_decimal(value: int | float | decimal.Decimal) -> decimal.Decimal:
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


def number_plain(value: object) -> str:
    """Return a stored number without grouping, a dot before its decimals: 1234.5."""
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return str(value)
    return format(_as_decimal(value).normalize(), "f")


def number_text(value: object, grouping: bool = True) -> str:
    """Return a stored number as the active language writes it: 1,234.5 or 1 234,5."""
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return str(value)
    number = _as_decimal(value)
    if number == number.to_integral_value():
        number = number.quantize(decimal.Decimal(1))
    return formats.number_format(number, use_l10n=True, force_grouping=grouping)


def clean_web_address(value: object) -> str | None:
    """Return value as a web address with its http(s) scheme, or None when it is not one.

    An address typed without a scheme (www.example.com) gets https://.
    """
    value = str(value).replace("\x00", "").strip()
    if not value or len(value) > URL_MAX_LENGTH or re.search(r"\s", value):
        return None
    if not re.match(r"^https?://", value, re.IGNORECASE):
        if "://" in value or ":" in value.split("/")[0] or "." not in value.split("/")[0]:
            return None
        value = "https://" + value
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return None
    return value


def link_href(value: object) -> str | None:
    """Return value as a link's target when it is an http or https address, else None."""
    value = str(value)
    return value if re.match(r"^https?://[^\s]+$", value, re.IGNORECASE) else None


class NumberField(forms.Field):
    """A number typed as the user's language writes it."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
            return number_text(value)
        return value

    def to_python(self, value: Any) -> decimal.Decimal | None:
        if value in self.empty_values or not str(value).strip():
            return None
        number = parse_number(value)
        if number is None:
            raise ValidationError(
                _("Enter a number, like %(example)s.") % {"example": number_text(1234.5)},
                code="invalid",
            )
        problem = number_problem(number)
        if problem:
            raise ValidationError(problem, code="invalid")
        return number


class WebAddressField(forms.CharField):
    """A web address; typed without a scheme, it gets https://."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", URL_MAX_LENGTH)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        cleaned = clean_web_address(value)
        if cleaned is None:
            raise ValidationError(
                _("Enter a web address, like https://www.example.com."), code="invalid"
            )
        return cleaned


# Values on contacts


class FieldOptions(TypedDict):
    """What every form field of a user field is given."""

    label: str
    required: bool


def form_field(field: CustomField) -> forms.Field:
    """Return the form field that edits field's value on the contact form."""
    common: FieldOptions = {"label": field.label, "required": False}
    if field.field_type == Type.TEXT:
        return forms.CharField(max_length=TEXT_MAX_LENGTH, **common)
    if field.field_type == Type.TEXTAREA:
        return forms.CharField(
            max_length=TEXTAREA_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), **common
        )
    if field.field_type == Type.SELECT:
        return forms.ChoiceField(choices=[("", "—")] + [(o, o) for o in field.options], **common)
    if field.field_type == Type.CHECKBOX:
        return forms.BooleanField(**common)
    if field.field_type == Type.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    if field.field_type == Type.NUMBER:
        return NumberField(**common)
    if field.field_type == Type.URL:
        return WebAddressField(**common)
    raise ValueError(field.field_type)


def _stored_value(field: CustomField, value: object) -> Stored | None:
    """Return value as Contact.custom holds it for field, or None when empty or invalid."""
    if value is None:
        return None
    if field.field_type == Type.CHECKBOX:
        if isinstance(value, str):
            return True if value.strip().lower() in ("1", "true", "on", "yes") else None
        return True if value else None
    if field.field_type == Type.DATE:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            return None
    if field.field_type == Type.NUMBER:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float | decimal.Decimal):
            number: decimal.Decimal | None
            try:
                number = _as_decimal(value)
            except decimal.InvalidOperation:
                return None
            number = number if number.is_finite() else None
        else:
            number = parse_number(value)
        if number is None or number_problem(number):
            return None
        return stored_number(number)
    if field.field_type == Type.URL:
        return clean_web_address(value)
    # PostgreSQL's jsonb cannot hold a NUL character.
    value = str(value).replace("\x00", "").strip()
    if not value:
        return None
    if field.field_type == Type.TEXT:
        return value if len(value) <= TEXT_MAX_LENGTH else None
    if field.field_type == Type.TEXTAREA:
        return value if len(value) <= TEXTAREA_MAX_LENGTH else None
    if field.field_type == Type.SELECT:
        return value if value in field.options else None
    return None


def _locked_fields_for(kind: str) -> list[CustomField]:
    fields = CustomField.objects.filter(applies_to__in=[kind, AppliesTo.BOTH])
    if connection.vendor != "postgresql":
        return list(fields)
    # FOR SHARE: saves do not wait for each other, but a field's deletion or change of
    # options waits for the saves that read it, and the saves after it read it anew.
    sql, params = fields.query.sql_with_params()
    # safe-sql: sql is the ORM's own query text, its values are left in params.
    return list(CustomField.objects.raw(f"{sql} FOR SHARE", params))


def clean_values(kind: str, values: Mapping[str, object]) -> dict[str, Stored]:
    """Return the values that contacts of kind may hold, as Contact.custom stores them.

    Only keys of existing fields of that kind are kept; empty values, and values that
    a field does not accept (an option that no longer exists), are left out. Call it
    inside the transaction that writes the contact.
    """
    cleaned: dict[str, Stored] = {}
    for field in _locked_fields_for(kind):
        if field.field_type == Type.HEADING or field.key not in values:
            continue
        value = _stored_value(field, values[field.key])
        if value is not None:
            cleaned[field.key] = value
    return cleaned


def shown_value(field: CustomField, value: object) -> str:
    if field.field_type == Type.CHECKBOX:
        return _("Yes") if value else _("No")
    if field.field_type == Type.DATE and isinstance(value, str):
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if field.field_type == Type.NUMBER:
        return number_text(value)
    return str(value)


def card_groups(contact: Contact) -> list[tuple[str | None, list[CardItem]]]:
    """Return the contact's values to show on its card, grouped under their headings.

    Each group is (heading label, or None for the fields before any heading, and a list
    of (label, text, multiline, link)); link is the target of a web address, else None.
    Fields without a value and empty groups are left out.
    """
    groups: list[tuple[str | None, list[CardItem]]] = [(None, [])]
    for field in shown_fields_for(contact.kind):
        if field.field_type == Type.HEADING:
            groups.append((field.label, []))
            continue
        value = contact.custom.get(field.key)
        if value in (None, "", False):
            continue
        link = link_href(value) if field.field_type == Type.URL else None
        groups[-1][1].append(
            (field.label, shown_value(field, value), field.field_type == Type.TEXTAREA, link)
        )
    return [(heading, items) for heading, items in groups if items]


# The list filter: ?cf_<id>=<option> for a select box, ?cf_<id>=1 or 0 for a checkbox,
# ?cf_<id>_min=<number> and ?cf_<id>_max=<number> for a number, each bound included.


def filter_choices(field: CustomField) -> list[tuple[str, str]]:
    """Return the (value, label) pairs a list filter on field offers."""
    if field.field_type == Type.CHECKBOX:
        return [("1", _("Yes")), ("0", _("No"))]
    return [(option, option) for option in field.options]


def value_filter(field: CustomField, value: str) -> tuple[Q, str] | None:
    """Return the condition for "field has value" and the filter's label, or None."""
    if field.field_type == Type.CHECKBOX:
        if value not in ("1", "0"):
            return None
        condition = Q(custom__has_key=field.key)
        if value == "0":
            condition = ~condition
        shown = _("Yes") if value == "1" else _("No")
    elif field.field_type == Type.SELECT:
        condition = Q(Exact(JSONKeyText("custom", field.key), value))
        shown = value
    else:
        return None
    if field.applies_to != AppliesTo.BOTH:
        condition &= Q(kind=field.applies_to)
    return condition, _("%(field)s: %(value)s") % {"field": field.label, "value": shown}


def range_filter(field: CustomField, bound: str, value: str) -> tuple[Q, str] | None:
    """Return the condition for "field's number is at least / at most value" and its label.

    bound is "min" or "max"; return None when value is not a number. Contacts without a
    number for field are left out.
    """
    number = parse_number(value) if field.field_type == Type.NUMBER else None
    if number is None or bound not in RANGE_BOUNDS:
        return None
    lookup = GreaterThanOrEqual if bound == "min" else LessThanOrEqual
    condition = Q(lookup(JSONKeyNumber("custom", field.key), Value(float(number))))
    if field.applies_to != AppliesTo.BOTH:
        condition &= Q(kind=field.applies_to)
    label = (
        _("%(field)s: at least %(value)s") if bound == "min" else _("%(field)s: at most %(value)s")
    )
    return condition, label % {"field": field.label, "value": number_text(stored_number(number))}
