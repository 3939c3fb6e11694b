from datetime import UTC, datetime

import pytest
from django.urls import reverse

from activities import selectors, services
from activities.models import Event, EventCategory
from contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def note():
    return EventCategory.objects.get(code="note")


def card(client, contact, query=""):
    return client.get(reverse("contacts:detail", args=[contact.pk]) + query).content.decode()


def timeline_of(page):
    """Return the card's timeline section: the side column shows the history too."""
    return page.split('id="timeline"')[1].split("</section>")[0]


def test_a_script_in_a_note_is_shown_as_text_and_links_become_clickable(
    alice_client, alice, contact, note
):
    text = "<script>alert(1)</script>\nSee https://example.com/a?b=1&c=2, then call."
    services.event_create(by=alice, contact=contact, category=note, text=text)
    page = card(alice_client, contact)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>See " in page
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow"'
        ' target="_blank">https://example.com/a?b=1&amp;c=2</a>, then call.' in page
    )


def test_a_link_stops_before_escaped_quotes_and_angle_brackets(alice_client, alice, contact, note):
    services.event_create(
        by=alice, contact=contact, category=note, text='"https://x.test/p"><img src=x>'
    )
    page = card(alice_client, contact)
    assert '&quot;<a href="https://x.test/p" rel=' in page
    assert "</a>&quot;&gt;&lt;img src=x&gt;" in page


def test_the_card_shows_the_events_with_the_author_and_the_readers_time_zone(
    alice_client, alice, contact, note
):
    from accounts.models import Profile  # why: only this test sets a time zone

    Profile.objects.update_or_create(user=alice, defaults={"time_zone": "Asia/Tokyo"})
    when = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)  # 8:30 the next morning in Tokyo
    services.event_create(
        by=alice, contact=contact, category=note, text="Met at the fair", happened_at=when
    )
    page = card(alice_client, contact)
    assert 'id="timeline"' in page and "Met at the fair" in page
    assert "Alice Martin" in page
    assert 'datetime="2026-01-06T08:30:00+09:00"' in page


def test_adding_from_the_card_without_script(alice_client, contact, note):
    response = alice_client.post(
        reverse("activities:event_add", args=[contact.pk]),
        {"category": note.pk, "happened_at": "2026-02-03T10:15", "text": "Line one\nLine two"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk]) + "#timeline"
    event = Event.objects.get()
    assert event.text == "Line one\nLine two"
    assert "Line one<br>Line two" in card(alice_client, contact)


def test_an_empty_text_is_refused_with_a_message(alice_client, contact, note):
    response = alice_client.post(
        reverse("activities:event_add", args=[contact.pk]),
        {"category": note.pk, "happened_at": "2026-02-03T10:15", "text": ""},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Event.objects.exists()


def test_a_reader_sees_the_timeline_without_the_form_nor_the_edit_links(
    client, alice, bob, make_contact, note
):
    contact = make_contact(access=Contact.Access.PUBLIC_READ)
    event = services.event_create(by=alice, contact=contact, category=note, text="Visible")
    client.force_login(bob)
    page = card(client, contact)
    assert "Visible" in page
    assert reverse("activities:event_add", args=[contact.pk]) not in page
    assert reverse("activities:event_edit", args=[event.pk]) not in page
    assert reverse("activities:event_delete", args=[event.pk]) not in page


def test_the_author_edits_and_deletes_from_the_pages(alice_client, alice, contact, note):
    event = services.event_create(by=alice, contact=contact, category=note, text="Old")
    edit = reverse("activities:event_edit", args=[event.pk])
    assert "Old" in alice_client.get(edit).content.decode()
    alice_client.post(edit, {"category": note.pk, "happened_at": "2026-02-03T10:15", "text": "New"})
    event.refresh_from_db()
    assert event.text == "New"
    alice_client.post(reverse("activities:event_delete", args=[event.pk]))
    assert not Event.objects.exists()


def test_filters_show_events_changes_or_one_category(alice_client, alice, contact, note):
    call = EventCategory.objects.get(code="call")
    services.event_create(by=alice, contact=contact, category=note, text="A note here")
    services.event_create(by=alice, contact=contact, category=call, text="A call here")
    everything = timeline_of(card(alice_client, contact))
    assert "A note here" in everything and "A call here" in everything
    assert "created this contact" in everything
    assert "Note: A note here" not in everything  # the event once, not its history too
    events = timeline_of(card(alice_client, contact, "?timeline=events"))
    assert "A note here" in events and "created this contact" not in events
    changes = timeline_of(card(alice_client, contact, "?timeline=changes"))
    assert 'class="event-text' not in changes
    assert "Note: A note here" in changes
    assert "created this contact" in changes
    calls = alice_client.get(
        reverse("activities:timeline", args=[contact.pk]) + f"?timeline={call.pk}",
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "A call here" in calls and "A note here" not in calls
    assert "<html" not in calls


def test_a_page_of_the_timeline_costs_the_same_queries_whatever_it_holds(
    alice, contact, note, django_assert_max_num_queries
):
    for n in range(30):
        services.event_create(by=alice, contact=contact, category=note, text=f"Event {n}")
    with django_assert_max_num_queries(4):
        page = selectors.timeline_page(alice, contact)
        assert len(page.object_list) == selectors.PER_PAGE
        assert [e.item.category.code for e in page.object_list if e.kind == "event"]
    # Each event and the contact's creation: 31 entries; with the events' history, 61.
    second = selectors.timeline_page(alice, contact, number=2)
    assert (len(second.object_list), second.has_next, second.has_previous) == (11, False, True)
    changes = selectors.timeline_page(alice, contact, show=selectors.CHANGES, number=2)
    assert (len(changes.object_list), changes.has_next) == (11, False)
    newest = [e.item.text for e in page.object_list if e.kind == "event"]
    assert newest[0] == "Event 29"
