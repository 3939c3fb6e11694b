"""A company's timeline with its persons' events: off by default, kept in the URL, each
entry naming its person, and never an event of a person the reader may not see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import selectors, services
from activities.models import EventCategory
from contacts.models import Contact
from contacts.trash.services import contact_delete

pytestmark = pytest.mark.django_db


@pytest.fixture
def note():
    return EventCategory.objects.get(code="note")


@pytest.fixture
def call():
    return EventCategory.objects.get(code="call")


@pytest.fixture
def acme(make_contact, alice, note):
    """A public company with a public person, Ada, and a private one only alice sees."""
    company = make_contact(Contact.Kind.COMPANY, access=Contact.Access.PUBLIC_READ)
    ada = make_contact(
        first_name="Ada", last_name="Lovelace", company=company, access=Contact.Access.PUBLIC_READ
    )
    secret = make_contact(first_name="Sam", last_name="Hidden", company=company)
    services.event_create(by=alice, contact=company, category=note, text="Company meeting")
    services.event_create(by=alice, contact=ada, category=note, text="Lunch with Ada")
    services.event_create(by=alice, contact=secret, category=note, text="Secret call")
    return company, ada, secret


def timeline(client, contact, query=""):
    page = client.get(reverse("contacts:detail", args=[contact.pk]) + query).content.decode()
    return page.split('id="timeline"')[1].split("</section>")[0]


def test_the_persons_events_are_off_by_default_and_shown_with_the_toggle(alice_client, acme):
    company, ada, secret = acme
    off = timeline(alice_client, company)
    assert "Company meeting" in off
    assert "Lunch with Ada" not in off and "Secret call" not in off
    assert 'aria-pressed="false"' in off and "?timeline=all&amp;persons=1#timeline" in off

    on = timeline(alice_client, company, "?persons=1")
    assert "Company meeting" in on and "Lunch with Ada" in on and "Secret call" in on
    assert 'aria-pressed="true"' in on
    # Each person's event names its person, with a link to the card.
    assert f'href="{ada.get_absolute_url()}"><i class="bi bi-person"' in on
    assert "Ada Lovelace</a>" in on and "Sam Hidden</a>" in on
    assert on.count('class="small timeline-person"') == 2  # the company's own event names nobody


def test_a_reader_never_sees_the_events_of_a_person_he_may_not_see(client, bob, acme):
    company, ada, secret = acme
    client.force_login(bob)
    on = timeline(client, company, "?persons=1")
    assert "Company meeting" in on and "Lunch with Ada" in on
    assert "Secret call" not in on and "Sam Hidden" not in on
    fragment = client.get(
        reverse("activities:timeline", args=[company.pk]) + "?timeline=events&persons=1",
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Lunch with Ada" in fragment and "Secret call" not in fragment


def test_a_person_in_the_trash_leaves_the_company_timeline(alice_client, alice, acme):
    company, ada, _secret = acme
    contact_delete(by=alice, contact=ada)
    assert "Lunch with Ada" not in timeline(alice_client, company, "?persons=1")


def test_the_persons_changes_stay_on_their_own_cards(alice_client, acme):
    company, _ada, _secret = acme
    everything = timeline(alice_client, company, "?persons=1")
    # The company's creation only, not its two persons'; their events once each.
    assert everything.count("created this contact") == 1
    assert "Note: Lunch with Ada" not in everything
    changes = timeline(alice_client, company, "?timeline=changes&persons=1")
    assert "Lunch with Ada" not in changes and "Secret call" not in changes
    assert "Note: Company meeting" in changes


def test_the_filters_keep_the_toggle_and_apply_to_the_persons_events(
    alice_client, alice, acme, call
):
    company, ada, _secret = acme
    services.event_create(by=alice, contact=ada, category=call, text="Called Ada back")
    on = timeline(alice_client, company, "?persons=1")
    assert f"?timeline={call.pk}&amp;persons=1#timeline" in on
    assert "?timeline=events&amp;persons=1" in on
    calls = timeline(alice_client, company, f"?timeline={call.pk}&persons=1")
    assert "Called Ada back" in calls
    assert "Lunch with Ada" not in calls and "Company meeting" not in calls
    events = timeline(alice_client, company, "?timeline=events&persons=1")
    assert "Called Ada back" in events and "Company meeting" in events
    assert "created this contact" not in events
    # Turning it off keeps the filter chosen.
    assert f'href="{company.get_absolute_url()}?timeline=events#timeline"' in events


def test_the_pages_keep_the_toggle(alice_client, alice, acme, note):
    company, ada, _secret = acme
    for n in range(25):
        services.event_create(by=alice, contact=ada, category=note, text=f"Visit {n:02}")
    first = timeline(alice_client, company, "?timeline=events&persons=1")
    assert "Visit 24" in first and "Visit 05" in first and "Visit 04" not in first
    assert "timeline=events&amp;timeline_page=2&amp;persons=1#timeline" in first
    second = timeline(alice_client, company, "?timeline=events&timeline_page=2&persons=1")
    assert "Visit 04" in second and "Visit 00" in second
    assert "Lunch with Ada" in second and "Company meeting" in second
    assert "Visit 05" not in second


def test_a_persons_card_has_no_toggle_and_ignores_it(alice_client, acme):
    _company, ada, _secret = acme
    card = timeline(alice_client, ada, "?persons=1")
    assert "timeline-persons" not in card and "timeline-person" not in card
    assert "Lunch with Ada" in card and "Company meeting" not in card


@pytest.mark.parametrize("persona", ["alice", "bob", "admin"])
def test_the_queries_do_not_grow_with_the_persons(
    make_contact, alice, note, persona, request, django_assert_max_num_queries
):
    def company_of(size):
        company = make_contact(Contact.Kind.COMPANY, access=Contact.Access.PUBLIC_READ)
        for n in range(size):
            access = Contact.Access.PUBLIC_READ if n % 2 else Contact.Access.PRIVATE
            person = make_contact(first_name=f"P{n}", company=company, access=access)
            services.event_create(by=alice, contact=person, category=note, text=f"E{n}")
        return company

    user = request.getfixturevalue(persona)
    small, large = company_of(2), company_of(30)
    selectors.timeline_page(user, small, persons=True)  # the permission ids, once per process
    counts = []
    for company in (small, large):
        with CaptureQueriesContext(connection) as captured:
            page = selectors.timeline_page(user, company, show=selectors.EVENTS, persons=True)
            names = [str(e.item.contact) for e in page.object_list if e.kind == "event"]
        counts.append(len(captured))
        assert names
    # The page's keys, its events with their persons, their attachments.
    assert counts[0] == counts[1] == 3
    # bob sees the public half of the persons only.
    assert len(names) == (15 if persona == "bob" else 20)


def test_the_card_reads_the_categories_from_the_cache_until_one_changes(
    alice_client, contact, note
):
    from activities import categories

    url = reverse("contacts:detail", args=[contact.pk])
    alice_client.get(url)
    with CaptureQueriesContext(connection) as captured:
        alice_client.get(url)
        statements = [q["sql"] for q in captured]
    assert not [sql for sql in statements if "activities_eventcategory" in sql]
    categories.category_update(category=note, name="Memo", icon=note.icon)
    assert ">Memo</a>" in timeline(alice_client, contact)
    categories.category_create(model=EventCategory, name="Visit", icon="truck")
    assert ">Visit</a>" in timeline(alice_client, contact)


def test_the_card_leaves_the_add_form_to_its_dialog(alice_client, contact):
    add = reverse("activities:event_add", args=[contact.pk])
    card = timeline(alice_client, contact)
    assert f'href="{add}"' in card and f'hx-get="{add}"' in card
    assert 'name="text"' not in card
    fragment = alice_client.get(add, headers={"HX-Request": "true"}).content.decode()
    assert 'name="text"' in fragment and "<html" not in fragment
    assert 'value="' in fragment.split('name="category"')[1]  # the categories offered
    page = alice_client.get(add).content.decode()
    assert "<html" in page and 'name="text"' in page
