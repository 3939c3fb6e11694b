"""A save writes only what changed, and its history says what changed as before.

contact_update leaves alone the details, tags, responsible users and guardian rows that
the data holds exactly as stored, and builds the history's "after" from what it wrote
rather than reading the contact again: these tests hold both to what the database holds.
"""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import history
from contacts.models import (
    Address,
    ContactEvent,
    ContactGroupObjectPermission,
    ContactInfo,
    ContactType,
    ContactUserObjectPermission,
    CustomField,
    TaggedContact,
)
from contacts.services import contact_data_of, contact_update

INFOS = [
    {"kind": "email", "category": "work", "value": "jean@example.com", "is_primary": True},
    {"kind": "email", "category": "home", "value": "j@example.org", "is_primary": False},
    {"kind": "phone", "category": "mobile", "value": "+33 6 12 34 56 78", "is_primary": True},
]
ADDRESS = {"category": "work", "street": "1 rue de la Paix", "city": "Paris", "is_primary": True}


@pytest.fixture
def person(make_contact, alice, bob):
    return make_contact(
        job_title="Buyer",
        responsible=[alice, bob],
        tags=["vip", "Lyon"],
        infos=INFOS,
        addresses=[ADDRESS],
    )


def rows_of(contact):
    """Return the ids of every related row the save could rewrite."""
    return {
        "infos": sorted(ContactInfo.objects.filter(contact=contact).values_list("pk", flat=True)),
        "addresses": sorted(Address.objects.filter(contact=contact).values_list("pk", flat=True)),
        "tags": sorted(
            TaggedContact.objects.filter(content_object=contact).values_list("pk", flat=True)
        ),
        "user perms": sorted(
            ContactUserObjectPermission.objects.filter(content_object=contact).values_list(
                "pk", flat=True
            )
        ),
        "group perms": sorted(
            ContactGroupObjectPermission.objects.filter(content_object=contact).values_list(
                "pk", flat=True
            )
        ),
    }


def test_a_change_of_one_field_rewrites_no_detail_tag_or_permission(alice, person):
    before = rows_of(person)
    data = contact_data_of(person)
    data.fields["job_title"] = "Head buyer"
    data.tags = ["vip", "Lyon"]  # typed back as names, as the form posts them

    with CaptureQueriesContext(connection) as queries:
        contact_update(by=alice, contact=person, data=data, expected_version=person.version)

    assert rows_of(person) == before
    written = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "DELETE"))]
    assert len(written) == 1 and "contacts_contactevent" in written[0]
    event = ContactEvent.objects.filter(contact=person).first()
    assert event.changes == [
        {"field": "job_title", "label": "", "old": "Buyer", "new": "Head buyer"}
    ]


def test_changed_details_tags_and_access_are_written_and_recorded(alice, bob, person):
    data = contact_data_of(person)
    data.infos = [dict(INFOS[0], value="jean@new.example.com"), *INFOS[1:]]
    data.addresses = [dict(ADDRESS, city="Lyon")]
    data.tags = ["VIP", "Paris"]  # an existing tag in other letters, and a new one
    data.responsible = [alice]
    data.access = "public_read"

    contact_update(by=alice, contact=person, data=data, expected_version=person.version)

    assert sorted(person.infos.values_list("value", flat=True)) == [
        "+33 6 12 34 56 78",
        "j@example.org",
        "jean@new.example.com",
    ]
    assert list(person.addresses.values_list("city", flat=True)) == ["Lyon"]
    assert sorted(t.name for t in history.tags_of(person)) == ["Paris", "vip"]
    assert set(
        ContactUserObjectPermission.objects.filter(content_object=person).values_list(
            "user_id", flat=True
        )
    ) == {alice.pk}
    assert ContactGroupObjectPermission.objects.filter(content_object=person).count() == 1
    changes = {c["field"]: (c["old"], c["new"]) for c in person.events.first().changes}
    assert changes == {
        "access": ("private", "public_read"),
        "responsible": ("Alice Martin, Bob Durand", "Alice Martin"),
        "tags": ("Lyon, vip", "Paris, vip"),
        "email": (
            "jean@example.com, j@example.org",
            "jean@new.example.com, j@example.org",
        ),
        "address": ("1 rue de la Paix Paris", "1 rue de la Paix Lyon"),
    }


def test_the_history_of_many_saves_is_what_the_database_holds_after_each(
    alice, bob, make_user, person
):
    """The "after" built from what was written equals the contact read again, every time."""
    carol = make_user("carol", first_name="Carol", last_name="")
    types = [ContactType.objects.get_or_create(title=t)[0] for t in ("Client", "Supplier")]
    fields = [
        CustomField.objects.create(label="Tier", field_type="select", options=["S", "L"]),
        CustomField.objects.create(label="Since", field_type="date"),
        CustomField.objects.create(label="Seats", field_type="number"),
        CustomField.objects.create(label="Newsletter", field_type="checkbox"),
    ]
    values = {
        "Tier": ["S", "L", None],
        "Since": ["2024-02-29", None],
        "Seats": [12, 1234.5, "7", None],
        "Newsletter": [True, None],
    }
    chance = random.Random(7)
    for _ in range(25):
        person.refresh_from_db()
        stored = history.snapshot(person)
        data = contact_data_of(person)
        data.fields["job_title"] = chance.choice(["Buyer", "Head", ""])
        data.fields["contact_type"] = chance.choice([None, *types])
        data.access = chance.choice(["private", "public_read", "public_rw"])
        data.responsible = chance.sample([alice, bob, carol], chance.randint(1, 3))
        data.tags = chance.sample(["vip", "VIP", "Lyon", "paris", "Nantes"], chance.randint(0, 3))
        data.infos = chance.sample(INFOS, chance.randint(0, 3))
        data.addresses = chance.choice([[], [ADDRESS], [ADDRESS, dict(ADDRESS, city="Nice")]])
        data.custom = {f.key: chance.choice(values[f.label]) for f in fields}
        last = ContactEvent.objects.filter(contact=person).count()

        contact_update(by=alice, contact=person, data=data, expected_version=person.version)

        expected = history.diff(stored, history.snapshot(person))
        recorded = ContactEvent.objects.filter(contact=person)
        if expected:
            assert recorded.count() == last + 1
            assert recorded.first().changes == expected
        else:
            assert recorded.count() == last
