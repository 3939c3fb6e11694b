"""Bulk actions on the list's selection: confirm, run, follow the progress."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.http import require_POST

from contacts import selectors, tags
from contacts.access import Perm, contacts_visible_to
from contacts.bulk import services as bulk
from contacts.bulk.forms import EXPORTS, ActionForm, SelectionForm
from contacts.models import BulkJob, Contact
from contacts.templatetags.undo import undo_tags
from contacts.trash import services

Action = BulkJob.Action
SKIPPED_NAMED = 10  # the skipped contacts named on the result; a link lists the rest


@require_POST
def contact_bulk(request):
    selection = SelectionForm(request.POST)
    query = request.POST.get("query", "")[:4000]
    list_url = reverse("contacts:list") + (f"?{query}" if query else "")
    if not selection.is_valid():
        messages.warning(request, " ".join(_flat_errors(selection)))
        return redirect(list_url)
    data = selection.cleaned_data
    if data["action"] in EXPORTS:
        return redirect(_export_url(data))
    contacts = _chosen(request.user, data)
    if not contacts.exists():
        messages.warning(request, _("None of the selected contacts can be found any more."))
        return redirect(list_url)
    confirmed = "confirm" in request.POST
    form = ActionForm(request.POST if confirmed else None, action=data["action"])
    if not (confirmed and form.is_valid()):
        return _confirm_page(request, form, data, contacts, list_url)
    params = {**form.params(), "query": query}
    job = bulk.bulk_start(by=request.user, action=data["action"], params=params, contacts=contacts)
    if not job.finished or job.skipped_ids:
        # The job's page names the skipped contacts, which a message cannot link.
        return redirect("contacts:bulk_job", job.pk)
    messages.success(request, result_message(job), extra_tags=_undo_tags(job))
    return redirect(list_url)


def _confirm_page(request, form, selection, contacts, list_url):
    """Ask what the action needs, saying how many contacts it would change or skip."""
    action = selection["action"]
    total = contacts.count()
    perm = Perm.DELETE if action == Action.DELETE else Perm.CHANGE
    allowed = contacts_visible_to(request.user, contacts, perm).count()
    context = {
        "action": action,
        "action_label": Action(action).label,
        "form": form,
        "selection": selection,
        "total": total,
        "allowed": allowed,
        "skipped": total - allowed,
        "list_url": list_url,
        "names": list(contacts.order_by("sort_name", "pk")[:5]),
        "tag_options": tags.tags_by_name()[:500] if "tag" in form.fields else (),
        "bulk_sync_limit": settings.BULK_SYNC_LIMIT,
        "trash_days": settings.TRASH_DAYS,
    }
    return render(request, "contacts/bulk.html", context)


def bulk_job(request, pk):
    """The progress of a bulk action running in the background, polled by htmx."""
    job = get_object_or_404(BulkJob, pk=pk, user=request.user)
    context = {
        "job": job,
        "message": result_message(job) if job.finished else "",
        "list_url": _list_url(job),
        "back_to_user": job.action == Action.HAND_OVER,
        "can_undo": job.finished and job.action == Action.DELETE and job.changed > 0,
    }
    if job.finished:
        shown = job.skipped_ids[:SKIPPED_NAMED]
        context["skipped"] = _skipped_contacts(request.user, shown)
        context["skipped_more"] = len(job.skipped_ids) - len(shown)
    if request.htmx:
        return render(request, "contacts/_bulk_progress.html", context)
    return render(request, "contacts/bulk_job.html", context)


def bulk_skipped(request, pk):
    """Every contact a bulk action skipped, named when the user may still see it."""
    job = get_object_or_404(BulkJob, pk=pk, user=request.user)
    page = Paginator(job.skipped_ids, 50).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "page": page,
        "skipped": _skipped_contacts(request.user, page.object_list),
        "list_url": _list_url(job),
    }
    return render(request, "contacts/bulk_skipped.html", context)


@require_POST
def bulk_undo(request, pk):
    """Bring back from the trash what a bulk delete moved there."""
    job = get_object_or_404(BulkJob, pk=pk, user=request.user, action=Action.DELETE)
    trashed = Contact.all_objects.filter(
        pk__in=job.contact_ids, deleted_by=request.user, deleted_at__gte=job.created_at
    )
    ids = list(contacts_visible_to(request.user, trashed, Perm.DELETE).values_list("pk", flat=True))
    count = services.contacts_restore(by=request.user, ids=ids)
    messages.success(
        request,
        ngettext("%(count)s contact was restored.", "%(count)s contacts were restored.", count)
        % {"count": intcomma(count)},
    )
    return redirect(_list_url(job))


def _list_url(job):
    if job.action == Action.HAND_OVER:
        # Started from the Users page of Settings, where the user's page says what is left.
        return reverse("settings_app:user", args=[job.params["from"]])
    query = job.params.get("query", "")
    return reverse("contacts:list") + (f"?{query}" if query else "")


def _skipped_contacts(user, ids):
    """Return the contacts of ids in order, None for each one user may not see now."""
    visible = contacts_visible_to(user).in_bulk(ids)
    return [visible.get(pk) for pk in ids]


def _undo_tags(job):
    if job.action != Action.DELETE or not job.changed:
        return ""
    return undo_tags(reverse("contacts:bulk_undo", args=[job.pk]))


def _chosen(user, data):
    """Return the contacts the user chose and may see."""
    if data["all"]:
        return selectors.contacts_listed(user, QueryDict(data["query"]))[0]
    return contacts_visible_to(user).filter(pk__in=data["selected"])


def _export_url(data):
    name = "contacts:export_csv" if data["action"] == "export_csv" else "contacts:export_vcard"
    if data["all"]:
        params = data["query"]
    else:
        sort = QueryDict(data["query"]).get("sort", "")
        ids = ",".join(str(pk) for pk in data["selected"])
        params = urlencode({"ids": ids, **({"sort": sort} if sort else {})})
    return reverse(name) + f"?{params}"


def _flat_errors(form):
    return [error for errors in form.errors.values() for error in errors]


STOPPED = ngettext_lazy(
    "The action stopped on an error after %(count)s contact.",
    "The action stopped on an error after %(count)s contacts.",
    "number",
)
DONE = {
    Action.DELETE: ngettext_lazy(
        "%(count)s contact moved to the trash.", "%(count)s contacts moved to the trash.", "number"
    ),
    Action.ADD_TAG: ngettext_lazy(
        "Tag “%(tag)s” added to %(count)s contact.",
        "Tag “%(tag)s” added to %(count)s contacts.",
        "number",
    ),
    Action.REMOVE_TAG: ngettext_lazy(
        "Tag “%(tag)s” removed from %(count)s contact.",
        "Tag “%(tag)s” removed from %(count)s contacts.",
        "number",
    ),
    Action.SET_RESPONSIBLE: ngettext_lazy(
        "Responsible users set on %(count)s contact.",
        "Responsible users set on %(count)s contacts.",
        "number",
    ),
    Action.SET_ACCESS: ngettext_lazy(
        "Access set on %(count)s contact.", "Access set on %(count)s contacts.", "number"
    ),
    Action.HAND_OVER: ngettext_lazy(
        "%(count)s contact handed over to %(to_name)s.",
        "%(count)s contacts handed over to %(to_name)s.",
        "number",
    ),
}
SKIPPED = ngettext_lazy(
    "%(count)s contact was skipped because you may not change it.",
    "%(count)s contacts were skipped because you may not change them.",
    "number",
)


def result_message(job):
    """Say what the job did: how many contacts changed and how many were skipped."""
    if job.status == BulkJob.Status.FAILED:
        return STOPPED % _counted(job.changed)
    values = {"tag": job.params.get("tag", ""), "to_name": job.params.get("to_name", "")}
    text = DONE[job.action] % {**_counted(job.changed), **values}
    if job.skipped:
        text += " " + SKIPPED % _counted(job.skipped)
    return text


def _counted(number):
    """Return the values of a message's count: the number as written, and as a number."""
    return {"count": intcomma(number), "number": number}
