from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from activities import selectors, services
from activities.forms import EventForm
from activities.templatetags.activities import timeline_context
from contacts.access import Perm, get_contact_for_user


def _card(contact):
    return redirect(reverse("contacts:detail", args=[contact.pk]) + "#timeline")


def _tell_not_notified(request, event):
    """Tell the author which users his text mentions may not see the contact."""
    if not event.not_notified:
        return
    names = ", ".join(u.get_full_name() or u.username for u in event.not_notified)
    count = len(event.not_notified)
    message = ngettext(
        "%(names)s cannot see this contact and was not notified of the mention.",
        "%(names)s cannot see this contact and were not notified of the mention.",
        count,
    )
    messages.warning(request, message % {"names": names})


@require_GET
def timeline(request, pk):
    contact = get_contact_for_user(request.user, pk)
    context = timeline_context(request, contact)
    template = "activities/_timeline.html" if request.htmx else "activities/timeline.html"
    return render(request, template, context)


def event_add(request, pk):
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE)
    form = EventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        event = services.event_create(by=request.user, contact=contact, **form.cleaned_data)
        messages.success(request, _("Added to the timeline."))
        _tell_not_notified(request, event)
        return _card(contact)
    # The card's dialog fetches the form alone when it opens; any other request, the page.
    htmx_get = request.htmx and request.method == "GET"
    template = "activities/_event_add.html" if htmx_get else "activities/event_form.html"
    return render(request, template, {"contact": contact, "form": form})


def event_edit(request, pk):
    event = selectors.get_event_for_user(request.user, pk)
    if not services.may_edit(request.user, event):
        raise PermissionDenied
    form = EventForm(request.POST or None, request.FILES or None, instance=event)
    if request.method == "POST" and form.is_valid():
        services.event_update(by=request.user, event=event, **form.cleaned_data)
        messages.success(request, _("The event is saved."))
        _tell_not_notified(request, event)
        return _card(event.contact)
    context = {"contact": event.contact, "form": form, "event": event}
    return render(request, "activities/event_form.html", context)


def event_delete(request, pk):
    event = selectors.get_event_for_user(request.user, pk)
    if not services.may_delete(request.user, event):
        raise PermissionDenied
    if request.method == "POST":
        services.event_delete(by=request.user, event=event)
        messages.success(request, _("The event is deleted."))
        return _card(event.contact)
    return render(request, "activities/event_delete.html", {"event": event})


@require_GET
def attachment(request, pk):
    """Download an attached file, under the name it was uploaded with."""
    attached = selectors.get_attachment_for_user(request.user, pk)
    return FileResponse(
        attached.file.open("rb"),
        as_attachment=True,
        filename=attached.name,
        content_type=attached.content_type or "application/octet-stream",
    )
