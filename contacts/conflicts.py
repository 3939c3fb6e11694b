"""Edit conflicts: the contact changed after its form was opened.

A save is merged three ways: the values the form was loaded with (its base), the values
stored now, and the values posted. What only the other user changed keeps its stored
value, what only this user changed is applied, and only what both changed differently
comes back as a question, with nothing chosen in advance. Nothing typed is lost.

The base travels with the form as a signed hidden field rather than being rebuilt from
the history: the history holds the values as they were read (names of users, labels of
choices, one line per address), not the values a form posts, so rebuilding the exact
base from it would be fragile. The signature keeps a user from forging it, and it says
which contact and version it belongs to.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.forms import ContactForm, detail_formsets, parse_tags, typed_rows
from contacts.models import Contact

NOT_COMPARED = {"version", "base", "photo", "remove_photo", "confirm_lose_access"}
SECTIONS = {
    "email": gettext_lazy("Emails"),
    "phone": gettext_lazy("Phones"),
    "web": gettext_lazy("Web sites and social networks"),
    "address": gettext_lazy("Addresses"),
}
CHOICE = "choice-"  # choice-<field or section>: STORED or YOURS, posted by the conflict table
STORED, YOURS = "stored", "yours"
SALT = "contacts.conflicts.base"
# The values of a form as a browser posts them: {"fields": {name: value}, "rows": {prefix: [row]}}
Values = dict[str, Any]
Rows = list[dict[str, Any]]


@dataclass
class Difference:
    name: str
    label: str
    stored: str
    typed: str


@dataclass
class Merge:
    data: QueryDict  # the posted data with the other user's changes taken in
    asked: list[Difference] = field(default_factory=list)  # what both users changed
    unanswered: bool = False  # a question of the previous page was left without a choice


def base_of(contact: Contact, kind: str, user: User, ask: Iterable[str] = ()) -> str:
    """Return the signed base of a form loaded from contact as it is stored now.

    ask: the fields and sections the page asks about; each needs a choice when posted.
    """
    form = ContactForm(kind=kind, user=user, instance=contact)
    return signed_base(contact, form, detail_formsets(contact=contact), ask)


def signed_base(
    contact: Contact,
    form: ContactForm,
    formsets: dict[str, forms.BaseFormSet],
    ask: Iterable[str] = (),
) -> str:
    """Return the signed base of the unbound form and formsets loaded from contact."""
    values = _stored_values(form, formsets)
    payload = {"pk": contact.pk, "version": contact.version, **values, "ask": list(ask)}
    return signing.dumps(payload, salt=SALT, compress=True)


def merge(data: QueryDict, contact: Contact, kind: str, user: User) -> Merge:
    """Return the posted data merged with what others saved since the form was loaded."""
    base = _read_base(data.get("base", ""), contact)
    started = base["version"] if base else _started_from(data)
    if started is None or (started == contact.version and not (base and base["ask"])):
        return Merge(data)
    form = ContactForm(data, kind=kind, user=user, instance=contact)
    stored = _stored_values(
        ContactForm(kind=kind, user=user, instance=contact), detail_formsets(contact=contact)
    )
    data = data.copy()
    pending = set()
    for name in base["ask"] if base else ():
        choice = data.get(f"{CHOICE}{name}")
        if base and choice == STORED:
            # What the question showed as stored is the base of that page.
            _put_unit(data, name, _unit(base, name))
        elif choice != YOURS:
            pending.add(name)
    typed = _typed_values(
        ContactForm(data, kind=kind, user=user, instance=contact), detail_formsets(data, contact)
    )
    asked = []
    for name, label in _units(form):
        theirs, yours = _unit(stored, name), typed[name]
        if _same(name, theirs, yours):
            continue
        if base is None or name in pending:
            both = True
        else:
            before = _unit(base, name)
            if _same(name, before, yours):
                # Only the other user changed it (or nobody did): the stored value stays.
                _put_unit(data, name, theirs)
                continue
            both = not _same(name, before, theirs)
        if both:
            asked.append(Difference(name, str(label), *_shown_pair(form, name, theirs, yours)))
    return Merge(data, asked, bool(pending) and bool(asked))


def _read_base(signed: str, contact: Contact) -> Values | None:
    try:
        base = signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        return None
    if base.get("pk") != contact.pk:
        return None
    return base


def _started_from(data: QueryDict) -> int | None:
    try:
        return int(data.get("version", ""))
    except ValueError:
        return None


def _units(form: ContactForm) -> list[tuple[str, Any]]:
    """Return (name, label) of each field and section the merge compares."""
    units = [(n, f.label) for n, f in form.fields.items() if n not in NOT_COMPARED]
    return units + list(SECTIONS.items())


def _stored_values(form: ContactForm, formsets: dict[str, forms.BaseFormSet]) -> Values:
    """Return the values of an unbound form, as a browser would post them."""
    fields = {}
    for name in form.fields:
        if name not in NOT_COMPARED:
            fields[name] = _posted(form[name].value())
    rows = {prefix: [_posted_row(r) for r in formsets[prefix].initial or []] for prefix in SECTIONS}
    return {"fields": fields, "rows": rows}


def _typed_values(form: ContactForm, formsets: dict[str, forms.BaseFormSet]) -> dict[str, Any]:
    typed = {n: form[n].data for n, _f in _units(form) if n not in SECTIONS}
    typed.update({prefix: typed_rows(formsets[prefix]) for prefix in SECTIONS})
    return typed


def _posted(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    return str(value)


def _posted_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, bool) or v is None else str(v) for k, v in row.items()}


def _unit(values: Values, name: str) -> Any:
    if name in SECTIONS:
        return values["rows"].get(name, [])
    return values["fields"].get(name)


def _put_unit(data: QueryDict, name: str, value: Any) -> None:
    if name in SECTIONS:
        for key in [k for k in data if k.startswith(f"{name}-")]:
            del data[key]
        data[f"{name}-TOTAL_FORMS"] = str(len(value))
        data[f"{name}-INITIAL_FORMS"] = str(len(value))
        for i, row in enumerate(value):
            for key, v in row.items():
                _put(data, f"{name}-{i}-{key}", v)
    else:
        _put(data, name, value)


def _put(data: QueryDict, key: str, value: Any) -> None:
    if isinstance(value, (list, tuple)):
        data.setlist(key, [str(v) for v in value])
    elif value is None or value is False:
        data.pop(key, None)  # what an empty field or an unticked box posts
    else:
        data[key] = "on" if value is True else str(value)


def _same(name: str, a: Any, b: Any) -> bool:
    return _comparable(name, a) == _comparable(name, b)


def _comparable(name: str, value: Any) -> Any:
    """Return value in a form where equal means the same for the user."""
    if name in SECTIONS:
        return _row_values(value or [])
    if name == "tags":
        return sorted(t.lower() for t in parse_tags(value or ""))
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value)
    if value is True:
        return "on"
    if value is None or value is False:
        return ""
    text = _text(value)
    if name == "company_input":
        return " ".join(text.split()).lower()
    return text


def _text(value: Any) -> str:
    # Browsers post the line ends of a text area as CRLF, whatever was stored.
    return str(value).replace("\r\n", "\n").strip()


def _shown_pair(form: ContactForm, name: str, stored: Any, typed: Any) -> tuple[str, str]:
    if name in SECTIONS:
        return _rows_shown(_row_values(stored)), _rows_shown(_row_values(typed))
    field = form.fields[name]
    return _shown(field, stored), _shown(field, typed)


def _shown(field: forms.Field, value: Any) -> str:
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


def _key(value: Any) -> Any:
    # Choices of model fields are keyed by ModelChoiceIteratorValue, equal to the pk.
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _row_values(rows: Rows) -> list[tuple[tuple[str, Any], ...]]:
    """Return rows as comparable tuples of their filled-in values, in order."""
    found = []
    for row in rows:
        values = tuple(
            (k, (_text(v) if isinstance(v, str) else bool(v) if k == "is_primary" else v))
            for k, v in sorted(row.items())
            if k != "DELETE"
        )
        if any(v for k, v in values if k not in ("category", "is_primary")):
            found.append(values)
    return found


def _rows_shown(rows: Sequence[tuple[tuple[str, Any], ...]]) -> str:
    lines = []
    for row in rows:
        values = dict(row)
        if "value" in values:
            lines.append(values["value"])
        else:
            parts = ("street", "postcode", "city", "region", "country")
            lines.append(" ".join(str(values[p]) for p in parts if values.get(p)))
    return "; ".join(lines) or "—"
