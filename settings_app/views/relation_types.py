"""The types of relation between contacts: list, add, edit, reorder, delete."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contacts.relations import services
from contacts.relations.models import RelationType
from settings_app.views import admin_required, move_response, render_settings

FIELDS = ["label_en", "inverse_en", "label_fr", "inverse_fr", "symmetric", "from_kind", "to_kind"]


class RelationTypeForm(forms.ModelForm):
    class Meta:
        model = RelationType
        fields = FIELDS
        labels = {"from_kind": gettext_lazy("From"), "to_kind": gettext_lazy("To")}
        help_texts = {
            "inverse_en": gettext_lazy("Read from the other contact: “has assistant”."),
            "label_fr": gettext_lazy("Left empty, the English label is shown."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("from_kind", "to_kind"):
            choices = [("", _("Any contact")), *self.fields[name].choices[1:]]
            self.fields[name].choices = choices
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        if data.get("symmetric"):
            if data.get("from_kind") != data.get("to_kind"):
                raise forms.ValidationError(
                    _("A symmetric relation links two contacts of the same kind.")
                )
            data["inverse_en"] = data["inverse_fr"] = ""
        elif not data.get("inverse_en"):
            self.add_error("inverse_en", _("Give the label read from the other contact."))
        return data


def _list_url(relation_type=None):
    url = reverse("settings_app:relation_types")
    return f"{url}#relation-type-{relation_type.pk}" if relation_type else url


def _render(request, template, context):
    return render_settings(request, "relation_types", template, context)


@admin_required
def relation_type_list(request):
    """List the types with how many relations each has; add one."""
    form = RelationTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        relation_type = services.relation_type_create(**form.cleaned_data)
        messages.success(request, _("Relation type “%(name)s” added.") % {"name": relation_type})
        return redirect(_list_url(relation_type))
    context = {"relation_types": services.relation_types_with_counts(), "form": form}
    return _render(request, "settings_app/relation_types.html", context)


@admin_required
def relation_type_edit(request, pk):
    relation_type = get_object_or_404(RelationType, pk=pk)
    form = RelationTypeForm(request.POST or None, instance=relation_type)
    if request.method == "POST" and form.is_valid():
        services.relation_type_update(relation_type=relation_type, **form.cleaned_data)
        messages.success(request, _("Relation type “%(name)s” saved.") % {"name": relation_type})
        return redirect(_list_url(relation_type))
    context = {"relation_type": relation_type, "form": form, "list_url": _list_url()}
    return _render(request, "settings_app/relation_type_edit.html", context)


@admin_required
def relation_type_delete(request, pk):
    """Delete a type, after saying how many relations go with it."""
    relation_type = get_object_or_404(RelationType, pk=pk)
    if request.method == "POST":
        name = str(relation_type)
        services.relation_type_delete(by=request.user, relation_type=relation_type)
        messages.success(request, _("Relation type “%(name)s” deleted.") % {"name": name})
        return redirect(_list_url())
    count = services.relation_type_use_count(relation_type)
    context = {"relation_type": relation_type, "count": count, "list_url": _list_url()}
    return _render(request, "settings_app/relation_type_delete.html", context)


@admin_required
@require_POST
def relation_type_move(request, pk):
    relation_type = get_object_or_404(RelationType, pk=pk)

    def move(direction):
        services.relation_type_move(relation_type=relation_type, direction=direction)

    return move_response(request, move, _list_url(relation_type))
