"""The event and task categories CRM admins keep: add, rename, move, and delete with a
replacement.

Every card shows the event categories (the timeline's filters), so they are kept in the
cache under a version that each write replaces: a reader that read the table before a
write files what it read under the old version, which nobody asks for any more. Without a
shared cache (CACHE_URL), another process may show the old list for CACHE_SECONDS at most.
A save or delete of a category replaces the version through its signals (apps.py),
whoever writes it: these services, Django's admin site.
"""

from secrets import randbits
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max, QuerySet

from activities.models import Category, Event, EventCategory, Task, TaskCategory

C = TypeVar("C", EventCategory, TaskCategory)

VERSION_KEY = "event-categories:version"
CACHE_SECONDS = 300


def _key(version: int) -> str:
    return f"event-categories:{version}"


def cached() -> list[EventCategory]:
    """Return the categories in their order, read from the table once per version."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = randbits(62)
        cache.set(VERSION_KEY, version, None)
    rows = cache.get(_key(version))
    if rows is None:
        rows = list(EventCategory.objects.all())
        cache.set(_key(version), rows, CACHE_SECONDS)
    return rows


def forget_cached(**kwargs: object) -> None:
    """Give the categories a new version, now and again when the transaction commits."""
    # Now, for the rest of this transaction; at the commit, so that a list read by another
    # request meanwhile, still the old one, is filed under a version nobody reads.
    cache.set(VERSION_KEY, randbits(62), None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, randbits(62), None))


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
    model: Any = type(category)
    rows = list(model.objects.select_for_update())
    index = next(i for i, row in enumerate(rows) if row.pk == category.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        row.position = position
    model.objects.bulk_update(rows, ["position"])
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
