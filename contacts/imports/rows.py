"""Turn one row of the file into what a contact holds, or a reason to refuse it."""

import datetime
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from contacts import currencies as config
from contacts import text
from contacts.custom_fields import values as custom_fields
from contacts.imports.mapping import custom_fields_list as mapping_fields
from contacts.imports.mapping import in_every_language
from contacts.models import Address, Contact, ContactInfo, CustomField
from contacts.tags import TAG_MAX_LENGTH, normalize_tag_name

SPLIT_VALUES = re.compile(r"\s*[,;]\s*")
SPLIT_TAGS = re.compile(r"\s*(?:,|;|:::)\s*")
PHONE_CHARS = re.compile(r"[\d\s+().\-/x#*]+")
MAX_LENGTHS = {
    name: Contact._meta.get_field(name).max_length
    for name in ("first_name", "last_name", "company_name", "job_title")
}
INFO_MAX_LENGTH = ContactInfo._meta.get_field("value").max_length
ADDRESS_MAX_LENGTHS = {
    name: Address._meta.get_field(name).max_length
    for name in ("street", "city", "region", "postcode", "country")
}
TYPE_MAX_LENGTH = 100
# The longest text an event of the timeline holds (activities keeps the events).
NOTES_MAX_LENGTH = 20000
# Words of the category labels of other exports (Google's "* Work", French files…).
CATEGORY_WORDS = {
    "work": "work",
    "business": "work",
    "travail": "work",
    "bureau": "work",
    "professionnel": "work",
    "home": "home",
    "personal": "home",
    "domicile": "home",
    "maison": "home",
    "personnel": "home",
    "mobile": "mobile",
    "cell": "mobile",
    "portable": "mobile",
    "fax": "fax",
    "direct": "direct",
    "other": "other",
    "autre": "other",
    "homepage": "website",
    "website": "website",
    "blog": "website",
    "profile": "website",
    "postal": "postal",
    "billing": "billing",
    "facturation": "billing",
}
KIND_WORDS = {
    "person": Contact.Kind.PERSON,
    "personne": Contact.Kind.PERSON,
    "individual": Contact.Kind.PERSON,
    "company": Contact.Kind.COMPANY,
    "entreprise": Contact.Kind.COMPANY,
    "societe": Contact.Kind.COMPANY,
    "organization": Contact.Kind.COMPANY,
}
ACCESS_WORDS = {value: value for value in Contact.Access.values}
# A currency as the card and the export show it: "Euro (EUR)", "euro (EUR)".
CURRENCY_SHOWN = re.compile(r".*\(\s*([A-Za-z]{3})\s*\)")
YES = {"1", "yes", "y", "true", "on", "x", "oui", "vrai"}
NO = {"", "0", "no", "n", "false", "off", "non", "faux"}
# A consent column's words: what a spreadsheet, a French file or the export writes.
CONSENT_WORDS = {
    **dict.fromkeys(
        ("yes", "oui", "true", "vrai", "1", "given", "donne", "opt in", "y"),
        Contact.Consent.GIVEN,
    ),
    **dict.fromkeys(
        ("no", "non", "false", "faux", "0", "refused", "refuse", "opt out", "n"),
        Contact.Consent.REFUSED,
    ),
    # The export's word for no statement: the row says nothing of consent.
    **dict.fromkeys(("unknown", "inconnu"), ""),
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y")

validate_email = text.validate_email_address
validate_url = URLValidator()
# Django's own patterns, compiled once here: its validator reaches them through a lazy
# object on every call, a noticeable cost over 100,000 rows.
EMAIL_USER = re.compile(validate_email.user_regex.pattern, validate_email.user_regex.flags)
EMAIL_DOMAIN = re.compile(validate_email.domain_regex.pattern, validate_email.domain_regex.flags)


def is_valid_email(value):
    """Return whether the contact form would accept value (the common case first)."""
    user, at, domain = value.rpartition("@")
    if at and len(value) <= 320 and EMAIL_USER.match(user) and EMAIL_DOMAIN.match(domain):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


class RowError(Exception):
    """The row cannot be imported; the message says why."""


class EmptyRow(Exception):
    """The row holds no value at all."""


@dataclass
class Row:
    line: int
    cells: list
    kind: str
    fields: dict
    company_name: str = ""
    contact_type: str = ""
    infos: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    custom: dict = field(default_factory=dict)
    access: str = ""
    usernames: list = field(default_factory=list)
    notes: str = ""  # a note for the contact's timeline
    consent: str = ""  # given or refused; empty when the row says nothing of it


def words(value):
    """Return value folded, spaces squeezed: how a label is looked up."""
    return " ".join(text.fold(value).split())


def labels_to_codes(choices):
    """Return the code of each label of choices, in every language, by its words."""
    found = {}
    for pairs in in_every_language(lambda: [(code, str(label)) for code, label in choices]):
        for code, label in pairs:
            found.setdefault(words(label), code)
    return found


@cache
def kind_words():
    """Return the kind each word names: the page's words in every language, and others'."""
    return {**labels_to_codes(Contact.Kind.choices), **KIND_WORDS}


@cache
def access_words():
    """Return the access each word names: the page's labels in every language, the codes."""
    return {**labels_to_codes(Contact.Access.choices), **ACCESS_WORDS}


@cache
def category_labels(kind):
    """Return the category each label of kind's categories names, in every language."""
    choices = Address.CATEGORIES if kind == "address" else ContactInfo.CATEGORIES[kind]
    return labels_to_codes(choices)


@lru_cache(maxsize=1024)
def category_of(label, kind):
    """Return the category a label such as "* Work" or "Mobile" names for kind, or ""."""
    shown = category_labels(kind).get(words(label.strip(" *")))
    if shown:
        return shown
    word = text.fold(label).strip(" *").split(" ")[0] if label.strip(" *") else ""
    category = CATEGORY_WORDS.get(word, "")
    if kind == "address":
        allowed = {c for c, _label in Address.CATEGORIES}
    else:
        allowed = {c for c, _label in ContactInfo.CATEGORIES[kind]}
    if category in allowed:
        return category
    if word in allowed:
        return word
    return ""


class RowReader:
    """Read the rows of one file with one mapping; shared caches live as long as it does."""

    def __init__(self, mapping, header_width, fields=None):
        self.mapping = mapping
        self.header_width = header_width
        fields = mapping_fields() if fields is None else fields
        self.fields = {f"custom:{f.pk}": f for f in fields}
        self.columns = [(n, t) for n, t in enumerate(mapping) if t]
        self.currencies = config.currency_codes()
        self.kinds = kind_words()
        self.access = access_words()

    def kind_of(self, cells):
        """Return the kind a row makes (person or company), or None when it makes neither."""
        first = last = company = kind = ""
        for n, target in self.columns:
            value = cells[n].strip() if n < len(cells) else ""
            if target == "first_name":
                first = first or value
            elif target == "last_name":
                last = last or value
            elif target == "company_name":
                company = company or value
            elif target == "kind":
                kind = self.kinds.get(words(value), "")
        if kind == Contact.Kind.COMPANY and company:
            return Contact.Kind.COMPANY
        if first or last:
            return Contact.Kind.PERSON
        if company:
            return Contact.Kind.COMPANY
        return None

    def read(self, line, cells):
        """Return the Row of cells, or raise RowError (or EmptyRow)."""
        if not any(c.strip() for c in cells):
            raise EmptyRow
        extra = cells[self.header_width :]
        if self.header_width and any(c.strip() for c in extra):
            raise RowError(
                _("This row has %(count)d values but the header has %(width)d columns.")
                % {"count": len(cells), "width": self.header_width}
            )
        values = {}
        infos, tags, usernames = [], [], []
        addresses = {}
        label = None
        for n, target in self.columns:
            raw = cells[n] if n < len(cells) else ""
            value = raw.strip()
            if target == "label":
                label = value
                continue
            pending_label, label = label, None
            if not value:
                continue
            if target.startswith(("email:", "phone:", "web:")):
                kind, category = target.split(":")
                if pending_label:
                    category = category_of(pending_label, kind) or category
                infos += self._infos(kind, category, value)
            elif target.startswith("address:"):
                parts = target.split(":")
                if parts[1] == "category":
                    addresses.setdefault("", {})["category"] = value
                else:
                    key, part = ("", parts[1]) if len(parts) == 2 else (parts[1], parts[2])
                    address = addresses.setdefault(key, {})
                    address[part] = f"{address[part]} {value}" if part in address else value
            elif target == "tags":
                tags += self._tags(value)
            elif target.startswith("custom:"):
                values[target] = value
            elif target == "responsible":
                usernames += [u for u in SPLIT_VALUES.split(value) if u]
            elif target not in values:
                values[target] = value
        return self._row(line, cells, values, infos, addresses, tags, usernames)

    def _row(self, line, cells, values, infos, addresses, tags, usernames):
        first = values.get("first_name", "")
        last = values.get("last_name", "")
        company = values.get("company_name", "")
        kind = self.kinds.get(words(values.get("kind", "")), "")
        if "kind" in values and not kind:
            raise RowError(
                _("“%(value)s” is neither a person nor a company.") % {"value": values["kind"]}
            )
        if kind == Contact.Kind.COMPANY and not company:
            raise RowError(_("This row is a company without a company name."))
        if kind != Contact.Kind.COMPANY and (first or last):
            kind = Contact.Kind.PERSON
            if not first:
                # Only a last name: it becomes the first name, which a person needs.
                first, last = last, ""
        elif company:
            kind = Contact.Kind.COMPANY
        else:
            raise RowError(_("This row has no first name, last name or company name."))
        fields = {}
        names = (
            {"first_name": first, "last_name": last, "job_title": values.get("job_title", "")}
            if kind == Contact.Kind.PERSON
            else {"company_name": company}
        )
        for name, value in names.items():
            if len(value) > MAX_LENGTHS[name]:
                raise _too_long(name, MAX_LENGTHS[name])
            fields[name] = value
        if len(company) > MAX_LENGTHS["company_name"]:
            raise _too_long("company_name", MAX_LENGTHS["company_name"])
        currency = values.get("currency", "")
        shown = CURRENCY_SHOWN.fullmatch(currency)
        currency = (shown[1] if shown else currency).upper()
        if currency and currency not in self.currencies:
            raise RowError(_("Unknown currency: “%(code)s”.") % {"code": values["currency"]})
        fields["currency"] = currency
        fields["description"] = values.get("description", "")
        contact_type = " ".join(values.get("contact_type", "").split())
        if len(contact_type) > TYPE_MAX_LENGTH:
            raise _too_long("contact_type", TYPE_MAX_LENGTH)
        access = self.access.get(words(values.get("access", "")), "")
        if values.get("access") and not access:
            raise RowError(_("Unknown access: “%(value)s”.") % {"value": values["access"]})
        consent = CONSENT_WORDS.get(words(values["consent"])) if "consent" in values else ""
        if consent is None:
            raise RowError(
                _("“%(value)s” is not a consent: write yes or no (given or refused).")
                % {"value": values["consent"]}
            )
        notes = values.get("notes", "")
        if len(notes) > NOTES_MAX_LENGTH:
            raise RowError(
                _("The notes are longer than %(limit)d characters.") % {"limit": NOTES_MAX_LENGTH}
            )
        return Row(
            line=line,
            cells=cells,
            kind=kind,
            fields=fields,
            company_name=company if kind == Contact.Kind.PERSON else "",
            contact_type=contact_type,
            infos=infos,
            addresses=self._addresses(addresses),
            tags=_unique(tags),
            custom=self._custom(kind, values),
            access=access,
            usernames=usernames,
            notes=notes,
            consent=consent,
        )

    def _infos(self, kind, category, value):
        infos = []
        parts = (
            SPLIT_VALUES.split(value)
            if kind != ContactInfo.Kind.WEB
            else [p.strip() for p in re.split(r";|,\s", value)]
        )
        for part in parts:
            if not part:
                continue
            if len(part) > INFO_MAX_LENGTH:
                raise RowError(
                    _("“%(value)s…” is longer than %(max)d characters.")
                    % {"value": part[:30], "max": INFO_MAX_LENGTH}
                )
            if kind == ContactInfo.Kind.EMAIL:
                if not is_valid_email(part):
                    raise RowError(_("Invalid email address: “%(value)s”.") % {"value": part})
            elif kind == ContactInfo.Kind.PHONE:
                if len(text.digits(part)) < 3 or not PHONE_CHARS.fullmatch(part):
                    raise RowError(_("Invalid phone number: “%(value)s”.") % {"value": part})
            elif re.match(r"^https?://", part, re.IGNORECASE):
                try:
                    validate_url(part)
                except ValidationError:
                    raise RowError(
                        _("Invalid web address: “%(value)s”.") % {"value": part}
                    ) from None
            elif re.search(r"\s", part):
                raise RowError(_("Invalid web address: “%(value)s”.") % {"value": part})
            infos.append({"kind": kind, "category": category, "value": part})
        return infos

    def _addresses(self, addresses):
        found = []
        for key, parts in addresses.items():
            category = key or category_of(parts.pop("category", ""), "address") or "work"
            parts.pop("category", None)
            if not parts:
                continue
            for name, value in parts.items():
                if len(value) > ADDRESS_MAX_LENGTHS[name]:
                    raise _too_long(name, ADDRESS_MAX_LENGTHS[name])
            found.append(
                {"category": category, **{p: parts.get(p, "") for p in ADDRESS_MAX_LENGTHS}}
            )
        return found

    def _tags(self, value):
        tags = []
        for name in SPLIT_TAGS.split(value):
            name = normalize_tag_name(name)
            # Google's own groups ("* myContacts", "* starred") are not tags.
            if not name or name.startswith("* "):
                continue
            if len(name) > TAG_MAX_LENGTH:
                raise RowError(
                    _("The tag “%(name)s…” is longer than %(max)d characters.")
                    % {"name": name[:30], "max": TAG_MAX_LENGTH}
                )
            tags.append(name)
        return tags

    def _custom(self, kind, values):
        custom = {}
        for target, user_field in self.fields.items():
            value = values.get(target, "")
            if not value or user_field.applies_to not in (kind, CustomField.AppliesTo.BOTH):
                continue
            value = custom_value(user_field, value)
            if value is not None:
                custom[user_field.key] = value
        return custom


def custom_value(field, value):
    """Return value as Contact.custom stores it for field, or raise RowError."""
    Type = CustomField.Type
    if field.field_type == Type.CHECKBOX:
        folded = text.fold(value)
        if folded in YES:
            return True
        if folded in NO:
            return None
        raise RowError(
            _("“%(value)s” is not yes or no (%(field)s).") % {"value": value, "field": field.label}
        )
    if field.field_type == Type.DATE:
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value, fmt).date().isoformat()
            except ValueError:
                continue
        raise RowError(
            _("“%(value)s” is not a date like 2026-01-31 (%(field)s).")
            % {"value": value, "field": field.label}
        )
    if field.field_type == Type.NUMBER:
        number = custom_fields.parse_number(value)
        if number is None:
            raise RowError(
                _("“%(value)s” is not a number (%(field)s).")
                % {"value": value, "field": field.label}
            )
        problem = custom_fields.number_problem(number)
        if problem:
            raise RowError(f"{problem} ({field.label})")
        return custom_fields.stored_number(number)
    if field.field_type == Type.URL:
        address = custom_fields.clean_web_address(value)
        if address is None:
            raise RowError(
                _("“%(value)s” is not a web address (%(field)s).")
                % {"value": value, "field": field.label}
            )
        return address
    if field.field_type == Type.SELECT:
        for option in field.options:
            if option.casefold() == value.casefold():
                return option
        raise RowError(
            _("“%(value)s” is not an option of %(field)s.") % {"value": value, "field": field.label}
        )
    limit = (
        custom_fields.TEXT_MAX_LENGTH
        if field.field_type == Type.TEXT
        else custom_fields.TEXTAREA_MAX_LENGTH
    )
    if len(value) > limit:
        raise RowError(
            _("%(field)s has at most %(max)d characters.") % {"field": field.label, "max": limit}
        )
    return value


def _unique(names):
    seen = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _too_long(name, limit):
    labels = {
        "first_name": _("first name"),
        "last_name": _("last name"),
        "company_name": _("company name"),
        "job_title": _("job title"),
        "contact_type": _("contact type"),
        "street": _("street"),
        "city": _("city"),
        "region": _("state/region"),
        "postcode": _("postcode"),
        "country": _("country"),
    }
    return RowError(
        _("The %(field)s is longer than %(max)d characters.")
        % {"field": labels[name], "max": limit}
    )
