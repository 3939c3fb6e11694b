"""A contact's timeline events through the API."""

import json

from django.test import Client

from accounts.tokens import token_create
from activities import services
from activities.models import Event, EventCategory


def client_of(user, scope="write"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='T', scope=scope)[1]}")


def send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_an_event_is_written_on_the_timeline_as_the_card_writes_it(alice, contact):
    call = EventCategory.objects.get(code="call")

    response = send(
        client_of(alice),
        "post",
        f"/api/v1/contacts/{contact.pk}/events",
        {
            "category": call.pk,
            "text": "Called about the quote",
            "happened_at": "2026-11-30T09:15:00Z",
        },
    )

    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.contact, event.category, event.author) == (contact, call, alice)
    assert event.happened_at.isoformat() == "2026-11-30T09:15:00+00:00"
    contact.refresh_from_db()
    assert contact.last_activity_at == event.happened_at


def test_a_note_by_default_and_an_empty_text_refused(alice, contact):
    api = client_of(alice)
    url = f"/api/v1/contacts/{contact.pk}/events"

    note = send(api, "post", url, {"text": "Hello"})
    empty = send(api, "post", url, {"text": "   "})

    assert note.json()["category"]["name"] == "Note"
    assert (empty.status_code, empty.json()["errors"][0]["field"]) == (422, "text")


def test_events_are_listed_last_first_and_only_where_the_contact_is_seen(alice, bob, contact):
    note = EventCategory.objects.get(code="note")
    made = [
        services.event_create(by=alice, contact=contact, category=note, text=f"E{n}").pk
        for n in range(3)
    ]

    page = client_of(alice, "read").get(f"/api/v1/contacts/{contact.pk}/events?limit=2").json()
    rest = client_of(alice, "read").get(
        f"/api/v1/contacts/{contact.pk}/events?cursor={page['next_cursor']}"
    )
    hidden = client_of(bob, "read").get(f"/api/v1/contacts/{contact.pk}/events")

    assert [e["id"] for e in page["results"] + rest.json()["results"]] == made[::-1]
    assert hidden.status_code == 404


def test_only_its_author_changes_an_event(alice, bob, make_contact):
    shared = make_contact(access="public_rw")
    note = EventCategory.objects.get(code="note")
    event = services.event_create(by=alice, contact=shared, category=note, text="Mine")

    refused = send(client_of(bob), "patch", f"/api/v1/events/{event.pk}", {"text": "His"})
    changed = send(client_of(alice), "patch", f"/api/v1/events/{event.pk}", {"text": "Still mine"})

    assert refused.status_code == 403
    assert changed.status_code == 200
    event.refresh_from_db()
    assert event.text == "Still mine"
    assert client_of(bob).delete(f"/api/v1/events/{event.pk}").status_code == 403
    assert client_of(alice).delete(f"/api/v1/events/{event.pk}").status_code == 204
    assert not Event.objects.exists()
