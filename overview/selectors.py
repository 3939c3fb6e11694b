"""The overview's figures: the customer base as one reader may see it.

Every count of contacts is taken among the contacts the list shows its reader
(contacts_visible_to, read as its disjoint parts, access.visible_parts: the public ones
and those granted to him, each on its own index), narrowed as the list's filter of its
link narrows it (contacts.selectors), so a figure and the list it leads to agree. Each
figure is one grouped query per part, or a count the database keeps
(contacts/db/counts.py); nothing is counted contact by contact in Python.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from taggit.models import Tag

from activities.tasks.selectors import Filters, filtered, section_conditions
from contacts.access import count_visible_to, is_crm_admin, visible_parts
from contacts.db import counts
from contacts.imports.access import imports_visible_to
from contacts.imports.models import ImportJob
from contacts.models import Contact, ContactCount, ContactType, TaggedContact, WebForm

WEEKS = 26
TOP_TAGS = 10
TOP_RESPONSIBLE = 10
LAST_IMPORTS = 5
LAST_WEB_FORMS = 5


@dataclass
class Span:
    """Days from first to last, both included: the list's created_from and created_to."""

    first: datetime.date
    last: datetime.date

    def params(self) -> dict[str, str]:
        return {"created_from": self.first.isoformat(), "created_to": self.last.isoformat()}


@dataclass
class Week:
    span: Span
    by_source: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_source.values())


@dataclass
class Overview:
    total: int
    persons: int
    companies: int
    mine: int
    # Admins only (None for others): who is responsible is theirs to arrange.
    unassigned: int | None
    this_week: int
    week: Span
    same_days_last_week: int
    last_week: Span
    this_month: int
    month: Span
    same_days_last_month: int
    last_month: Span
    weeks: list[Week]
    # (type id, or None for "not specified"; title; contacts), most first.
    types: list[tuple[int | None, str, int]]
    tags: list[tuple[str, int]]
    # (user id, name, contacts), most first; admins only.
    responsible: list[tuple[int, str, int]] = field(default_factory=list)
    open_tasks: int = 0
    overdue_tasks: int = 0
    imports: list[ImportJob] = field(default_factory=list)
    web_forms: list[WebForm] = field(default_factory=list)

    @property
    def week_change(self) -> int:
        """This week's new contacts less those of the same days of last week."""
        return self.this_week - self.same_days_last_week

    @property
    def month_change(self) -> int:
        """This month's new contacts less those of the same days of last month."""
        return self.this_month - self.same_days_last_month


def midnight(day: datetime.date) -> datetime.datetime:
    """Return the start of day in the current time zone, as the list's date filters do."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def week_spans(today: datetime.date, weeks: int = WEEKS) -> list[Span]:
    """Return the last weeks, Monday to Sunday, oldest first, the one of today last."""
    monday = today - datetime.timedelta(days=today.weekday())
    return [
        Span(monday - datetime.timedelta(weeks=n), monday - datetime.timedelta(weeks=n, days=-6))
        for n in reversed(range(weeks))
    ]


def _month_before(first: datetime.date) -> datetime.date:
    return (first - datetime.timedelta(days=1)).replace(day=1)


def overview_of(user: User) -> Overview:
    """Return the overview's figures as user may see them (the current time zone's days)."""
    today = timezone.localdate()
    visible = visible_parts(user)
    kinds, types = _kinds_and_types(visible)
    weeks = week_spans(today)
    week = weeks[-1]
    last_week = Span(week.first - datetime.timedelta(weeks=1), today - datetime.timedelta(weeks=1))
    month_first = today.replace(day=1)
    last_month_first = _month_before(month_first)
    # The same days of last month: up to today's number of the day, or its last day.
    last_month = Span(
        last_month_first,
        min(
            last_month_first.replace(day=1) + datetime.timedelta(days=today.day - 1),
            month_first - datetime.timedelta(days=1),
        ),
    )
    month = Span(
        month_first,
        (month_first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1),
    )
    recent = _created_in(
        visible, {"week": week, "last_week": last_week, "month": month, "last_month": last_month}
    )
    admin = is_crm_admin(user)
    overview = Overview(
        total=count_visible_to(user),
        persons=kinds.get(Contact.Kind.PERSON, 0),
        companies=kinds.get(Contact.Kind.COMPANY, 0),
        mine=counts.total(counts.responsible_key(user.pk)),
        unassigned=_unassigned(visible[0]) if admin else None,
        this_week=recent["week"],
        week=week,
        same_days_last_week=recent["last_week"],
        last_week=last_week,
        this_month=recent["month"],
        month=month,
        same_days_last_month=recent["last_month"],
        last_month=last_month,
        weeks=_by_week(visible, weeks),
        types=types,
        tags=_top_tags(None if admin else visible),
        imports=list(
            imports_visible_to(user)
            .exclude(status=ImportJob.Status.DRAFT)
            .order_by("-created_at", "-pk")[:LAST_IMPORTS]
        ),
    )
    overview.open_tasks, overview.overdue_tasks = _tasks(user, today)
    if admin:
        overview.responsible = _top_responsible()
        overview.web_forms = list(
            WebForm.objects.filter(last_submission_at__isnull=False).order_by(
                "-last_submission_at", "-pk"
            )[:LAST_WEB_FORMS]
        )
    return overview


def _grouped(visible: Sequence[QuerySet[Contact]], *columns: str) -> list[tuple[Any, ...]]:
    """Return (columns…, contacts) of each group in each part: the caller adds them up."""
    rows: list[tuple[Any, ...]] = []
    for part in visible:
        rows += part.order_by().values_list(*columns).annotate(n=Count("pk"))
    return rows


def _kinds_and_types(
    visible: list[QuerySet[Contact]],
) -> tuple[dict[str, int], list[tuple[int | None, str, int]]]:
    """Return {kind: contacts} and the types' counts, from one grouped query per part."""
    kinds: dict[str, int] = {}
    by_type: dict[int | None, int] = {}
    for kind, type_id, n in _grouped(visible, "kind", "contact_type_id"):
        kinds[kind] = kinds.get(kind, 0) + n
        by_type[type_id] = by_type.get(type_id, 0) + n
    titles = dict(
        ContactType.objects.filter(pk__in=[pk for pk in by_type if pk]).values_list("pk", "title")
    )
    types = [(pk, titles.get(pk, "") if pk else "", n) for pk, n in by_type.items() if n]
    types.sort(key=lambda row: (-row[2], row[0] is None, row[1].lower()))
    return kinds, types


def _created_in(visible: list[QuerySet[Contact]], spans: dict[str, Span]) -> dict[str, int]:
    """Return how many of visible were created in each span, in one query per part."""
    since = min(span.first for span in spans.values())
    counted = {
        name: Count(
            "pk",
            filter=Q(
                created_at__gte=midnight(span.first),
                created_at__lt=midnight(span.last + datetime.timedelta(days=1)),
            ),
        )
        for name, span in spans.items()
    }
    found = dict.fromkeys(spans, 0)
    for part in visible:
        for name, n in part.filter(created_at__gte=midnight(since)).aggregate(**counted).items():
            found[name] += n or 0
    return found


def _by_week(visible: list[QuerySet[Contact]], spans: list[Span]) -> list[Week]:
    """Return the contacts created each week of spans, by source, in one grouped query per
    part.

    The weeks are told apart by a CASE over the boundaries, each a local midnight: the
    database compares stored instants, whatever its time zone functions. Written as SQL:
    the ORM's building of 26 WHENs cost more than the query ran.
    """
    ends = [midnight(span.last + datetime.timedelta(days=1)) for span in spans]
    quote = connection.ops.quote_name
    column = f"{quote(Contact._meta.db_table)}.{quote('created_at')}"
    # safe-sql: the column is the model's own, the weeks' numbers ours; the dates are
    # parameters, adapted as the ORM adapts them.
    week_of = RawSQL(  # noqa: S611
        "CASE " + " ".join(f"WHEN {column} < %s THEN {n}" for n in range(len(ends))) + " END",
        [connection.ops.adapt_datetimefield_value(end) for end in ends],
        output_field=IntegerField(),
    )
    since = midnight(spans[0].first)
    weeks = [Week(span, dict.fromkeys(Contact.Source.values, 0)) for span in spans]
    new = [
        part.filter(created_at__gte=since, created_at__lt=ends[-1]).annotate(week=week_of)
        for part in visible
    ]
    for n, source, count in _grouped(new, "week", "source"):
        weeks[n].by_source[source] = weeks[n].by_source.get(source, 0) + count
    return weeks


def _top_tags(visible: list[QuerySet[Contact]] | None) -> list[tuple[str, int]]:
    """Return the most used tags among visible (None: every live contact), with their
    contacts, most first."""
    counted: dict[int, int] = {}
    if visible is None:
        # Every tagging, read on the tags' index alone, less those of the trash (few):
        # rather than a probe of each contact's taggings.
        trashed = Contact.all_objects.filter(deleted_at__isnull=False).values("pk")
        parts = [
            (TaggedContact.objects.all(), 1),
            (TaggedContact.objects.filter(content_object__in=trashed), -1),
        ]
    else:
        parts = [
            (TaggedContact.objects.filter(content_object__in=part.values("pk")), 1)
            for part in visible
        ]
    for taggings, sign in parts:
        for pk, n in taggings.order_by().values_list("tag_id").annotate(n=Count("pk")):
            counted[pk] = counted.get(pk, 0) + sign * n
    top = sorted((pk for pk in counted if counted[pk] > 0), key=lambda pk: (-counted[pk], pk))
    top = top[:TOP_TAGS]
    counted = {pk: counted[pk] for pk in top}
    names = dict(Tag.objects.filter(pk__in=counted).values_list("pk", "name"))
    tags = [(names[pk], n) for pk, n in counted.items() if pk in names]
    tags.sort(key=lambda row: (-row[1], row[0].lower()))
    return tags


def _unassigned(visible: QuerySet[Contact]) -> int:
    """Return how many of visible have no responsible user (the list's responsible=none)."""
    through = Contact.responsible.through.objects
    return visible.filter(~Exists(through.filter(contact=OuterRef("pk")))).count()


def _top_responsible() -> list[tuple[int, str, int]]:
    """Return the users responsible for the most live contacts, from the counts kept."""
    rows = (
        ContactCount.objects.filter(key__startswith="responsible:", value__gt=0)
        .order_by("-value", "key")
        .values_list("key", "value")[:TOP_RESPONSIBLE]
    )
    found = {int(key.removeprefix("responsible:")): value for key, value in rows}
    users = get_user_model().objects.filter(pk__in=found)
    names = {u.pk: u.get_full_name() or u.username for u in users}
    top = [(pk, names[pk], n) for pk, n in found.items() if pk in names]
    top.sort(key=lambda row: (-row[2], row[1].lower()))
    return top


def _tasks(user: User, today: datetime.date) -> tuple[int, int]:
    """Return user's open tasks and, of them, the overdue ones: My tasks' own counts (its
    overdue, today's and upcoming sections), read on the open tasks' index."""
    mine = filtered(user, Filters(responsible=user.pk), checked=False)
    found = mine.filter(done_at__isnull=True).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=section_conditions(today)["overdue"])
    )
    return found["open"] or 0, found["overdue"] or 0
