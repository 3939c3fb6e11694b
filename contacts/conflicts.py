"""Edit conflicts (SPEC C17): the contact changed after its form was opened.

The form carries the version it started from. When the stored contact has moved on,
the page comes back listing, field by field, the value stored now and the value typed;
the user picks one of the two for each, and nothing typed is lost.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import ContactForm, detail_formsets, typed_rows

NOT_COMPARED = {"version", "photo", "remove_photo", "confirm_lose_access"}
SECTIONS = {
    "email": gettext_lazy("Emails"),
    "phone": gettext_lazy("Phones"),
    "web": gettext_lazy("Web sites and social networks"),
    "address": gettext_lazy("Addresses"),
}
CHOICE = "choice-"  # choice-<field>: the field's name to take it as stored, "" to keep the typed


@dataclass
class Difference:
    name: str
    label: str
    stored: str
    typed: str


def started_from(data):
    """Return the version a posted form started from, or None."""
    try:
        return int(data.get("version", ""))
    except ValueError:
        return None


def differences(form, formsets, contact):
    """Return what saving form would change in the contact as it is stored now."""
    stored = ContactForm(kind=form.kind, user=form.user, instance=contact)
    found = []
    for name, field in form.fields.items():
        if name in NOT_COMPARED:
            continue
        before, after = stored[name].value(), form[name].data
        if field.has_changed(before, after):
            found.append(Difference(name, field.label, _shown(field, before), _shown(field, after)))
    stored_sets = detail_formsets(contact=contact)
    for prefix, label in SECTIONS.items():
        before = _row_values(stored_sets[prefix].initial or [])
        after = _row_values(typed_rows(formsets[prefix]))
        if before != after:
            found.append(Difference(prefix, str(label), _rows_shown(before), _rows_shown(after)))
    return found


def take_stored(data, contact, kind, user):
    """Return the posted data with the stored value for each field chosen so."""
    names = [value for key, value in data.items() if key.startswith(CHOICE) and value]
    if not names:
        return data
    data = data.copy()
    stored = ContactForm(kind=kind, user=user, instance=contact)
    stored_sets = detail_formsets(contact=contact)
    for name in names:
        if name in SECTIONS:
            for key in [k for k in data if k.startswith(f"{name}-")]:
                del data[key]
            rows = stored_sets[name].initial or []
            data[f"{name}-TOTAL_FORMS"] = str(len(rows))
            data[f"{name}-INITIAL_FORMS"] = str(len(rows))
            for i, row in enumerate(rows):
                for key, value in row.items():
                    _put(data, f"{name}-{i}-{key}", value)
        elif name in stored.fields and name not in NOT_COMPARED:
            _put(data, name, stored[name].value())
    return data


def _put(data, key, value):
    if isinstance(value, (list, tuple)):
        data.setlist(key, [str(v) for v in value])
    elif value is None or value is False:
        data.pop(key, None)  # what an empty field or an unticked box posts
    else:
        data[key] = "on" if value is True else str(value)


def _shown(field, value):
    """Return value as the user reads it: labels of choices, names of users."""
    values = value if isinstance(value, (list, tuple)) else [value]
    choices = dict(getattr(field, "choices", ()) or ())
    shown = []
    for v in values:
        if isinstance(v, bool):
            shown.append(_("Yes") if v else _("No"))
        elif v not in (None, ""):
            shown.append(str(choices.get(v, choices.get(_key(v), v))))
    return ", ".join(shown) or "—"


def _key(value):
    # Choices of model fields are keyed by ModelChoiceIteratorValue, equal to the pk.
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _row_values(rows):
    """Return rows as comparable tuples of their filled-in values, in order."""
    found = []
    for row in rows:
        values = tuple(
            (k, (v.strip() if isinstance(v, str) else bool(v) if k == "is_primary" else v))
            for k, v in sorted(row.items())
            if k != "DELETE"
        )
        if any(v for k, v in values if k not in ("category", "is_primary")):
            found.append(values)
    return found


def _rows_shown(rows):
    lines = []
    for row in rows:
        values = dict(row)
        if "value" in values:
            lines.append(values["value"])
        else:
            parts = ("street", "postcode", "city", "region", "country")
            lines.append(" ".join(str(values[p]) for p in parts if values.get(p)))
    return "; ".join(lines) or "—"
