"""The photo dialog: upload a picture, or choose one the contact's details point to."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contacts import saving
from contacts.access import Perm, get_contact_for_user
from contacts.forms import PhotoChangeForm
from contacts.models import Contact
from contacts.photos.sources import candidates_for, sources_for
from contacts.saving import SaveOutcome


def _dialog_context(contact, **extra):
    return {
        "contact": contact,
        "fetch_enabled": settings.PHOTO_FETCH_ENABLED,
        **extra,
    }


def photo_change(request, pk):
    """Show the dialog as a page; save the photo it was given."""
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE)
    error = None
    if request.method == "POST":
        form = PhotoChangeForm(request.POST, request.FILES)
        if form.is_valid():
            error = _save(request, contact, form.cleaned_data["files"])
            if error is None:
                contact.refresh_from_db()
                if request.htmx:
                    response = render(request, "contacts/_photo_changed.html", {"contact": contact})
                    response["HX-Trigger"] = "photo-changed"
                    return response
                messages.success(request, _("The photo was changed."))
                return redirect(contact)
        else:
            error = " ".join(e for errors in form.errors.values() for e in errors)
        if request.htmx:
            return render(request, "contacts/_photo_status.html", {"error": error})
    context = _dialog_context(contact, error=error, url=request.POST.get("url", ""))
    return render(request, "contacts/photo_change.html", context)


def _save(request, contact, files):
    """Store files (None: the placeholder) as the contact's photo; return an error, if any."""
    result = saving.contact_photo_save(by=request.user, contact=contact, photo=files)
    if result.outcome == SaveOutcome.CONFLICT:
        return _("The contact was changed meanwhile: try again.")
    if result.outcome == SaveOutcome.DISK_FULL:
        return _("The photo could not be saved because the server's disk is full.")
    return None


@require_GET
def photo_candidates(request, pk):
    """Return the pictures found from the contact's details (the dialog asks when it opens)."""
    queryset = Contact.objects.prefetch_related("infos")
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE, queryset=queryset)
    context = _dialog_context(
        contact, candidates=candidates_for(contact), searched=bool(sources_for(contact))
    )
    template = "contacts/_photo_candidates.html" if request.htmx else "contacts/photo_change.html"
    return render(request, template, context)
