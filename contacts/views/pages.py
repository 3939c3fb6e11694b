from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contacts import conflicts, history, selectors, services
from contacts import currencies as config
from contacts.access import (
    Perm,
    can_change,
    can_delete,
    contacts_visible_to,
    get_contact_for_user,
)
from contacts.custom_fields import values as custom_fields
from contacts.forms import ContactForm, detail_formsets, typed_rows, typed_values
from contacts.merging import duplicates
from contacts.models import Contact, ContactInfo
from contacts.storage import is_disk_full
from contacts.trash import services as trash
from contacts.trash.views import undo_tags
from contacts.views.lists import int_param

DETAIL_PREFIXES = ("email", "phone", "web", "address")
DUPLICATE_NAME_FIELDS = ("first_name", "last_name", "company_name")
CARD_EVENTS = 10  # the newest changes the card shows


def _form_page(request, kind, contact=None):
    """Show and handle the create or edit form of a person or a company."""
    data = files = adding_row = merged = None
    conflicting, likely = [], []
    if request.method == "POST":
        data, files = request.POST, request.FILES
        adding_row = data.get("add_row") if data.get("add_row") in DETAIL_PREFIXES else None
        if contact is not None and not adding_row:
            merged = conflicts.merge(data, contact, kind, request.user)
            data = merged.data
    initial = {}
    if contact is None and request.GET.get("company"):
        company = contacts_visible_to(request.user).filter(
            kind=Contact.Kind.COMPANY, pk=int_param(request.GET["company"], 0)
        )
        if company:
            initial["company_input"] = company[0].display_name
    form = ContactForm(data, files, kind=kind, user=request.user, instance=contact, initial=initial)
    formsets = detail_formsets(data, contact)
    if contact is not None and request.method == "GET":
        form.initial["base"] = conflicts.signed_base(contact, form, formsets)
    if adding_row:
        # Without script, "Add …" comes back with one more row, everything typed kept
        # and no error shown yet.
        rows = {p: typed_rows(fs, keep_blank=p == adding_row) for p, fs in formsets.items()}
        form = ContactForm(
            kind=kind, user=request.user, instance=contact, initial=typed_values(form)
        )
        formsets = detail_formsets(contact=contact, initial=rows)
        formsets[adding_row].extra = 1
    elif merged is not None and merged.asked:
        conflicting = merged.asked
        form, formsets = _typed_again(form, formsets, contact, [d.name for d in conflicting])
    elif request.method == "POST":
        valid = form.is_valid()
        valid = all([fs.is_valid() for fs in formsets.values()]) and valid
        if valid:
            infos = [row for k in ("email", "phone", "web") for row in formsets[k].rows()]
            contact_data = form.contact_data(infos, formsets["address"].rows())
            creating = contact is None
            likely = []
            if creating and "save_anyway" not in request.POST:
                # Possible duplicates are shown before saving; "Save anyway" goes on.
                likely = duplicates.matches(
                    request.user,
                    kind=kind,
                    infos=infos,
                    company=contact_data.company,
                    new_company=contact_data.new_company_name,
                    **{k: contact_data.fields.get(k) or "" for k in DUPLICATE_NAME_FIELDS},
                )
            if not likely:
                try:
                    if creating:
                        contact = services.contact_create(by=request.user, data=contact_data)
                        message = _("“%(name)s” was created.") % {"name": contact}
                    else:
                        services.contact_update(
                            by=request.user,
                            contact=contact,
                            data=contact_data,
                            # What the form was merged with: a save in between is caught.
                            expected_version=contact.version,
                        )
                except services.EditConflict:
                    # Saved by someone else between our reading and our writing.
                    return _form_page(request, kind, get_contact_for_user(request.user, contact.pk))
                except OSError as error:
                    if not is_disk_full(error):
                        raise
                    # The transaction rolled back: the form comes back, as it was typed, over
                    # the contact as it is stored.
                    return _disk_full(request, kind, None if creating else contact.pk, data)
                if not creating:
                    message = _("Your changes to “%(name)s” were saved.") % {"name": contact}
                lost = len(form.custom_values_not_saved(contact))
                if lost:
                    message += " " + ngettext(
                        "A user field was deleted or changed meanwhile: "
                        "the value you gave it was not saved.",
                        "%(count)d user fields were deleted or changed meanwhile: "
                        "the values you gave them were not saved.",
                        lost,
                    ) % {"count": lost}
                messages.success(request, message)
                if creating and "save_new" in request.POST:
                    return redirect("contacts:create", kind=kind)
                return redirect(contact)
        if not likely:
            messages.error(request, _("Please correct the errors below."))
    context = {
        "form": form,
        "formsets": formsets,
        "kind": kind,
        "contact": contact,
        "conflicts": conflicting,
        "unanswered": merged is not None and merged.unanswered,
        "duplicates": likely,
        "detail_sections": _detail_sections(formsets),
    }
    return render(request, "contacts/form.html", context)


def _disk_full(request, kind, pk, data):
    """Show the form again with what was typed, saying that nothing was saved."""
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE) if pk else None
    form = ContactForm(data, kind=kind, user=request.user, instance=contact)
    form.is_valid()
    form.add_error(
        None,
        _(
            "The photo could not be saved because the server's disk is full: nothing was "
            "saved. Try again later, or save without the photo."
        ),
    )
    formsets = detail_formsets(data, contact)
    for formset in formsets.values():
        formset.is_valid()
    context = {
        "form": form,
        "formsets": formsets,
        "kind": kind,
        "contact": contact,
        "conflicts": [],
        "duplicates": [],
        "detail_sections": _detail_sections(formsets),
    }
    return render(request, "contacts/form.html", context)


def _detail_sections(formsets):
    return [
        ("email", _("Emails"), _("Add an email"), formsets["email"]),
        ("phone", _("Phones"), _("Add a phone"), formsets["phone"]),
        ("web", _("Web sites and social networks"), _("Add a link"), formsets["web"]),
        ("address", _("Addresses"), _("Add an address"), formsets["address"]),
    ]


def _typed_again(form, formsets, contact, ask):
    """Return the form and formsets holding what was typed, now based on the stored version.

    ask: the fields and sections both users changed, which need a choice before saving.
    """
    typed = typed_values(form)
    typed["version"] = contact.version
    typed["base"] = conflicts.base_of(contact, form.kind, form.user, ask)
    rows = {prefix: typed_rows(formset) for prefix, formset in formsets.items()}
    form = ContactForm(kind=form.kind, user=form.user, instance=contact, initial=typed)
    return form, detail_formsets(contact=contact, initial=rows)


def contact_create(request, kind):
    if kind not in Contact.Kind.values:
        raise Http404
    return _form_page(request, kind)


def contact_edit(request, pk):
    contact = get_contact_for_user(request.user, pk, Perm.CHANGE)
    return _form_page(request, contact.kind, contact)


def contact_detail(request, pk):
    queryset = Contact.objects.select_related("company", "contact_type").prefetch_related(
        "infos", "addresses", *selectors.ordered_tags_and_responsible()
    )
    contact = get_contact_for_user(request.user, pk, queryset=queryset)
    persons = []
    if contact.kind == Contact.Kind.COMPANY:
        persons = (
            contacts_visible_to(request.user)
            .filter(company=contact)
            .prefetch_related(
                Prefetch(
                    "infos",
                    queryset=ContactInfo.objects.filter(is_primary=True),
                    to_attr="primary_infos",
                )
            )
            .order_by("sort_name")
        )
    context = {
        "contact": contact,
        "persons": persons,
        "currency_label": contact.currency
        and f"{config.currency_name(contact.currency)} ({contact.currency})",
        "can_change": can_change(request.user, contact),
        "can_delete": can_delete(request.user, contact),
        "custom_groups": custom_fields.card_groups(contact),
    }
    events = _readable(request.user, contact.events.select_related("actor")[: CARD_EVENTS + 1])
    context["events"], context["more_events"] = events[:CARD_EVENTS], len(events) > CARD_EVENTS
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


@require_POST
def company_link_person(request, pk):
    company = get_contact_for_user(request.user, pk)
    if company.kind != Contact.Kind.COMPANY:
        raise Http404
    name = " ".join(request.POST.get("person", "").replace("\x00", "").split())
    person = (
        contacts_visible_to(request.user)
        .filter(kind=Contact.Kind.PERSON, display_name__iexact=name)
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
