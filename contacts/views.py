from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from . import config, custom_fields, exports, selectors, services
from .access import (
    can_change,
    can_delete,
    contacts_visible_to,
    count_visible_to,
    editable_ids,
    get_contact_for_user,
)
from .forms import ContactForm, detail_formsets, typed_rows, typed_values
from .models import Contact, ContactInfo, ContactType, Notification

PAGE_SIZES = (25, 50, 100)
DETAIL_PREFIXES = ("email", "phone", "web", "address")
FILTER_PARAMS = (
    "kind",
    "type",
    "tag",
    "tag_mode",
    "responsible",
    "access",
    "currency",
    "created",
    "created_from",
    "created_to",
    "source",
)
SORT_CHOICES = (
    ("-created", gettext_lazy("Newest first")),
    ("created", gettext_lazy("Oldest first")),
    ("-changed", gettext_lazy("Last changed first")),
    ("changed", gettext_lazy("Least recently changed first")),
    ("name", gettext_lazy("Name, A to Z")),
    ("-name", gettext_lazy("Name, Z to A")),
    ("first_name", gettext_lazy("First name, A to Z")),
    ("-first_name", gettext_lazy("First name, Z to A")),
    ("last_name", gettext_lazy("Last name, A to Z")),
    ("-last_name", gettext_lazy("Last name, Z to A")),
    ("type", gettext_lazy("Type")),
    ("-type", gettext_lazy("Type, reversed")),
)


def contact_list(request):
    query = request.GET.get("q", "").strip()[:200]
    contacts = selectors.contact_search(contacts_visible_to(request.user), query)
    contacts, filters = selectors.contact_filter(contacts, request.GET, user=request.user)
    per_page = _int(request.GET.get("per_page"), PAGE_SIZES[0])
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    contacts, sort = selectors.contact_sort(contacts, request.GET.get("sort", ""))
    paginator = Paginator(contacts, per_page)
    if not query and not filters:
        paginator.count = count_visible_to(request.user)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.with_list_details(page.object_list)
    page.object_list = rows
    editable = editable_ids(request.user, rows)
    for contact in rows:
        contact.can_edit = contact.pk in editable
    context = {
        "page": page,
        "query": query,
        "filters": [(_without(request.GET, key, value), label) for key, value, label in filters],
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "sort": sort,
        "sort_choices": SORT_CHOICES,
        # The parameters that a GET form sets itself, left out of its hidden fields.
        "search_except": ["q", "page"],
        "per_page_except": ["per_page", "page"],
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "contacts/_results.html", context)
    context["sort_except"] = ["sort", "page"]
    context["custom_filters"] = _custom_filters(request.GET)
    context["filter_form"] = _filter_form(request.GET)
    context["filter_params"] = [
        *FILTER_PARAMS,
        *(f["name"] for f in context["custom_filters"]),
        "page",
    ]
    context["filters_open"] = bool(filters)
    keep = {key: request.GET[key] for key in ("q", "sort", "per_page") if request.GET.get(key)}
    context["clear_url"] = "?" + urlencode(keep)
    return render(request, "contacts/list.html", context)


def _filter_form(params):
    """Return the choices and current values of the list's filter form."""
    return {
        "values": {key: params.get(key, "") for key in FILTER_PARAMS if key != "tag"},
        "tags": ", ".join(selectors.tag_names(params)),
        "types": ContactType.objects.all(),
        "users": get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username"),
        "currencies": config.currency_choices(),
        "sources": Contact.Source.choices,
        "created_periods": selectors.CREATED_PERIODS.items(),
    }


def _custom_filters(params):
    """Return the list filters on select boxes and checkboxes, with their current values."""
    filters = []
    for field in custom_fields.filterable_fields():
        name = f"{custom_fields.FILTER_PREFIX}{field.pk}"
        filters.append(
            {
                "name": name,
                "label": field.label,
                "value": params.get(name, ""),
                "choices": custom_fields.filter_choices(field),
            }
        )
    return filters


def _without(params, key, value):
    """Return the query string of params without one value of key, and without the page."""
    params = params.copy()
    values = selectors.tag_names(params) if key == "tag" else params.getlist(key)
    params.setlist(key, [v for v in values if v != value])
    params.pop("page", None)
    return "?" + params.urlencode()


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _form_page(request, kind, contact=None):
    """Show and handle the create or edit form of a person or a company."""
    data = files = adding_row = None
    if request.method == "POST":
        data, files = request.POST, request.FILES
        adding_row = data.get("add_row") if data.get("add_row") in DETAIL_PREFIXES else None
    initial = {}
    if contact is None and request.GET.get("company"):
        company = contacts_visible_to(request.user).filter(
            kind=Contact.Kind.COMPANY, pk=_int(request.GET["company"], 0)
        )
        if company:
            initial["company_input"] = company[0].display_name
    form = ContactForm(data, files, kind=kind, user=request.user, instance=contact, initial=initial)
    formsets = detail_formsets(data, contact)
    if adding_row:
        # Without script, "Add …" comes back with one more row, everything typed kept
        # and no error shown yet.
        rows = {p: typed_rows(fs, keep_blank=p == adding_row) for p, fs in formsets.items()}
        form = ContactForm(
            kind=kind, user=request.user, instance=contact, initial=typed_values(form)
        )
        formsets = detail_formsets(contact=contact, initial=rows)
        formsets[adding_row].extra = 1
    elif request.method == "POST":
        valid = form.is_valid()
        valid = all([fs.is_valid() for fs in formsets.values()]) and valid
        if valid:
            infos = [row for k in ("email", "phone", "web") for row in formsets[k].rows()]
            contact_data = form.contact_data(infos, formsets["address"].rows())
            creating = contact is None
            if creating:
                contact = services.contact_create(by=request.user, data=contact_data)
                message = _("“%(name)s” was created.") % {"name": contact}
            else:
                services.contact_update(by=request.user, contact=contact, data=contact_data)
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
        messages.error(request, _("Please correct the errors below."))
    context = {
        "form": form,
        "formsets": formsets,
        "kind": kind,
        "contact": contact,
        "detail_sections": [
            ("email", _("Emails"), _("Add an email"), formsets["email"]),
            ("phone", _("Phones"), _("Add a phone"), formsets["phone"]),
            ("web", _("Web sites and social networks"), _("Add a link"), formsets["web"]),
            ("address", _("Addresses"), _("Add an address"), formsets["address"]),
        ],
    }
    return render(request, "contacts/form.html", context)


def contact_create(request, kind):
    if kind not in Contact.Kind.values:
        raise Http404
    return _form_page(request, kind)


def contact_edit(request, pk):
    contact = get_contact_for_user(request.user, pk, "change")
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
    company_visible = (
        contact.company_id
        and contacts_visible_to(request.user).filter(pk=contact.company_id).exists()
    )
    context = {
        "contact": contact,
        "persons": persons,
        "company_visible": company_visible,
        "currency_label": contact.currency
        and f"{config.currency_name(contact.currency)} ({contact.currency})",
        "can_change": can_change(request.user, contact),
        "can_delete": can_delete(request.user, contact),
        "custom_groups": custom_fields.card_groups(contact),
    }
    return render(request, "contacts/detail.html", context)


def contact_delete(request, pk):
    contact = get_contact_for_user(request.user, pk, "delete")
    if request.method == "POST":
        name = str(contact)
        services.contact_delete(by=request.user, contact=contact)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
        return redirect("contacts:list")
    persons = 0
    if contact.kind == Contact.Kind.COMPANY:
        persons = contacts_visible_to(request.user).filter(company=contact).count()
    return render(request, "contacts/delete.html", {"contact": contact, "persons": persons})


@require_POST
def company_link_person(request, pk):
    company = get_contact_for_user(request.user, pk, "view")
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


def notification_list(request):
    notifications = (
        Notification.objects.filter(recipient=request.user)
        .select_related("actor", "contact")
        .order_by("-created_at", "-id")
    )
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    visible = set(
        contacts_visible_to(request.user)
        .filter(pk__in=[n.contact_id for n in page if n.contact_id])
        .values_list("pk", flat=True)
    )
    for n in page:
        n.contact_visible = n.contact_id in visible
    return render(request, "contacts/notifications.html", {"page": page})


@require_POST
def notification_read(request, pk=None):
    if pk is not None:
        get_object_or_404(Notification, pk=pk, recipient=request.user)
        services.notifications_mark_read(user=request.user, ids=[pk])
    else:
        count = services.notifications_mark_read(user=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("contacts:notifications")
    return redirect(target)


# Exports (SPEC L9)

MAX_SELECTED_IDS = 10_000


def _contacts_to_export(request):
    """Return the contacts of the list as the user sees it, in the list's order.

    The same search and filters as contact_list; ?ids=1,2,3 narrows to a selection,
    whose ids the user may not see are left out silently.
    """
    query = request.GET.get("q", "").strip()[:200]
    contacts = selectors.contact_search(contacts_visible_to(request.user), query)
    contacts, _filters = selectors.contact_filter(contacts, request.GET, user=request.user)
    if "ids" in request.GET:
        ids = [_int(i, None) for i in request.GET["ids"].split(",")[:MAX_SELECTED_IDS]]
        contacts = contacts.filter(pk__in=[i for i in ids if i is not None])
    return selectors.contact_sort(contacts, request.GET.get("sort", ""))[0]


def contact_export_csv(request):
    lines = exports.csv_lines(_contacts_to_export(request))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = exports.export_filename("csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def contact_export_vcard(request):
    cards = exports.vcard_lines(_contacts_to_export(request))
    response = StreamingHttpResponse(cards, content_type="text/vcard; charset=utf-8")
    filename = exports.export_filename("vcf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def contact_vcard(request, pk):
    contact = get_contact_for_user(request.user, pk)
    [contact] = exports.exported_contacts(Contact.objects.filter(pk=contact.pk))
    response = HttpResponse(exports.vcard(contact), content_type="text/vcard; charset=utf-8")
    filename = exports.vcard_filename(contact)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
