"""Each user's count of live responsible contacts, kept by triggers, agrees with counting."""

import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from contacts.bulk import services as bulk
from contacts.db import counts
from contacts.demo.population import seed_population
from contacts.models import BulkJob, Contact, ContactCount
from contacts.services import ContactData, contact_update
from contacts.team import services as team
from contacts.trash.services import contact_delete, contact_restore, contacts_purge


class Rollback(Exception):
    pass


def counted(user):
    """Return how many live contacts user is responsible for, counted afresh."""
    return Contact.all_objects.filter(deleted_at__isnull=True, responsible=user).count()


def kept_responsible():
    return {
        key: value
        for key, value in ContactCount.objects.values_list("key", "value")
        if (key.startswith("responsible:") or key == "unassigned") and value
    }


def assert_kept_as_counted(users):
    kept = team.responsible_counts([user.pk for user in users])
    assert kept == {user.pk: counted(user) for user in users}
    # The live contacts without a responsible user: the admins' overview.
    unassigned = Contact.all_objects.filter(deleted_at__isnull=True, responsible__isnull=True)
    assert counts.total("unassigned") == unassigned.count()
    before = kept_responsible()
    counts.recount()
    assert kept_responsible() == before


@pytest.fixture
def people(alice, bob, admin, make_user):
    return [alice, bob, make_user("carol"), admin]


def import_rows(tmp_path, n, responsible):
    path = tmp_path / f"import-{n}.csv"
    lines = ["First Name,Last Name"] + [f"Imported{n}-{row},Person" for row in range(n)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    call_command("import_contacts", str(path), "--user", "admin", "--responsible", responsible)


def test_every_kind_of_write_keeps_the_responsible_counts(people, make_contact, tmp_path, capsys):
    alice, bob, carol, admin = people
    users = people[:3]
    rng = random.Random(20261206)
    contacts = [
        make_contact(
            by=rng.choice(users),
            access=rng.choice(Contact.Access.values),
            responsible=rng.sample(users, rng.randint(0, 3)),
            first_name=f"P{n}",
        )
        for n in range(30)
    ]
    assert_kept_as_counted(people)

    actions = [
        "create",
        "assign",
        "trash",
        "restore",
        "purge",
        "import",
        "hand over",
        "bulk add",
        "bulk replace",
        "raw unassign",
        "raw move",
        "raw delete",
    ]
    for step in range(80):
        action = rng.choice(actions)
        contact = Contact.all_objects.get(pk=rng.choice(contacts).pk)
        if action == "create":
            contacts.append(
                make_contact(by=rng.choice(users), responsible=rng.sample(users, rng.randint(0, 2)))
            )
        elif action == "assign":
            data = ContactData(
                kind=contact.kind,
                fields={"first_name": f"E{step}", "company_name": contact.company_name},
                access=contact.access,
                responsible=rng.sample(users, rng.randint(0, 3)),
            )
            contact_update(by=admin, contact=contact, data=data)
        elif action == "trash" and contact.deleted_at is None:
            contact_delete(by=admin, contact=contact)
        elif action == "restore" and contact.deleted_at is not None:
            contact_restore(by=admin, contact=contact)
        elif action == "purge":
            gone = rng.sample(contacts, 2)
            contacts_purge(gone)
            contacts = [c for c in contacts if c not in gone]
        elif action == "import":
            import_rows(tmp_path, step, rng.choice(users).username)
            capsys.readouterr()
            contacts = list(Contact.all_objects.all())
        elif action == "hand over":
            giver, taker = rng.sample(users, 2)
            team.contacts_hand_over(by=admin, giver=giver, taker=taker)
        elif action in ("bulk add", "bulk replace"):
            bulk.bulk_start(
                by=admin,
                action=BulkJob.Action.SET_RESPONSIBLE,
                params={
                    "users": [u.pk for u in rng.sample(users, rng.randint(1, 2))],
                    "mode": "add" if action == "bulk add" else "replace",
                },
                contacts=Contact.objects.filter(pk__in=[c.pk for c in rng.sample(contacts, 6)]),
            )
        elif action == "raw unassign":
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM contacts_contact_responsible "
                    "WHERE contact_id = %s AND user_id = %s",
                    [contact.pk, rng.choice(users).pk],
                )
        elif action == "raw move":
            # An UPDATE of the responsible rows: one user's rows become another's.
            giver, taker = rng.sample(users, 2)
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE contacts_contact_responsible SET user_id = %s WHERE user_id = %s "
                    "AND contact_id NOT IN (SELECT contact_id FROM contacts_contact_responsible "
                    "WHERE user_id = %s)",
                    [taker.pk, giver.pk, taker.pk],
                )
        elif action == "raw delete":
            # The contact first, then its rows (the constraints wait for the commit): the
            # counts hold in this order too. Rolled back, as every other table still
            # points to the contact.
            with pytest.raises(Rollback), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM contacts_contact WHERE id = %s", [contact.pk])
                    cursor.execute(
                        "DELETE FROM contacts_contact_responsible WHERE contact_id = %s",
                        [contact.pk],
                    )
                assert_kept_as_counted(people)
                raise Rollback
        assert_kept_as_counted(people)


def test_a_users_deletion_takes_his_rows_out_of_the_counts(people, make_contact):
    alice, bob, carol, admin = people
    make_contact(responsible=[alice, carol])
    make_contact(responsible=[carol])
    assert team.responsible_counts([carol.pk]) == {carol.pk: 2}
    carol.delete()
    assert team.responsible_counts([alice.pk, carol.pk]) == {alice.pk: 1, carol.pk: 0}
    assert_kept_as_counted([alice, bob, admin])


def test_the_bench_population_adds_its_responsible_counts(db, admin):
    seed_population(300, 4, seed=7)
    users = list(
        type(admin).objects.filter(responsible_for__isnull=False).distinct().order_by("pk")
    )
    assert len(users) == 4
    assert all(counted(user) for user in users)
    assert_kept_as_counted(users)


def test_the_users_page_reads_the_counts_in_one_query(
    people, make_contact, django_assert_num_queries
):
    alice, bob, carol, admin = people
    make_contact(responsible=[alice, bob])
    trashed = make_contact(responsible=[bob])
    contact_delete(by=admin, contact=trashed)
    with django_assert_num_queries(1):
        found = team.responsible_counts([alice.pk, bob.pk, carol.pk])
    assert found == {alice.pk: 1, bob.pk: 1, carol.pk: 0}
