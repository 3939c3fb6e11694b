"""Reading tasks as a user may: My tasks, a contact's open tasks, the navbar's badge."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from activities.models import Task
from contacts.access import contacts_visible_to, editable_ids, is_crm_admin
from contacts.models import Contact

# How many tasks a section of My tasks shows before "Show more".
SECTION_SIZE = 50
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
    """Return how many of user's open tasks are overdue or due today (his zone)."""
    mine = tasks_visible_to(user).filter(responsible=user, done_at__isnull=True)
    return mine.filter(due_date__lte=timezone.localdate()).count()


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


def filtered(user: User, filters: Filters) -> QuerySet[Task]:
    tasks = tasks_visible_to(user)
    conditions: dict[str, Any] = {
        "responsible_id": filters.responsible,
        "category_id": filters.category,
        "contact_id": filters.contact,
        "due_date__gte": filters.start,
        "due_date__lte": filters.end,
    }
    return tasks.filter(**{k: v for k, v in conditions.items() if v is not None})


def sections(user: User, filters: Filters, limits: dict[str, int]) -> list[Section]:
    """Return My tasks' sections: overdue, today, upcoming (soonest first) and done (last
    done first), each with its count and its first tasks (limits, SECTION_SIZE by default)."""
    today = timezone.localdate()
    tasks = filtered(user, filters).select_related("category", "contact", "responsible")
    open_tasks = tasks.filter(done_at__isnull=True).order_by("due_date", "due_time", "id")
    queries = {
        "overdue": open_tasks.filter(due_date__lt=today),
        "today": open_tasks.filter(due_date=today),
        "upcoming": open_tasks.filter(due_date__gt=today),
        "done": tasks.filter(done_at__isnull=False).order_by("-done_at", "-id"),
    }
    result = []
    for name in SECTIONS:
        limit = limits.get(name, SECTION_SIZE)
        rows = list(queries[name][: limit + 1])
        count = len(rows) if len(rows) <= limit else queries[name].count()
        result.append(Section(name, mark_changeable(user, rows[:limit]), count))
    return result


def mark_changeable(user: User, tasks: list[Task]) -> list[Task]:
    """Set may_change on each task, as services.may_change_task says, in one query."""
    editable = editable_ids(user, [t.contact for t in tasks if t.contact is not None])
    for task in tasks:
        task.may_change = (  # type: ignore[attr-defined]
            task.contact_id is None
            or user.pk in (task.responsible_id, task.author_id)
            or task.contact_id in editable
        )
    return tasks
