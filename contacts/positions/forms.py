from datetime import date
from typing import Any

from django import forms
from django.core import signing
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from contacts.form_renderer import widget_renderer
from contacts.positions.models import Position
from contacts.positions.services import EDITED_FIELDS, NewPosition, PositionChange

SMALL = {"class": "form-control form-control-sm"}


class PositionForm(forms.Form):
    company = forms.CharField(
        label=_("Company"),
        max_length=300,
        # The companies the user sees, suggested as he types, as on the person's form.
        widget=forms.TextInput(
            {
                **SMALL,
                "list": "company-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("contacts:suggest", args=["companies"]),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#company-options",
            }
        ),
        help_text=_("A company you do not have yet is created, as on the person's form."),
    )
    job_title = forms.CharField(
        label=_("Job title"), max_length=200, required=False, widget=forms.TextInput(SMALL)
    )
    department = forms.CharField(
        label=_("Department"), max_length=200, required=False, widget=forms.TextInput(SMALL)
    )
    start_date = forms.DateField(
        label=_("Since"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **SMALL}),
    )
    primary = forms.BooleanField(label=_("Primary position (shown with the name)"), required=False)

    def clean_company(self):
        return " ".join(self.cleaned_data["company"].replace("\x00", "").split())


class EndForm(forms.Form):
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **SMALL}),
    )


# The values a row of the person's form was loaded with, signed: its save applies only
# what the user changed (contacts.positions.services.PositionChange).
LOADED_SALT = "contacts.positions.loaded"
POSITIONS_PREFIX = "positions"


def loaded_of(position: Position) -> str:
    """Return the signed values a row of the person's form is loaded with from position."""
    values = {name: getattr(position, name) for name in EDITED_FIELDS}
    start = values["start_date"]
    values["start_date"] = start.isoformat() if start else None
    return signing.dumps({"pk": position.pk, **values}, salt=LOADED_SALT)


def read_loaded(signed: str) -> dict[str, Any] | None:
    """Return the values a row was loaded with (start_date a date), or None for a new row."""
    try:
        values = signing.loads(signed, salt=LOADED_SALT) if signed else None
    except signing.BadSignature:
        return None
    if values and values["start_date"]:
        values["start_date"] = date.fromisoformat(values["start_date"])
    return values


def stored_row(position: Position) -> dict[str, Any]:
    """Return the initial values of the row of position, as stored."""
    return {
        "loaded": loaded_of(position),
        **{name: getattr(position, name) for name in EDITED_FIELDS},
    }


class PositionRowForm(forms.Form):
    """A row of the person's form: one of his other current positions, or a new one."""

    loaded = forms.CharField(required=False, widget=forms.HiddenInput)
    company = forms.CharField(
        label=_("Company"),
        max_length=300,
        required=False,
        # The companies the user sees, suggested as he types, as in the Company field.
        widget=forms.TextInput(
            {
                "list": "company-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("contacts:suggest", args=["companies"]),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#company-options",
            }
        ),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    start_date = forms.DateField(
        label=_("Since"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, positions, **kwargs):
        super().__init__(*args, **kwargs)
        signed = self.data.get(self.add_prefix("loaded")) if self.is_bound else None
        # What the row was loaded with: None for a new row.
        self.base = read_loaded(signed or self.initial.get("loaded") or "")
        # Its position as the user may see it now: None once ended, removed or hidden.
        self.position = positions.get(self.base["pk"]) if self.base else None
        for name in ("company", *EDITED_FIELDS, "end_date"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean_company(self):
        return " ".join(self.cleaned_data["company"].replace("\x00", "").split())

    def clean(self):
        data = super().clean()
        typed = any(data.get(name) for name in EDITED_FIELDS)
        if self.base is None and typed and not data.get("company"):
            self.add_error("company", _("Name the company of this position."))
        return data


class PositionFormSet(forms.BaseFormSet):
    """The person's other current positions on his form, and the rows that add some.

    A form posted without these rows (opened before they were there, or by a script)
    leaves the positions as they are.
    """

    def __init__(self, data=None, *args, positions=(), notes=(), **kwargs):
        prefix = kwargs.setdefault("prefix", POSITIONS_PREFIX)
        self.ignored = data is not None and f"{prefix}-TOTAL_FORMS" not in data
        self.positions = {p.pk: p for p in positions}
        self.notes = list(notes)
        super().__init__(None if self.ignored else data, *args, **kwargs)

    def get_form_kwargs(self, index):
        return {"positions": self.positions}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
        form.fields["DELETE"].label = _("Remove")

    def is_valid(self):
        return self.ignored or super().is_valid()

    def clean(self):
        if self.notes:
            raise forms.ValidationError(self.notes)

    def changes(self) -> list[PositionChange]:
        """Return what the valid rows ask of the positions they were loaded with."""
        found = []
        for row, form in enumerate(self.forms if not self.ignored else ()):
            data = form.cleaned_data
            if form.base is None or not data:
                continue
            loaded = {name: form.base[name] for name in EDITED_FIELDS}
            # A row removed is not validated: what else it holds does not count.
            remove = bool(data.get("DELETE"))
            change = PositionChange(
                row=row,
                pk=form.base["pk"],
                loaded=loaded,
                typed=loaded if remove else {name: data[name] for name in EDITED_FIELDS},
                end_date=None if remove else data["end_date"],
                remove=remove,
            )
            if change.asks_anything:
                found.append(change)
        return found

    def new(self) -> list[NewPosition]:
        """Return the positions the valid rows add; rows left empty are ignored."""
        found = []
        for row, form in enumerate(self.forms if not self.ignored else ()):
            data = form.cleaned_data
            if form.base is None and data.get("company") and not data.get("DELETE"):
                values = {name: data[name] for name in EDITED_FIELDS}
                found.append(NewPosition(row=row, company=data["company"], **values))
        return found

    def rows_over(self, stored, keep_blank=False):
        """Return the rows to show again over the positions as stored now, and where each
        posted row went: ({initial values}, {posted row: row shown}).

        What the user changed in a row stays as typed over the stored values, and the row
        carries the stored values as loaded; a position no longer current is not shown.
        """
        posted = (
            {} if self.ignored else {f.base["pk"]: n for n, f in enumerate(self.forms) if f.base}
        )
        rows, where = [], {}
        for position in stored:
            row = stored_row(position)
            if position.pk in posted:
                n = posted[position.pk]
                form = self.forms[n]
                where[n] = len(rows)
                for name in EDITED_FIELDS:
                    typed = _typed(form, name)
                    if typed != _shown(form.base[name]):
                        row[name] = typed
                row["end_date"] = _typed(form, "end_date")
                row["DELETE"] = bool(form["DELETE"].data)
            rows.append(row)
        for n, form in enumerate(() if self.ignored else self.forms):
            if form.base is None and not form["DELETE"].data:
                row = {name: _typed(form, name) for name in ("company", *EDITED_FIELDS)}
                if any(row.values()) or keep_blank:
                    where[n] = len(rows)
                    rows.append(row)
        return rows, where


def _typed(form, name):
    return (form[name].data or "").strip()


def _shown(value):
    """Return a loaded value as its input shows it."""
    return value.isoformat() if isinstance(value, date) else value or ""


def rows_data(rows, prefix=POSITIONS_PREFIX):
    """Return rows as a browser posts them."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(len(rows))}
    for n, row in enumerate(rows):
        for name, value in row.items():
            if value is True:
                data[f"{prefix}-{n}-{name}"] = "on"
            elif value not in (None, False):
                data[f"{prefix}-{n}-{name}"] = _shown(value)
    return data


PositionRowFormSet = forms.formset_factory(
    PositionRowForm, formset=PositionFormSet, extra=1, can_delete=True, renderer=widget_renderer
)
