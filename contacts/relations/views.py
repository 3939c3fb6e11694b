"""Adding a relation to a contact, and removing one, from its card."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.access import Perm, get_contact_for_user
from contacts.relations import selectors, services
from contacts.relations.forms import RelationAddForm


def relation_add(request, pk):
    """Find the other contact (GET, a search), then relate the contact to it (POST)."""
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = RelationAddForm(data, user=request.user, contact=contact)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["other"] is None:
            form.add_error("other", _("Choose a contact among those found."))
        else:
            try:
                return _add(request, contact, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
    context = {"contact": contact, "form": form, "candidates": form.candidates()}
    # The card's search, typed with a script: only the contacts found.
    found_only = request.htmx and request.method == "GET"
    template = "_candidates.html" if found_only else "add.html"
    return render(request, f"contacts/relations/{template}", context)


def _add(request, contact, data):
    other = data["other"]
    services.relation_add(
        by=request.user,
        contact=contact,
        other=other,
        type=data["relation_type"],
        inverse=data["inverse"],
    )
    label = data["relation_type"].inverse if data["inverse"] else data["relation_type"].label
    messages.success(
        request,
        _("Relation added: “%(contact)s” %(relation)s “%(other)s”.")
        % {"contact": contact, "relation": label, "other": other},
    )
    return redirect(contact)


@require_POST
def relation_remove(request, pk, relation_pk):
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE)
    relation = get_object_or_404(
        selectors.visible_relations(request.user, contact).select_related(
            "type", "from_contact", "to_contact"
        ),
        pk=relation_pk,
    )
    services.relation_remove(by=request.user, relation=relation)
    messages.success(request, _("The relation was removed."))
    return redirect(contact)
