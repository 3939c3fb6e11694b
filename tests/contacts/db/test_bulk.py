"""Bulk writes keep the list's counts and data version (contacts/db/bulk.py), and store
every value as the ORM would (PostgreSQL: a binary COPY)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from contacts import selectors
from contacts.access import contacts_visible_to, count_visible_to
from contacts.db import bulk, counts
from contacts.models import Contact, ContactCount, ContactEvent, ContactInfo, DataVersion
from contacts.services import ContactData, contact_create


def new_contact(pk, name, access, responsible, infos=()):
    row = bulk.column_defaults()
    now = Contact._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    row.update(
        id=pk,
        created_at=now,
        updated_at=now,
        kind=Contact.Kind.PERSON,
        first_name=name,
        display_name=name,
        sort_name=name.lower(),
        search_text=name.lower(),
        access=access,
        custom=bulk.prepared_once(Contact._meta.get_field("custom"), {}),
    )
    return bulk.NewContact(row, infos=infos, responsible=[u.pk for u in responsible])


def kept_counts():
    return {key: value for key, value in ContactCount.objects.values_list("key", "value") if value}


def test_contacts_written_in_bulk_are_counted_and_change_the_version_once(alice, bob, admin):
    version = DataVersion.objects.get(pk=1).value
    with transaction.atomic(), bulk.bulk_writes() as write:
        ids = bulk.allocate_ids(3)
        contacts = [
            new_contact(ids[0], "Ada", Contact.Access.PRIVATE, [alice]),
            new_contact(ids[1], "Bea", Contact.Access.PRIVATE, [alice, bob]),
            new_contact(ids[2], "Cid", Contact.Access.PUBLIC_READ, [bob]),
        ]
        write.insert_contacts(contacts, bulk.Grants.read())
        # The row triggers stood aside.
        assert DataVersion.objects.get(pk=1).value == version
    assert DataVersion.objects.get(pk=1).value != version

    assert (count_visible_to(alice), count_visible_to(bob), count_visible_to(admin)) == (3, 2, 3)
    for user in (alice, bob, admin):
        assert count_visible_to(user) == contacts_visible_to(user).count()
    kept = kept_counts()
    counts.recount()
    assert kept_counts() == kept


def test_a_bulk_write_rolled_back_leaves_the_counts_as_they_were(alice):
    before = kept_counts()
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.bulk_writes() as write:
        [pk] = bulk.allocate_ids(1)
        write.insert_contacts([new_contact(pk, "Ada", "private", [alice])], bulk.Grants.read())
        raise IntegrityError
    assert kept_counts() == before
    assert not Contact.objects.exists()


def triggers():
    """Return the database's triggers: SQLite's as created, PostgreSQL's as enabled."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal")
        return set(cursor.fetchall())


def test_the_triggers_a_bulk_write_sets_aside_are_back_after_it_and_after_a_rollback(alice):
    before = triggers()
    assert len(before) > 15
    with transaction.atomic(), bulk.bulk_writes() as write:
        [pk] = bulk.allocate_ids(1)
        write.insert_contacts([new_contact(pk, "Ada", "private", [alice])], bulk.Grants.read())
    assert triggers() == before
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.bulk_writes():
        raise IntegrityError
    assert triggers() == before
    # Back at work: a contact written one by one changes the counts and the index again.
    contact = contact_create(by=alice, data=ContactData(kind="person", fields={"last_name": "Bo"}))
    assert kept_counts()["live"] == 2
    found = selectors.contact_search(Contact.objects.all(), "bo")
    assert list(found.values_list("pk", flat=True)) == [contact.pk]


def test_the_first_of_each_kind_is_primary_and_phones_are_normalised_once_parsed(alice):
    infos = [
        {"kind": "email", "category": "work", "value": "Ada@Example.com"},
        {"kind": "phone", "category": "work", "value": "01 23 45 67 89"},
        {"kind": "email", "category": "home", "value": "ada@home.example"},
        {"kind": "phone", "category": "mobile", "value": "06 12 34 56 78"},
    ]
    # A phone parsed already is not parsed again: its parts are taken as given.
    phones = {"06 12 34 56 78": ("+33600000000", ["0600000000"])}
    with transaction.atomic(), bulk.bulk_writes() as write:
        [pk] = bulk.allocate_ids(1)
        contact = new_contact(pk, "Ada", "private", [alice], infos)
        write.insert_contacts([contact], bulk.Grants.read(), phones)

    assert list(
        ContactInfo.objects.filter(contact_id=pk)
        .order_by("position")
        .values_list("value", "normalized", "is_primary")
    ) == [
        ("Ada@Example.com", "ada@example.com", True),
        ("01 23 45 67 89", "+33123456789", True),
        ("ada@home.example", "ada@home.example", False),
        ("06 12 34 56 78", "+33600000000", False),
    ]


def test_insert_writes_nulls_booleans_and_small_integers(alice):
    contact = contact_create(
        by=alice,
        data=ContactData(
            kind="person",
            fields={"first_name": "Ada"},
            access="private",
            responsible=[alice],
            tags=[],
            infos=[],
            addresses=[],
        ),
    )
    fields = ["contact", "kind", "category", "value", "normalized", "is_primary", "position"]
    bulk.insert(
        ContactInfo,
        fields,
        [
            (contact.pk, "email", "work", "a\tb\\N@example.com", "", True, 0),
            (contact.pk, "web", "other", "\\N", "\\", False, 32767),
        ],
    )
    assert list(
        ContactInfo.objects.filter(contact=contact)
        .order_by("position")
        .values_list("value", "normalized", "is_primary", "position")
    ) == [("a\tb\\N@example.com", "", True, 0), ("\\N", "\\", False, 32767)]


def test_a_value_shared_by_many_rows_is_serialised_once():
    field = ContactEvent._meta.get_field("details")
    prepared = bulk.prepared_once(field, {"import": 7})
    plain = field.get_db_prep_save({"import": 7}, connection)
    if connection.vendor != "postgresql":
        assert prepared == plain
        return
    assert prepared.obj == plain.obj
    assert prepared.dumps(prepared.obj) == plain.dumps(plain.obj)
    # The text is made once, then handed out for every row.
    assert prepared.dumps(prepared.obj) is prepared.dumps(prepared.obj)
