"""The overview's breakdowns kept by triggers agree with counting, whatever writes
(contacts/db/breakdowns.py)."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm
from taggit.models import Tag

from contacts import contact_types
from contacts.access import PUBLIC
from contacts.db import breakdowns
from contacts.models import Contact, ContactBreakdown, ContactUserObjectPermission, TaggedContact
from contacts.services import ContactData, contact_create, contact_data_of, contact_update
from contacts.trash.services import contact_delete, contact_restore, contacts_purge


class Rollback(Exception):
    pass


def kept():
    """Return the breakdowns as kept, leaving out the rows at 0 (a missing row counts 0)."""
    rows = ContactBreakdown.objects.values_list("part", "family", "name", "number", "value")
    return {(part, family, name, number): n for part, family, name, number, n in rows if n}


def counted():
    """Return the breakdowns counted afresh in Python, from the contacts as the ORM reads
    them: the parts a contact counts in, the families it counts for."""
    found: Counter = Counter()
    grants = {}
    for contact_id, user_id in ContactUserObjectPermission.objects.filter(
        permission__codename="view_contact"
    ).values_list("content_object_id", "user_id"):
        grants.setdefault(contact_id, []).append(user_id)
    tags = {}
    for contact_id, tag_id in TaggedContact.objects.values_list("content_object_id", "tag_id"):
        tags.setdefault(contact_id, []).append(tag_id)
    for contact in Contact.all_objects.filter(deleted_at__isnull=True):
        if contact.access in PUBLIC:
            parts = ["live", "public"]
        else:
            parts = ["live", *(f"user:{pk}" for pk in grants.get(contact.pk, []))]
        seconds = int(contact.created_at.timestamp())
        for part in parts:
            found[(part, "type", contact.kind, contact.contact_type_id or 0)] += 1
            found[(part, "day", contact.source, seconds // 86400)] += 1
            found[(part, "quarter", contact.source, seconds // 900)] += 1
            for tag in tags.get(contact.pk, []):
                found[(part, "tag", "", tag)] += 1
    return {key: n for key, n in found.items() if n}


def assert_kept_as_counted():
    before = kept()
    assert before == counted()
    breakdowns.recount()
    assert kept() == before


@pytest.fixture
def people(alice, bob, admin, make_user):
    return [alice, bob, make_user("carol"), admin]


def import_rows(tmp_path, n, responsible):
    path = tmp_path / f"import-{n}.csv"
    lines = ["First Name,Last Name,Labels"]
    lines += [f"Imported{n}-{row},Person,Fair ::: VIP" for row in range(n % 4 + 1)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    call_command("import_contacts", str(path), "--user", "admin", "--responsible", responsible)


def test_every_kind_of_write_keeps_the_breakdowns(people, tmp_path, capsys):
    alice, bob, carol, admin = people
    users = people[:3]
    rng = random.Random(20261206)
    titles = ("Key account", "Reseller")
    types = [None, *(contact_types.contact_type_create(title=t) for t in titles)]
    tag_names = ["VIP", "Fair", "Lead", "Cold"]
    now = timezone.now()

    def create():
        data = ContactData(
            kind=rng.choice(Contact.Kind.values),
            fields={"last_name": "New", "company_name": "New", "contact_type": rng.choice(types)},
            access=rng.choice(Contact.Access.values),
            responsible=rng.sample(users, rng.randint(0, 2)),
            tags=rng.sample(tag_names, rng.randint(0, 2)),
        )
        return contact_create(by=rng.choice(users), data=data)

    contacts = [create() for _n in range(20)]
    assert_kept_as_counted()

    actions = [
        "create",
        "edit",
        "moment",
        "source",
        "tag",
        "untag",
        "merge tags",
        "trash",
        "restore",
        "grant",
        "revoke",
        "bulk access",
        "import",
        "purge",
        "raw delete",
    ]
    for step in range(80):
        action = rng.choice(actions)
        contact = Contact.all_objects.get(pk=rng.choice(contacts).pk)
        if action == "create":
            contacts.append(create())
        elif action == "edit" and contact.deleted_at is None:
            data = contact_data_of(contact)
            data.kind = rng.choice(Contact.Kind.values)
            data.fields = {
                "first_name": f"E{step}",
                "last_name": "Edited",
                "company_name": f"Co{step}",
                "contact_type": rng.choice(types),
            }
            data.access = rng.choice(Contact.Access.values)
            data.responsible = rng.sample(users, rng.randint(0, 3))
            data.tags = rng.sample(tag_names, rng.randint(0, 3))
            contact_update(by=admin, contact=contact, data=data)
        elif action == "moment":
            # Near a midnight or a quarter hour, as often as not.
            moment = now - timedelta(days=rng.randint(0, 200), minutes=rng.randint(0, 1440))
            moment = moment.replace(second=rng.choice([0, 59]), microsecond=rng.choice([0, 1]))
            Contact.all_objects.filter(pk=contact.pk).update(created_at=moment)
        elif action == "source":
            Contact.all_objects.filter(pk=contact.pk).update(
                source=rng.choice(Contact.Source.values)
            )
        elif action == "tag":
            contact.tags.add(rng.choice(tag_names))
        elif action == "untag":
            contact.tags.remove(*contact.tags.all()[:1])
        elif action == "merge tags":
            # An UPDATE of the taggings: one tag's become another's.
            giver, taker = (Tag.objects.get_or_create(name=n)[0] for n in rng.sample(tag_names, 2))
            TaggedContact.objects.filter(tag=giver).exclude(
                content_object__in=TaggedContact.objects.filter(tag=taker).values("content_object")
            ).update(tag=taker)
        elif action == "trash" and contact.deleted_at is None:
            contact_delete(by=admin, contact=contact)
        elif action == "restore" and contact.deleted_at is not None:
            contact_restore(by=admin, contact=contact)
        elif action == "grant":
            assign_perm("contacts.view_contact", rng.choice(users), contact)
        elif action == "revoke":
            remove_perm("contacts.view_contact", rng.choice(users), contact)
        elif action == "bulk access":
            Contact.all_objects.filter(pk__in=[c.pk for c in rng.sample(contacts, 5)]).update(
                access=rng.choice(Contact.Access.values)
            )
        elif action == "import":
            import_rows(tmp_path, step, rng.choice(users).username)
            capsys.readouterr()
            contacts = list(Contact.all_objects.all())
        elif action == "purge":
            gone = rng.sample(contacts, 2)
            contacts_purge(gone)
            contacts = [c for c in contacts if c not in gone]
        elif action == "raw delete":
            # The contact first, then its rows (the constraints wait for the commit), or
            # its rows first: the counts hold either way. Rolled back, as other tables
            # still point to the contact.
            with pytest.raises(Rollback), transaction.atomic():
                with connection.cursor() as cursor:
                    statements = [
                        "DELETE FROM contacts_contact WHERE id = %s",
                        "DELETE FROM contacts_taggedcontact WHERE content_object_id = %s",
                        "DELETE FROM contacts_contactuserobjectpermission "
                        "WHERE content_object_id = %s",
                    ]
                    rng.shuffle(statements)
                    for statement in statements:
                        cursor.execute(statement, [contact.pk])
                assert kept() == counted()
                raise Rollback
        assert_kept_as_counted()
