"""Reads of many contacts. Callers pass a queryset from access.contacts_visible_to."""

import datetime
import json
import operator
import re
from collections.abc import Sequence
from functools import reduce
from typing import Any, NamedTuple, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Lower
from django.db.models.lookups import Contains, IsNull
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from taggit.models import Tag

from contacts import links, text
from contacts.access import (
    PUBLIC,
    AnyUser,
    contacts_visible_to,
    is_crm_admin,
    rights_sql,
    with_company_visibility,
)
from contacts.custom_fields import values as custom_fields
from contacts.db import search_index, search_sample
from contacts.imports.models import ImportJob, ImportUpdate
from contacts.models import (
    Contact,
    ContactInfo,
    ContactType,
    CustomField,
    Position,
    TaggedContact,
)
from contacts.personal_data import retention

SUGGESTIONS = 10
# The length of the PostgreSQL trigram index's keys.
TRIGRAM = 3
# An active filter of the list: (parameter, value, label), which the page offers to remove.
ActiveFilter = tuple[str, str, str]
DEFAULT_SORT = "-created"
# By the primary company's name as the reader may see it: not in SORTS, whose orders are
# the same for every reader.
COMPANY_SORT = "company"
# Each key's ascending order; "-key" reverses every term. "id" last keeps ties stable.
# Companies have no first or last name: under those sorts they come together (first
# when ascending, last when descending), in the order of their name (sort_name).
SORTS = {
    "name": (F("sort_name"), F("id")),
    "first_name": (Lower("first_name"), F("sort_name"), F("id")),
    "last_name": (Lower("last_name"), F("sort_name"), F("id")),
    "type": (
        F("contact_type__position"),
        F("contact_type__title"),
        F("sort_name"),
        F("id"),
    ),
    "created": (F("created_at"), F("id")),
    "changed": (F("updated_at"), F("id")),
    # Contacts without activity after the others both ways: contact_sort never reverses
    # the IsNull (the indexes contact_last_activity and contact_last_activity_desc).
    "last_activity": (IsNull(F("last_activity_at"), True), F("last_activity_at"), F("id")),
}


def contacts_listed(
    user: AnyUser, params: QueryDict, *, probe: bool = False, walked: bool = False
) -> tuple[QuerySet[Contact], list[ActiveFilter]]:
    """Return the contacts that the list shows for params (search and filters) and the
    active filters; the search is params["q"], the filters as in contact_filter; probe
    as contacts_visible_to's, walked as contact_search's."""
    query = params.get("q", "").strip()[:200]
    contacts = contact_search(contacts_visible_to(user, probe=probe), query, walked=walked)
    return contact_filter(contacts, params, user=user)


def search_terms(query: str) -> list[str]:
    """Return what a search looks for in the search text: its words, or a phone's digits."""
    query = query.replace("\x00", "")
    if not query:
        return []
    if text.is_phone_query(query):
        return [text.digits(query)]
    return text.search_words(query)[:8]


def contact_search(
    contacts: QuerySet[Contact], query: str, *, walked: bool = False
) -> QuerySet[Contact]:
    """Narrow contacts to those whose name, company, email or phone match query.

    walked: for a page read along the sort's index, each entry's words are checked
    there: PostgreSQL's planner, guessing few matches for a common word, would
    otherwise look them all up in the trigram index and sort them.
    """
    words = search_terms(query)
    if not words:
        return contacts
    postgresql = connections[contacts.db].vendor == "postgresql"
    for word in words:
        if postgresql and (walked or len(word) < TRIGRAM):
            # A word shorter than a trigram has none to look up: PostgreSQL would read the
            # whole trigram index for it. Searched on an expression of the column, the
            # word is checked on the rows the other words or the list's order find.
            contacts = contacts.filter(
                Contains(Concat("search_text", Value(""), output_field=TextField()), word)
            )
        else:
            contacts = contacts.filter(search_text__contains=word)
    # The LIKEs decide; on SQLite the index first narrows the rows they read.
    return search_index.narrow(contacts, words)


def contact_filter(
    contacts: QuerySet[Contact], params: QueryDict, user: AnyUser | None = None
) -> tuple[QuerySet[Contact], list[ActiveFilter]]:
    """Narrow contacts by the list filters in params; return them and the active filters.

    Each active filter is (parameter, value, label) so the page can offer to remove it.
    Filters only narrow contacts: pass a queryset from contacts_visible_to. user is who
    "responsible=me" means; without it that filter is left out.
    """
    active: list[ActiveFilter] = []
    kind = params.get("kind", "")
    if kind in Contact.Kind.values:
        contacts = contacts.filter(kind=kind)
        labels: dict[str, str] = {
            Contact.Kind.PERSON: _("Persons"),
            Contact.Kind.COMPANY: _("Companies"),
        }
        active.append(("kind", kind, labels[kind]))
    type_id = params.get("type", "")
    if type_id == "none":
        contacts = contacts.filter(contact_type__isnull=True)
        active.append(("type", type_id, _("Type: not specified")))
    elif _is_id(type_id):
        contact_type = ContactType.objects.filter(pk=int(type_id)).first()
        contacts = contacts.filter(contact_type_id=int(type_id))
        title = contact_type.title if contact_type else "?"
        active.append(("type", type_id, _("Type: %(title)s") % {"title": title}))
    contacts = _tag_filter(contacts, params, active)
    contacts = _responsible_filter(contacts, params, user, active)
    access = params.get("access", "")
    if access == "public":
        contacts = contacts.filter(access__in=PUBLIC)
        active.append(("access", access, _("Access: public")))
    elif access == "restricted":
        contacts = contacts.filter(access=Contact.Access.PRIVATE)
        active.append(("access", access, _("Access: restricted")))
    currency = params.get("currency", "").strip().upper()
    if len(currency) == 3 and currency.isascii() and currency.isalpha():
        contacts = contacts.filter(currency=currency)
        active.append(
            ("currency", params.get("currency", ""), _("Currency: %(code)s") % {"code": currency})
        )
    contacts = _created_filter(contacts, params, active)
    contacts = _activity_filter(contacts, params, active)
    source = params.get("source", "")
    if source in Contact.Source.values:
        contacts = contacts.filter(source=source)
        label = Contact.Source(source).label
        active.append(("source", source, _("Source: %(source)s") % {"source": label}))
    consent = params.get("consent", "")
    if consent in Contact.Consent.values:
        contacts = contacts.filter(consent=consent)
        label = Contact.Consent(consent).label
        active.append(("consent", consent, _("Consent: %(status)s") % {"status": label}))
    if params.get("review") == "1":
        cutoff = retention.review_cutoff()
        # While the review is off, nobody is due for it.
        contacts = retention.to_review(contacts, cutoff) if cutoff else contacts.none()
        active.append(("review", "1", _("Due for the retention review")))
    contacts = _custom_field_filter(contacts, params, active)
    contacts = _import_filter(contacts, params, user, active)
    contacts = _works_at_filter(contacts, params, user, active)
    return contacts, active


def _works_at_filter(
    contacts: QuerySet[Contact],
    params: QueryDict,
    user: AnyUser | None,
    active: list[ActiveFilter],
) -> QuerySet[Contact]:
    """Narrow contacts to the persons working at a company now (?works_at=<id>), or at any
    time (&works_when=any). A company user may not see gives no one: the filter must not
    tell who works at it."""
    value = params.get("works_at", "")
    if not _is_id(value):
        return contacts
    company = None
    if user is not None:
        visible = contacts_visible_to(user).filter(kind=Contact.Kind.COMPANY)
        company = visible.filter(pk=int(value)).first()
    if company is None:
        active.append(("works_at", value, _("Works at: a company you cannot see")))
        return contacts.none()
    positions = Position.objects.filter(company=company, person=OuterRef("pk"))
    if params.get("works_when") == "any":
        label = _("Worked at %(company)s at some time") % {"company": company}
    else:
        positions = positions.filter(end_date__isnull=True)
        label = _("Works at %(company)s") % {"company": company}
    active.append(("works_at", value, label))
    return contacts.filter(Exists(positions))


def _import_filter(
    contacts: QuerySet[Contact],
    params: QueryDict,
    user: AnyUser | None,
    active: list[ActiveFilter],
) -> QuerySet[Contact]:
    """Narrow contacts to those an import created or updated: ?import=<job id>."""
    value = params.get("import", "")
    if not _is_id(value):
        return contacts
    job = ImportJob.objects.filter(pk=value).first()
    updated = ImportUpdate.objects.filter(job_id=int(value), contact=OuterRef("pk"))
    contacts = contacts.filter(Q(import_job_id=int(value)) | Exists(updated))
    # The file's name is the importer's (and the admins') to see; others see a number.
    if job and user is not None and (job.created_by_id == user.pk or is_crm_admin(user)):
        label = _("Import: %(name)s") % {"name": job.file_name}
    else:
        label = _("Import #%(id)s") % {"id": value}
    active.append(("import", value, label))
    return contacts


def _is_id(value: str) -> bool:
    """Return whether value is a row id: ASCII digits a database integer holds."""
    return value.isascii() and value.isdigit() and len(value) < 18


def tag_names(params: QueryDict) -> list[str]:
    """Return the tag names of ?tag=, given repeated or separated by commas."""
    names: list[str] = []
    for value in params.getlist("tag")[:10]:
        for name in value.replace("\x00", "").split(","):
            name = name.strip()[:100]
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
    return names[:10]


def _tag_filter(
    contacts: QuerySet[Contact], params: QueryDict, active: list[ActiveFilter]
) -> QuerySet[Contact]:
    """Narrow contacts to those with all the tags, or any of them with ?tag_mode=any."""
    names = tag_names(params)
    if not names:
        return contacts
    any_of = params.get("tag_mode") == "any"
    if any_of:
        tags = Tag.objects.filter(reduce(operator.or_, (Q(name__iexact=n) for n in names)))
        contacts = contacts.filter(pk__in=_tagged(tags))
        active.append(("tag_mode", "any", _("Any of the tags")))
    for name in names:
        if not any_of:
            contacts = contacts.filter(pk__in=_tagged(Tag.objects.filter(name__iexact=name)))
        active.append(("tag", name, _("Tag: %(name)s") % {"name": name}))
    return contacts


def _tagged(tags: QuerySet[Tag]) -> QuerySet[TaggedContact, Any]:
    # An IN over the tag's rows, not a correlated EXISTS: the database may start from the
    # tag's few contacts instead of probing every contact of the other filters. The tags'
    # ids are read first: named in the query, a tag's contacts are known to come once
    # each (a contact holds a tag once), so PostgreSQL may merge them with another
    # filter's in the order of their indexes, rather than hashing both.
    ids = list(tags.values_list("pk", flat=True))
    return TaggedContact.objects.filter(tag_id__in=ids).values("content_object_id")


def _responsible_filter(
    contacts: QuerySet[Contact],
    params: QueryDict,
    user: AnyUser | None,
    active: list[ActiveFilter],
) -> QuerySet[Contact]:
    """Narrow contacts by ?responsible=me|none|<user id>."""
    value = params.get("responsible", "")
    through = Contact.responsible.through.objects
    if value == "none":
        contacts = contacts.filter(~Exists(through.filter(contact=OuterRef("pk"))))
        active.append(("responsible", value, _("Responsible: nobody")))
    elif value == "me" and user is not None and user.is_authenticated:
        contacts = contacts.filter(pk__in=through.filter(user=user).values("contact_id"))
        active.append(("responsible", value, _("Responsible: me")))
    elif _is_id(value):
        person = get_user_model().objects.filter(pk=value).first()
        name = (person.get_full_name() or person.username) if person else "?"
        contacts = contacts.filter(pk__in=through.filter(user_id=int(value)).values("contact_id"))
        active.append(("responsible", value, _("Responsible: %(name)s") % {"name": name}))
    return contacts


CREATED_PERIODS = {
    "today": gettext_lazy("Created today"),
    "yesterday": gettext_lazy("Created yesterday"),
    "this_month": gettext_lazy("Created this month"),
    "last_month": gettext_lazy("Created last month"),
}


def _created_filter(
    contacts: QuerySet[Contact], params: QueryDict, active: list[ActiveFilter]
) -> QuerySet[Contact]:
    """Narrow contacts by ?created=<period> and ?created_from= / ?created_to= dates.

    Days begin at midnight in the current time zone, the one the user sees.
    """
    period = params.get("created", "")
    if period in CREATED_PERIODS:
        today = timezone.localdate()
        if period == "today":
            start, end = today, today + datetime.timedelta(days=1)
        elif period == "yesterday":
            start, end = today - datetime.timedelta(days=1), today
        elif period == "this_month":
            start = today.replace(day=1)
            end = (start + datetime.timedelta(days=32)).replace(day=1)
        else:
            end = today.replace(day=1)
            start = (end - datetime.timedelta(days=1)).replace(day=1)
        contacts = contacts.filter(created_at__gte=_midnight(start), created_at__lt=_midnight(end))
        active.append(("created", period, str(CREATED_PERIODS[period])))
    since = _date(params.get("created_from", ""))
    if since:
        contacts = contacts.filter(created_at__gte=_midnight(since))
        label = _("Created from %(date)s") % {"date": date_format(since)}
        active.append(("created_from", params.get("created_from", ""), label))
    until = _date(params.get("created_to", ""))
    if until:
        contacts = contacts.filter(created_at__lt=_midnight(until + datetime.timedelta(days=1)))
        label = _("Created until %(date)s") % {"date": date_format(until)}
        active.append(("created_to", params.get("created_to", ""), label))
    return contacts


# ?activity=: (days, whether the activity is older than them), with the panel's wording.
ACTIVITY_PERIODS = {
    "none_30": (30, True, gettext_lazy("No activity for 30 days")),
    "none_90": (90, True, gettext_lazy("No activity for 90 days")),
    "none_180": (180, True, gettext_lazy("No activity for 180 days")),
    "last_7": (7, False, gettext_lazy("Activity in the last 7 days")),
}


def _activity_filter(
    contacts: QuerySet[Contact], params: QueryDict, active: list[ActiveFilter]
) -> QuerySet[Contact]:
    """Narrow contacts by ?activity=none_<days>|last_7, a contact never active counting as
    without activity.

    Whole days in the current time zone, as the list's cache keeps a page for the day:
    "30 days" starts at midnight 30 days before today.
    """
    value = params.get("activity", "")
    if value not in ACTIVITY_PERIODS:
        return contacts
    days, idle, label = ACTIVITY_PERIODS[value]
    since = _midnight(timezone.localdate() - datetime.timedelta(days=days))
    if idle:
        contacts = contacts.filter(Q(last_activity_at__lt=since) | Q(last_activity_at__isnull=True))
    else:
        contacts = contacts.filter(last_activity_at__gte=since)
    active.append(("activity", value, str(label)))
    return contacts


def _date(value: str) -> datetime.date | None:
    """Return the date of a YYYY-MM-DD value, or None when it is not a usable date."""
    try:
        day = datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    # Far years would overflow once shifted to UTC, and no contact was made then.
    return day if 1900 <= day.year <= 9000 else None


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


CUSTOM_FILTER_KEY = re.compile(
    rf"{custom_fields.FILTER_PREFIX}(\d{{1,17}})(?:_({'|'.join(custom_fields.RANGE_BOUNDS)}))?"
)


def _custom_field_filter(
    contacts: QuerySet[Contact], params: QueryDict, active: list[ActiveFilter]
) -> QuerySet[Contact]:
    """Narrow contacts by ?cf_<id>=<option> (select box), ?cf_<id>=1|0 (checkbox), or
    ?cf_<id>_min=<number> and ?cf_<id>_max=<number> (number)."""
    wanted: dict[int, list[tuple[str, str | None, str]]] = {}
    for key in params:
        match = CUSTOM_FILTER_KEY.fullmatch(key)
        value = params.get(key, "").replace("\x00", "").strip()[:200]
        if match and value:
            wanted.setdefault(int(match[1]), []).append((key, match[2], value))
        if len(wanted) == 20:
            break
    if not wanted:
        return contacts
    fields = CustomField.objects.filter(pk__in=wanted, field_type__in=custom_fields.FILTERABLE)
    for field in fields:
        for key, bound, value in wanted[field.pk]:
            if bound:
                found = custom_fields.range_filter(field, bound, value)
            else:
                found = custom_fields.value_filter(field, value)
            if found:
                condition, label = found
                contacts = contacts.filter(condition)
                active.append((key, value, label))
    return contacts


def contact_sort(
    contacts: QuerySet[Contact], sort: str, user: AnyUser | None = None
) -> tuple[QuerySet[Contact], str]:
    """Order contacts by sort ("name", "-created", ...); return them and the sort applied.

    An unknown sort falls back to the default, newest first; so does "company" without
    the user whose list it is.
    """
    key = sort.removeprefix("-")
    by_company = key == COMPANY_SORT and isinstance(user, User)
    if key not in SORTS and not by_company:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.removeprefix("-")
    descending = sort.startswith("-")
    if by_company:
        return _by_company(cast(User, user), contacts, descending), sort
    terms = []
    for term in SORTS[key]:
        # F.name is missing from django-stubs.
        name = term.name if isinstance(term, F) else ""  # type: ignore[attr-defined]
        if isinstance(term, IsNull):
            terms.append(term.asc())
        elif name.startswith("contact_type__"):
            # "Not specified" after the types when ascending, the exact reverse otherwise.
            terms.append(term.desc(nulls_first=True) if descending else term.asc(nulls_last=True))
        else:
            terms.append(term.desc() if descending else term.asc())
    return contacts.order_by(*terms), sort


def _by_company(user: User, contacts: QuerySet[Contact], descending: bool) -> QuerySet[Contact]:
    """Order persons by the name of their primary company as user may see it, then by name.

    A company user may not see counts as none: ordering by its name would tell where it
    comes in the alphabet. The persons without a company user sees, and the companies,
    come after the others (before them when descending), by name. No index holds an
    order that depends on the reader: the matching contacts are sorted at each request.
    """
    shown = Q(company_visible=True, company__deleted_at__isnull=True)
    contacts = with_company_visibility(user, contacts).annotate(
        company_key=Case(When(shown, then=F("company__sort_name")), output_field=CharField())
    )
    key = F("company_key")
    first = key.desc(nulls_first=True) if descending else key.asc(nulls_last=True)
    rest = [F("sort_name"), F("id")]
    return contacts.order_by(first, *(t.desc() if descending else t.asc() for t in rest))


# What a list row shows: not the search text, description or user fields (JSON to decode).
LIST_ROW_FIELDS = (
    "id",
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "display_name",
    "photo_thumb",
    "access",
    "source",
    "version",
    "company_id",
    "last_activity_at",
)
LIST_ROW_RIGHTS = ("may_change", "may_delete", "company_visible")
# The rows of a page's ids: the contact's columns, its live company's name and its type's
# title, then its rights ({rights}, from access.rights_sql, which names the table as is).
ROWS_OF = (
    "SELECT {columns}, CASE WHEN co.deleted_at IS NULL THEN co.display_name END, ct.title"
    "{rights} FROM contacts_contact"
    " LEFT OUTER JOIN contacts_contact co ON co.id = contacts_contact.company_id"
    " LEFT OUTER JOIN contacts_contacttype ct ON ct.id = contacts_contact.contact_type_id"
    " WHERE contacts_contact.id IN ({ids})"
)


class ListInfo(NamedTuple):
    """A primary e-mail or phone as a list row shows it."""

    kind: str
    category: str
    value: str
    normalized: str

    @property
    def href(self) -> str:
        return links.info_href(self)

    def __str__(self) -> str:
        return self.value


class ListRow:
    """A contact as a list row shows it: plain values read with values_list, no model.

    Holds what with_list_details reads and adds; reads as a contact where the row does.
    """

    def __init__(self, values: dict[str, Any]) -> None:
        vars(self).update(values)

    def __str__(self) -> str:
        return str(self.display_name)

    def __getattr__(self, name: str) -> Any:
        # The values are set in __init__; mypy learns of them here.
        raise AttributeError(name)

    is_public = Contact.is_public
    initials = Contact.initials
    is_person = Contact.is_person
    Kind, Access = Contact.Kind, Contact.Access


def _ids_sql(contacts: QuerySet[Contact]) -> tuple[str, tuple[Any, ...]] | None:
    """Return the SQL and parameters that read the ids of contacts, None when the
    queryset can match nothing (and so has no SQL)."""
    try:
        return contacts.values_list("pk").query.get_compiler(contacts.db).as_sql()
    except EmptyResultSet:
        return None


def ids_of(contacts: QuerySet[Contact]) -> list[int]:
    """Return the ids of contacts, in their order, as values_list("pk", flat=True) would,
    without converting its rows one by one: a search's first matches are a thousand."""
    compiled = _ids_sql(contacts)
    if compiled is None:
        return []
    with connections[contacts.db].cursor() as cursor:
        cursor.execute(*compiled)
        return [pk for (pk,) in cursor.fetchall()]


def ids_looked_up(contacts: QuerySet[Contact]) -> list[int]:
    """Return ids_of(contacts) for a read that stops early (a search's first matches),
    found through the indexes on PostgreSQL whatever its planner expects of the words.

    The planner judges a LIKE by the hundred values of the search text's histogram. When
    they hold a word more often than the table does, it expects a match every few rows
    and reads the table from its start until it has enough: an admin's "dup" at 100,000
    contacts (3,528 matches, 7,092 expected after one ANALYZE) read 28,000 rows, 22 ms,
    where the trigram index finds the first thousand in 2.
    """
    return _ids_read_with(contacts, "enable_seqscan", "off")


def ids_read_alone(contacts: QuerySet[Contact]) -> list[int]:
    """Return ids_of(contacts) for a read of a few thousand rows at most, without
    PostgreSQL's parallel workers.

    Starting a worker costs more than it saves on so few rows: an admin's filtered list
    at a million contacts (418 of a tag's and a responsible user's contacts merged) read
    faster alone, by a third, than with the worker the planner gave it.
    """
    return _ids_read_with(contacts, "max_parallel_workers_per_gather", "0")


def _ids_read_with(contacts: QuerySet[Contact], name: str, value: str) -> list[int]:
    """Return ids_of(contacts), read on PostgreSQL with one setting of its planner
    changed for this read alone (name and value are constants of this module)."""
    using = connections[contacts.db]
    if using.vendor != "postgresql":
        return ids_of(contacts)
    within = using.in_atomic_block
    with transaction.atomic(using=contacts.db), using.cursor() as cursor:
        # safe-sql: a setting's name and value written in this module, never a user's.
        cursor.execute(f"SET LOCAL {name} = {value}")
        found = ids_of(contacts)
        if within:  # the caller's transaction goes on: the setting would outlast the read
            cursor.execute(f"RESET {name}")
    return found


def expected_count(contacts: QuerySet[Contact]) -> int | None:
    """Return how many contacts PostgreSQL's planner expects a query to find, read from
    its plan without running it: None on another database, or when there is no query."""
    if connections[contacts.db].vendor != "postgresql":
        return None
    compiled = _ids_sql(contacts)
    if compiled is None:
        return None
    sql, params = compiled
    with connections[contacts.db].cursor() as cursor:
        # safe-sql: the SQL the ORM compiled; its values go as parameters.
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def search_share(query: str) -> float | None:
    """Return the share of the contacts that a search for query is expected to match,
    from a sample of their search texts (search_sample.py): on PostgreSQL, whose planner
    misjudges a common word; None on SQLite, where nothing asks."""
    if connection.vendor != "postgresql":
        return None
    return search_sample.share_matching(search_terms(query))


def with_list_details(user: AnyUser, ids: Sequence[int]) -> list[ListRow]:
    """Return the rows of the contacts of ids, in that order, with what a list row shows.

    Each row holds LIST_ROW_FIELDS (the id as pk), what user may do with it
    (LIST_ROW_RIGHTS), primary_email, primary_phone, tag_names, responsible_names, and
    the names of its live company and of its type (company_shown_name only when
    company_visible allows it). Plain values, not model instances (a page of 100 rows
    would make some 400), read by two constant statements rather than the ORM, whose
    building of the queries cost more than running them.
    """
    rights = rights_sql(user, LIST_ROW_RIGHTS)
    columns = ", ".join(f"contacts_contact.{name}" for name in LIST_ROW_FIELDS)
    # safe-sql: ROWS_OF and rights_sql are constants with placeholders; names are ours.
    sql = ROWS_OF.format(
        columns=columns,
        rights="".join(f", {right}" for right, _params in rights.values()),
        ids="{ids}",
    )
    params = [p for _sql, right_params in rights.values() for p in right_params]
    names = ("pk", *LIST_ROW_FIELDS[1:], "company_live_name", "contact_type_title", *rights)
    values = _of_contacts(sql, list(ids), params) if ids else []
    rows = [ListRow(dict(zip(names, row, strict=True))) for row in values]
    found = [row.pk for row in rows]  # the ids still there
    tags: dict[int, list[str]] = {}
    responsible: dict[int, list[str]] = {}
    primary: dict[tuple[int, str], ListInfo] = {}
    if found:
        kinds = [ContactInfo.Kind.EMAIL, ContactInfo.Kind.PHONE]
        marks = ", ".join(["%s"] * len(found))
        with connection.cursor() as cursor:
            # safe-sql: the statement is a constant below; the ids go in as parameters.
            cursor.execute(DETAILS_OF.format(ids=marks), [*found, *found, True, *kinds, *found])
            details = cursor.fetchall()
        for detail, pk, *values in details:
            if detail == TAG:
                tags.setdefault(pk, []).append(values[0])
            elif detail == RESPONSIBLE:
                first, last, username, _ = values
                responsible.setdefault(pk, []).append(f"{first} {last}".strip() or username)
            else:
                primary[(pk, values[0])] = ListInfo(*values)
    for row in rows:
        vars(row).update(
            tag_names=sorted(tags.get(row.pk, ()), key=str.lower),
            responsible_names=sorted(responsible.get(row.pk, ())),
            primary_email=primary.get((row.pk, ContactInfo.Kind.EMAIL)),
            primary_phone=primary.get((row.pk, ContactInfo.Kind.PHONE)),
            company_shown_name=row.company_live_name if row.company_visible else None,
            last_activity_at=_aware(row.last_activity_at),
        )
    position = {pk: n for n, pk in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.pk])


# A page's tags, responsible users and primary e-mails and phones, in one statement: a
# round trip each cost more than reading them. The first column says which a row is;
# "{ids}" stands for the placeholders of the page's ids.
TAG, RESPONSIBLE, PRIMARY_INFO = 0, 1, 2
DETAILS_OF = (
    "SELECT 0, t.content_object_id, g.name, NULL, NULL, NULL"
    " FROM contacts_taggedcontact t INNER JOIN taggit_tag g ON g.id = t.tag_id"
    " WHERE t.content_object_id IN ({ids})"
    " UNION ALL SELECT 1, r.contact_id, u.first_name, u.last_name, u.username, NULL"
    " FROM contacts_contact_responsible r INNER JOIN auth_user u ON u.id = r.user_id"
    " WHERE r.contact_id IN ({ids})"
    " UNION ALL SELECT 2, contact_id, kind, category, value, normalized"
    " FROM contacts_contactinfo WHERE is_primary = %s AND kind IN (%s, %s)"
    " AND contact_id IN ({ids})"
)


def tags_and_responsible_of(contact: Contact) -> tuple[list[str], list[int]]:
    """Return the names of contact's tags, as linked, and the ids of its responsible users."""
    with connection.cursor() as cursor:
        cursor.execute(TAGS_AND_RESPONSIBLE_OF, [contact.pk, contact.pk])
        rows = cursor.fetchall()
    return [name for user, name in rows if user is None], [user for user, _name in rows if user]


# A contact's tags (no user), in the order they were linked, and its responsible users.
TAGS_AND_RESPONSIBLE_OF = (
    "SELECT user_id, name FROM (SELECT NULL AS user_id, g.name, t.id AS n"
    " FROM contacts_taggedcontact t"
    " INNER JOIN taggit_tag g ON g.id = t.tag_id WHERE t.content_object_id = %s"
    " UNION ALL SELECT user_id, NULL, 0 FROM contacts_contact_responsible WHERE contact_id = %s)"
    " AS names ORDER BY n"
)
# A card's tags and responsible users, in one statement: 0 rows name a tag, 1 rows a user.
NAMES_OF = (
    "SELECT 0, g.name, '', '' FROM contacts_taggedcontact t"
    " INNER JOIN taggit_tag g ON g.id = t.tag_id WHERE t.content_object_id = %s"
    " UNION ALL SELECT 1, u.first_name, u.last_name, u.username"
    " FROM contacts_contact_responsible r INNER JOIN auth_user u ON u.id = r.user_id"
    " WHERE r.contact_id = %s"
)


def tag_and_responsible_names(contact: Contact) -> tuple[list[str], list[str]]:
    """Return the names of contact's tags, A to Z, and of its responsible users, in the
    order of their first and last names: what its card shows, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(NAMES_OF, [contact.pk, contact.pk])
        rows = cursor.fetchall()
    tags = sorted(name for kind, name, _last, _username in rows if kind == 0)
    users = sorted((first, last, username) for kind, first, last, username in rows if kind == 1)
    return tags, [f"{first} {last}".strip() or username for first, last, username in users]


def _aware(value: Any) -> datetime.datetime | None:
    """Return a date and time read by plain SQL as the ORM reads it: aware, in UTC.

    SQLite gives the stored text, or a naive datetime, where PostgreSQL gives it aware.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _of_contacts(sql: str, ids: list[int], params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        # safe-sql: the statement is a constant above; the ids go in as parameters.
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), [*params, *ids])
        return cursor.fetchall()


def ordered_tags_and_responsible() -> list[str | Prefetch]:
    """Return prefetches for tags and responsible users, the users in a stable order."""
    # taggit's manager takes no custom queryset: templates sort tags with dictsort.
    return [
        "tags",
        Prefetch(
            "responsible",
            queryset=get_user_model().objects.order_by("first_name", "last_name", "username"),
        ),
    ]


def tag_suggestions(query: str) -> list[str]:
    """Return tag names containing query: the tags are the CRM's shared vocabulary."""
    tags = Tag.objects.filter(name__icontains=query) if query else Tag.objects.all()
    return list(tags.order_by("name").values_list("name", flat=True)[:SUGGESTIONS])


def name_suggestions(user: AnyUser, kind: str, query: str) -> list[str]:
    contacts = contact_search(contacts_visible_to(user).filter(kind=kind), query)
    return list(contacts.order_by("sort_name").values_list("display_name", flat=True)[:SUGGESTIONS])
