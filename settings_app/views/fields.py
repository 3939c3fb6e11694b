"""User fields: list, create, edit, reorder and delete."""

from functools import partial

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from contacts.custom_fields import services as field_services
from contacts.custom_fields import values as custom_fields
from contacts.models import CustomField
from settings_app.views import admin_required, move_response, render_settings, reorder_response

Type = CustomField.Type


class FieldForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=custom_fields.LABEL_MAX_LENGTH)
    field_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=Type.choices)
    applies_to = forms.ChoiceField(
        label=gettext_lazy("Applies to"),
        choices=CustomField.AppliesTo.choices,
        widget=forms.RadioSelect,
    )
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For a select box: one option per line."),
    )
    is_personal = forms.BooleanField(
        label=gettext_lazy("Personal data"),
        required=False,
        help_text=gettext_lazy(
            "Its values describe a person: they are part of the copy of his data "
            "(Settings › Personal data)."
        ),
    )

    def __init__(self, *args, field=None, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_type"].help_text = _(
            "A heading starts a group of fields on the contact form and card."
        )
        if field is not None:
            self.initial.setdefault("label", field.label)
            self.initial.setdefault("field_type", field.field_type)
            self.initial.setdefault("applies_to", field.applies_to)
            self.initial.setdefault("is_personal", field.is_personal)
            if field.field_type == Type.SELECT:
                self.fields["options"].label = _("Add options")
                self.fields["options"].help_text = _("One per line.")
        else:
            self.initial.setdefault("applies_to", CustomField.AppliesTo.BOTH)
        if locked:
            # Shown, not sent by the browser; the service refuses a type sent anyway.
            self.fields["field_type"].disabled = True
            self.fields["field_type"].help_text = _(
                "Contacts hold values for this field: its type cannot change."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class OptionForm(forms.Form):
    # The option as stored when the page was shown: what a rename or a removal is about.
    was = forms.CharField(widget=forms.HiddenInput, required=False)
    value = forms.CharField(
        label=gettext_lazy("Option"), max_length=custom_fields.OPTION_MAX_LENGTH, required=False
    )
    remove = forms.BooleanField(label=gettext_lazy("Remove"), required=False)


OptionFormSet = forms.formset_factory(OptionForm, extra=0)


def _fields_url(field=None):
    url = reverse("settings_app:fields")
    return f"{url}#field-{field.pk}" if field else url


def _add_errors(form, error, keep=()):
    """Show a service's ValidationError on the form, by field when it names one.

    Return the messages about the names in keep, which the page shows elsewhere.
    """
    kept = []
    for name, errors in error.message_dict.items():
        if name in keep:
            kept += errors
        else:
            form.add_error(name if name in form.fields else None, errors)
    return kept


@admin_required
def field_list(request):
    """List the user fields with how many contacts hold a value; add one."""
    form = FieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            field = field_services.custom_field_create(
                label=data["label"],
                field_type=data["field_type"],
                applies_to=data["applies_to"],
                options=field_services.parse_options(data["options"]),
                is_personal=data["is_personal"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("User field “%(label)s” added.") % {"label": field.label})
            return redirect(_fields_url(field))
    context = {"fields": field_services.fields_with_usage(), "form": form}
    return render_settings(request, "fields", "settings_app/fields.html", context)


@admin_required
def field_edit(request, pk):
    """Change a field's label, kinds and options; its type only while no contact uses it."""
    field = get_object_or_404(CustomField, pk=pk)
    usage = field_services.field_usage(field) if field.field_type != Type.HEADING else 0
    data = request.POST if request.method == "POST" else None
    form = FieldForm(data, field=field, locked=bool(usage))
    used = field_services.option_usage(field) if field.field_type == Type.SELECT else {}
    formset = _option_formset(field, data)
    option_errors = []
    if data is not None and _all_valid(form, formset):
        try:
            _field_update(request, field, form, formset, usage)
        except ValidationError as error:
            # About the options listed, not only the ones typed to be added.
            option_errors = _add_errors(form, error, keep=["options"] if formset else [])
        else:
            label = form.cleaned_data["label"]
            messages.success(request, _("User field “%(label)s” saved.") % {"label": label})
            return redirect(_fields_url(field))
    context = {
        "field": field,
        "form": form,
        "formset": formset,
        "option_rows": [(f, used.get(f["was"].value(), 0)) for f in formset] if formset else [],
        "option_errors": option_errors,
        "usage": usage,
    }
    return render_settings(request, "fields", "settings_app/fields_edit.html", context)


def _option_formset(field, data):
    """Return the formset of a select box's options, or None for another type."""
    if field.field_type != Type.SELECT:
        return None
    initial = [{"was": option, "value": option} for option in field.options]
    return OptionFormSet(data, prefix="option", initial=initial)


def _all_valid(form, formset):
    valid = form.is_valid()
    return (formset is None or formset.is_valid()) and valid


def _field_update(request, field, form, formset, usage):
    """Store the valid form's label, kinds, type and options on field."""
    cleaned = form.cleaned_data
    rows = [
        (row["was"], "" if row["remove"] else row["value"])
        for row in (formset.cleaned_data if formset else [])
        if row.get("was")
    ]
    field_services.custom_field_update(
        field=field,
        label=cleaned["label"],
        applies_to=cleaned["applies_to"],
        field_type=request.POST.get("field_type") if usage else cleaned["field_type"],
        options=rows,
        added=field_services.parse_options(cleaned["options"]),
        by=request.user,
        is_personal=cleaned["is_personal"],
    )


@admin_required
def field_delete(request, pk):
    """Delete a field; when contacts hold values for it, only after confirmation."""
    field = get_object_or_404(CustomField, pk=pk)
    usage = field_services.field_usage(field) if field.field_type != Type.HEADING else 0
    if request.method == "POST" and (not usage or request.POST.get("confirm")):
        count = field_services.custom_field_delete(field=field, by=request.user)
        message = _("User field “%(label)s” deleted.") % {"label": field.label}
        if count:
            message += " " + ngettext(
                "%(count)d contact lost its value.", "%(count)d contacts lost their value.", count
            ) % {"count": count}
        messages.success(request, message)
        return redirect("settings_app:fields")
    context = {"field": field, "usage": usage}
    return render_settings(request, "fields", "settings_app/fields_delete.html", context)


@admin_required
@require_POST
def field_move(request, pk):
    field = get_object_or_404(CustomField, pk=pk)
    move = partial(field_services.custom_field_move, field=field)
    return move_response(request, move, _fields_url(field))


@admin_required
@require_POST
def field_reorder(request):
    return reorder_response(request, field_services.custom_fields_reorder, _fields_url())
