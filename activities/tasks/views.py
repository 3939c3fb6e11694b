"""My tasks, and a task's form: create, change, mark done, delete; tasks for a selection."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from activities.tasks import selectors, services
from activities.tasks.exports import tasks_csv, tasks_ics
from activities.tasks.filters import FilterForm
from activities.tasks.forms import BulkTaskForm, TaskForm
from contacts import selectors as contact_selectors
from contacts.access import Perm, contacts_visible_to, get_contact_for_user

# At most this many tasks made at once from the list's selection.
BULK_LIMIT = 1000


def _back(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def task_list(request):
    """My tasks: overdue, today, upcoming and done, filtered."""
    filters = FilterForm(request.GET or None, user=request.user)
    chosen = filters.chosen()
    more = request.GET.get("more", "")
    limits = {more: 1000} if more in selectors.SECTIONS else {}
    if request.GET.get("format") in ("csv", "ics"):
        tasks = selectors.filtered(request.user, chosen)
        export = tasks_csv if request.GET["format"] == "csv" else tasks_ics
        return export(tasks)
    sections = selectors.sections(request.user, chosen, limits)
    context = {"filters": filters, "sections": sections, "query": filters.query()}
    if chosen == selectors.Filters(responsible=request.user.pk):
        # The navbar's count, the overdue and today's sections' own: not read again.
        context["tasks_due"] = sections[0].count + sections[1].count
    return render(request, "activities/tasks/list.html", context)


def task_add(request):
    contact_id = request.GET.get("contact") or request.POST.get("contact")
    contact = None
    if contact_id:
        pk = int(contact_id) if str(contact_id).isdigit() else 0
        contact = get_contact_for_user(request.user, pk, Perm.CHANGE)
    form = TaskForm(request.POST or None, user=request.user, contact=contact)
    if request.method == "POST" and form.is_valid():
        services.task_create(by=request.user, contact=contact, **form.cleaned_data)
        messages.success(request, _("The task is saved."))
        return redirect(
            _back(request, contact.get_absolute_url() if contact else reverse("tasks:list"))
        )
    context = {"form": form, "contact": contact, "next": _back(request, "")}
    return render(request, "activities/tasks/form.html", context)


def task_edit(request, pk):
    task = selectors.get_task_for_user(request.user, pk)
    if not services.may_change_task(request.user, task):
        raise PermissionDenied
    form = TaskForm(request.POST or None, user=request.user, instance=task)
    if request.method == "POST" and form.is_valid():
        services.task_update(by=request.user, task=task, **form.cleaned_data)
        messages.success(request, _("The task is saved."))
        return redirect(_back(request, reverse("tasks:list")))
    context = {"form": form, "task": task, "contact": task.contact, "next": _back(request, "")}
    return render(request, "activities/tasks/form.html", context)


@require_POST
def task_done(request, pk):
    """Mark a task done or not done (htmx swaps its line; without script, back to the page)."""
    task = selectors.get_task_for_user(request.user, pk)
    done = request.POST.get("done", "1") == "1"
    log = request.POST.get("log") == "1"
    services.task_set_done(by=request.user, task=task, done=done, log=log)
    selectors.mark_changeable(request.user, [task])
    if request.htmx:
        back = _back(request, "")
        # On its contact's card, the line leaves the contact out, as the card does.
        on_card = task.contact is not None and back == task.contact.get_absolute_url()
        context = {"tasks": [task], "next": back, "on_card": on_card}
        return render(request, "activities/tasks/_task.html", context)
    if done and log and task.contact is not None:
        messages.success(request, _("The task is done, and written on the timeline."))
    else:
        messages.success(request, _("The task is done.") if done else _("The task is open again."))
    return redirect(_back(request, reverse("tasks:list")))


def task_delete(request, pk):
    task = selectors.get_task_for_user(request.user, pk)
    if not services.may_change_task(request.user, task):
        raise PermissionDenied
    if request.method == "POST":
        services.task_delete(by=request.user, task=task)
        messages.success(request, _("The task is deleted."))
        return redirect(_back(request, reverse("tasks:list")))
    return render(
        request, "activities/tasks/delete.html", {"task": task, "next": _back(request, "")}
    )


@require_POST
def task_bulk(request):
    """The same task for each contact selected in the list, after a form."""
    query = request.POST.get("query", "")[:4000]
    contacts = _selection(request.user, request.POST, query)
    form = BulkTaskForm(request.POST if "confirm" in request.POST else None, user=request.user)
    if form.is_bound and form.is_valid():
        made, skipped = services.tasks_create_many(
            by=request.user, contacts=contacts, **form.cleaned_data
        )
        _bulk_message(request, made, skipped)
        return redirect(reverse("contacts:list") + (f"?{query}" if query else ""))
    context = {
        "form": form,
        "contacts": contacts,
        "count": len(contacts),
        "limit": BULK_LIMIT,
        "query": query,
        "selected": request.POST.getlist("selected")[:BULK_LIMIT],
        "all": request.POST.get("all", ""),
    }
    return render(request, "activities/tasks/bulk.html", context)


def _selection(user, data, query):
    if data.get("all") == "1":
        contacts = contact_selectors.contacts_listed(user, QueryDict(query))[0]
    else:
        ids = [int(pk) for pk in data.getlist("selected") if pk.isdigit()]
        contacts = contacts_visible_to(user).filter(pk__in=ids[:BULK_LIMIT])
    return list(contacts.order_by("sort_name", "pk")[:BULK_LIMIT])


def _bulk_message(request, made, skipped):
    text = ngettext("%(count)d task created.", "%(count)d tasks created.", made) % {"count": made}
    if skipped:
        text += " " + ngettext(
            "%(count)d contact skipped: you may not change it, "
            "or the responsible user cannot see it.",
            "%(count)d contacts skipped: you may not change them, "
            "or the responsible user cannot see them.",
            skipped,
        ) % {"count": skipped}
    messages.success(request, text)
