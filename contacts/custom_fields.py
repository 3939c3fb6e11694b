"""User fields (SPEC S2, C7): the services that change them and their values on contacts.

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
import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import NotSupportedError, connection, transaction
from django.db.models import (
    Case,
    Count,
    FloatField,
    Func,
    JSONField,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.lookups import Exact, GreaterThanOrEqual, In, LessThanOrEqual
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts import ordering
from contacts.models import Contact, CustomField

Type = CustomField.Type
AppliesTo = CustomField.AppliesTo

LABEL_MAX_LENGTH = CustomField._meta.get_field("label").max_length
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


# JSON expressions that work on SQLite and PostgreSQL.
#
# Django's key transforms (custom__5, KT("custom__5")) read a numeric key as an array
# index, so "$[5]" on SQLite and "-> 5" on PostgreSQL would never find member "5".


def _member_path(key):
    return "$." + json.dumps(str(key))


class _JSONKeyFunc(Func):
    def __init__(self, expression, key, *values, **extra):
        self.key = str(key)
        super().__init__(expression, *values, **extra)

    def _compiled(self, compiler):
        """Return the SQL and the params of each source expression."""
        return [compiler.compile(e) for e in self.get_source_expressions()]

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"{type(self).__name__} supports SQLite and PostgreSQL only.")


class JSONKeyText(_JSONKeyFunc):
    """The value of one member of a JSON object, as text."""

    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        [(column, params)] = self._compiled(compiler)
        return f"JSON_EXTRACT({column}, %s)", (*params, _member_path(self.key))

    def as_postgresql(self, compiler, connection, **extra_context):
        [(column, params)] = self._compiled(compiler)
        return f"({column} ->> %s::text)", (*params, self.key)


class JSONKeyNumber(_JSONKeyFunc):
    """The value of one member of a JSON object when it is a number, else NULL.

    SQLite's JSON_EXTRACT returns a number as a number but a string as text, which SQLite
    sorts after every number; PostgreSQL cannot cast text that is not a number. Both
    compare only members whose JSON type is a number.
    """

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        [(column, params)] = self._compiled(compiler)
        path = _member_path(self.key)
        sql = (
            f"CASE WHEN JSON_TYPE({column}, %s) IN ('integer', 'real') "
            f"THEN JSON_EXTRACT({column}, %s) END"
        )
        return sql, (*params, path, *params, path)

    def as_postgresql(self, compiler, connection, **extra_context):
        [(column, params)] = self._compiled(compiler)
        sql = (
            f"CASE WHEN jsonb_typeof({column} -> %s::text) = 'number' "
            f"THEN ({column} ->> %s::text)::double precision END"
        )
        return sql, (*params, self.key, *params, self.key)


class JSONWithoutKey(_JSONKeyFunc):
    """The JSON object without one member."""

    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        [(column, params)] = self._compiled(compiler)
        return f"JSON_REMOVE({column}, %s)", (*params, _member_path(self.key))

    def as_postgresql(self, compiler, connection, **extra_context):
        [(column, params)] = self._compiled(compiler)
        return f"({column} - %s::text)", (*params, self.key)


class JSONWithText(_JSONKeyFunc):
    """The JSON object with one member set to a text (an expression)."""

    output_field = JSONField()

    def __init__(self, expression, key, value):
        super().__init__(expression, key, value)

    def as_sqlite(self, compiler, connection, **extra_context):
        (column, column_params), (value, value_params) = self._compiled(compiler)
        sql = f"JSON_SET({column}, %s, {value})"
        return sql, (*column_params, _member_path(self.key), *value_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        (column, column_params), (value, value_params) = self._compiled(compiler)
        sql = f"jsonb_set({column}, ARRAY[%s::text], to_jsonb(({value})::text))"
        return sql, (*column_params, self.key, *value_params)


# Reading the fields and their use


def fields_for(kind):
    """Return the user fields of persons or companies, headings included, in order."""
    return list(CustomField.objects.filter(applies_to__in=[kind, AppliesTo.BOTH]))


def searchable_keys():
    """Return the keys of the text and text area fields: the values the search finds."""
    return {
        str(pk)
        for pk in CustomField.objects.filter(field_type__in=SEARCHABLE).values_list("pk", flat=True)
    }


def filterable_fields():
    """Return the select boxes and checkboxes: the fields the contact list filters on."""
    return list(CustomField.objects.filter(field_type__in=FILTERABLE))


def holders(field):
    """Return the contacts that hold a value for field."""
    return Contact.objects.filter(custom__has_key=field.key)


def field_usage(field):
    """Return how many contacts hold a value for field."""
    return holders(field).count()


def fields_with_usage():
    """Return every field in order, each with `usage`, in one pass over the contacts."""
    fields = list(CustomField.objects.all())
    counted = [f for f in fields if f.field_type != Type.HEADING]
    counts = (
        Contact.objects.aggregate(
            **{f"f{f.pk}": Count("pk", filter=Q(custom__has_key=f.key)) for f in counted}
        )
        if counted
        else {}
    )
    for field in fields:
        field.usage = counts.get(f"f{field.pk}", 0)
    return fields


def option_usage(field):
    """Return {option: how many contacts chose it} for a select box."""
    rows = (
        holders(field)
        .annotate(option_value=JSONKeyText("custom", field.key))
        .values("option_value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["option_value"]: row["n"] for row in rows}


# Numbers and web addresses

SPACES = re.compile(r"[\s\u00a0\u2009\u202f']")
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_number(value):
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


def number_problem(number):
    """Return why number cannot be stored, or "" when it can."""
    _sign, digits, exponent = number.normalize().as_tuple()
    decimals = max(0, -exponent)
    if decimals > NUMBER_MAX_DECIMALS:
        return _("Use at most %(max)d digits after the decimal separator.") % {
            "max": NUMBER_MAX_DECIMALS
        }
    if max(len(digits), decimals) + max(0, exponent) > NUMBER_MAX_DIGITS:
        return _("Use at most %(max)d digits.") % {"max": NUMBER_MAX_DIGITS}
    return ""


def stored_number(number):
    """Return a Decimal as Contact.custom stores it: an int when whole, else a float."""
    number = number.normalize()
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _as_decimal(value):
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


def number_plain(value):
    """Return a stored number without grouping, a dot before its decimals: 1234.5."""
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return str(value)
    return format(_as_decimal(value).normalize(), "f")


def number_text(value, grouping=True):
    """Return a stored number as the active language writes it: 1,234.5 or 1 234,5."""
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return str(value)
    number = _as_decimal(value)
    if number == number.to_integral_value():
        number = number.quantize(decimal.Decimal(1))
    return formats.number_format(number, use_l10n=True, force_grouping=grouping)


def clean_web_address(value):
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


def link_href(value):
    """Return value as a link's target when it is an http or https address, else None."""
    value = str(value)
    return value if re.match(r"^https?://[^\s]+$", value, re.IGNORECASE) else None


class NumberField(forms.Field):
    """A number typed as the user's language writes it."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
            return number_text(value)
        return value

    def to_python(self, value):
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

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", URL_MAX_LENGTH)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
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


def form_field(field):
    """Return the form field that edits field's value on the contact form."""
    common = {"label": field.label, "required": False}
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


def _stored_value(field, value):
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


def _locked_fields_for(kind):
    fields = CustomField.objects.filter(applies_to__in=[kind, AppliesTo.BOTH])
    if connection.vendor != "postgresql":
        return list(fields)
    # FOR SHARE: saves do not wait for each other, but a field's deletion or change of
    # options waits for the saves that read it, and the saves after it read it anew.
    sql, params = fields.query.sql_with_params()
    # safe-sql: sql is the ORM's own query text, its values are left in params.
    return list(CustomField.objects.raw(f"{sql} FOR SHARE", params))


def clean_values(kind, values):
    """Return the values that contacts of kind may hold, as Contact.custom stores them.

    Only keys of existing fields of that kind are kept; empty values, and values that
    a field does not accept (an option that no longer exists), are left out. Call it
    inside the transaction that writes the contact.
    """
    cleaned = {}
    for field in _locked_fields_for(kind):
        if field.field_type == Type.HEADING or field.key not in values:
            continue
        value = _stored_value(field, values[field.key])
        if value is not None:
            cleaned[field.key] = value
    return cleaned


def shown_value(field, value):
    if field.field_type == Type.CHECKBOX:
        return _("Yes") if value else _("No")
    if field.field_type == Type.DATE:
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value)
    if field.field_type == Type.NUMBER:
        return number_text(value)
    return str(value)


def card_groups(contact):
    """Return the contact's values to show on its card, grouped under their headings.

    Each group is (heading label, or None for the fields before any heading, and a list
    of (label, text, multiline, link)); link is the target of a web address, else None.
    Fields without a value and empty groups are left out.
    """
    groups = [(None, [])]
    for field in fields_for(contact.kind):
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


def filter_choices(field):
    """Return the (value, label) pairs a list filter on field offers."""
    if field.field_type == Type.CHECKBOX:
        return [("1", _("Yes")), ("0", _("No"))]
    return [(option, option) for option in field.options]


def value_filter(field, value):
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


def range_filter(field, bound, value):
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


# Services for the settings pages (SPEC S2)


def _clean_label(label):
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": _("Give the field a label.")})
    if len(label) > LABEL_MAX_LENGTH:
        raise ValidationError(
            {"label": _("A label has at most %(max)d characters.") % {"max": LABEL_MAX_LENGTH}}
        )
    return label


def _check_options(options):
    """Refuse a list of options that is empty, too long, or repeats an option."""
    errors = []
    if not options:
        errors.append(_("A select box needs at least one option."))
    if len(options) > MAX_OPTIONS:
        errors.append(_("A select box has at most %(max)d options.") % {"max": MAX_OPTIONS})
    seen = set()
    for option in options:
        if len(option) > OPTION_MAX_LENGTH:
            errors.append(
                _("An option has at most %(max)d characters: “%(option)s…” is longer.")
                % {"max": OPTION_MAX_LENGTH, "option": option[:40]}
            )
        if option.casefold() in seen:
            errors.append(_("“%(option)s” appears twice.") % {"option": option})
        seen.add(option.casefold())
    if errors:
        raise ValidationError({"options": errors})


def parse_options(text):
    """Split options typed one per line, trimmed, blank lines left out."""
    return [
        " ".join(line.split()) for line in text.replace("\x00", "").splitlines() if line.strip()
    ]


@transaction.atomic
def custom_field_create(*, label, field_type, applies_to=AppliesTo.BOTH, options=()):
    """Add a user field at the end of the list."""
    label = _clean_label(label)
    options = [" ".join(o.split()) for o in options if o.strip()]
    if field_type == Type.SELECT:
        _check_options(options)
    else:
        options = []
    last = CustomField.objects.order_by("-position").values_list("position", flat=True).first()
    return CustomField.objects.create(
        label=label,
        field_type=field_type,
        applies_to=applies_to,
        options=options,
        position=0 if last is None else last + 1,
    )


def _kind_holders_error(kind, count):
    if kind == Contact.Kind.PERSON:
        message = ngettext(
            "%(count)d person has a value for this field: it must keep applying to persons.",
            "%(count)d persons have a value for this field: it must keep applying to persons.",
            count,
        )
    else:
        message = ngettext(
            "%(count)d company has a value for this field: it must keep applying to companies.",
            "%(count)d companies have a value for this field: it must keep applying to companies.",
            count,
        )
    return message % {"count": count}


@transaction.atomic
def custom_field_update(
    *, field, label, applies_to, field_type=None, options=None, added=(), by=None
):
    """Change a field's label, kinds, type or options, keeping every value it holds.

    options lists (current option, new text) pairs: a new text renames the option on
    every contact that chose it, an empty one removes the option. Options missing from
    the list (added meanwhile by someone else) are kept. added are appended.
    Refuse with ValidationError to change the type of a field that holds data, to stop
    it applying to contacts that hold a value, or to remove an option in use.
    """
    # Locked: contact saves that read the field wait, then read it as changed.
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    field_type = field_type or field.field_type
    errors = {}
    if field_type not in Type.values:
        errors["field_type"] = [_("Choose one of the types offered.")]
    try:
        label = _clean_label(label)
    except ValidationError as error:
        errors.update(error.message_dict)
    usage = field_usage(field) if field.field_type != Type.HEADING else 0
    if field_type != field.field_type and usage:
        errors["field_type"] = [
            ngettext(
                "%(count)d contact has a value for this field: its type cannot change.",
                "%(count)d contacts have a value for this field: its type cannot change.",
                usage,
            )
            % {"count": usage}
        ]
    if applies_to != AppliesTo.BOTH and usage:
        for kind in Contact.Kind.values:
            if kind != applies_to:
                count = holders(field).filter(kind=kind).count()
                if count:
                    errors["applies_to"] = [_kind_holders_error(kind, count)]
    renames = {}
    new_options = []
    if field_type == Type.SELECT:
        used = option_usage(field) if field.field_type == Type.SELECT else {}
        wanted = {old: " ".join(new.split()) for old, new in (options or [])}
        current = field.options if field.field_type == Type.SELECT else []
        refused = []
        for option in current:
            new = wanted.get(option, option)
            if not new:
                if used.get(option):
                    refused.append(
                        ngettext(
                            "“%(option)s” is chosen by %(count)d contact: it cannot be removed.",
                            "“%(option)s” is chosen by %(count)d contacts: it cannot be removed.",
                            used[option],
                        )
                        % {"option": option, "count": used[option]}
                    )
                    new_options.append(option)
                continue
            if new != option:
                renames[option] = new
            new_options.append(new)
        new_options += [" ".join(o.split()) for o in added if o.strip()]
        try:
            _check_options(new_options)
        except ValidationError as error:
            refused += error.message_dict["options"]
        if refused:
            errors["options"] = refused
    if errors:
        raise ValidationError(errors)
    if renames:
        _rename_values(field, renames, by)
    field.label = label
    field.applies_to = applies_to
    field.field_type = field_type
    field.options = new_options
    field.save()
    return field


def _rename_values(field, renames, by=None):
    """Give every contact that chose an old option its new text, in one UPDATE."""
    from contacts import history

    # One CASE: swapping two options' names cannot merge them.
    chosen = JSONKeyText("custom", field.key)
    before = Contact.all_objects.filter(In(chosen, list(renames))).values_list("pk", "custom")
    changes = {
        pk: [
            history.change(
                f"custom:{field.pk}", custom[field.key], renames[custom[field.key]], field.label
            )
        ]
        for pk, custom in before
    }
    new_value = Case(
        *[When(Exact(chosen, old), then=Value(new)) for old, new in renames.items()],
        output_field=TextField(),
    )
    Contact.all_objects.filter(In(chosen, list(renames))).update(
        custom=JSONWithText("custom", field.key, new_value)
    )
    history.record_many(changes, by, history.Verb.CHANGED, changes_by_id=changes)


def custom_field_move(*, field, direction):
    """Swap the field with its neighbour above ("up") or below ("down")."""
    return ordering.move(CustomField, field, direction)


def custom_fields_reorder(*, ids):
    """Put the fields in the order of ids; fields missing from ids keep their place after."""
    return ordering.reorder(CustomField, ids)


@transaction.atomic
def custom_field_delete(*, field, by=None):
    """Delete field and remove its value from every contact; return how many lost one."""
    from contacts import history
    from contacts.services import contacts_refresh_search_text

    key = field.key
    # Deleted first: the row lock makes the contact saves that read the field finish
    # before the values are removed, and the saves after it no longer see the field.
    CustomField.objects.filter(pk=field.pk).delete()
    found = Contact.all_objects.filter(custom__has_key=key)  # the trash too
    changes = {
        pk: [history.change(f"custom:{field.pk}", shown_value(field, custom[key]), "", field.label)]
        for pk, custom in found.values_list("pk", "custom")
    }
    history.record_many(changes, by, history.Verb.CHANGED, changes_by_id=changes)
    ids = list(found.values_list("pk", flat=True)) if field.field_type in SEARCHABLE else []
    count = found.update(custom=JSONWithoutKey("custom", key))
    if ids:
        # The search text held the deleted values.
        contacts_refresh_search_text(Contact.all_objects.filter(pk__in=ids))
    return count
