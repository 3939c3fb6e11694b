"""The event and task categories CRM admins keep: add, rename, move, and delete with a
replacement.

Every card shows the event categories (the timeline's filters): they are kept in the
cache (contacts.kept_rows), a new version at each save or delete of one (apps.py).
"""

from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Count, F, Max, QuerySet

from activities.models import Category, Event, EventCategory, Task, TaskCategory
from contacts import ordering
from contacts.kept_rows import KeptRows

C = TypeVar("C", EventCategory, TaskCategory)

_kept = KeptRows("event-categories", lambda: list(EventCategory.objects.all()))
# The event categories in their order, read from the table once per version.
cached = _kept.get
forget_cached = _kept.forget


# Each kind of category and the rows that have one: the timeline's events, the tasks.
USERS: dict[type[Category], tuple[Any, str]] = {
    EventCategory: (Event, "events"),
    TaskCategory: (Task, "tasks"),
}


def categories_with_counts(model: type[C]) -> QuerySet[C]:
    """Return the categories of that kind, each with use_count, the rows that have it."""
    return model.objects.annotate(use_count=Count(USERS[model][1]))


def use_count(category: EventCategory | TaskCategory) -> int:
    rows, _name = USERS[type(category)]
    return rows.objects.filter(category=category).count()


def category_create(*, model: type[C], name: str, icon: str) -> C:
    last = model.objects.aggregate(last=Max("position"))["last"]
    return model.objects.create(name=name, icon=icon, position=0 if last is None else last + 1)


def category_update(*, category: C, name: str, icon: str) -> C:
    category.name, category.icon = name, icon
    category.save(update_fields=["name", "icon"])
    return category


@transaction.atomic
def category_move(*, category: EventCategory | TaskCategory, direction: str) -> None:
    """Swap the category with its neighbour above or below."""
    ordering.move(type(category), category, direction)
    forget_cached()  # bulk_update sends no post_save


@transaction.atomic
def category_delete(*, category: C, replacement: C | None) -> int:
    """Delete the category; its events or tasks, if any, take replacement. Return how many
    moved."""
    moved = 0
    rows, _name = USERS[type(category)]
    if replacement is not None:
        moved = rows.objects.filter(category=category).update(
            category=replacement, updated_at=F("updated_at")
        )
    category.delete()  # PROTECT: refused while an event or a task still has it
    return moved
