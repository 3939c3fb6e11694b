"""The event categories CRM admins keep: add, rename, move, and delete with a replacement."""

from django.db import transaction
from django.db.models import Count, F, Max, QuerySet

from activities.models import Event, EventCategory


def categories_with_counts() -> QuerySet[EventCategory]:
    return EventCategory.objects.annotate(event_count=Count("events"))


def category_create(*, name: str, icon: str) -> EventCategory:
    last = EventCategory.objects.aggregate(last=Max("position"))["last"]
    return EventCategory.objects.create(
        name=name, icon=icon, position=0 if last is None else last + 1
    )


def category_update(*, category: EventCategory, name: str, icon: str) -> EventCategory:
    category.name, category.icon = name, icon
    category.save(update_fields=["name", "icon"])
    return category


@transaction.atomic
def category_move(*, category: EventCategory, direction: str) -> None:
    """Swap the category with its neighbour above or below."""
    rows = list(EventCategory.objects.select_for_update())
    index = next(i for i, row in enumerate(rows) if row.pk == category.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        row.position = position
    EventCategory.objects.bulk_update(rows, ["position"])


@transaction.atomic
def category_delete(*, category: EventCategory, replacement: EventCategory | None) -> int:
    """Delete the category; its events, if any, take replacement. Return how many moved."""
    moved = 0
    if replacement is not None:
        moved = Event.objects.filter(category=category).update(
            category=replacement, updated_at=F("updated_at")
        )
    category.delete()  # PROTECT: refused while an event still has it
    return moved
