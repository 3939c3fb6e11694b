"""The contacts list: search, pagination and order (SPEC L1, L3, L5, L6)."""

import datetime
import re

import pytest
from django.utils import timezone

from contacts.models import Contact
from tests.conftest import form_data


def names_on(response):
    """Return the contact names of the result rows, in order."""
    return re.findall(
        r'class="fw-semibold text-decoration-none">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def people(make_contact):
    """Three persons, one of them at a company, with emails and phones."""
    institute = make_contact("company", company_name="Institut du Radium")
    make_contact(
        first_name="Hélène",
        last_name="Langevin",
        company=institute,
        infos=[
            {"kind": "email", "category": "work", "value": "helene@radium.example"},
            {"kind": "phone", "category": "mobile", "value": "+33 6 12 34 56 78"},
        ],
    )
    make_contact(
        first_name="Pierre",
        last_name="Curie",
        infos=[{"kind": "phone", "category": "work", "value": "01 44 27 00 00"}],
    )
    make_contact(first_name="Irène", last_name="Joliot")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Pierre", ["Pierre Curie"]),
        ("curie", ["Pierre Curie"]),
        ("langevin", ["Hélène Langevin"]),
        ("helene", ["Hélène Langevin"]),
        ("HÉLÈNE", ["Hélène Langevin"]),
        ("irene joliot", ["Irène Joliot"]),
        ("Radium", ["Hélène Langevin", "Institut du Radium"]),
        ("helene@radium.example", ["Hélène Langevin"]),
        ("radium.example", ["Hélène Langevin"]),
        ("0612", ["Hélène Langevin"]),
        ("612345", ["Hélène Langevin"]),
        ("06 12 34", ["Hélène Langevin"]),
        ("+33612345678", ["Hélène Langevin"]),
        ("0144270000", ["Pierre Curie"]),
        ("+33 1 44 27", ["Pierre Curie"]),
        ("nobody", []),
    ],
)
def test_search_finds_contacts_by_name_company_email_and_phone(
    alice_client, people, query, expected
):
    response = alice_client.get("/contacts/", {"q": query})

    assert sorted(names_on(response)) == sorted(expected)


def test_person_is_found_by_the_new_name_of_a_renamed_company(alice_client, alice, make_contact):
    company = make_contact("company", company_name="Acme")
    make_contact(first_name="Paul", last_name="Petit", company=company)

    alice_client.post(
        f"/contacts/{company.pk}/edit/",
        form_data(company_name="Globex", responsible=[alice.pk]),
    )

    assert names_on(alice_client.get("/contacts/", {"q": "globex"})) == ["Paul Petit", "Globex"]
    assert names_on(alice_client.get("/contacts/", {"q": "acme"})) == []


def test_person_is_no_longer_found_by_the_name_of_a_deleted_company(alice_client, make_contact):
    company = make_contact("company", company_name="Acme")
    make_contact(first_name="Paul", last_name="Petit", company=company)

    alice_client.post(f"/contacts/{company.pk}/delete/")

    assert names_on(alice_client.get("/contacts/", {"q": "acme"})) == []
    assert names_on(alice_client.get("/contacts/", {"q": "petit"})) == ["Paul Petit"]


def test_search_that_finds_nothing_says_so(alice_client, people):
    page = alice_client.get("/contacts/", {"q": "nobody"}).content.decode()

    assert "No contact matches “nobody”." in page


def test_search_box_keeps_the_query(alice_client, people):
    page = alice_client.get("/contacts/", {"q": "curie"}).content.decode()

    assert 'name="q" value="curie"' in page


@pytest.fixture
def many(admin):
    """Create 101 persons at once, seen through the admin."""
    Contact.objects.bulk_create(
        Contact(
            kind="person",
            first_name=f"P{n:03}",
            display_name=f"P{n:03}",
            sort_name=f"p{n:03}",
            search_text=f"p{n:03} bulk",
        )
        for n in range(101)
    )
    return admin


@pytest.mark.parametrize(
    "per_page, rows, pages",
    [
        ("25", 25, 5),
        ("50", 50, 3),
        ("100", 100, 2),
        (None, 25, 5),
        ("30", 25, 5),
        ("1000", 25, 5),
        ("many", 25, 5),
    ],
)
def test_list_shows_25_50_or_100_rows_with_the_total_count(client, many, per_page, rows, pages):
    client.force_login(many)

    response = client.get("/contacts/", {"per_page": per_page} if per_page else {})

    page = response.content.decode()
    assert len(names_on(response)) == rows
    assert "101 contacts" in page
    assert f"page 1 of {pages}" in page
    assert f'<option value="{rows}" selected>{rows}</option>' in page


def test_last_page_shows_the_remaining_rows(client, many):
    client.force_login(many)

    response = client.get("/contacts/", {"per_page": "25", "page": "5"})

    assert names_on(response) == ["P000"]
    assert "page 5 of 5" in response.content.decode()


def test_pagination_links_keep_the_query_and_the_page_size(client, many):
    client.force_login(many)

    page = client.get("/contacts/", {"q": "bulk", "per_page": "50"}).content.decode()

    assert 'href="?q=bulk&amp;per_page=50&amp;page=2"' in page


def test_list_shows_the_newest_contacts_first(alice_client, make_contact):
    now = timezone.now()
    for name, days_ago in [("Older", 2), ("Oldest", 30), ("Newest", 0), ("Old", 1)]:
        contact = make_contact(first_name=name, last_name="")
        Contact.objects.filter(pk=contact.pk).update(
            created_at=now - datetime.timedelta(days=days_ago)
        )

    assert names_on(alice_client.get("/contacts/")) == ["Newest", "Old", "Older", "Oldest"]


def test_htmx_search_returns_only_the_results_fragment(alice_client, people):
    response = alice_client.get(
        "/contacts/", {"q": "curie"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )

    page = response.content.decode().strip()
    assert page.startswith('<div id="results">')
    assert page.endswith("</div>")
    assert "<html" not in page
    assert 'role="search"' not in page
    assert names_on(response) == ["Pierre Curie"]


def test_plain_search_returns_the_whole_page(alice_client, people):
    response = alice_client.get("/contacts/", {"q": "curie"})

    page = response.content.decode()
    assert page.startswith("<!doctype html>")
    assert 'role="search"' in page
    assert names_on(response) == ["Pierre Curie"]
