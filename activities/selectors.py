"""Reading a contact's timeline: its events and its history in one list, newest first."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import CharField, F, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404

from activities import mentions
from activities.models import Event, EventAttachment, EventCategory
from contacts import history
from contacts.access import contacts_visible_to
from contacts.models import Contact, ContactEvent

PER_PAGE = 20
ALL, EVENTS, CHANGES = "all", "events", "changes"


@dataclass
class Entry:
    """One line of the timeline: an event, or a change from the history (with its rows)."""

    kind: str  # "event" or "change"
    item: Any
    rows: list[history.ReadableChange]


def categories() -> list[EventCategory]:
    return list(EventCategory.objects.all())


def events_visible_to(user: User) -> QuerySet[Event]:
    """Return the events on the contacts that user may see."""
    return Event.objects.filter(contact__in=contacts_visible_to(user))


def get_event_for_user(user: User, pk: int) -> Event:
    """Return the event, or 404 when user may not see its contact."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    queryset = events_visible_to(user).select_related("contact", "category", "author")
    return get_object_or_404(queryset, pk=pk)


def get_attachment_for_user(user: User, pk: int) -> EventAttachment:
    """Return the attachment, or 404 when user may not see its event's contact."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    attachments = EventAttachment.objects.filter(event__in=events_visible_to(user))
    return get_object_or_404(attachments, pk=pk)


def _keys(contact: Contact, show: str) -> QuerySet[Any]:
    """Return (kind, id, time) of the contact's entries that show names, newest first."""
    events = Event.objects.filter(contact=contact)
    if show not in (ALL, EVENTS, CHANGES):
        events = events.filter(category_id=int(show) if show.isdigit() else -1)
    # Each side unordered: a UNION's parts may not have their own ORDER BY.
    events_keys = events.order_by().annotate(kind=Value("event", CharField()), at=F("happened_at"))
    changes_keys = (
        ContactEvent.objects.filter(contact=contact)
        .order_by()
        .annotate(kind=Value("change", CharField()), at=F("created_at"))
    )
    # The history's entries about the events themselves are changes only: in "all", each
    # event is shown once, as itself.
    other_changes = changes_keys.exclude(details__has_key="event")
    keys = {
        ALL: events_keys.values_list("kind", "pk", "at").union(
            other_changes.values_list("kind", "pk", "at"), all=True
        ),
        CHANGES: changes_keys.values_list("kind", "pk", "at"),
    }.get(show, events_keys.values_list("kind", "pk", "at"))
    return keys.order_by("-at", "-pk")


@dataclass
class TimelinePage:
    """One page of a timeline: newer pages before it, older ones after it."""

    object_list: list[Entry]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(value: Any) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def timeline_page(
    user: User, contact: Contact, *, show: str = ALL, number: Any = 1
) -> TimelinePage:
    """Return one page of the contact's timeline, the entries as Entry, for user to read.

    The caller has checked that user may see the contact. Four queries at most whatever
    the page holds: its keys, its events and their attachments, its history entries
    (and the companies they name, and the users its events mention, when there are
    some). No count: one key more than the page tells whether an older page follows.
    """
    number = page_number(number)
    start = (number - 1) * PER_PAGE
    keys = list(_keys(contact, show)[start : start + PER_PAGE + 1])
    has_next, keys = len(keys) > PER_PAGE, keys[:PER_PAGE]
    event_ids = [pk for kind, pk, _at in keys if kind == "event"]
    change_ids = [pk for kind, pk, _at in keys if kind == "change"]
    events = (
        Event.objects.select_related("category", "author")
        .prefetch_related("attachments")
        .in_bulk(event_ids)
    )
    # The users the page's events mention, read once for the page: their names are shown
    # as mentions (the rest of the text is left as typed).
    mentioned = mentions.known_names(event.text for event in events.values())
    for event in events.values():
        event.mentioned = mentioned  # type: ignore[attr-defined]
    changes = ContactEvent.objects.select_related("actor").in_bulk(change_ids)
    hidden = history.hidden_companies(user, changes.values())
    entries = []
    for kind, pk, _at in keys:
        if kind == "event":
            entries.append(Entry("event", events[pk], []))
        else:
            change = changes[pk]
            # The history's template reads the rows on the entry, as the card's history does.
            change.rows = history.readable(change, hidden)  # type: ignore[attr-defined]
            entries.append(Entry("change", change, change.rows))  # type: ignore[attr-defined]
    return TimelinePage(entries, number, has_next)
