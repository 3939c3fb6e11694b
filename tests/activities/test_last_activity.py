"""A contact's last activity: the newest event of its timeline, kept on the contact."""

import csv
import importlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from accounts.models import Profile
from activities import services
from activities.models import Event, EventCategory
from contacts.models import Contact, ContactEvent
from contacts.services import ContactData, contact_update

pytestmark = pytest.mark.django_db

fill = importlib.import_module("activities.migrations.0006_last_activity_fill").fill
MARCH = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def call():
    return EventCategory.objects.get(code="call")


def last_activity(contact):
    return Contact.all_objects.get(pk=contact.pk).last_activity_at


def add(by, contact, category, when, text="Called"):
    return services.event_create(
        by=by, contact=contact, category=category, text=text, happened_at=when
    )


def test_a_contact_without_events_has_no_last_activity(contact):
    assert last_activity(contact) is None


def test_an_event_sets_the_last_activity_and_an_older_one_keeps_it(alice, contact, call):
    add(alice, contact, call, MARCH)
    add(alice, contact, call, MARCH - timedelta(days=40))

    assert last_activity(contact) == MARCH


def test_changing_an_events_date_moves_the_last_activity_both_ways(alice, contact, call):
    older = add(alice, contact, call, MARCH - timedelta(days=10))
    newer = add(alice, contact, call, MARCH)

    services.event_update(
        by=alice, event=newer, category=call, text="Called", happened_at=MARCH - timedelta(days=20)
    )
    assert last_activity(contact) == MARCH - timedelta(days=10)

    services.event_update(
        by=alice, event=older, category=call, text="Called", happened_at=MARCH + timedelta(days=1)
    )
    assert last_activity(contact) == MARCH + timedelta(days=1)


def test_deleting_the_newest_event_goes_back_to_the_one_before_then_to_none(alice, contact, call):
    older = add(alice, contact, call, MARCH - timedelta(days=10))
    newer = add(alice, contact, call, MARCH)

    services.event_delete(by=alice, event=newer)
    assert last_activity(contact) == MARCH - timedelta(days=10)

    services.event_delete(by=alice, event=older)
    assert last_activity(contact) is None


def test_the_last_activity_is_no_change_of_the_contact(alice, contact, call):
    before = Contact.objects.get(pk=contact.pk)
    entries = ContactEvent.objects.filter(contact=contact).count()

    add(alice, contact, call, MARCH)

    after = Contact.objects.get(pk=contact.pk)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    # The event's own entry on the timeline, and none for the last activity.
    assert ContactEvent.objects.filter(contact=contact).count() == entries + 1


def test_saving_a_contact_read_before_an_event_keeps_the_events_last_activity(alice, contact, call):
    stale = Contact.objects.get(pk=contact.pk)
    add(alice, contact, call, MARCH)

    data = ContactData(
        kind=stale.kind,
        fields={"first_name": "Jeanne", "last_name": "Dupont"},
        access=stale.access,
        responsible=[alice],
    )
    contact_update(by=alice, contact=stale, data=data)

    assert last_activity(contact) == MARCH
    assert Contact.objects.get(pk=contact.pk).first_name == "Jeanne"


def test_other_contacts_keep_their_last_activity(alice, make_contact, call):
    first, second = make_contact(first_name="Ann"), make_contact(first_name="Ben")
    add(alice, first, call, MARCH)
    add(alice, second, call, MARCH - timedelta(days=3))

    assert (last_activity(first), last_activity(second)) == (MARCH, MARCH - timedelta(days=3))


def test_the_migration_fills_the_last_activity_from_the_events(alice, make_contact, call):
    first, second, quiet = (make_contact(first_name=n) for n in ("Ann", "Ben", "Cleo"))
    for contact, days in ((first, 0), (first, 5), (second, 9)):
        Event.objects.create(
            contact=contact, category=call, text="x", happened_at=MARCH - timedelta(days=days)
        )
    Contact.all_objects.update(last_activity_at=None)

    fill(apps, connection.schema_editor())

    assert [last_activity(c) for c in (first, second, quiet)] == [
        MARCH,
        MARCH - timedelta(days=9),
        None,
    ]


# The list: column, sort and filters.


@pytest.fixture
def dated(alice, make_contact, call):
    """Four contacts of alice: active 2 days, 60 days and 200 days ago, and never."""
    now = timezone.now()
    names = {}
    for name, days in (("Recent", 2), ("Middle", 60), ("Old", 200), ("Never", None)):
        contact = make_contact(first_name=name, last_name="Lee")
        if days is not None:
            add(alice, contact, call, now - timedelta(days=days))
        names[name] = contact
    return names


def rows_in_order(response, names):
    page = response.content.decode()
    found = [n for n in names if f">{n} Lee</a>" in page]
    return sorted(found, key=lambda n: page.index(f">{n} Lee</a>"))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-last_activity", ["Recent", "Middle", "Old", "Never"]),
        ("last_activity", ["Old", "Middle", "Recent", "Never"]),
    ],
)
def test_the_list_sorts_by_last_activity_both_ways_with_empties_last(
    client, alice, dated, sort, expected
):
    client.force_login(alice)
    response = client.get("/contacts/", {"sort": sort})
    assert rows_in_order(response, dated) == expected


@pytest.mark.parametrize("sort", ["-last_activity", "last_activity"])
def test_a_deep_page_read_from_the_end_keeps_the_order(client, alice, make_contact, call, sort):
    now = timezone.now()
    contacts = [make_contact(first_name=f"P{n:02d}", last_name="Lee") for n in range(30)]
    for n, contact in enumerate(contacts[:20]):
        add(alice, contact, call, now - timedelta(days=n))
    client.force_login(alice)
    names = [f"P{n:02d}" for n in range(30)]

    pages = [
        rows_in_order(client.get("/contacts/", {"sort": sort, "page": p}), names) for p in (1, 2)
    ]

    # Ties (the contacts without activity) in the order of their ids, reversed with the sort.
    if sort == "-last_activity":
        expected = names[:20] + names[29:19:-1]
    else:
        expected = names[19::-1] + names[20:]
    assert pages[0] + pages[1] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("none_30", {"Middle", "Old", "Never"}),
        ("none_90", {"Old", "Never"}),
        ("none_180", {"Old", "Never"}),
        ("last_7", {"Recent"}),
    ],
)
def test_the_activity_filters_keep_the_contacts_they_name(client, alice, dated, value, expected):
    client.force_login(alice)
    response = client.get("/contacts/", {"activity": value})
    assert set(rows_in_order(response, dated)) == expected


def test_an_unknown_activity_filter_is_ignored(client, alice, dated):
    client.force_login(alice)
    response = client.get("/contacts/", {"activity": "none_-1'"})
    assert response.status_code == 200
    assert set(rows_in_order(response, dated)) == set(dated)


@pytest.mark.parametrize(
    ("language", "shown", "labels"),
    [
        ("en", "1 Mar 2026", ["Last activity", "No activity", "No activity for 90 days"]),
        (
            "fr",
            "1 mars 2026",
            ["Dernière activité", "Aucune activité", "Aucune activité depuis 90 jours"],
        ),
    ],
)
def test_the_column_shows_the_day_in_the_readers_zone_and_a_dash_without_activity(
    client, alice, make_contact, call, language, shown, labels
):
    Profile.objects.create(user=alice, language=language, time_zone="Pacific/Auckland")
    active = make_contact(first_name="Ann", last_name="Lee")
    make_contact(first_name="Ben", last_name="Lee")
    # 28 February at 23:30 in UTC is already 1 March in Auckland.
    add(alice, active, call, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    client.force_login(alice)

    page = client.get("/contacts/", {"filters": "show"}).content.decode()

    assert f'<time datetime="2026-03-01">{shown}</time>' in page
    assert "—</span>" in page
    for label in labels:
        assert label in page


def test_a_stranger_sees_no_last_activity_of_a_private_contact(client, bob, dated):
    client.force_login(bob)
    page = client.get("/contacts/", {"sort": "-last_activity"}).content.decode()
    assert "Recent Lee" not in page


def test_the_csv_export_writes_the_last_activity_day_in_the_readers_zone(
    client, alice, make_contact, call
):
    Profile.objects.create(user=alice, language="en", time_zone="Pacific/Auckland")
    active = make_contact(first_name="Ann", last_name="Lee")
    make_contact(first_name="Ben", last_name="Lee")
    add(alice, active, call, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    client.force_login(alice)

    response = client.get("/contacts/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))

    assert {row["First name"]: row["Last activity"] for row in rows} == {
        "Ann": "2026-03-01",
        "Ben": "",
    }


def test_the_lists_kept_page_shows_an_event_written_since(client, alice, contact, call, settings):
    settings.LIST_CACHE_SECONDS = 300
    client.force_login(alice)
    before = client.get("/contacts/").content.decode()
    assert "<time datetime=" not in before

    add(alice, contact, call, timezone.now())

    after = client.get("/contacts/").content.decode()
    assert f'<time datetime="{timezone.localdate().isoformat()}">' in after
