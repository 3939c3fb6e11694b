"""The categories of the contacts' timelines and of the tasks: list, add, rename, reorder,
delete. One set of views for both kinds, told apart by the URL (KINDS)."""

from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from activities import categories
from activities.models import EventCategory, TaskCategory
from settings_app.views import admin_required, move_response, render_settings


@dataclass(frozen=True)
class Kind:
    model: Any
    prefix: str  # of its URL names: event_category_edit, event_categories
    title: Promise
    intro: Promise
    uses: Promise  # the column of counts
    replacement: Promise


KINDS = {
    "event": Kind(
        EventCategory,
        "event_category",
        gettext_lazy("Event categories"),
        gettext_lazy(
            "The categories offered when an event is added to a contact's timeline, in this order."
        ),
        gettext_lazy("Events"),
        gettext_lazy("Move its events to the category"),
    ),
    "task": Kind(
        TaskCategory,
        "task_category",
        gettext_lazy("Task categories"),
        gettext_lazy("The categories offered when a task is created, in this order."),
        gettext_lazy("Tasks"),
        gettext_lazy("Move its tasks to the category"),
    ),
}


ACTIONS = ("edit", "move", "delete")


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
    replacement = forms.ModelChoiceField(queryset=EventCategory.objects.none(), empty_label=None)

    def __init__(self, *args, category, kind, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["replacement"]
        field.label = kind.replacement
        field.queryset = kind.model.objects.exclude(pk=category.pk)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def _list_url(kind, category=None):
    url = reverse(f"settings_app:{kind.prefix.removesuffix('y')}ies")
    return f"{url}#category-{category.pk}" if category else url


def _render(request, kind_name, template, context):
    kind = KINDS[kind_name]
    names = {f"{action}_url": f"settings_app:{kind.prefix}_{action}" for action in ACTIONS}
    context = {**context, **names, "kind": kind, "list_url": _list_url(kind)}
    return render_settings(request, f"{kind_name}_categories", template, context)


@admin_required
def category_list(request, kind):
    """List the categories of that kind with their counts; add one."""
    model = KINDS[kind].model
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = categories.category_create(model=model, **form.cleaned_data)
        messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
        return redirect(_list_url(KINDS[kind], category))
    context = {"categories": categories.categories_with_counts(model), "form": form}
    return _render(request, kind, "settings_app/event_categories.html", context)


@admin_required
def category_edit(request, kind, pk):
    category = get_object_or_404(KINDS[kind].model, pk=pk)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        categories.category_update(category=category, **form.cleaned_data)
        messages.success(request, _("Category “%(name)s” saved.") % {"name": category.name})
        return redirect(_list_url(KINDS[kind], category))
    context = {"category": category, "form": form}
    return _render(request, kind, "settings_app/event_category_edit.html", context)


@admin_required
def category_delete(request, kind, pk):
    """Delete a category, after asking where its events or tasks go when it is in use."""
    category = get_object_or_404(KINDS[kind].model, pk=pk)
    count = categories.use_count(category)
    form = CategoryDeleteForm(request.POST or None, category=category, kind=KINDS[kind])
    if request.method == "POST" and (not count or form.is_valid()):
        replacement = form.cleaned_data["replacement"] if count else None
        categories.category_delete(category=category, replacement=replacement)
        messages.success(request, _("Category “%(name)s” deleted.") % {"name": category})
        return redirect(_list_url(KINDS[kind]))
    context = {"category": category, "form": form, "count": count}
    return _render(request, kind, "settings_app/event_category_delete.html", context)


@admin_required
@require_POST
def category_move(request, kind, pk):
    category = get_object_or_404(KINDS[kind].model, pk=pk)

    def move(direction):
        categories.category_move(category=category, direction=direction)

    return move_response(request, move, _list_url(KINDS[kind], category))
