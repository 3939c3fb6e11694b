"""Possible duplicates and merging two contacts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from contacts import selectors
from contacts.access import (
    Perm,
    contacts_visible_to,
    get_contact_for_user,
    with_company_visibility,
)
from contacts.forms import int_param
from contacts.merging import duplicates, merge

GROUPS_PER_PAGE = 25


def duplicate_list(request):
    number = max(int_param(request.GET.get("page"), 1), 1)
    offset = (number - 1) * GROUPS_PER_PAGE
    groups, more = duplicates.groups(request.user, offset=offset, limit=GROUPS_PER_PAGE)
    _label_members(groups)
    context = {"groups": groups, "number": number, "more": more}
    return render(request, "contacts/duplicates.html", context)


def _label_members(groups):
    """Give each contact its address and when it was created, worded once per page: the
    template would look each up again for every contact."""
    created = _("created %(when)s")
    before, _slash, after = reverse("contacts:detail", args=[0]).rpartition("/0/")
    for group in groups:
        for contact in group.contacts:
            contact.url = f"{before}/{contact.pk}/{after}"
            when = date_format(localtime(contact.created_at), "SHORT_DATE_FORMAT")
            contact.created_text = created % {"when": when}


def contact_merge(request):
    """Pick the contact to merge with, choose the values that win, merge."""
    params = request.POST if request.method == "POST" else request.GET
    keep = get_contact_for_user(request.user, int_param(params.get("keep"), 0), Perm.CHANGE)
    other_id = int_param(params.get("other"), 0)
    if not other_id:
        return _pick_other(request, keep)
    other = get_contact_for_user(request.user, other_id, Perm.DELETE)
    if other.kind != keep.kind or other.pk == keep.pk:
        messages.error(
            request, _("Only two different persons, or two different companies, can be merged.")
        )
        return redirect(keep)
    if request.method != "POST":
        return _choices_page(request, keep, other)
    return _merge(request, keep, other)


def _merge(request, keep, other):
    """Merge other into keep, with other's value for each field posted as f-<field>=other."""
    chosen = request.POST.items()
    take = [
        key.removeprefix("f-") for key, value in chosen if key.startswith("f-") and value == "other"
    ]
    try:
        merge.contacts_merge(by=request.user, keep=keep, other=other, take=take)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(keep)
    messages.success(
        request,
        _(
            "“%(other)s” was merged into “%(keep)s” and moved to the trash, "
            "from where it can be restored."
        )
        % {"other": other, "keep": keep},
    )
    return redirect(keep)


def _choices_page(request, keep, other):
    """Show the values that differ, each with a choice of the one that wins."""
    for contact in (keep, other):
        contact.primary_email = contact.infos.filter(kind="email").order_by("-is_primary").first()
    context = {
        "keep": keep,
        "other": other,
        "pair": (keep, other),
        "rows": merge.choices(keep, other),
        "combined": {
            "infos": other.infos.count(),
            "tags": other.tags.count(),
            "persons": contacts_visible_to(request.user).filter(company=other).count(),
        },
        "hidden_persons": merge.persons_hidden_from(request.user, other),
    }
    return render(request, "contacts/merge.html", context)


def _pick_other(request, keep):
    query = request.GET.get("q", "").strip()[:200]
    candidates = []
    if query:
        found = selectors.contact_search(
            contacts_visible_to(request.user, perm=Perm.DELETE).filter(kind=keep.kind), query
        )
        found = with_company_visibility(request.user, found.select_related("company"))
        candidates = list(found.exclude(pk=keep.pk).order_by("sort_name", "pk")[:20])
    return render(
        request,
        "contacts/merge_pick.html",
        {"keep": keep, "query": query, "candidates": candidates},
    )
