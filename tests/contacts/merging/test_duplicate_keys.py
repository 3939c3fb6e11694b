"""The duplicates page reads kept keys, and shows what grouping every contact showed.

groups() reads the keys and counts the triggers keep (contacts/db/duplicate_keys.py);
reference_groups() below is the grouping it replaced, over every contact the user may
see on each request. Both must give the same groups, members, values, order and total,
for any user, after any writer.
"""

import random
from collections import Counter
from collections.abc import Mapping
from io import StringIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Min

from contacts.access import contacts_visible_to, with_company_visibility
from contacts.bulk.services import bulk_start
from contacts.db import duplicate_keys
from contacts.imports import services as imports
from contacts.merging import duplicates
from contacts.merging.merge import contacts_merge
from contacts.models import Contact, ContactInfo, DataVersion, DuplicateCount, DuplicateKey
from contacts.services import contact_data_of, contact_update
from contacts.trash.services import contact_delete, contact_restore, contacts_purge
from tests.support import csv_text

FIRST = ["Marie", "Pierre", "Zoé", "Łukasz"]
LAST = ["Curie", "Dupont", "Nowak"]
EMAILS = ["a@ex.org", "b@ex.org", "c@ex.org", "d@ex.org", "e@ex.org", "f@ex.org"]
PHONES = ["06 12 34 56 78", "+33 6 12 34 56 78", "01 23 45 67 89", "+1 415-555-0100", "07 11"]


def reference_groups(user, *, offset=0, limit=25):
    """Return groups() as it was: every visible contact grouped on each request."""
    visible = contacts_visible_to(user)
    info_keys = list(
        ContactInfo.objects.filter(
            kind__in=[ContactInfo.Kind.EMAIL, ContactInfo.Kind.PHONE],
            contact__in=visible.values("pk"),
        )
        .exclude(normalized="")
        .values("kind", "normalized")
        .annotate(n=Count("contact_id", distinct=True), first=Min("contact_id"))
        .filter(n__gt=1)
        .order_by("first", "kind", "normalized")
    )
    name_keys = list(
        visible.exclude(sort_name="")
        .values("kind", "sort_name", "company_id")
        .annotate(n=Count("pk"), first=Min("pk"))
        .filter(n__gt=1)
        .order_by("first", "sort_name")
    )
    keys: list[tuple[str, Mapping[str, Any]]] = sorted(
        [("info", k) for k in info_keys] + [("name", k) for k in name_keys],
        key=lambda item: item[1]["first"],
    )
    page = []
    for source, key in keys[offset : offset + limit]:
        if source == "info":
            members = visible.filter(
                pk__in=ContactInfo.objects.filter(
                    kind=key["kind"], normalized=key["normalized"]
                ).values("contact_id")
            )
            reason = key["kind"]
        else:
            members = visible.filter(
                kind=key["kind"], sort_name=key["sort_name"], company_id=key["company_id"]
            )
            reason = "name"
        members = with_company_visibility(user, members.select_related("company"))
        contacts = list(members.order_by("pk")[: duplicates.MEMBERS + 1])
        value = key.get("normalized") or contacts[0].display_name
        more = len(contacts) > duplicates.MEMBERS
        page.append(duplicates.Group(reason, value, contacts[: duplicates.MEMBERS], more))
    return page, len(keys) > offset + limit


def shown(answer):
    """Return what the page shows of groups()' answer: each group and its contacts."""
    groups, more = answer
    return more, [
        (
            g.reason,
            g.value,
            [(c.pk, c.display_name, c.company_id, c.company_visible) for c in g.contacts],
            g.more,
        )
        for g in groups
    ]


def assert_same_groups(users):
    """groups() answers as the reference for each user, whole and page by page."""
    assert_keys_in_step()
    for user in users:
        user = type(user).objects.get(pk=user.pk)  # roles read afresh
        expected = shown(reference_groups(user, limit=10**6))
        assert shown(duplicates.groups(user, limit=10**6)) == expected, user.username
        last = len(expected[1]) - 1
        for offset, limit in ((0, 25), (0, 3), (3, 4), (last, 5), (last - 2, 3), (10**4, 25)):
            page = shown(duplicates.groups(user, offset=max(offset, 0), limit=limit))
            reference = shown(reference_groups(user, offset=max(offset, 0), limit=limit))
            assert page == reference, (user.username, offset, limit)


def expected_keys():
    """Return the keys and counts the triggers should keep, computed from the tables."""
    public = {Contact.Access.PUBLIC_READ, Contact.Access.PUBLIC_RW}
    contacts = {c.pk: c for c in Contact.all_objects.all()}
    keys = set()
    for c in contacts.values():
        if c.sort_name:
            keys.add(("name", f"{c.kind}|{c.company_id or ''}|{c.sort_name}", c.pk))
    for info in ContactInfo.objects.filter(kind__in=["email", "phone"]).exclude(normalized=""):
        keys.add((info.kind, info.normalized, info.contact_id))
    rows = {
        (reason, value, pk, contacts[pk].deleted_at is None, contacts[pk].access in public)
        for reason, value, pk in keys
    }
    counts = Counter()
    for reason, value, _pk, live, is_public in rows:
        counts[reason, value, "live"] += live
        counts[reason, value, "public"] += live and is_public
    by_key = {
        (reason, value): (counts[reason, value, "live"], counts[reason, value, "public"])
        for reason, value, *_ in rows
    }
    return rows, by_key


def assert_keys_in_step():
    rows, counts = expected_keys()
    kept = set(
        DuplicateKey.objects.values_list("reason", "value", "contact_id", "is_live", "is_public")
    )
    assert kept == rows
    kept_counts = {
        (reason, value): (n_live, n_public)
        for reason, value, n_live, n_public in DuplicateCount.objects.values_list(
            "reason", "value", "n_live", "n_public"
        )
    }
    assert kept_counts == counts


def info(kind, value):
    category = "work" if kind == "email" else "mobile"
    return {"kind": kind, "category": category, "value": value, "is_primary": False}


def random_infos(rng):
    email = rng.choice(EMAILS)
    infos = [info("email", email.upper() if rng.random() < 0.2 else email)]
    infos += [info("phone", rng.choice(PHONES)) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.2:  # the same e-mail twice
        infos.append(dict(infos[0]))
    return infos[: rng.randint(0, len(infos))]


def random_population(rng, make_contact, users, n):
    companies = [
        make_contact(
            "company",
            company_name=rng.choice(["Acme", "ACME", "Radium", "Radium"]),
            by=rng.choice(users),
            access=rng.choice(Contact.Access.values),
            infos=random_infos(rng)[:1],
        )
        for _ in range(5)
    ]
    for _ in range(n):
        make_contact(
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            company=rng.choice([None, None, *companies]),
            infos=random_infos(rng),
            by=rng.choice(users),
            access=rng.choice(Contact.Access.values),
            responsible=rng.sample(users, rng.randint(0, len(users))),
        )


@pytest.fixture
def people(alice, bob, admin, make_user):
    outsider = make_user("outsider")  # no CRM user: sees only what he was granted
    outsider.groups.clear()
    gone = make_user("gone", is_active=False)
    return [alice, bob, admin, outsider, gone]


@pytest.mark.parametrize("seed", [1, *(pytest.param(n, marks=pytest.mark.slow) for n in (2, 3))])
def test_the_kept_keys_group_as_grouping_every_contact_did(people, make_contact, settings, seed):
    alice, bob, admin, outsider, _gone = people
    writers = [alice, bob, outsider]
    rng = random.Random(seed)
    random_population(rng, make_contact, writers, 40)
    assert_same_groups(people)
    _more, groups = shown(duplicates.groups(admin, limit=10**6))
    assert len(groups) > 5 and {g[0] for g in groups} == {"email", "phone", "name"}

    # Edits: names, companies, access, responsible users, e-mails and phones.
    everyone = list(Contact.objects.filter(kind="person"))
    for contact in rng.sample(everyone, 12):
        data = contact_data_of(contact)
        data.fields["first_name"] = rng.choice(FIRST)
        data.access = rng.choice(Contact.Access.values)
        data.responsible = rng.sample(writers, rng.randint(1, len(writers)))
        data.infos = random_infos(rng)
        data.company = rng.choice([None, *Contact.objects.filter(kind="company")])
        contact_update(by=admin, contact=contact, data=data)
    assert_same_groups(people)

    # E-mails and phones deleted behind the services; raw SQL.
    ids = list(ContactInfo.objects.values_list("pk", flat=True))
    ContactInfo.objects.filter(pk__in=rng.sample(ids, 10)).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contactinfo SET normalized = 'c@ex.org' WHERE id = %s", [ids[0]]
        )
        cursor.execute("UPDATE contacts_contact SET access = 'public_rw' WHERE id = %s", [ids[1]])
    assert_same_groups(people)

    # The trash, one by one and in bulk, restored, purged.
    trashed = rng.sample(list(Contact.objects.all()), 8)
    for contact in trashed[:4]:
        contact_delete(by=admin, contact=contact)
    bulk_start(
        by=admin,
        action="delete",
        params={},
        contacts=Contact.objects.filter(pk__in=[c.pk for c in trashed[4:]]),
    )
    assert_same_groups(people)
    contact_restore(by=admin, contact=Contact.all_objects.get(pk=trashed[0].pk))
    contacts_purge(Contact.all_objects.filter(pk__in=[c.pk for c in trashed[1:3]]))
    assert_same_groups(people)

    # Merges: the other's e-mails and phones move, and it goes to the trash.
    for kind in ("person", "company"):
        pairs = list(Contact.objects.filter(kind=kind))
        for keep, other in zip(pairs[::2][:2], pairs[1::2][:2], strict=False):
            contacts_merge(by=admin, keep=keep, other=other)
    assert_same_groups(people)

    # The import and the bench population write in bulk.
    settings.IMPORT_BATCH_SIZE = 3
    rows = [["First name", "Last name", "Email", "Phone"]]
    rows += [["Marie", "Curie", rng.choice(EMAILS), rng.choice(PHONES)] for _ in range(7)]
    for duplicates_are in ("create", "update"):
        upload = ContentFile(csv_text(*rows).encode(), "c.csv")
        job = imports.job_create(by=alice, upload=upload)
        job.responsible = [alice.pk]
        job.access = "public_read"
        job.duplicates = duplicates_are
        job.save()
        imports.job_start(job=job)
        job.refresh_from_db()
        assert job.status == "done", job.error
        assert_same_groups(people)
    assert job.updated > 0
    call_command("seed_demo", "--contacts", "40", "--users", "3", "--seed", "5", stdout=StringIO())
    assert_same_groups(people)


def test_a_bulk_write_after_a_flush_adds_each_key_once(make_contact):
    # A flush empties the data version's table, where SQLite's triggers read whether a
    # bulk write has set them aside.
    make_contact(first_name="Ada", infos=[info("email", "ada@ex.org")])
    DataVersion.objects.all().delete()

    call_command("seed_demo", "--contacts", "20", "--users", "2", "--seed", "3", stdout=StringIO())

    assert_keys_in_step()


def test_a_rebuild_writes_the_keys_again(make_contact):
    make_contact(first_name="Ada", infos=[info("email", "ada@ex.org")])
    make_contact(first_name="Ada", infos=[info("email", "ADA@ex.org")])
    DuplicateCount.objects.all().delete()
    DuplicateKey.objects.filter(reason="name").delete()

    duplicate_keys.rebuild()

    assert_keys_in_step()
    assert DuplicateCount.objects.get(reason="email", value="ada@ex.org").n_live == 2


def test_a_contact_holding_an_email_twice_counts_once(alice, make_contact):
    twice = [info("email", "x@ex.org"), info("email", "X@ex.org")]
    contact = make_contact(first_name="Solo", infos=twice)

    assert DuplicateCount.objects.get(reason="email", value="x@ex.org").n_live == 1
    assert duplicates.groups(alice) == ([], False)
    # One of the two goes: the key stays with the other; the last takes it away.
    contact.infos.first().delete()
    assert DuplicateKey.objects.filter(contact=contact, reason="email").count() == 1
    contact.infos.all().delete()
    assert not DuplicateKey.objects.filter(contact=contact, reason="email").exists()
    assert not DuplicateCount.objects.filter(reason="email").exists()


def test_the_trash_and_access_change_the_counts(alice, bob, make_contact):
    one = make_contact(first_name="Twin", access="public_read")
    two = make_contact(first_name="Twin", access="private")
    value = f"person||{one.sort_name}"

    assert DuplicateCount.objects.get(reason="name", value=value).n_live == 2
    assert duplicates.groups(bob) == ([], False)  # bob sees only the public one
    Contact.objects.filter(pk=two.pk).update(access="public_rw")
    assert DuplicateCount.objects.get(reason="name", value=value).n_public == 2
    assert [c.pk for c in duplicates.groups(bob)[0][0].contacts] == [one.pk, two.pk]
    contact_delete(by=alice, contact=Contact.objects.get(pk=one.pk))
    assert (
        DuplicateCount.objects.filter(reason="name", value=value)
        .values_list("n_live", "n_public")
        .get()
    ) == (1, 1)
    assert duplicates.groups(alice) == ([], False)


def test_the_page_reads_few_queries(alice, make_contact, django_assert_max_num_queries):
    for n in range(30):
        make_contact(first_name=f"P{n % 10}", infos=[info("email", f"{n % 7}@ex.org")])
    alice = type(alice).objects.get(pk=alice.pk)

    with django_assert_max_num_queries(6):
        groups, more = duplicates.groups(alice)

    assert (len(groups), more) == (17, False)
    assert duplicates.groups(alice, limit=16)[1] is True
