from functools import partial
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

from contacts import currencies as config
from contacts import selectors, tags
from contacts.access import count_visible_to
from contacts.custom_fields import values as custom_fields
from contacts.db import counts, freshness
from contacts.forms import int_param
from contacts.models import Contact, ContactType, CustomField

PAGE_SIZES = (25, 50, 100)
# The matches a search lists: more are said to be there, and a longer search narrows them.
SEARCH_LISTED = 1000
# The matches a search reads in order at once, when the database expects no more.
SORTED_MATCHES = 5000
# What walking an entry of a sort's index costs, against reading a match from the table:
# the newest-first index holds the search text, so its walk reads no row (a fifth of a
# match's cost measured, counted as a quarter); along the others each entry's row is read.
WALK_COST = {"created": 0.25}
# What the walk's own statements cost (the first matches read apart from the page, the
# page along the index), in matches read in order: measured at 100,000 contacts, 1–6 ms
# more than the read in order (more for an ordinary user, whose grants each statement
# probes), where a match read in order costs some 2 µs.
WALK_OVERHEAD = 2000
# What a match the trigram index lists costs, against a row read from the table and its
# words checked: the index lists every match into a bitmap before the first row is read
# (measured: a fifth to a third, 0.23 µs an entry against 0.7–1.1 µs a row; a third).
INDEX_ENTRY_COST = 0.33
# A page of the whole list this near one of its ends is read with the reader's grants
# probed row by row (contacts_visible_to): probing the few rows read before it costs
# less than hashing his grants, 40,000 for an ordinary user of a million contacts. Not
# when sorted through a join (type, company): every contact he sees is then read.
PROBED_ROWS = 250
JOINED_SORTS = {"type", selectors.COMPANY_SORT}
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
    "activity",
    "source",
    "consent",
    "review",
    "works_at",
    "works_when",
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
    ("-last_activity", gettext_lazy("Recently active first")),
    ("last_activity", gettext_lazy("Least recently active first")),
    ("company", gettext_lazy("Company, A to Z")),
    ("-company", gettext_lazy("Company, Z to A")),
    ("type", gettext_lazy("Type")),
    ("-type", gettext_lazy("Type, reversed")),
)


def contact_list(request):
    if not request.htmx and "" in (v for _key, values in request.GET.lists() for v in values):
        return redirect(_without_empty(request))
    contacts, filters = selectors.contacts_listed(request.user, request.GET)
    contacts, context = _list_context(request, contacts, filters)
    target = request.htmx.target if request.htmx else None
    if target == "filter-panel":
        return render(request, "contacts/_filters.html", {**context, **_filter_panel(request.GET)})
    counted = not context["query"] and not filters
    results = partial(_results, request, contacts, context, counted)
    # safe-html: the output of the escaping template _results renders, kept as it was.
    context["results"] = mark_safe(freshness.cached_list(request, results))  # noqa: S308
    if target == "results":
        return HttpResponse(context["results"])
    context.update(_page_links(request.GET))
    if filters or request.GET.get("filters") == "show":
        context.update(_filter_panel(request.GET))
    return render(request, "contacts/list.html", context)


def _list_context(request, contacts, filters):
    """Return the contacts in the order asked for, and what the page says of the list."""
    per_page = int_param(request.GET.get("per_page"), PAGE_SIZES[0])
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    contacts, sort = selectors.contact_sort(contacts, request.GET.get("sort", ""), request.user)
    return contacts, {
        "query": request.GET.get("q", "").strip()[:200],
        "filters": [(_without(request.GET, key, value), label) for key, value, label in filters],
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "sort": sort,
        "sort_choices": SORT_CHOICES,
        # The parameters that a GET form sets itself, left out of its hidden fields.
        "search_except": ["q", "page"],
        "per_page_except": ["per_page", "page"],
    }


def _results(request, contacts, context, counted):
    """Render the page of results: the rows, the count and the pagination.

    counted: the list is neither searched nor filtered, so its count is the one kept.
    """
    paginator = Paginator(contacts, context["per_page"])
    more_found = False
    if counted:
        paginator.count = count_visible_to(request.user)
    elif context["query"]:
        paginator, contacts, more_found = _search_pages(request, contacts, context)
    elif (found := _few_in_order(contacts)) is not None:
        paginator, contacts = Paginator(found, context["per_page"]), None
    page = paginator.get_page(request.GET.get("page"))
    if counted and _probes_grants(page, context["sort"]):
        contacts = _probed(request, context)
    if contacts is None:  # the matches, in order
        ids = list(page.object_list)
    else:
        # The page's ids first, read from the sort's index alone however deep the page.
        ids = _page_ids(contacts, page, exact=not more_found)
    # Then the rows of those ids with what they show and what the user may do.
    page.object_list = selectors.with_list_details(request.user, ids)
    _label_rows(page.object_list)
    # A plain context: the page's own render runs the context processors, once.
    fragment = Context({**context, "page": page, "request": request, "more_found": more_found})
    fragment["csrf_token"] = get_token(request)
    fragment.request = request  # what {% querystring %} reads
    return get_template("contacts/_results.html").template.render(fragment)


def _search_pages(request, contacts, context):
    """Return a search's paginator, the contacts its page is to be read from (None when
    the paginator holds their ids in order), and whether it found more than it lists.

    A search lists its first matches: a few letters can match a large share of the base,
    whose exact count costs a read of every match (the bulk actions still act on all).

    When few matches are expected (SORTED_MATCHES), one query reads them in order, unless
    the page costs less along the sort's index (_walk_pays). Otherwise they are read in no
    order, stopping past what the search lists: all there, a page is sorted among their
    ids; more, it is read along the sort's index, each entry's words checked there.
    """
    more = SEARCH_LISTED + 1
    expected, share = _expected(request, contacts, context)
    few = expected is not None and expected <= SORTED_MATCHES
    if few and not _walk_pays(request, context, expected, share):
        found = selectors.ids_of(contacts[:more])
        paginator = Paginator(found[:SEARCH_LISTED], context["per_page"])
        return paginator, None, len(found) == more
    found = _first_matches(request, contacts, context, expected, share)
    if len(found) < more:
        contacts = Contact.objects.filter(pk__in=found)
        contacts = selectors.contact_sort(contacts, context["sort"], request.user)[0]
    elif expected is not None:
        contacts = _probed(request, context, walked=True)
    paginator = Paginator(contacts, context["per_page"])
    paginator.count = min(len(found), SEARCH_LISTED)
    return paginator, contacts, len(found) == more


def _expected(request, contacts, context):
    """Return how many matches a search is expected to find, and the share of all the
    contacts holding its words (None and None on SQLite): the share of a sample of their
    search texts, of the reader's contacts, or the planner's guess when the list is also
    filtered."""
    share = selectors.search_share(context["query"])
    if share is None:
        return None, None
    if context["filters"]:
        return selectors.expected_count(contacts), share
    return round(share * count_visible_to(request.user)), share


def _first_matches(request, contacts, context, expected, share):
    """Return the ids of the search's first matches (one more than it lists), in no order.

    On PostgreSQL (expected is not None) the reader's grants are probed row by row, and
    the matches are found through the trigram index, whatever the planner guesses of the
    words, when it costs less than reading the table until they are found: the index
    lists every match (share of the live contacts, each at INDEX_ENTRY_COST), the table
    is read until as many as are looked for are found (live / expected rows for each).
    """
    first = SEARCH_LISTED + 1
    if expected is None:
        return selectors.ids_of(contacts.order_by()[:first])
    contacts = _probed(request, context).order_by()[:first]
    if expected * share * INDEX_ENTRY_COST <= first:
        return selectors.ids_looked_up(contacts)
    return selectors.ids_of(contacts)


def _walk_pays(request, context, expected, share):
    """Whether a search's page costs less read along the sort's index than by reading
    all its matches in order: the first pages of a word in one contact of a few dozen.

    Counted in matches read from the table: the read in order reads every match of the
    words, the reader's or not (share of the live contacts; expected when the list is
    also filtered). The walk reads the first matches in no order for the count (as many
    rows for each of the reader's), then every live contact's entry up to the page's last
    match (WALK_COST), and costs WALK_OVERHEAD for its own statements.
    """
    if expected <= SEARCH_LISTED:
        return False  # the walk comes after reading more than all of them
    live = counts.total("live")
    matches = expected if context["filters"] else max(share * live, expected)
    first = SEARCH_LISTED * matches / expected
    walked = int_param(request.GET.get("page"), 1) * context["per_page"] * live / expected
    cost = WALK_COST.get(context["sort"].removeprefix("-"), 1)
    return WALK_OVERHEAD + first + walked * cost <= matches


def _probes_grants(page, sort):
    """Whether a page of the whole list is read probing the reader's grants row by row:
    on PostgreSQL, within PROBED_ROWS of either end, in an order along an index."""
    before, after = page.start_index() - 1, page.paginator.count - page.end_index()
    near_an_end = min(before, after) <= PROBED_ROWS
    walked = sort.removeprefix("-") not in JOINED_SORTS
    return near_an_end and walked and connection.vendor == "postgresql"


def _probed(request, context, walked=False):
    """Return the list's contacts in order again, the reader's grants probed row by row
    (contacts_visible_to): for a read that stops after a few rows; walked as
    contact_search's."""
    contacts = selectors.contacts_listed(request.user, request.GET, probe=True, walked=walked)[0]
    return selectors.contact_sort(contacts, context["sort"], request.user)[0]


def _few_in_order(contacts):
    """Return the ids of a filtered list's contacts in order, when the database expects
    at most SORTED_MATCHES of them (and finds no more); otherwise None.

    Their count and their page would each read every match: a tag, a type and a
    responsible user are tens of thousands of contacts each at a million, and one
    query finds the few they share, in order, for the count and every page.
    """
    expected = selectors.expected_count(contacts)
    if expected is None or expected > SORTED_MATCHES:
        return None
    found = selectors.ids_read_alone(contacts[: SORTED_MATCHES + 1])
    return found if len(found) <= SORTED_MATCHES else None


def _label_rows(contacts):
    """Give each row its address and its labels' wording, worded once per page."""
    select, menu = gettext("Select %(contact)s"), gettext("Actions for %(contact)s")
    # One reverse() per page: the addresses differ by the id alone.
    before, _, after = reverse("contacts:detail", args=[0]).rpartition("/0/")
    for contact in contacts:
        contact.url = f"{before}/{contact.pk}/{after}"
        contact.select_label = select % {"contact": contact}
        contact.menu_label = menu % {"contact": contact}


def _page_links(params):
    """Return the links of the full page: clear the filters, show them, sort."""
    keep = {key: params[key] for key in ("q", "sort", "per_page") if params.get(key)}
    shown = params.copy()
    shown["filters"] = "show"
    return {
        "clear_url": "?" + urlencode(keep),
        "sort_except": ["sort", "page"],
        "show_filters_url": "?" + shown.urlencode(),
    }


def _without_empty(request):
    """Return the list's address without its empty parameters ("?kind=person&type=")."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        params.setlist(key, [v for v in values if v])
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


def _page_ids(contacts, page, *, exact=True):
    """Return the ids of the page's contacts, in order.

    Past the middle, the index is read from the other end: the last page costs what the
    first does. Not when the count is not exact (a search listing its first matches).
    """
    count, size = page.paginator.count, page.paginator.per_page
    start = (page.number - 1) * size
    length = min(size, count - start)
    if start <= count // 2 or not exact:
        return list(contacts.values_list("pk", flat=True)[start : start + length])
    from_end = count - start - length
    backwards = contacts.reverse().values_list("pk", flat=True)[from_end : from_end + length]
    return list(reversed(list(backwards)))


def _filter_panel(params):
    """Return what the filter panel shows: its choices and the values chosen."""
    custom = _custom_filters(params)
    return {
        "custom_filters": custom,
        "filter_form": _filter_form(params),
        "filter_params": [
            *FILTER_PARAMS,
            *(name for f in custom for name in f["names"]),
            "page",
            "filters",
        ],
    }


def _filter_form(params):
    """Return the choices and current values of the list's filter form."""
    return {
        "values": {key: params.get(key, "") for key in FILTER_PARAMS if key != "tag"},
        "tags": ", ".join(selectors.tag_names(params)),
        # The suggestions the bulk tag box offers, in the same order.
        "tag_options": tags.tags_by_name()[:500],
        "types": [(t.pk, t.title) for t in ContactType.objects.all()],
        "users": [
            (user.pk, user.get_full_name() or user.username)
            for user in get_user_model()
            .objects.filter(is_active=True)
            .order_by("first_name", "last_name", "username")
        ],
        "currencies": config.currency_choices(),
        "sources": Contact.Source.choices,
        "consents": Contact.Consent.choices,
        "created_periods": selectors.CREATED_PERIODS.items(),
        "activity_periods": [
            (key, label) for key, (*_, label) in selectors.ACTIVITY_PERIODS.items()
        ],
    }


def _custom_filters(params):
    """Return the list filters on select boxes and checkboxes, with their current values."""
    filters = []
    for field in custom_fields.filterable_fields():
        name = f"{custom_fields.FILTER_PREFIX}{field.pk}"
        if field.field_type == CustomField.Type.NUMBER:
            bounds = [f"{name}_{bound}" for bound in custom_fields.RANGE_BOUNDS]
            filters.append(
                {
                    "name": name,
                    "names": bounds,
                    "label": field.label,
                    "range": [(bound, params.get(bound, "")) for bound in bounds],
                }
            )
            continue
        filters.append(
            {
                "name": name,
                "names": [name],
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
