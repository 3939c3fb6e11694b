"""The overview's figures: the customer base as one reader may see it.

Every count of contacts is taken among the contacts the list shows its reader
(contacts_visible_to), from what the database keeps for the parts of them, the keys of
contacts/db/counts.py (every live contact for an admin; for a CRM user, the public ones
and those granted to him): the totals there, and in contacts/db/breakdowns.py the kinds
and types, the UTC days and quarter hours of creation by source, and the tags. A figure
sums a few rows whatever the number of contacts, and counts what the list's filter of its
link counts (contacts.selectors), so that the two agree; nothing is counted contact by
contact.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone
from taggit.models import Tag

from activities.tasks.selectors import Filters, filtered, section_conditions
from contacts.access import count_visible_to, is_crm_admin, sees_public_contacts
from contacts.db import breakdowns, counts
from contacts.imports.access import imports_visible_to
from contacts.imports.models import ImportJob
from contacts.models import Contact, ContactBreakdown, ContactCount, ContactType, WebForm

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
    parts = _parts(user)
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
    spans = [*weeks, last_week, month, last_month]
    kinds, types, created = _kept(parts, spans)
    admin = is_crm_admin(user)
    overview = Overview(
        total=count_visible_to(user),
        persons=kinds.get(Contact.Kind.PERSON, 0),
        companies=kinds.get(Contact.Kind.COMPANY, 0),
        mine=counts.total(counts.responsible_key(user.pk)),
        unassigned=counts.total("unassigned") if admin else None,
        this_week=created.total(week),
        week=week,
        same_days_last_week=created.total(last_week),
        last_week=last_week,
        this_month=created.total(month),
        month=month,
        same_days_last_month=created.total(last_month),
        last_month=last_month,
        weeks=[Week(span, created.by_source(span)) for span in weeks],
        types=types,
        tags=_top_tags(parts),
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


def _parts(user: User) -> list[str]:
    """Return the parts of the breakdowns whose union is what user sees (breakdowns.py):
    the same split as count_visible_to's."""
    if is_crm_admin(user):
        return ["live"]
    if sees_public_contacts(user):
        return ["public", counts.user_key(user.pk)]
    return []  # not a CRM user: he sees no page of the CRM


def _epoch(moment: datetime.datetime, seconds: int) -> int:
    """Return the number of whole periods of seconds from 1970 (UTC) to moment, as the
    breakdowns number the days and quarter hours."""
    return int(moment.timestamp()) // seconds


class Created:
    """The contacts created before each of the reader's midnights, by source, from the kept
    days and quarter hours: the difference of two counts a span of days."""

    def __init__(
        self, days: range, by_day: dict[int, Counter[str]], quarters: dict[int, Counter[str]]
    ):
        self.first_day, self.quarters = days.start, quarters
        # before_day[n]: the contacts of the days read before the nth.
        running: Counter[str] = Counter()
        self.before_day = []
        for day in range(days.start, days.stop + 1):
            self.before_day.append(running.copy())
            running.update(by_day.get(day, {}))

    @staticmethod
    def quarters_read(moment: datetime.datetime) -> tuple[int, int, bool]:
        """Return the quarters [from, to) read to split moment's UTC day at it, and whether
        they come after it: the shorter side of the day."""
        quarter = _epoch(moment, breakdowns.QUARTER_SECONDS)
        day_first = _epoch(moment, breakdowns.DAY_SECONDS) * QUARTERS_A_DAY
        if quarter - day_first <= QUARTERS_A_DAY // 2:
            return day_first, quarter, False
        return quarter, day_first + QUARTERS_A_DAY, True

    def before(self, moment: datetime.datetime) -> Counter[str]:
        """Return the contacts created from the first day read to moment, by source."""
        first, last, after = self.quarters_read(moment)
        day = _epoch(moment, breakdowns.DAY_SECONDS) - self.first_day
        found = self.before_day[day + 1 if after else day].copy()
        for quarter in range(first, last):
            if after:
                found.subtract(self.quarters.get(quarter, {}))
            else:
                found.update(self.quarters.get(quarter, {}))
        return found

    def by_source(self, span: Span) -> dict[str, int]:
        """Return the contacts created in span by source, every source named."""
        found = self.before(midnight(span.last + datetime.timedelta(days=1)))
        found.subtract(self.before(midnight(span.first)))
        return {source: found.get(source, 0) for source in [*Contact.Source.values, *found]}

    def total(self, span: Span) -> int:
        return sum(self.by_source(span).values())


QUARTERS_A_DAY = breakdowns.DAY_SECONDS // breakdowns.QUARTER_SECONDS


def _kept(
    parts: list[str], spans: list[Span]
) -> tuple[dict[str, int], list[tuple[int | None, str, int]], Created]:
    """Return {kind: contacts}, the types' counts and the contacts created around spans,
    from the breakdowns of parts, in one query.

    Creation is kept by UTC day and quarter hour: the days between two of the reader's
    midnights whole, and of the day of each midnight the quarters on its shorter side.
    """
    moments = [midnight(span.first) for span in spans]
    moments += [midnight(span.last + datetime.timedelta(days=1)) for span in spans]
    days = range(
        _epoch(min(moments), breakdowns.DAY_SECONDS),
        _epoch(max(moments), breakdowns.DAY_SECONDS) + 1,
    )
    if not parts:
        return {}, [], Created(days, {}, {})
    ranges = [("type", 0, ANY_NUMBER), ("day", days.start, days.stop)]
    ranges += [
        ("quarter", *pair) for pair in _merged(Created.quarters_read(m)[:2] for m in moments)
    ]
    # A statement per range of a family: each reads its own stretch of the index, where
    # one OR of them all made SQLite read every row of the part. Written as SQL: the ORM's
    # building of some thirty ranges cost more than the query ran.
    parts_in = ", ".join(["%s"] * len(parts))
    one = (
        # safe-sql: the table is the model's; placeholders only, values go as parameters.
        f"SELECT family, name, number, value FROM {ContactBreakdown._meta.db_table} "  # noqa: S608
        f"WHERE part IN ({parts_in}) AND family = %s AND number >= %s AND number < %s"
    )
    sql = (
        # safe-sql: as above.
        f"SELECT family, name, number, SUM(value) FROM ({' UNION ALL '.join([one] * len(ranges))}) "  # noqa: S608
        "r GROUP BY family, name, number"
    )
    params: list[str | int] = []
    for family, first, last in ranges:
        params += [*parts, family, first, last]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    kinds: dict[str, int] = {}
    by_type: dict[int, int] = {}
    kept: dict[str, dict[int, Counter[str]]] = {"day": {}, "quarter": {}}
    for family, name, number, total in rows:
        n = int(total)  # PostgreSQL's SUM of bigints is a numeric
        if family == "type":
            kinds[name] = kinds.get(name, 0) + n
            by_type[number] = by_type.get(number, 0) + n
        else:
            kept[family].setdefault(number, Counter())[name] += n
    titles = dict(
        ContactType.objects.filter(pk__in=[pk for pk in by_type if pk]).values_list("pk", "title")
    )
    types = [(pk or None, titles.get(pk, "") if pk else "", n) for pk, n in by_type.items() if n]
    types.sort(key=lambda row: (-row[2], row[0] is None, row[1].lower()))
    return kinds, types, Created(days, kept["day"], kept["quarter"])


ANY_NUMBER = 2**62  # above every contact type's id


def _merged(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the ranges [first, last) of pairs merged where they overlap (two of the
    reader's midnights in one UTC day), leaving out the empty ones."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(pair for pair in pairs if pair[0] < pair[1]):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def _top_tags(parts: list[str]) -> list[tuple[str, int]]:
    """Return the most used tags among the contacts of parts, with their contacts, most
    first, from the breakdowns."""
    counted = dict(
        ContactBreakdown.objects.filter(part__in=parts, family="tag")
        .values_list("number")
        .annotate(n=Sum("value"))
        .filter(n__gt=0)
        .order_by("-n", "number")
        .values_list("number", "n")[:TOP_TAGS]
    )
    names = dict(Tag.objects.filter(pk__in=counted).values_list("pk", "name"))
    tags = [(names[pk], n) for pk, n in counted.items() if pk in names]
    tags.sort(key=lambda row: (-row[1], row[0].lower()))
    return tags


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
