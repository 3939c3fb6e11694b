"""Contact types: list with counts, create, rename, reorder, delete."""

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

from contacts import contact_types
from contacts.models import Contact, ContactType
from settings_app.views import admin_required, move_response, render_settings, reorder_response


class ContactTypeForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=contact_types.TITLE_MAX_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ContactTypeDeleteForm(forms.Form):
    replacement = forms.ModelChoiceField(
        label=gettext_lazy("Give its contacts the type"),
        queryset=ContactType.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not specified"),
    )

    def __init__(self, *args, contact_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = ContactType.objects.exclude(pk=contact_type.pk)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def _types_url(contact_type=None):
    url = reverse("settings_app:types")
    return f"{url}#type-{contact_type.pk}" if contact_type else url


@admin_required
def type_list(request):
    """List the contact types with their contact counts; add one."""
    form = ContactTypeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_type = contact_types.contact_type_create(title=form.cleaned_data["title"])
        except ValidationError as e:
            form.add_error("title", e)
        else:
            messages.success(
                request, _("Contact type “%(title)s” added.") % {"title": contact_type.title}
            )
            return redirect(_types_url(contact_type))
    types = list(contact_types.contact_types_with_counts())
    context = {
        "types": types,
        "form": form,
        "untyped_count": Contact.objects.filter(contact_type__isnull=True).count(),
    }
    return render_settings(request, "types", "settings_app/types.html", context)


@admin_required
def type_edit(request, pk):
    contact_type = get_object_or_404(ContactType, pk=pk)
    old_title = contact_type.title
    form = ContactTypeForm(
        request.POST if request.method == "POST" else None, initial={"title": contact_type.title}
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact_types.contact_type_rename(
                contact_type=contact_type, title=form.cleaned_data["title"]
            )
        except ValidationError as e:
            contact_type.title = old_title
            form.add_error("title", e)
        else:
            messages.success(
                request,
                _("Contact type “%(old)s” renamed “%(new)s”.")
                % {"old": old_title, "new": contact_type.title},
            )
            return redirect(_types_url(contact_type))
    context = {"contact_type": contact_type, "form": form}
    return render_settings(request, "types", "settings_app/types_edit.html", context)


@admin_required
def type_delete(request, pk):
    """Delete a type, after asking where its contacts go when it is in use."""
    contact_type = get_object_or_404(ContactType, pk=pk)
    count = contact_type.contacts.count()
    data = request.POST if request.method == "POST" else None
    form = ContactTypeDeleteForm(data, contact_type=contact_type)
    if data is not None and count and "replacement" not in data:
        # Contacts took the type after the page said none had it: ask where they go.
        form = ContactTypeDeleteForm(contact_type=contact_type)
    elif data is not None and form.is_valid():
        replacement = form.cleaned_data["replacement"]
        try:
            moved = contact_types.contact_type_delete(
                contact_type=contact_type, replacement=replacement, by=request.user
            )
        except ValidationError as e:
            form.add_error("replacement", e)
        else:
            messages.success(request, _deleted_message(contact_type, replacement, moved))
            return redirect("settings_app:types")
    context = {"contact_type": contact_type, "form": form, "count": count}
    return render_settings(request, "types", "settings_app/types_delete.html", context)


def _deleted_message(contact_type, replacement, moved):
    message = _("Contact type “%(title)s” deleted.") % {"title": contact_type.title}
    if moved:
        target = replacement.title if replacement else _("Not specified")
        message += " " + ngettext(
            "%(count)d contact now has the type “%(target)s”.",
            "%(count)d contacts now have the type “%(target)s”.",
            moved,
        ) % {"count": moved, "target": target}
    return message


@admin_required
@require_POST
def type_move(request, pk):
    contact_type = get_object_or_404(ContactType, pk=pk)
    move = partial(contact_types.contact_type_move, contact_type=contact_type)
    return move_response(request, move, _types_url(contact_type))


@admin_required
@require_POST
def type_reorder(request):
    return reorder_response(request, contact_types.contact_types_reorder, _types_url())
