import re
from functools import partial

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.http import QueryDict
from django.urls import reverse
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.translation import gettext_lazy as _

from contacts import currencies as config
from contacts import selectors, text
from contacts.access import contacts_visible_to, is_crm_admin
from contacts.custom_fields import values as custom_fields
from contacts.db import freshness
from contacts.form_renderer import ManyOptionsSelect, widget_renderer
from contacts.models import Address, Contact, ContactInfo, ContactType, CustomField, named
from contacts.photos.files import process_photo
from contacts.photos.remote import FetchRefused
from contacts.photos.sources import fetched_photo
from contacts.positions.forms import POSITIONS_PREFIX, PositionRowFormSet, rows_data, stored_row
from contacts.positions.selectors import other_positions_of
from contacts.services import ConsentData, ContactData
from contacts.tags import TAG_MAX_LENGTH, normalize_tag_name

CUSTOM_FIELD_NAME = re.compile(rf"{custom_fields.FILTER_PREFIX}(\d+)")
MAX_SELECTED = 10_000  # the most contacts a page may name one by one
MAX_ID = 2**63 - 1  # the databases' largest integer


class NormalizedChoices(BaseChoiceIterator):
    """Choices already as Django normalizes them: a field takes them as they are.

    A field normalizes a list of choices each time it is given one, the 240 currencies
    of every contact form and the categories of every row included.
    """

    def __init__(self, choices):
        self.choices = normalize_choices(choices)

    def __iter__(self):
        return iter(self.choices)


# The categories of each kind of row, normalized once.
INFO_CATEGORIES = {kind: NormalizedChoices(c) for kind, c in ContactInfo.CATEGORIES.items()}


def parse_tags(value):
    """Split a comma-separated tag list, trimmed, without case-insensitive repeats."""
    tags = {}
    for name in value.split(","):
        name = normalize_tag_name(name)
        if name:
            tags.setdefault(name.lower(), name)
    return list(tags.values())


def int_param(value, default):
    """Return value as an integer, or default when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username

    def _check_values(self, value):
        # A number past the databases' integers names nobody: SQLite would fail on it.
        for pk in value:
            text = str(pk).strip()
            if re.fullmatch(r"[0-9]+", text) and (len(text) > 19 or int(text) > MAX_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


# {field name: (data version, [(pk, label)])}: the choices of ContactForm's model fields
_KEPT_CHOICES = {}


def kept_choices(name, field, version):
    """Return [(pk, label)] of a model choice field's queryset, as its iterator gives them.

    Kept in the process under version, the data version (contacts.db.freshness) read
    before: it changes with every write to the users' and the contact types' tables.
    """
    kept = _KEPT_CHOICES.get(name)
    if kept is None or kept[0] != version:
        choices = [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]
        kept = _KEPT_CHOICES[name] = (version, choices)
    return kept[1]


class ContactForm(forms.ModelForm):
    default_renderer = widget_renderer

    company_input = forms.CharField(
        label=_("Company"),
        required=False,
        max_length=200,
        help_text=_("Pick an existing company or type a new name to create it."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=2000,
        help_text=_("Separate tags with commas."),
    )
    photo = forms.FileField(label=_("Photo"), required=False)
    remove_photo = forms.BooleanField(label=_("Reset to default"), required=False)
    responsible = UserChoiceField(
        label=_("Responsible users"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    access = forms.ChoiceField(
        label=_("Access"), choices=Contact.Access.choices, widget=forms.RadioSelect
    )
    currency = forms.ChoiceField(label=_("Currency"), required=False, widget=ManyOptionsSelect)
    consent = forms.ChoiceField(
        label=_("Marketing email consent"),
        choices=Contact.Consent.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    consent_wording = forms.CharField(
        label=_("Wording shown"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The words the person agreed to or refused, as they read them."),
    )
    confirm_lose_access = forms.BooleanField(
        label=_("I understand, save anyway"), required=False, widget=forms.HiddenInput
    )
    # The version the form started from: saving over a newer one is a conflict.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The values the form was loaded with, signed: a save merges against them.
    base = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "company_name",
            "job_title",
            "contact_type",
            "currency",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, kind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.user = user
        if kind == Contact.Kind.PERSON:
            del self.fields["company_name"]
            self.fields["first_name"].required = True
            self.fields["last_name"].help_text = _("Optional.")
        else:
            for name in ("first_name", "last_name", "job_title", "company_input"):
                del self.fields[name]
            self.fields["company_name"].required = True
        self.fields["contact_type"].queryset = ContactType.objects.all()
        self.fields["contact_type"].empty_label = _("Not specified")
        self.fields["currency"].choices = NormalizedChoices(
            [("", "—"), *config.currency_choices(include=self.instance.currency)]
        )
        self.fields["responsible"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .order_by("first_name", "last_name", "username")
        )
        # The querysets validate what is posted; the choices shown are read once per
        # version of the data (users and types are among its tables), not per form, and
        # only when the form is shown.
        self._data_version = None
        for name in ("contact_type", "responsible"):
            self.fields[name].choices = partial(self._kept_choices, name)
        if "company_input" in self.fields:
            self.fields["company_input"].widget.attrs.update(
                {
                    "list": "company-options",
                    "autocomplete": "off",
                    "hx-get": reverse("contacts:suggest", args=["companies"]),
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#company-options",
                }
            )
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/gif,image/webp"
        contact = self.instance
        self._add_custom_fields(contact)
        if contact.pk:
            self.initial.setdefault("version", contact.version)
            if not self.is_bound:
                # A posted form shows and saves what was posted: what the contact holds
                # would only be read for nothing.
                tags, responsible = selectors.tags_and_responsible_of(contact)
                self.initial.setdefault("tags", ", ".join(tags))
                self.initial.setdefault("responsible", responsible)
            self.initial.setdefault("access", contact.access)
            self.initial.setdefault("consent", contact.consent)
            self.initial.setdefault("consent_wording", contact.consent_wording)
            if contact.shown_company:
                self.initial.setdefault("company_input", contact.shown_company.display_name)
            elif contact.live_company and "company_input" in self.fields:
                self.fields["company_input"].help_text = _(
                    "This person works at a company you cannot see: it is kept unless you "
                    "name another one."
                )
        else:
            self.initial.setdefault("responsible", [user])
            self.initial.setdefault("access", Contact.Access.PRIVATE)
            self.initial.setdefault("consent", Contact.Consent.UNKNOWN)
            self.initial.setdefault("currency", config.default_currency())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def _kept_choices(self, name):
        field = self.fields[name]
        if self._data_version is None:
            self._data_version = freshness.data_version()
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return empty + kept_choices(name, field, self._data_version)

    def _add_custom_fields(self, contact):
        """Add the user fields of this kind as they are now."""
        self.custom_fields = custom_fields.fields_for(self.kind)
        for field in self.custom_fields:
            if field.field_type != CustomField.Type.HEADING:
                name = custom_field_name(field)
                self.fields[name] = custom_fields.form_field(field)
                if contact.pk:
                    self.initial.setdefault(name, contact.custom.get(field.key))
        # Values posted for fields deleted (or changed to another kind) since the form
        # was opened: they cannot be saved, and the user is told so.
        self.lost_custom_keys = set()
        for name, value in (self.data or {}).items():
            match = CUSTOM_FIELD_NAME.fullmatch(name)
            if match and name not in self.fields and str(value).strip():
                self.lost_custom_keys.add(match[1])

    def custom_groups(self):
        """Return the user fields under their headings: [(heading, [(field, column class)])]."""
        groups = [(None, [])]
        for field in self.custom_fields:
            if field.field_type == CustomField.Type.HEADING:
                groups.append((field.label, []))
            else:
                groups[-1][1].append(field)
        return [(heading, self._columns(fields)) for heading, fields in groups if fields]

    def _columns(self, fields):
        """Lay fields out two to a line, a text area on a line of its own."""
        lines, line = [], []
        for field in fields:
            if field.field_type == CustomField.Type.TEXTAREA:
                lines += [line, [field]] if line else [[field]]
                line = []
            else:
                line.append(field)
                if len(line) == 2:
                    lines.append(line)
                    line = []
        if line:
            lines.append(line)
        columns = []
        for line in lines:
            mixed = len({f.field_type == CustomField.Type.CHECKBOX for f in line}) == 2
            for field in line:
                if field.field_type == CustomField.Type.TEXTAREA:
                    css = "col-12"
                elif field.field_type == CustomField.Type.CHECKBOX and mixed:
                    # Lines up with the labelled input beside it.
                    css = "col-md-6 pt-md-4"
                else:
                    css = "col-md-6"
                columns.append((self[custom_field_name(field)], css))
        return columns

    def custom_values(self):
        """Return the user field values filled in, keyed by field id."""
        values = {}
        for field in self.custom_fields:
            value = self.cleaned_data.get(custom_field_name(field))
            if value not in (None, "", False):
                values[field.key] = value
        return values

    def custom_values_not_saved(self, contact):
        """Return the keys of values filled in that the saved contact does not hold."""
        return self.lost_custom_keys | {k for k in self.custom_values() if k not in contact.custom}

    def clean_tags(self):
        tags = parse_tags(self.cleaned_data["tags"])
        too_long = [t for t in tags if len(t) > TAG_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("A tag has at most %(max)d characters: “%(tag)s” is longer.")
                % {"max": TAG_MAX_LENGTH, "tag": too_long[0][:60]}
            )
        return tags

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return process_photo(upload) if upload else None

    def clean_company_input(self):
        name = " ".join(self.cleaned_data["company_input"].split())
        self.company = None
        current = self.instance.company if self.instance.company_id else None
        if current is not None and current.display_name.lower() == name.lower():
            # Unchanged: keep it, even when the editor may not see that company.
            self.company = current
        elif current is not None and not name and not self.instance.shown_company:
            # A company the editor may not see is not shown, so not typed again: kept.
            self.company = current
        elif current is not None and current.deleted_at and not name:
            # Kept for the day the company comes back from the trash.
            self.company = current
        elif name:
            self.company = (
                named(contacts_visible_to(self.user), name)
                .filter(kind=Contact.Kind.COMPANY)
                .order_by("pk")
                .first()
            )
        return name

    def clean(self):
        data = super().clean()
        responsible, access = data.get("responsible"), data.get("access")
        if responsible is None or access is None or is_crm_admin(self.user):
            return data
        if self.user in responsible or access == Contact.Access.PUBLIC_RW:
            return data
        if not data.get("confirm_lose_access"):
            # Warn before a user saves himself out of a contact.
            if access == Contact.Access.PRIVATE:
                message = _(
                    "You are not among the responsible users of this private contact: "
                    "once it is saved, you will no longer see it."
                )
            else:
                message = _(
                    "You are not among the responsible users: once the contact is saved, "
                    "you will no longer be able to change it."
                )
            self.fields["confirm_lose_access"].widget = forms.CheckboxInput(
                attrs={"class": "form-check-input"}
            )
            self.add_error("confirm_lose_access", message)
        return data

    def contact_data(self, infos, addresses):
        data = self.cleaned_data
        return ContactData(
            kind=self.kind,
            fields={k: data[k] for k in self.Meta.fields if k in data},
            access=data["access"],
            responsible=list(data["responsible"]),
            tags=data["tags"],
            infos=infos,
            addresses=addresses,
            company=getattr(self, "company", None),
            new_company_name=""
            if getattr(self, "company", None)
            else data.get("company_input", ""),
            # The form's company is the primary one: another typed there is a move (the
            # other positions are the rows below it).
            company_moved=True,
            photo=data.get("photo"),
            remove_photo=data.get("remove_photo", False),
            custom=self.custom_values(),
            consent=self.consent_data(),
        )

    def consent_data(self):
        """Return the consent chosen, or None when the form posted none (kept as it is)."""
        status = self.cleaned_data.get("consent")
        if not status:
            return None
        wording = self.cleaned_data.get("consent_wording", "").strip()
        return ConsentData(status=status, source=Contact.ConsentSource.FORM, wording=wording)


def custom_field_name(field):
    return f"{custom_fields.FILTER_PREFIX}{field.pk}"


def style_widgets(form):
    """Give each widget its Bootstrap class, for forms rendered field by field."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


class InfoForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    value = forms.CharField(label=_("Value"), max_length=254, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["category"].choices = INFO_CATEGORIES[kind]
        self.fields["value"].label = ContactInfo.Kind(kind).label
        self.fields["value"].widget.input_type = {"email": "email", "phone": "tel"}.get(
            kind, "text"
        )
        style_widgets(self)

    def clean_value(self):
        value = self.cleaned_data["value"].strip()
        if not value:
            return value
        if self.kind == ContactInfo.Kind.EMAIL:
            text.EmailAddressValidator(_("Enter a valid email address, like name@example.com."))(
                value
            )
        elif self.kind == ContactInfo.Kind.PHONE:
            if len(text.digits(value)) < 3 or not re.fullmatch(r"[\d\s+().\-/x#*]+", value):
                raise forms.ValidationError(
                    _("Enter a phone number: digits, spaces and + ( ) - . / only.")
                )
        elif re.match(r"^https?://", value, re.IGNORECASE):
            URLValidator(message=_("Enter a valid web address."))(value)
        elif re.search(r"\s", value):
            raise forms.ValidationError(_("Enter a web address or a handle without spaces."))
        return value


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["category", "street", "city", "region", "postcode", "country", "is_primary"]
        widgets = {"street": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def has_address(self):
        data = self.cleaned_data
        return any(
            data.get(f, "").strip() for f in ("street", "city", "region", "postcode", "country")
        )


class BaseRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, kind=None, **kwargs):
        self.kind = kind
        if kind:
            kwargs["form_kwargs"] = {"kind": kind}
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
        form.fields["DELETE"].label = _("Remove")

    def rows(self):
        """Return the filled-in, not deleted rows as dicts."""
        found = []
        for form in self.forms:
            data = dict(getattr(form, "cleaned_data", None) or {})
            if not data or self._should_delete_form(form):
                continue
            if self.kind:
                if data.get("value"):
                    found.append({"kind": self.kind, **data})
            elif form.has_address():
                found.append(data)
        for row in found:
            row.pop("DELETE", None)
        return found

    def clean(self):
        if any(self.errors):
            return
        if sum(1 for row in self.rows() if row.get("is_primary")) > 1:
            raise forms.ValidationError(_("Only one can be primary."))


InfoFormSet = forms.formset_factory(
    InfoForm, formset=BaseRowFormSet, extra=1, can_delete=True, renderer=widget_renderer
)
AddressFormSet = forms.formset_factory(
    AddressForm, formset=BaseRowFormSet, extra=1, can_delete=True, renderer=widget_renderer
)

INFO_KINDS = [ContactInfo.Kind.EMAIL, ContactInfo.Kind.PHONE, ContactInfo.Kind.WEB]


def detail_formsets(data=None, contact=None, initial=None):
    """Return the contact-information and address formsets, keyed by prefix.

    Rows given in initial (keyed by prefix) replace those read from contact.
    """
    initial = dict(initial or {})
    if contact is not None:
        infos = list(contact.infos.all())  # read once for the three kinds
        for kind in INFO_KINDS:
            initial.setdefault(
                kind,
                [
                    {"category": i.category, "value": i.value, "is_primary": i.is_primary}
                    for i in infos
                    if i.kind == kind
                ],
            )
        initial.setdefault(
            "address",
            [{f: getattr(a, f) for f in AddressForm.Meta.fields} for a in contact.addresses.all()],
        )
    formsets = {
        kind: InfoFormSet(data, prefix=kind, kind=kind, initial=initial.get(kind))
        for kind in INFO_KINDS
    }
    formsets["address"] = AddressFormSet(data, prefix="address", initial=initial.get("address"))
    if initial.get("address"):
        # A blank address under the existing ones is noise; "Add an address" is there.
        formsets["address"].extra = 0
    return formsets


def typed_values(form):
    """Return what was typed into a bound form, as initial values for an unbound one."""
    return {name: form[name].data for name in form.fields if name != "DELETE"}


def typed_rows(formset, keep_blank=False):
    """Return the rows typed into a bound formset that were not removed."""
    rows = []
    for form in formset.forms:
        if form["DELETE"].data:
            continue
        values = typed_values(form)
        filled = any(v for k, v in values.items() if k not in ("category", "is_primary"))
        if filled or keep_blank:
            rows.append(values)
    return rows


def positions_formset(data=None, *, user, contact=None, rows=None, stored=None, notes=()):
    """Return the rows of a person's other current positions, those he holds (or rows)
    and one more to add a position.

    stored: the positions as other_positions_of has just read them.
    """
    if stored is None:
        stored = other_positions_of(user, contact) if contact is not None else []
    if rows is None:
        rows = [stored_row(position) for position in stored]
    return PositionRowFormSet(data, initial=rows, positions=stored, notes=notes)


class ContactEditor:
    """The contact form with its formsets of emails, phones, web links and addresses, and
    a person's other positions."""

    def __init__(
        self,
        data=None,
        files=None,
        *,
        kind,
        user,
        contact=None,
        initial=None,
        rows=None,
        stored_positions=None,
    ):
        """rows: the formsets' rows by prefix, instead of those contact holds."""
        self.kind, self.user, self.contact = kind, user, contact
        self.form = ContactForm(
            data, files, kind=kind, user=user, instance=contact, initial=initial
        )
        self.formsets = detail_formsets(data, contact, rows)
        if kind == Contact.Kind.PERSON:
            self.formsets[POSITIONS_PREFIX] = positions_formset(
                data,
                user=user,
                contact=contact,
                rows=(rows or {}).get(POSITIONS_PREFIX),
                stored=stored_positions,
            )

    @property
    def positions(self):
        """Return the rows of a person's other positions (None for a company)."""
        return self.formsets.get(POSITIONS_PREFIX)

    def is_valid(self):
        valid = self.form.is_valid()
        return all([formset.is_valid() for formset in self.formsets.values()]) and valid

    def contact_data(self):
        """Return the ContactData the valid form and formsets hold."""
        infos = [row for kind in INFO_KINDS for row in self.formsets[kind].rows()]
        return self.form.contact_data(infos, self.formsets["address"].rows())

    def position_edits(self):
        """Return what the valid rows of other positions ask, as contact_save takes it."""
        if self.positions is None:
            return {}
        return {"changes": self.positions.changes(), "new": self.positions.new()}

    def typed(self, keep_blank=None, add_row=None, **initial):
        """Return an unbound editor holding what was typed, to show it again.

        keep_blank: the prefix of a formset whose blank rows stay; add_row: the prefix of
        a formset shown with one more row; initial: more values. A person's positions are
        shown as stored now, with what the user changed over them.
        """
        rows, stored = {}, None
        for prefix, formset in self.formsets.items():
            if prefix == POSITIONS_PREFIX:
                stored = other_positions_of(self.user, self.contact) if self.contact else []
                rows[prefix] = formset.rows_over(stored, keep_blank=prefix == keep_blank)[0]
            else:
                rows[prefix] = typed_rows(formset, keep_blank=prefix == keep_blank)
        typed = ContactEditor(
            kind=self.kind,
            user=self.user,
            contact=self.contact,
            initial={**typed_values(self.form), **initial},
            rows=rows,
            stored_positions=stored,
        )
        if add_row in typed.formsets:
            typed.formsets[add_row].extra = 1
        return typed

    def refuse_positions(self, refused):
        """Show the positions again over those stored now, with why they were refused."""
        stored = other_positions_of(self.user, self.contact) if self.contact else []
        rows, where = self.positions.rows_over(stored)
        formset = positions_formset(
            rows_data(rows), user=self.user, stored=stored, notes=refused.notes
        )
        formset.is_valid()
        for row, errors in refused.errors.items():
            for error in errors if row in where else ():
                formset.forms[where[row]].add_error(None, error)
        self.formsets[POSITIONS_PREFIX] = formset


class UnknownField(ValueError):
    """A value is given for a field the contact form does not have."""

    def __init__(self, name):
        super().__init__(name)
        self.name = name


# What the form shows and a client of the API or a phone cannot send (a photo goes
# through its own page).
NOT_POSTED = {"photo", "remove_photo", "base", "confirm_lose_access", "version"}


def _posted_text(value):
    """Return value as a posted form holds it; None for a checkbox left unticked."""
    if value is None or value is False:
        return None
    return "on" if value is True else str(value)


def posted_data(editor, values, rows):
    """Return what a browser would post: the form as editor was loaded, with values (by
    the form's field names) in place of its own, and the rows of the formsets named in
    rows (by prefix) in place of theirs; the others' rows as loaded.

    Writers that are no page (the API, the address books) fill the form this way, so
    that its rules and the services behind it are the pages'. Raise UnknownField for a
    value the form has no field for.
    """
    data = QueryDict(mutable=True)
    form = editor.form
    unknown = sorted(values.keys() - set(form.fields))
    if unknown:
        raise UnknownField(unknown[0])
    for name in form.fields:
        if name in NOT_POSTED:
            continue
        value = values[name] if name in values else form[name].value()
        texts = [
            t
            for t in map(_posted_text, value if isinstance(value, (list, tuple)) else [value])
            if t is not None
        ]
        if texts:
            data.setlist(name, texts)
    # The writer names the responsible users it wants, or keeps those loaded.
    data["confirm_lose_access"] = "on"
    for prefix in (*INFO_KINDS, "address"):
        given = rows[prefix] if prefix in rows else list(editor.formsets[prefix].initial or [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(given))
        # Posted as the rows an edit page shows, each checked and kept: an extra row equal
        # to its initial one would be taken for a blank one and dropped.
        data[f"{prefix}-INITIAL_FORMS"] = str(len(given))
        for n, row in enumerate(given):
            for field, value in row.items():
                text = _posted_text(value)
                if text is not None:
                    data[f"{prefix}-{n}-{field}"] = text
    return data


class PhotoChangeForm(forms.Form):
    """The photo dialog: an upload, a picture's web address, or back to the placeholder."""

    ACTIONS = ("upload", "url", "reset")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    photo = forms.FileField(label=_("Photo"), required=False)
    url = forms.CharField(label=_("Address of a picture"), required=False, max_length=2000)

    def clean(self):
        """Turn the choice into the photo files to store (None: the placeholder)."""
        data = super().clean()
        action = data.get("action")
        if action == "upload":
            if not data.get("photo"):
                raise forms.ValidationError(_("Choose a picture on your computer."))
            data["files"] = process_photo(data["photo"])
        elif action == "url":
            url = data.get("url", "").strip()
            if not url:
                raise forms.ValidationError(_("Enter the address of a picture."))
            try:
                data["files"] = fetched_photo(url)
            except FetchRefused as exc:
                raise forms.ValidationError(str(exc)) from exc
        else:
            data["files"] = None
        return data
