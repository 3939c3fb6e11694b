"""The trash: what the user deleted, or could have, with restore and purge."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contacts.access import Perm, contacts_visible_to, get_contact_for_user
from contacts.forms import MAX_SELECTED
from contacts.models import Contact
from contacts.templatetags.fragments import url_of
from contacts.trash import services


def _trash():
    return Contact.all_objects.filter(deleted_at__isnull=False)


def trash_list(request):
    contacts = (
        contacts_visible_to(request.user, _trash(), Perm.DELETE)
        .select_related("deleted_by")
        .order_by("-deleted_at", "-id")
    )
    page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    _label_rows(page.object_list)
    return render(request, "contacts/trash.html", {"page": page, "trash_days": settings.TRASH_DAYS})


def _label_rows(contacts):
    """Give each row its addresses, labels and dates, worded once per page: the same
    tags fifty times over were most of the page's time."""
    keep = timedelta(days=settings.TRASH_DAYS)
    select, deleted = _("Select %(contact)s"), _("%(when)s by %(who)s")
    restore, purge = url_of("contacts:trash_restore"), url_of("contacts:trash_purge")
    for contact in contacts:
        by = contact.deleted_by
        when = date_format(localtime(contact.deleted_at), "SHORT_DATETIME_FORMAT")
        who = (by.get_full_name() or by.username) if by else ""
        contact.select_label = select % {"contact": contact.display_name}
        contact.deleted_line = deleted % {"when": when, "who": who}
        contact.purged_on = date_format(localtime(contact.deleted_at + keep), "SHORT_DATE_FORMAT")
        contact.restore_url, contact.purge_url = restore(contact.pk), purge(contact.pk)


def trash_restore(request, pk):
    contact = get_contact_for_user(request.user, pk, Perm.DELETE, queryset=_trash())
    if request.method != "POST":
        return redirect("contacts:trash")
    services.contact_restore(by=request.user, contact=contact)
    messages.success(request, _("“%(name)s” was restored.") % {"name": contact})
    return redirect(contact)


def trash_purge(request, pk):
    contact = get_contact_for_user(request.user, pk, Perm.DELETE, queryset=_trash())
    if request.method == "POST":
        services.contacts_purge([contact])
        messages.success(request, _("“%(name)s” was deleted for good.") % {"name": contact})
        return redirect("contacts:trash")
    return render(request, "contacts/trash_purge.html", {"contact": contact})


def _selected_in_trash(user, request):
    """Return the trashed contacts ticked on the trash page that user may delete."""
    ids = [int(pk) for pk in request.POST.getlist("selected")[:MAX_SELECTED] if pk.isdigit()]
    return contacts_visible_to(user, _trash().filter(pk__in=ids), Perm.DELETE).order_by(
        "sort_name", "pk"
    )


@require_POST
def trash_restore_selected(request):
    contacts = _selected_in_trash(request.user, request)
    if not contacts.exists():
        messages.warning(request, _("Select the contacts to restore first."))
        return redirect("contacts:trash")
    count = services.contacts_restore(
        by=request.user, ids=list(contacts.values_list("pk", flat=True))
    )
    messages.success(
        request,
        ngettext("%(count)s contact was restored.", "%(count)s contacts were restored.", count)
        % {"count": intcomma(count)},
    )
    return redirect("contacts:trash")


@require_POST
def trash_purge_selected(request):
    contacts = _selected_in_trash(request.user, request)
    if not contacts.exists():
        messages.warning(request, _("Select the contacts to delete forever first."))
        return redirect("contacts:trash")
    if "confirm" in request.POST:
        count = services.contacts_purge(list(contacts.only("pk")))
        messages.success(
            request,
            ngettext(
                "%(count)s contact was deleted for good.",
                "%(count)s contacts were deleted for good.",
                count,
            )
            % {"count": intcomma(count)},
        )
        return redirect("contacts:trash")
    context = {"contacts": list(contacts)}
    return render(request, "contacts/trash_purge_selected.html", context)
