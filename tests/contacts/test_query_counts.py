"""The list and the card run a fixed, small number of queries (issue 8): no query per row,
the same count for 25 rows as for 100, within the budget of 12."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.services import ContactData, contact_create

BUDGET = 12


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

    assert queries(client, f"/contacts/{person.pk}/") <= BUDGET
