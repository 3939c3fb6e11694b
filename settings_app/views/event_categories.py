"""Event categories of the contacts' timelines: list, add, rename, reorder, delete."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from activities import categories
from activities.models import EventCategory
from settings_app.views import admin_required, move_response, render_settings


class CategoryForm(forms.ModelForm):
    class Meta:
        model = EventCategory
        fields = ["name", "icon"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class CategoryDeleteForm(forms.Form):
    replacement = forms.ModelChoiceField(
        label=gettext_lazy("Move its events to the category"),
        queryset=EventCategory.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args, category, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = EventCategory.objects.exclude(pk=category.pk)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def _list_url(category=None):
    url = reverse("settings_app:event_categories")
    return f"{url}#category-{category.pk}" if category else url


@admin_required
def category_list(request):
    """List the event categories with their counts; add one."""
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = categories.category_create(**form.cleaned_data)
        messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
        return redirect(_list_url(category))
    context = {"categories": categories.categories_with_counts(), "form": form}
    return render_settings(
        request, "event_categories", "settings_app/event_categories.html", context
    )


@admin_required
def category_edit(request, pk):
    category = get_object_or_404(EventCategory, pk=pk)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        categories.category_update(category=category, **form.cleaned_data)
        messages.success(request, _("Category “%(name)s” saved.") % {"name": category.name})
        return redirect(_list_url(category))
    context = {"category": category, "form": form}
    return render_settings(
        request, "event_categories", "settings_app/event_category_edit.html", context
    )


@admin_required
def category_delete(request, pk):
    """Delete a category, after asking where its events go when it is in use."""
    category = get_object_or_404(EventCategory, pk=pk)
    count = category.events.count()
    form = CategoryDeleteForm(request.POST or None, category=category)
    if request.method == "POST" and (not count or form.is_valid()):
        replacement = form.cleaned_data["replacement"] if count else None
        categories.category_delete(category=category, replacement=replacement)
        messages.success(request, _("Category “%(name)s” deleted.") % {"name": category})
        return redirect(_list_url())
    context = {"category": category, "form": form, "count": count}
    return render_settings(
        request, "event_categories", "settings_app/event_category_delete.html", context
    )


@admin_required
@require_POST
def category_move(request, pk):
    category = get_object_or_404(EventCategory, pk=pk)

    def move(direction):
        categories.category_move(category=category, direction=direction)

    return move_response(request, move, _list_url(category))
