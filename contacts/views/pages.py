from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contacts import conflicts, history, saving, selectors, services
from contacts import currencies as config
from contacts.access import (
    Perm,
    can_change,
    can_delete,
    contacts_visible_to,
    get_contact_for_user,
)
from contacts.custom_fields import values as custom_fields
from contacts.forms import ContactEditor, int_param
from contacts.models import Contact, named
from contacts.positions.selectors import former_people, people_page, positions_of
from contacts.saving import SaveOutcome
from contacts.templatetags.undo import undo_tags
from contacts.trash import services as trash

DETAIL_PREFIXES = ("email", "phone", "web", "address")
# The sections whose "Add …" button adds a row: the details, and a person's positions.
ROW_PREFIXES = (*DETAIL_PREFIXES, "positions")


def _form_page(request, kind, contact=None):
    """Show and handle the create or edit form of a person or a company."""
    initial = _initial(request, contact)
    editor = partial(ContactEditor, kind=kind, user=request.user, contact=contact, initial=initial)
    if request.method != "POST":
        return _form_response(request, _with_base(editor()))
    adding_row = request.POST.get("add_row")
    if adding_row in ROW_PREFIXES:
        # Without script, "Add …" comes back with one more row, everything typed kept
        # and no error shown yet.
        typed = editor(request.POST, request.FILES).typed(keep_blank=adding_row, add_row=adding_row)
        return _form_response(request, typed)
    merged = conflicts.merge(request.POST, contact, kind, request.user) if contact else None
    data = merged.data if merged else request.POST
    posted = editor(data, request.FILES)
    if merged and merged.asked:
        return _conflicts_response(request, posted, merged)
    if not posted.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _form_response(request, posted)
    return _save(request, posted, data)


def _with_base(editor):
    """Sign into an edit form the values it is loaded with: its save merges against them."""
    if editor.contact is not None:
        form, formsets = editor.form, editor.formsets
        form.initial["base"] = conflicts.signed_base(editor.contact, form, formsets)
    return editor


def _initial(request, contact):
    """Return the initial values of a new person's form: ?company=<id> names his company."""
    if contact is not None or not request.GET.get("company"):
        return {}
    company = contacts_visible_to(request.user).filter(
        kind=Contact.Kind.COMPANY, pk=int_param(request.GET["company"], 0)
    )
    return {"company_input": company[0].display_name} if company else {}


def _conflicts_response(request, editor, merged):
    """Show what was typed over the contact as stored, asking about what both changed."""
    asked = [difference.name for difference in merged.asked]
    contact = editor.contact
    base = conflicts.base_of(contact, editor.kind, editor.user, asked)
    editor = editor.typed(version=contact.version, base=base)
    return _form_response(request, editor, questions=merged.asked, unanswered=merged.unanswered)


def _save(request, editor, data):
    """Save the valid form; show the duplicates, the conflict or the full disk it met."""
    creating = editor.contact is None
    result = saving.contact_save(
        by=request.user,
        data=editor.contact_data(),
        contact=editor.contact,
        # Possible duplicates are shown before saving; "Save anyway" goes on.
        check_duplicates=creating and "save_anyway" not in request.POST,
        **editor.position_edits(),
    )
    if result.outcome == SaveOutcome.DUPLICATES:
        return _form_response(request, editor, duplicates=result.duplicates)
    if result.outcome == SaveOutcome.POSITIONS:
        editor.refuse_positions(result.refused)
        messages.error(request, _("Please correct the errors below: nothing was saved."))
        return _form_response(request, editor)
    if result.outcome == SaveOutcome.CONFLICT:
        # Saved by someone else between our reading and our writing: merged again.
        contact = get_contact_for_user(request.user, editor.contact.pk)
        return _form_page(request, editor.kind, contact)
    if result.outcome == SaveOutcome.DISK_FULL:
        return _disk_full(request, editor.kind, None if creating else editor.contact.pk, data)
    messages.success(request, _saved_message(editor.form, result.contact, creating))
    if creating and "save_new" in request.POST:
        return redirect("contacts:create", kind=editor.kind)
    return redirect(result.contact)


def _saved_message(form, contact, created):
    if created:
        message = _("“%(name)s” was created.") % {"name": contact}
    else:
        message = _("Your changes to “%(name)s” were saved.") % {"name": contact}
    lost = len(form.custom_values_not_saved(contact))
    if lost:
        message += " " + ngettext(
            "A user field was deleted or changed meanwhile: the value you gave it was not saved.",
            "%(count)d user fields were deleted or changed meanwhile: "
            "the values you gave them were not saved.",
            lost,
        ) % {"count": lost}
    return message


def _disk_full(request, kind, pk, data):
    """Show the form again with what was typed, saying that nothing was saved."""
    # The transaction rolled back: the form comes back, as it was typed, over the
    # contact as it is stored.
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE) if pk else None
    editor = ContactEditor(data, kind=kind, user=request.user, contact=contact)
    editor.is_valid()
    editor.form.add_error(
        None,
        _(
            "The photo could not be saved because the server's disk is full: nothing was "
            "saved. Try again later, or save without the photo."
        ),
    )
    return _form_response(request, editor)


def _form_response(request, editor, questions=(), unanswered=False, duplicates=()):
    """Render the form; questions: what both users changed, asked before saving."""
    context = {
        "form": editor.form,
        "formsets": editor.formsets,
        "kind": editor.kind,
        "contact": editor.contact,
        "conflicts": questions,
        "unanswered": unanswered,
        "duplicates": duplicates,
        "detail_sections": _detail_sections(editor.formsets),
        "positions_section": _positions_section(editor.positions),
    }
    return render(request, "contacts/form.html", context)


def _positions_section(formset):
    """Return the section of a person's other positions, as _detail_sections has them."""
    if formset is None:
        return []
    label, add_label = _("Other positions"), _("Add another position")
    errors = formset.non_form_errors()
    return [("positions", label, add_label, formset, formset.management_form, errors)]


def _detail_sections(formsets):
    labels = {
        "email": (_("Emails"), _("Add an email")),
        "phone": (_("Phones"), _("Add a phone")),
        "web": (_("Web sites and social networks"), _("Add a link")),
        "address": (_("Addresses"), _("Add an address")),
    }
    # The formset's parts handed over as they are: the template's lookup of an attribute
    # on a formset first tries formset[name], which builds every form of it.
    sections = []
    for prefix, (label, add_label) in labels.items():
        formset = formsets[prefix]
        sections.append(
            (prefix, label, add_label, formset, formset.management_form, formset.non_form_errors())
        )
    return sections


def contact_create(request, kind):
    if kind not in Contact.Kind.values:
        raise Http404
    return _form_page(request, kind)


def contact_edit(request, pk):
    # The form shows the company's name and its save compares it: read with the contact.
    queryset = Contact.objects.select_related("company")
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE, queryset=queryset)
    return _form_page(request, contact.kind, contact)


def contact_detail(request, pk):
    queryset = Contact.objects.select_related("company", "contact_type").prefetch_related(
        "infos", "addresses"
    )
    contact = get_contact_for_user(request.user, pk, queryset=queryset)
    tag_names, responsible_names = selectors.tag_and_responsible_names(contact)
    context = {
        "contact": contact,
        "tag_names": tag_names,
        "responsible_names": responsible_names,
        **_positions_context(request, contact),
        "currency_label": contact.currency
        and f"{config.currency_name(contact.currency)} ({contact.currency})",
        "can_change": can_change(request.user, contact),
        "can_delete": can_delete(request.user, contact),
        "custom_groups": custom_fields.card_groups(contact),
    }
    return render(request, "contacts/detail.html", context)


def contact_history(request, pk):
    contact = get_contact_for_user(request.user, pk)
    page = Paginator(contact.events.select_related("actor"), 50).get_page(request.GET.get("page"))
    page.object_list = _readable(request.user, page.object_list)
    return render(
        request,
        "contacts/history.html",
        {
            "contact": contact,
            "page": page,
            "count_text": ngettext("%(count)s entry", "%(count)s entries", page.paginator.count)
            % {"count": page.paginator.count},
        },
    )


def _readable(user, events):
    events = list(events)
    hidden = history.hidden_companies(user, events)
    for event in events:
        event.rows = history.readable(event, hidden)
    return events


def contact_delete(request, pk):
    contact = get_contact_for_user(request.user, pk, Perm.DELETE)
    if request.method == "POST":
        name = str(contact)
        trash.contact_delete(by=request.user, contact=contact)
        messages.success(
            request,
            _("“%(name)s” was moved to the trash, where you can restore it for %(days)d days.")
            % {"name": name, "days": settings.TRASH_DAYS},
            extra_tags=undo_tags(reverse("contacts:trash_restore", args=[contact.pk])),
        )
        return redirect("contacts:list")
    persons = 0
    if contact.kind == Contact.Kind.COMPANY:
        persons = contacts_visible_to(request.user).filter(company=contact).count()
    context = {"contact": contact, "persons": persons, "trash_days": settings.TRASH_DAYS}
    return render(request, "contacts/delete.html", context)


# A company's card lists this many of its former people, folded.
FORMER_SHOWN = 20


def _positions_context(request, contact):
    """A person's positions, or a page of a company's current people and its former ones."""
    if contact.kind == Contact.Kind.COMPANY:
        people = people_page(request.user, contact, request.GET.get("people"))
        former = former_people(request.user, contact, FORMER_SHOWN)
        return {"people": people, "former": former}
    found = positions_of(request.user, contact)
    return {
        "current": [p for p in found if p.is_current],
        "former": [p for p in found if not p.is_current],
    }


@require_POST
def company_link_person(request, pk):
    company = get_contact_for_user(request.user, pk)
    if company.kind != Contact.Kind.COMPANY:
        raise Http404
    name = " ".join(request.POST.get("person", "").replace("\x00", "").split())
    person = (
        named(contacts_visible_to(request.user), name)
        .filter(kind=Contact.Kind.PERSON)
        .order_by("pk")
        .first()
    )
    if person is None:
        messages.error(request, _("No person named “%(name)s” was found.") % {"name": name[:100]})
    elif not can_change(request.user, person):
        messages.error(request, _("You may not change “%(name)s”.") % {"name": person})
    else:
        services.company_link_person(by=request.user, company=company, person=person)
        messages.success(
            request,
            _("“%(person)s” now works at “%(company)s”.") % {"person": person, "company": company},
        )
    return redirect(company)


def contact_photo(request, pk, size):
    contact = get_contact_for_user(request.user, pk)
    image = contact.photo_thumb if size == "thumb" else contact.photo
    if not image:
        raise Http404
    try:
        response = FileResponse(image.open("rb"))
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=86400"
    return response


def suggest(request, what):
    """Return <option>s for a type-ahead: companies, persons or tags."""
    # htmx sends the input under its own name: take the first parameter.
    query = (request.GET.get("q") or next(iter(request.GET.values()), "")).strip()[:100]
    if what == "tags":
        names = selectors.tag_suggestions(query)
    elif what in ("companies", "persons"):
        kind = Contact.Kind.COMPANY if what == "companies" else Contact.Kind.PERSON
        names = selectors.name_suggestions(request.user, kind, query)
    else:
        raise Http404
    return render(request, "contacts/_options.html", {"names": names})
