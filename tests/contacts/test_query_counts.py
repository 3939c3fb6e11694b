"""The list and the card run a fixed, small number of queries: no query per row,
the same count for 25 rows as for 100, within the budget of 12 (14 for the card)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.services import ContactData, contact_create

BUDGET = 12
# The card shows the first page of the contact's timeline instead of its history alone:
# its entries' keys and its history entries (its events when it has some); the categories
# come from the cache and the add form only when its dialog opens. Its open tasks are one
# query more, and the navbar's count of the user's tasks due one more, as on every page.
# A person's positions (or a company's people, instead of its persons) are one more.
# Its relations, both ways and with the other ends the user may see, are one more (their
# types, offered by the form that adds one, come from the cache).
CARD_BUDGET = BUDGET + 3


def queries(client, url):
    client.get(url)  # warm: the permission ids are read once per process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def rich_contacts(user, other, count):
    company = contact_create(
        by=user,
        data=ContactData(kind="company", fields={"company_name": "Acme"}, responsible=[user]),
    )
    for n in range(count):
        contact_create(
            by=user,
            data=ContactData(
                kind="person",
                fields={"first_name": f"P{n}", "last_name": "Row"},
                company=company,
                access="public_read" if n % 2 else "private",
                responsible=[user, other],
                tags=["A", "B"],
                infos=[
                    {"kind": "email", "category": "work", "value": f"p{n}@example.com"},
                    {"kind": "phone", "category": "work", "value": f"01 23 45 67 {n % 100:02}"},
                ],
            ),
        )
    return company


@pytest.mark.parametrize("persona", ["alice", "admin"])
def test_the_list_runs_the_same_few_queries_for_25_and_100_rows(
    settings, client, alice, bob, persona, request
):
    settings.LIST_CACHE_SECONDS = 0  # what a first visit, or one after a change, runs
    rich_contacts(alice, bob, 100)
    user = request.getfixturevalue(persona)
    client.force_login(user)

    small = queries(client, "/contacts/?per_page=25")
    large = queries(client, "/contacts/?per_page=100")

    assert small == large
    assert small <= BUDGET


@pytest.mark.parametrize("persona", ["alice", "bob", "admin"])
def test_the_card_stays_within_the_budget(client, alice, bob, persona, request):
    company = rich_contacts(alice, bob, 3)
    person = company.persons.first()
    client.force_login(request.getfixturevalue(persona))

    assert queries(client, f"/contacts/{person.pk}/") <= CARD_BUDGET


@pytest.mark.parametrize("persona", ["alice", "admin"])
def test_the_card_costs_the_same_with_one_open_task_and_with_ten(
    client, alice, bob, persona, request
):
    from activities.models import TaskCategory  # why: only this test writes tasks
    from activities.tasks.services import task_create

    person = rich_contacts(alice, bob, 1).persons.get()
    call = TaskCategory.objects.get(code="call")
    client.force_login(request.getfixturevalue(persona))
    counts = []
    for total in (1, 10):
        while person.tasks.count() < total:
            task_create(
                by=alice, contact=person, category=call, title="Call", due_date=date.today()
            )
        counts.append(queries(client, f"/contacts/{person.pk}/"))
    assert counts[0] == counts[1] <= CARD_BUDGET


@pytest.mark.parametrize("persona", ["alice", "admin"])
def test_a_company_card_with_its_persons_events_costs_the_same_for_3_and_30_persons(
    client, alice, bob, persona, request
):
    from activities.models import EventCategory  # why: only this test writes events
    from activities.services import event_create

    note = EventCategory.objects.get(code="note")
    counts = []
    for size in (3, 30):
        company = rich_contacts(alice, bob, size)
        for person in company.persons.all():
            event_create(by=alice, contact=person, category=note, text=f"Met {person}")
        client.force_login(request.getfixturevalue(persona))
        counts.append(queries(client, f"/contacts/{company.pk}/?timeline=events&persons=1"))
    assert counts[0] == counts[1]
    # The company card lists its persons (and their primary details) too, and a page of
    # events reads their attachments.
    assert counts[0] <= CARD_BUDGET + 3


@pytest.mark.parametrize("persona", ["alice", "bob", "admin"])
def test_the_card_costs_the_same_with_one_relation_and_with_twenty(
    client, alice, bob, persona, request
):
    from contacts.relations.models import RelationType  # why: only this test relates
    from contacts.relations.services import relation_add

    referred = RelationType.objects.get(label_en="referred by")
    person = rich_contacts(alice, bob, 1).persons.get()
    person.access = "public_read"
    person.save(update_fields=["access"])
    client.force_login(request.getfixturevalue(persona))
    others = [
        contact_create(
            by=alice,
            data=ContactData(
                kind="person",
                fields={"first_name": f"R{n}", "last_name": "Related"},
                # bob sees half of them: those he may not see cost nothing either.
                access="public_read" if n % 2 else "private",
                responsible=[alice],
            ),
        )
        for n in range(20)
    ]
    counts = []
    for start, end in ((0, 1), (1, 20)):
        for n, other in enumerate(others[start:end], start):
            relation_add(by=alice, contact=person, other=other, type=referred, inverse=n % 3 == 0)
        counts.append(queries(client, f"/contacts/{person.pk}/"))
    # Its history names the related contacts: which the user may see is read once, as for
    # the companies a history names (history.hidden_companies).
    assert counts[0] == counts[1] <= CARD_BUDGET + 1


def new_person(alice, bob, tags):
    emails = [{"kind": "email", "category": "work", "value": f"e{n}@example.com"} for n in range(3)]
    phones = [{"kind": "phone", "category": "work", "value": f"01 23 45 67 0{n}"} for n in range(2)]
    return ContactData(
        kind="person",
        fields={"first_name": "Ada", "last_name": "Lovelace"},
        access="public_read",
        responsible=[alice, bob],
        tags=tags,
        infos=emails + phones,
    )


def test_creating_a_contact_deletes_nothing_and_queries_once_per_kind_of_row(alice, bob):
    contact_create(by=alice, data=new_person(alice, bob, ["A", "B"]))  # the tags exist now

    with CaptureQueriesContext(connection) as captured:
        contact = contact_create(by=alice, data=new_person(alice, bob, ["A", "B"]))

    statements = [q["sql"] for q in captured]
    assert not [sql for sql in statements if sql.startswith("DELETE")]
    # One INSERT each: the contact, its 5 details, the 2 users, their permissions, the
    # group's, the history, bob's notification; and one per tag (taggit's own add).
    inserts = [sql.split('"')[1] for sql in statements if sql.startswith("INSERT")]
    assert sorted(inserts) == sorted(
        [
            "contacts_contact",
            "contacts_contactinfo",
            "contacts_contact_responsible",
            "contacts_contactuserobjectpermission",
            "contacts_contactgroupobjectpermission",
            "contacts_contactevent",
            "contacts_notification",
            "contacts_taggedcontact",
            "contacts_taggedcontact",
        ]
    )
    assert contact.infos.count() == 5
    assert sorted(t.name for t in contact.tags.all()) == ["A", "B"]
