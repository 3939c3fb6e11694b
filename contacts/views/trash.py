"""The trash (SPEC C16): what the user deleted, or could have, with restore and purge."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..access import contacts_visible_to, get_contact_for_user
from ..models import Contact


def _trash():
    return Contact.all_objects.filter(deleted_at__isnull=False)


def trash_list(request):
    contacts = (
        contacts_visible_to(request.user, _trash(), "delete")
        .select_related("deleted_by")
        .order_by("-deleted_at", "-id")
    )
    page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    keep = timedelta(days=settings.TRASH_DAYS)
    for contact in page.object_list:
        contact.purged_on = contact.deleted_at + keep
    return render(request, "contacts/trash.html", {"page": page, "trash_days": settings.TRASH_DAYS})


def trash_restore(request, pk):
    contact = get_contact_for_user(request.user, pk, "delete", queryset=_trash())
    if request.method != "POST":
        return redirect("contacts:trash")
    services.contact_restore(by=request.user, contact=contact)
    messages.success(request, _("“%(name)s” was restored.") % {"name": contact})
    return redirect(contact)


def trash_purge(request, pk):
    contact = get_contact_for_user(request.user, pk, "delete", queryset=_trash())
    if request.method == "POST":
        services.contacts_purge([contact])
        messages.success(request, _("“%(name)s” was deleted for good.") % {"name": contact})
        return redirect("contacts:trash")
    return render(request, "contacts/trash_purge.html", {"contact": contact})
