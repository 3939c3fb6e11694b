"""The list's counts kept by triggers agree with counting, whatever writes (contacts/counts.py)."""

import random

import pytest
from django.db import IntegrityError, connection, transaction
from guardian.shortcuts import assign_perm, remove_perm

from contacts.access import contacts_visible_to, count_visible_to
from contacts.db import counts, freshness
from contacts.models import Contact, ContactCount, ContactUserObjectPermission
from contacts.services import ContactData, contact_update
from contacts.trash.services import contact_delete, contact_restore, contacts_purge
from tests.support import page_of


def kept():
    """Return the counts as kept, leaving out the keys at 0 (a missing key counts 0)."""
    return {key: value for key, value in ContactCount.objects.values_list("key", "value") if value}


def assert_kept_as_counted(users):
    before = kept()
    for user in users:
        assert count_visible_to(user) == contacts_visible_to(user).count(), user.username
    counts.recount()
    assert before == kept()


@pytest.fixture
def people(alice, bob, admin, make_user):
    return [alice, bob, make_user("carol"), admin]


def test_every_kind_of_write_keeps_the_counts(people, make_contact):
    alice, bob, carol, admin = people
    rng = random.Random(20261127)
    accesses = Contact.Access.values
    contacts = [
        make_contact(
            by=rng.choice(people[:3]),
            access=rng.choice(accesses),
            responsible=rng.sample(people[:3], rng.randint(0, 2)),
            first_name=f"P{n}",
        )
        for n in range(30)
    ]
    assert_kept_as_counted(people)

    for step in range(60):
        contact = Contact.all_objects.get(pk=rng.choice(contacts).pk)
        action = rng.choice(
            ["edit", "trash", "restore", "share", "unshare", "bulk access", "raw delete"]
        )
        if action == "edit":
            data = ContactData(
                kind=contact.kind,
                fields={"first_name": f"E{step}", "company_name": contact.company_name},
                access=rng.choice(accesses),
                responsible=rng.sample(people[:3], rng.randint(0, 3)),
            )
            contact_update(by=alice, contact=contact, data=data)
        elif action == "trash" and contact.deleted_at is None:
            contact_delete(by=alice, contact=contact)
        elif action == "restore" and contact.deleted_at is not None:
            contact_restore(by=alice, contact=contact)
        elif action == "share":
            assign_perm("contacts.view_contact", rng.choice(people[:3]), contact)
        elif action == "unshare":
            remove_perm("contacts.view_contact", rng.choice(people[:3]), contact)
        elif action == "bulk access":
            Contact.objects.filter(pk__in=[c.pk for c in rng.sample(contacts, 5)]).update(
                access=rng.choice(accesses)
            )
        elif action == "raw delete":
            # Guardian's rows first or the contact first: the counts hold either way.
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM contacts_contactuserobjectpermission "
                    "WHERE content_object_id = %s AND user_id = %s",
                    [contact.pk, rng.choice(people[:3]).pk],
                )
        assert_kept_as_counted(people)

    contacts_purge(rng.sample(contacts, 10))
    assert_kept_as_counted(people)


def test_the_list_shows_the_kept_count(alice_client, alice, bob, make_contact):
    for n in range(3):
        make_contact(first_name=f"Mine{n}")
    make_contact(by=bob, first_name="Shared", access=Contact.Access.PUBLIC_READ)
    hidden = make_contact(by=bob, first_name="Hidden")
    assert "4 contacts" in page_of(alice_client.get("/contacts/"))

    assign_perm("contacts.view_contact", alice, hidden)
    assert "5 contacts" in page_of(alice_client.get("/contacts/"))
    contact_delete(by=bob, contact=hidden)
    assert "4 contacts" in page_of(alice_client.get("/contacts/"))


def test_a_rolled_back_write_leaves_the_counts(people, make_contact):
    alice = people[0]
    make_contact(first_name="Kept")
    before = kept()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contact(first_name="Gone", access=Contact.Access.PUBLIC_RW)
        make_contact(first_name="Gone too")
        raise IntegrityError
    assert kept() == before
    assert count_visible_to(alice) == 1


def test_bulk_writes_set_the_triggers_aside_and_add_adds(people, make_contact):
    alice = people[0]
    contact = make_contact(first_name="Bulk")
    before = kept()
    with transaction.atomic(), freshness.bulk_writes():
        Contact.objects.filter(pk=contact.pk).update(access=Contact.Access.PUBLIC_READ)
        ContactUserObjectPermission.objects.filter(content_object=contact).delete()
        assert kept() == before
        counts.add({"public": 1, counts.user_key(alice.pk): -1, "unchanged": 0})
    # Still responsible for it: made public, it stays his.
    assert kept() == {"live": 1, "public": 1, counts.responsible_key(alice.pk): 1}
    assert_kept_as_counted(people)


def test_a_migrate_that_applies_nothing_leaves_the_counts_and_a_flush_recounts_them(make_contact):
    from django.core.management import call_command
    from django.core.management.sql import emit_post_migrate_signal

    make_contact("person", first_name="Ann")
    ContactCount.objects.filter(key="live").update(value=999)

    call_command("migrate", verbosity=0)  # nothing to apply: no recount of every contact
    assert ContactCount.objects.get(key="live").value == 999

    emit_post_migrate_signal(0, False, "default")  # as flush sends it: no plan
    assert ContactCount.objects.get(key="live").value == 1
