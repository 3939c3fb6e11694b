"""Reading a contact's timeline: its events and its history in one list, newest first."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import CharField, F, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404

from activities import categories as event_categories
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
    """Return the event categories in their order, as kept in the cache for their version."""
    return event_categories.cached()


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


def _events_of(user: User, contact: Contact, persons: bool) -> QuerySet[Event]:
    """Return the contact's events; with persons, a company's and those of its persons
    that user may see."""
    if not (persons and contact.kind == Contact.Kind.COMPANY):
        return Event.objects.filter(contact=contact)
    # One IN over the company and its visible persons, not an OR of two conditions on the
    # events: the planner then reads the (contact, time) index for each person (the
    # company's events only, however big the table) rather than every event.
    persons_seen = contacts_visible_to(user, Contact.objects.filter(company=contact))
    members = persons_seen | Contact.objects.filter(pk=contact.pk)
    return Event.objects.filter(contact__in=members.values("pk"))


def _keys(user: User, contact: Contact, show: str, persons: bool) -> QuerySet[Any]:
    """Return (kind, id, time) of the contact's entries that show names, newest first.

    With persons, a company's events include those of its persons: their changes stay on
    their own cards.
    """
    events = _events_of(user, contact, persons)
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
    user: User, contact: Contact, *, show: str = ALL, number: Any = 1, persons: bool = False
) -> TimelinePage:
    """Return one page of the contact's timeline, the entries as Entry, for user to read.

    The caller has checked that user may see the contact; with persons (a company's
    timeline), the persons' events are those of the persons user may see, checked in the
    query of the page's keys. Four queries at most whatever the page holds: its keys, its
    events and their attachments, its history entries (and the companies they name, and
    the users its events mention, when there are some). No count: one key more than the
    page tells whether an older page follows.
    """
    number = page_number(number)
    start = (number - 1) * PER_PAGE
    keys = list(_keys(user, contact, show, persons)[start : start + PER_PAGE + 1])
    has_next, keys = len(keys) > PER_PAGE, keys[:PER_PAGE]
    event_ids = [pk for kind, pk, _at in keys if kind == "event"]
    change_ids = [pk for kind, pk, _at in keys if kind == "change"]
    read = Event.objects.select_related("category", "author").prefetch_related("attachments")
    if persons:
        # The entry names its person: read with the event, the person being one user may
        # see (the keys' query checked it).
        read = read.select_related("contact")
    events = read.in_bulk(event_ids)
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
