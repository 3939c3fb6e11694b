"""A contact's timeline events through the API: read where the contact may be seen,
written as the card writes them (its form's rules, the activities services)."""

import base64
import binascii
import datetime
from typing import Any, cast

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from activities import services
from activities.forms import LOCAL_FORMAT, EventForm
from activities.models import Event, EventCategory
from activities.selectors import get_event_for_user
from api.contacts import as_json
from api.ids import Id
from api.moments import utc
from api.problems import Problem, form_errors
from contacts.access import Perm, get_contact_for_user

router = Router(tags=["events"])


class Ref(BaseModel):
    id: int
    name: str


class EventOut(BaseModel):
    id: int
    contact: int
    category: Ref
    happened_at: datetime.datetime
    text: str
    author: Ref | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class EventPage(BaseModel):
    results: list[EventOut]
    next_cursor: str | None


class EventParams(Schema):
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class EventChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: Id | None = Field(None, description="An event category's id; a note if none")
    happened_at: datetime.datetime | None = Field(None, description="Now if none")
    text: str | None = Field(None, max_length=20000)


class EventNew(EventChange):
    text: str = Field(max_length=20000)


def _out(event: Event) -> dict[str, Any]:
    author = event.author
    return {
        "id": event.pk,
        "contact": event.contact_id,
        "category": {"id": event.category_id, "name": str(event.category)},
        "happened_at": event.happened_at,
        "text": event.text,
        "author": {"id": author.pk, "name": author.get_full_name() or author.username}
        if author
        else None,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def _checked(values: dict[str, Any], event: Event | None) -> dict[str, Any]:
    """Return the values the event form accepts, as the services take them."""
    category = values.get("category") or (event.category_id if event else None)
    if category is None:
        note = EventCategory.objects.filter(code="note").first() or EventCategory.objects.first()
        category = note.pk if note else None
    moment = utc(values.get("happened_at") or (event.happened_at if event else timezone.now()))
    data = QueryDict(mutable=True)
    data.update(
        {
            "category": str(category or ""),
            "happened_at": timezone.localtime(moment).strftime(LOCAL_FORMAT),
            "text": values.get("text", event.text if event else ""),
        }
    )
    form = EventForm(data, instance=event)
    if not form.is_valid():
        errors = form_errors(form.errors.as_data())
        raise Problem(422, "invalid", "The event is not valid: see errors.", errors=errors)
    # The moment as sent, to the second: the form reads minutes in the reader's zone.
    return {**form.cleaned_data, "happened_at": moment}


@router.get("/contacts/{contact_id}/events", response=EventPage, summary="A contact's events")
def event_list(request: HttpRequest, contact_id: Id, params: Query[EventParams]) -> HttpResponse:
    """The contact's timeline events, the last written first."""
    user = cast(User, request.user)
    contact = get_contact_for_user(user, contact_id)
    events = Event.objects.filter(contact=contact)
    if params.cursor:
        try:
            raw = base64.urlsafe_b64decode(params.cursor + "=" * (-len(params.cursor) % 4))
            events = events.filter(pk__lt=int(raw.decode()))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise Problem(400, "invalid_cursor", "This cursor is not one the API gave.") from exc
    found = list(events.select_related("category", "author").order_by("-pk")[: params.limit + 1])
    more = len(found) > params.limit
    found = found[: params.limit]
    cursor = base64.urlsafe_b64encode(str(found[-1].pk).encode()).decode() if more else None
    return as_json({"results": [_out(e) for e in found], "next_cursor": cursor})


@router.post(
    "/contacts/{contact_id}/events", response={201: EventOut}, summary="Add to the timeline"
)
def event_new(request: HttpRequest, contact_id: Id, body: EventNew) -> Status[dict[str, Any]]:
    """Write an event on the contact's timeline (a note unless a category is named)."""
    user = cast(User, request.user)
    contact = get_contact_for_user(user, contact_id, Perm.CHANGE)
    values = _checked(body.model_dump(exclude_none=True), None)
    event = services.event_create(by=user, contact=contact, **values)
    return Status(201, _out(get_event_for_user(user, event.pk)))


@router.patch("/events/{event_id}", response=EventOut, summary="Change an event")
def event_change(request: HttpRequest, event_id: Id, body: EventChange) -> HttpResponse:
    """Change the caller's own event: what the body names."""
    user = cast(User, request.user)
    event = get_event_for_user(user, event_id)
    if not services.may_edit(user, event):
        raise Problem(403, "not_allowed", "Only its author may change an event.")
    values = _checked(body.model_dump(exclude_none=True), event)
    services.event_update(by=user, event=event, **values)
    return as_json(_out(get_event_for_user(user, event.pk)))


@router.delete("/events/{event_id}", response={204: None}, summary="Delete an event")
def event_remove(request: HttpRequest, event_id: Id) -> Status[None]:
    """Delete an event: its author's, or any for a CRM admin."""
    user = cast(User, request.user)
    event = get_event_for_user(user, event_id)
    if not services.may_delete(user, event):
        raise Problem(403, "not_allowed", "Only its author or a CRM admin may delete an event.")
    services.event_delete(by=user, event=event)
    return Status(204, None)
