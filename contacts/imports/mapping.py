"""The targets a file column can be mapped to, and the automatic mapping.

A target is a string: a contact field ("first_name"), contact information
("email:work", "phone:mobile", "web:linkedin"), an address part ("address:street" for
the main address, whose category comes from an "address:category" column, or
"address:home:city" for an address of a given category), "custom:<field id>", "tags",
"label" (the category of the column on its right, as in Google's "E-mail 1 - Label"),
or "" (do not import).
"""

import re
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import csv_columns, text
from contacts.exports import services as exports
from contacts.models import Address, ContactInfo, CustomField

# The export's own columns, so that a file the CRM wrote maps back whole; users are found
# by their full names as well as their user names.
FIELDS = [
    (
        name,
        gettext_lazy("Responsible users (names or user names)") if name == "responsible" else label,
    )
    for name, label in csv_columns.CONTACT_COLUMNS
]
# A file's notes become a note on the contact's timeline (signals.notes_imported).
FIELDS.insert(
    [name for name, _label in FIELDS].index("description") + 1,
    ("notes", gettext_lazy("Notes (a note on the timeline)")),
)
FIELDS.append(("consent", csv_columns.CONSENT_HEADER))
ADDRESS_PARTS = [
    ("street", gettext_lazy("street")),
    ("city", gettext_lazy("city")),
    ("region", gettext_lazy("state/region")),
    ("postcode", gettext_lazy("postcode")),
    ("country", gettext_lazy("country")),
]
# Targets that several columns may share: their values add up.
REPEATABLE_PREFIXES = ("email:", "phone:", "web:")
REPEATABLE = {"tags", "label", ""}
NAME_TARGETS = ("first_name", "company_name")


def info_targets():
    return [
        (f"{kind}:{category}", kind, category)
        for kind in ContactInfo.Kind
        for category, _label in ContactInfo.CATEGORIES[kind]
    ]


def target_choices(fields=None):
    """Return the <select> choices: (group label, [(target, label), ...]) and singles."""
    fields = custom_fields_list() if fields is None else fields
    choices = [("", _("Do not import"))]
    choices.append((_("Contact"), [(key, str(label)) for key, label in FIELDS]))
    for kind in ContactInfo.Kind:
        choices.append(
            (
                str(kind.label),
                [
                    (f"{kind}:{category}", f"{kind.label} ({label})")
                    for category, label in ContactInfo.CATEGORIES[kind]
                ],
            )
        )
    choices.append(
        (
            _("Category of the next column"),
            [("label", _("Category of the column on its right (Work, Home…)"))],
        )
    )
    main = [
        (f"address:{part}", _("Address: %(part)s") % {"part": label})
        for part, label in ADDRESS_PARTS
    ]
    main.append(("address:category", _("Address: category")))
    choices.append((_("Main address"), main))
    for category, category_label in Address.CATEGORIES:
        if category == "work":
            continue
        choices.append(
            (
                _("%(category)s address") % {"category": category_label},
                [
                    (
                        f"address:{category}:{part}",
                        _("%(category)s address: %(part)s")
                        % {"category": category_label, "part": label},
                    )
                    for part, label in ADDRESS_PARTS
                ],
            )
        )
    if fields:
        choices.append(
            (
                _("User fields"),
                [(f"custom:{f.pk}", f.label) for f in fields],
            )
        )
    return choices


def custom_fields_list():
    return list(CustomField.objects.exclude(field_type=CustomField.Type.HEADING))


def valid_targets(fields=None):
    found = set()
    for choice in target_choices(fields):
        if isinstance(choice[1], list):
            found.update(key for key, _label in choice[1])
        else:
            found.add(choice[0])
    return found


def target_label(target, fields=None):
    for choice in target_choices(fields):
        if isinstance(choice[1], list):
            for key, label in choice[1]:
                if key == target:
                    return label
        elif choice[0] == target:
            return choice[1]
    return target


def normalize_header(header):
    """Return a header folded for matching: "E-mail 2 Address" → "e mail 2 address"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.fold(header)).split())


def _aliases():
    aliases = {}

    def add(target, *names):
        for name in names:
            aliases[normalize_header(name)] = target

    add("kind", "kind", "type de fiche")
    add("first_name", "first name", "firstname", "given name", "prenom", "forename")
    add("last_name", "last name", "lastname", "surname", "family name", "nom", "nom de famille")
    add(
        "company_name",
        "company",
        "company name",
        "organization",
        "organization name",
        "organisation",
        "organization 1 name",
        "societe",
        "entreprise",
        "nom de l entreprise",
        "raison sociale",
    )
    add(
        "job_title",
        "job title",
        "organization title",
        "organization 1 title",
        "position",
        "fonction",
        "poste",
        "titre du poste",
    )
    add("contact_type", "contact type", "type de contact", "type")
    add("currency", "currency", "devise")
    add("description", "description", "about", "a propos")
    add(
        "notes",
        "notes",
        "note",
        "remarques",
        "remarque",
        "commentaire",
        "commentaires",
        "comments",
        "comment",
    )
    add(
        "tags", "tags", "tag", "labels", "group membership", "categories", "etiquettes", "mots cles"
    )
    add("access", "access", "acces")
    add("consent", "consent", "marketing consent", "email consent", "consentement", "optin")
    add("responsible", "responsible", "responsables", "responsable")
    add(
        "email:work",
        "email",
        "e mail",
        "email address",
        "e mail address",
        "e mail 1 value",
        "courriel",
        "adresse e mail",
        "email professionnel",
        "work email",
    )
    add("email:home", "e mail 2 address", "e mail 2 value", "home email", "email personnel")
    add("email:other", "e mail 3 address", "e mail 3 value", "other email")
    add(
        "phone:work",
        "phone",
        "telephone",
        "phone number",
        "business phone",
        "business phone 2",
        "company main phone",
        "primary phone",
        "phone 1 value",
        "work phone",
        "tel",
        "telephone professionnel",
    )
    add(
        "phone:mobile",
        "mobile",
        "mobile phone",
        "cell",
        "cell phone",
        "portable",
        "phone 2 value",
        "telephone mobile",
        "telephone portable",
    )
    add("phone:home", "home phone", "home phone 2", "telephone domicile")
    add("phone:fax", "fax", "business fax", "home fax", "other fax", "telecopie")
    add("phone:other", "other phone", "phone 3 value")
    add(
        "web:website",
        "web page",
        "website",
        "web site",
        "site web",
        "site internet",
        "website 1 value",
        "homepage",
    )
    add("web:linkedin", "url", "linkedin", "profile url")
    add("web:twitter", "twitter", "x")
    add("web:facebook", "facebook")
    add("web:skype", "skype")
    add("web:github", "github")
    add(
        "label",
        "e mail 1 label",
        "e mail 2 label",
        "e mail 3 label",
        "phone 1 label",
        "phone 2 label",
        "phone 3 label",
        "website 1 label",
    )
    add(
        "address:street",
        "street",
        "address",
        "adresse",
        "rue",
        "business street",
        "address 1 street",
    )
    add("address:city", "city", "ville", "business city", "address 1 city")
    add(
        "address:region",
        "region",
        "state",
        "province",
        "etat",
        "business state",
        "address 1 region",
    )
    add(
        "address:postcode",
        "postcode",
        "postal code",
        "zip",
        "zip code",
        "code postal",
        "business postal code",
        "address 1 postal code",
    )
    add("address:country", "country", "pays", "business country", "address 1 country")
    add("address:category", "address category", "address 1 label", "type d adresse")
    for category in ("home", "other"):
        for part, names in (
            ("street", ["street"]),
            ("city", ["city"]),
            ("region", ["state"]),
            ("postcode", ["postal code"]),
            ("country", ["country"]),
        ):
            add(f"address:{category}:{part}", *(f"{category} {n}" for n in names))
    return aliases


ALIASES = _aliases()
# Stand-ins for a user field's label and number while its header's wording is read.
LABEL_MARK, NUMBER_MARK = "zzlabelzz", 987654


def in_every_language(build):
    """Return what build() returns with each of the site's languages active, in a list."""
    found = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found.append(build())
    return found


@cache
def export_aliases():
    """Return the targets of this CRM's own CSV export's headers, in every language."""
    aliases = {}
    for columns in in_every_language(exports.columns):
        for header, target in columns:
            aliases.setdefault(normalize_header(header), target)
    return aliases


def _user_field_wordings():
    return [csv_columns.user_field_header(LABEL_MARK, n) for n in (1, NUMBER_MARK)]


@cache
def _user_field_headers():
    """Return patterns of the export's header of a user field whose label repeats a column."""
    patterns = set()
    for wordings in in_every_language(_user_field_wordings):
        for wording in wordings:
            words = normalize_header(wording)
            pattern = re.escape(words).replace(LABEL_MARK, "(?P<label>.+)")
            patterns.add(re.compile(pattern.replace(str(NUMBER_MARK), r"\d+")))
    return patterns


def _suffixed_labels(key):
    """Return the labels a header names with the export's " (user field)" suffix."""
    return {found["label"] for p in _user_field_headers() if (found := p.fullmatch(key))}


def _field_named(label, fields):
    for field in fields:
        if normalize_header(field.label) == label:
            return f"custom:{field.pk}"
    return ""


def auto_target(header, fields=(), plain_fields=None):
    """Return the target a column named header maps to by itself, or "".

    plain_fields are the user fields a header may name by their label alone (all of
    fields by default).
    """
    key = normalize_header(header)
    if not key:
        return ""
    for label in _suffixed_labels(key):
        found = _field_named(label, fields)
        if found:
            return found
    found = _field_named(key, fields if plain_fields is None else plain_fields)
    return found or export_aliases().get(key) or ALIASES.get(key, "")


def auto_mapping(header, fields=None):
    """Return one target per column; a target that cannot repeat goes to its first column."""
    fields = custom_fields_list() if fields is None else fields
    # The export suffixes a user field's header when its label repeats another column's
    # ("City (user field)" beside the address's "City"): that other column is not the field.
    suffixed = {
        _field_named(label, fields)
        for name in header
        for label in _suffixed_labels(normalize_header(name))
    }
    plain = [f for f in fields if f"custom:{f.pk}" not in suffixed]
    mapping, taken = [], set()
    for name in header:
        target = auto_target(name, fields, plain)
        if target and not is_repeatable(target) and target in taken:
            target = ""
        taken.add(target)
        mapping.append(target)
    return mapping


def is_repeatable(target):
    return target in REPEATABLE or target.startswith(REPEATABLE_PREFIXES)


def mapping_errors(mapping, header, fields=None):
    """Return what keeps a mapping from being used, in words for the user."""
    valid = valid_targets(fields)
    errors = []
    seen = {}
    for n, target in enumerate(mapping):
        name = header[n] if n < len(header) else str(n + 1)
        if target not in valid:
            errors.append(
                _("Column “%(column)s”: choose a target from the list.") % {"column": name}
            )
            continue
        if target in seen and not is_repeatable(target):
            errors.append(
                _("“%(target)s” is chosen for both “%(first)s” and “%(second)s”: choose it once.")
                % {"target": target_label(target, fields), "first": seen[target], "second": name}
            )
        seen.setdefault(target, name)
    if not any(t in NAME_TARGETS for t in mapping):
        errors.append(
            _(
                "Map a column to “First name” or to “Company name”: without a name, no "
                "contact can be created."
            )
        )
    return errors
