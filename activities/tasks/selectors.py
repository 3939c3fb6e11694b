"""Reading tasks as a user may: My tasks, a contact's open tasks, the navbar's badge."""

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from activities.models import Task
from contacts.access import contacts_visible_to, editable_ids, is_crm_admin, with_permissions
from contacts.models import Contact
from contacts.notifications import UNREAD
from contacts.templatetags.fragments import url_of

# How many tasks each section of My tasks shows before "Show all": today's in full or
# nearly, the others the first few (each line costs the page its rendering).
SECTION_SIZES = {"overdue": 10, "today": 25, "upcoming": 10, "done": 5}
SECTIONS = ("overdue", "today", "upcoming", "done")


def tasks_visible_to(user: User) -> QuerySet[Task]:
    """Return the tasks user may see: those on contacts he may see, and his own without one."""
    own = Q(contact__isnull=True) & (Q(responsible=user) | Q(author=user))
    if is_crm_admin(user):
        return Task.objects.filter(Q(contact__isnull=False) | own)
    return Task.objects.filter(Q(contact__in=contacts_visible_to(user)) | own)


def get_task_for_user(user: User, pk: int) -> Task:
    """Return the task, or 404 when user may not see it."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    found = tasks_visible_to(user).select_related("contact", "category", "responsible", "author")
    return get_object_or_404(found, pk=pk)


def open_tasks_of(contact: Contact) -> QuerySet[Task]:
    """The contact's open tasks, soonest first (the caller checked the contact's access)."""
    return (
        Task.objects.filter(contact=contact, done_at__isnull=True)
        .select_related("category", "responsible")
        .order_by("due_date", "due_time", "id")
    )


def badge_count(user: User) -> int:
    """Return how many of user's open tasks are overdue or due today (his zone), up to
    BADGE_MOST."""
    return navbar_counts(user)[1]


# The navbar's badge says "99+" past this: its count stops there rather than reading
# every task of a user who let thousands pile up, on every page he opens.
BADGE_MOST = 100


def navbar_counts(user: User) -> tuple[int, int]:
    """Return (user's unread notifications, his tasks overdue or due today, up to
    BADGE_MOST), in one statement.

    Every page shows both: each read on its index alone, as My tasks counts the tasks.
    Written as SQL: the ORM's building of it cost more than the database took to answer.
    """
    due = (
        # safe-sql: the tasks' table name and constants; the values are parameters.
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {Task._meta.db_table} "  # noqa: S608
        "WHERE responsible_id = %s AND done_at IS NULL AND due_date <= %s "
        f"LIMIT {BADGE_MOST}) due"
    )
    with connection.cursor() as cursor:
        # safe-sql: two constant statements whose values are parameters.
        cursor.execute(f"SELECT ({UNREAD}), ({due})", [user.pk, user.pk, timezone.localdate()])
        unread, tasks_due = cursor.fetchone()
    return unread, tasks_due


@dataclass
class Filters:
    responsible: int | None = None  # None: anyone's
    category: int | None = None
    contact: int | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class Section:
    name: str
    tasks: list[Task] = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> bool:
        return self.count > len(self.tasks)


def filtered(user: User, filters: Filters, *, checked: bool = True) -> QuerySet[Task]:
    """Return the tasks the filters ask for, among those user may see.

    Unchecked, with his own tasks asked for (responsible: user), the contacts' access is
    left to the caller: his tasks are then read on their index alone.
    """
    mine = filters.responsible == user.pk
    tasks = Task.objects.all() if mine and not checked else tasks_visible_to(user)
    conditions: dict[str, Any] = {
        "responsible_id": filters.responsible,
        "category_id": filters.category,
        "contact_id": filters.contact,
        "due_date__gte": filters.start,
        "due_date__lte": filters.end,
    }
    return tasks.filter(**{k: v for k, v in conditions.items() if v is not None})


def _seen(user: User, rows: list[Task]) -> list[Task]:
    """Leave out of rows the tasks about a contact user may not see (one query)."""
    ids = {task.contact_id for task in rows if task.contact_id}
    visible = set(contacts_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [task for task in rows if task.contact_id is None or task.contact_id in visible]


def sections(user: User, filters: Filters, limits: dict[str, int]) -> list[Section]:
    """Return My tasks' sections: overdue, today, upcoming (soonest first) and done (last
    done first), each with its count and its first tasks (limits, SECTION_SIZES by default).

    A user's own tasks are read on their index, then the contacts of the shown ones among
    those he may see, with what he may do with each, in one query for all; the counts, in
    one query too, are of his tasks, those about a contact he may no longer see included
    (they are his, unnamed): counting them through each contact's access would read every
    one of thousands of tasks.
    """
    today = timezone.localdate()
    tasks = filtered(user, filters, checked=False)
    conditions = section_conditions(today)
    counts = tasks.aggregate(**{name: Count("pk", filter=q) for name, q in conditions.items()})
    queries = section_queries(tasks, today)
    limits = {**SECTION_SIZES, **limits}
    pages = _first_pages(queries, limits)
    ids = {t.contact_id for page in pages.values() for t in page if t.contact_id}
    # A line shows its contact's name only.
    visible = contacts_visible_to(user).filter(pk__in=ids).only("kind", "display_name", "access")
    contacts = with_permissions(user, visible).in_bulk()
    editable: set[int] | None = {pk for pk, c in contacts.items() if c.may_change}
    result = []
    for name in SECTIONS:
        shown = []
        for task in pages[name]:
            if task.contact_id is None or task.contact_id in contacts:
                task.contact = contacts.get(task.contact_id)
                shown.append(task)
        if len(shown) < len(pages[name]):
            # Some are about contacts he may no longer see: read on until the page is full.
            limit = limits[name]
            shown, editable = _seen(user, list(queries[name][: limit * 4]))[:limit], None
        result.append(Section(name, shown, counts[name]))
    mark_changeable(user, [task for section in result for task in section.tasks], editable)
    return result


def _first_pages(
    queries: dict[str, QuerySet[Task]], limits: dict[str, int]
) -> dict[str, list[Task]]:
    """Return each section's first tasks, without their contacts, in two queries for the
    four sections: the ids of each page, read on the indexes in one statement, then
    their rows."""
    # SQLite takes no LIMIT in a part of a UNION: each part's page is a subquery.
    keys = [
        Task.objects.filter(pk__in=queries[name].values("pk")[: limits[name]])
        .order_by()
        .annotate(section=Value(name))
        .values_list("section", "pk")
        for name in SECTIONS
    ]
    ids = list(keys[0].union(*keys[1:], all=True))
    found = Task.objects.select_related("category", "responsible").in_bulk([pk for _, pk in ids])
    pages: dict[str, list[Task]] = {name: [] for name in SECTIONS}
    for name, pk in ids:
        pages[name].append(found[pk])
    # A statement of several parts gives no order but its parts': each page is put in
    # its section's order again, NULL times where the database puts them.
    late = connection.features.nulls_order_largest
    for name in SECTIONS[:-1]:
        pages[name].sort(
            key=lambda t: (t.due_date, (t.due_time is None) == late, t.due_time or time(), t.pk)
        )
    pages["done"].sort(key=lambda t: (t.done_at, t.pk), reverse=True)
    return pages


def section_conditions(today: date) -> dict[str, Q]:
    return {
        "overdue": Q(done_at__isnull=True, due_date__lt=today),
        "today": Q(done_at__isnull=True, due_date=today),
        "upcoming": Q(done_at__isnull=True, due_date__gt=today),
        "done": Q(done_at__isnull=False),
    }


def section_queries(tasks: QuerySet[Task], today: date) -> dict[str, QuerySet[Task]]:
    """Return each section's tasks in the order shown: read in that order from the
    indexes task_open and task_done."""
    conditions = section_conditions(today)
    rows = tasks.select_related("category", "contact", "responsible")
    queries = {
        name: rows.filter(conditions[name]).order_by("due_date", "due_time", "id")
        for name in ("overdue", "today", "upcoming")
    }
    queries["done"] = rows.filter(conditions["done"]).order_by("-done_at", "-id")
    return queries


def mark_changeable(user: User, tasks: list[Task], editable: set[int] | None = None) -> list[Task]:
    """Set may_change on each task, as services.may_change_task says, in one query (none
    when the caller knows the ids of the contacts user may change among theirs:
    editable), and the URLs its line links to (reversed once for all: a reverse costs
    more than the rest of the line)."""
    if editable is None:
        editable = editable_ids(user, [t.contact for t in tasks if t.contact is not None])
    edit, done = url_of("tasks:edit"), url_of("tasks:done")
    for task in tasks:
        task.edit_url, task.done_url = edit(task.pk), done(task.pk)  # type: ignore[attr-defined]
        task.may_change = (  # type: ignore[attr-defined]
            task.contact_id is None
            or user.pk in (task.responsible_id, task.author_id)
            or task.contact_id in editable
        )
    return tasks
