"""A person's positions: the migration that makes them, the two ways to write them, the
card, the company's people, merges and the bulk path."""

import importlib
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.merging.merge import contacts_merge
from contacts.models import Contact, ContactEvent, Position
from contacts.positions import services
from contacts.services import contact_data_of, contact_update

pytestmark = pytest.mark.django_db

fill = importlib.import_module("contacts.migrations.0034_positions")


def consistent(person: Contact) -> None:
    """Assert the rules of a person's positions and his company and job title."""
    person = Contact.all_objects.get(pk=person.pk)
    positions = list(Position.objects.filter(person=person))
    current = [p for p in positions if p.end_date is None]
    primaries = [p for p in positions if p.is_primary]
    assert len(primaries) == (1 if current else 0)
    if primaries:
        assert primaries[0].end_date is None
        assert person.company_id == primaries[0].company_id
        assert person.job_title == primaries[0].job_title
    else:
        assert person.company_id is None
    assert len({p.company_id for p in current}) == len(current)


@pytest.fixture
def acme(make_contact):
    return make_contact("company", company_name="Acme")


@pytest.fixture
def globex(make_contact):
    return make_contact("company", company_name="Globex")


def test_the_migration_makes_each_company_link_a_current_primary_position(make_contact, acme):
    person = make_contact(company=acme, job_title="Buyer")
    alone = make_contact(first_name="Ann", last_name="Alone")
    Position.objects.all().delete()

    fill.fill(apps, SimpleNamespace(connection=connection))

    position = Position.objects.get()
    assert (position.person_id, position.company_id) == (person.pk, acme.pk)
    assert position.job_title == "Buyer" and position.is_primary and position.end_date is None
    assert not Position.objects.filter(person=alone).exists()
    fill.empty(apps, None)
    assert not Position.objects.exists()
    assert Contact.objects.get(pk=person.pk).company_id == acme.pk


def test_a_person_created_with_a_company_holds_it_as_primary_position(make_contact, acme):
    person = make_contact(company=acme, job_title="Buyer")
    position = Position.objects.get(person=person)
    assert position.is_primary and position.company == acme and position.job_title == "Buyer"
    consistent(person)


def test_a_new_company_on_the_form_keeps_the_old_position_current(
    alice, make_contact, acme, globex
):
    person = make_contact(company=acme, job_title="Buyer")
    data = contact_data_of(person)
    data.company = globex
    data.fields["job_title"] = "Head of sales"
    contact_update(by=alice, contact=person, data=data)

    positions = {p.company_id: p for p in Position.objects.filter(person=person)}
    assert positions[globex.pk].is_primary and positions[globex.pk].job_title == "Head of sales"
    assert not positions[acme.pk].is_primary and positions[acme.pk].end_date is None
    consistent(person)


def test_taking_the_company_away_ends_it_and_the_other_one_leads(alice, make_contact, acme, globex):
    person = make_contact(company=acme, job_title="Buyer")
    services.position_add(by=alice, person=person, company=globex, job_title="Advisor")
    data = contact_data_of(Contact.objects.get(pk=person.pk))
    data.company = None
    contact_update(by=alice, contact=Contact.objects.get(pk=person.pk), data=data)

    person = Contact.objects.get(pk=person.pk)
    assert person.company == globex and person.job_title == "Advisor"
    assert Position.objects.get(person=person, company=acme).end_date == timezone.localdate()
    consistent(person)


def test_adding_ending_and_removing_positions_from_the_card(alice, make_contact, acme, globex):
    person = make_contact(company=acme, job_title="Buyer")
    second = services.position_add(
        by=alice, person=person, company=globex, job_title="Advisor", start_date=date(2024, 1, 2)
    )
    assert Contact.objects.get(pk=person.pk).company == acme
    services.position_make_primary(by=alice, position=second)
    assert Contact.objects.get(pk=person.pk).company == globex
    consistent(person)

    services.position_end(by=alice, position=second, end_date=date(2025, 6, 30))
    person = Contact.objects.get(pk=person.pk)
    assert person.company == acme and person.job_title == "Buyer"
    consistent(person)

    services.position_remove(by=alice, position=Position.objects.get(person=person, company=acme))
    person = Contact.objects.get(pk=person.pk)
    assert person.company is None
    consistent(person)
    fields = [c["field"] for e in ContactEvent.objects.filter(contact=person) for c in e.changes]
    assert fields.count("company") >= 3


def test_positions_refuse_what_makes_no_sense(alice, bob, make_contact, acme):
    person = make_contact(company=acme)
    with pytest.raises(ValidationError):
        services.position_add(by=alice, person=person, company=acme)
    tomorrow = timezone.localdate() + timedelta(days=1)
    position = Position.objects.get(person=person)
    with pytest.raises(ValidationError):
        services.position_end(by=alice, position=position, end_date=tomorrow)
    with pytest.raises(PermissionDenied):
        services.position_end(by=bob, position=position)
    hidden = make_contact("company", company_name="Secret Corp", by=bob, responsible=[bob])
    with pytest.raises(PermissionDenied):
        services.position_add(by=alice, person=person, company=hidden)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "end", "remove", "primary", "form", "clear"]),
            st.integers(0, 2),
            st.integers(0, 400),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_writes_keeps_one_current_primary_position_mirrored(
    alice, make_contact, steps
):
    companies = [make_contact("company", company_name=f"Co {n}") for n in range(3)]
    person = make_contact(first_name="Hypo", last_name="Thesis")
    for action, n, days in steps:
        person = Contact.objects.get(pk=person.pk)
        company = companies[n]
        mine = list(Position.objects.filter(person=person).order_by("pk"))
        try:
            if action == "add":
                start = timezone.localdate() - timedelta(days=days)
                services.position_add(by=alice, person=person, company=company, start_date=start)
            elif action in ("end", "remove", "primary") and mine:
                position = mine[n % len(mine)]
                if action == "end":
                    end = timezone.localdate() - timedelta(days=days % 3)
                    services.position_end(by=alice, position=position, end_date=end)
                elif action == "remove":
                    services.position_remove(by=alice, position=position)
                else:
                    services.position_make_primary(by=alice, position=position)
            elif action in ("form", "clear"):
                data = contact_data_of(person)
                data.company = company if action == "form" else None
                data.fields["job_title"] = f"Title {days}"
                contact_update(by=alice, contact=person, data=data)
        except ValidationError:
            pass
        consistent(person)


def test_the_card_shows_positions_at_companies_the_reader_may_see(
    client, alice, bob, make_contact, acme
):
    person = make_contact(company=acme, job_title="Buyer", access="public_read")
    hidden = make_contact("company", company_name="Secret Corp", by=bob, responsible=[bob])
    Position.objects.create(person=person, company=hidden, job_title="Mole")
    client.force_login(alice)
    page = client.get(person.get_absolute_url()).content.decode()
    assert 'id="positions"' in page and "Buyer" in page and "Make primary" not in page
    assert "Secret Corp" not in page and "Mole" not in page
    client.force_login(bob)
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Secret Corp" in page


def test_a_position_is_added_from_its_page_with_a_new_company(alice_client, make_contact):
    person = make_contact()
    url = reverse("contacts:position_add", args=[person.pk])
    response = alice_client.post(
        url, {"company": "  Initech  ", "job_title": "Engineer", "start_date": "2023-04-01"}
    )
    assert response.status_code == 302
    person = Contact.objects.get(pk=person.pk)
    assert person.company.display_name == "Initech" and person.job_title == "Engineer"
    assert person.company.access == person.access
    response = alice_client.post(url, {"company": "Initech"})
    assert "already works at" in response.content.decode()


def test_ending_from_the_card_says_what_went_wrong(alice_client, make_contact, acme):
    person = make_contact(company=acme)
    position = Position.objects.get(person=person)
    url = reverse("contacts:position_end", args=[person.pk, position.pk])
    later = (timezone.localdate() + timedelta(days=3)).isoformat()
    page = alice_client.post(url, {"end_date": later}, follow=True).content.decode()
    assert "leave it empty until the person leaves" in page
    alice_client.post(url, {"end_date": ""})
    assert Position.objects.get(pk=position.pk).end_date == timezone.localdate()


def test_a_company_card_pages_its_current_people_and_folds_the_former(
    alice_client, alice, make_contact, acme
):
    people = [
        make_contact(first_name=f"P{n:02}", last_name="Staff", company=acme) for n in range(30)
    ]
    services.position_end(by=alice, position=Position.objects.get(person=people[0]))
    page = alice_client.get(acme.get_absolute_url()).content.decode()
    start = page.index('class="list-unstyled mb-2 company-people"')
    current = page[start : page.index("</ul>", start)]
    assert current.count("<li") == 25 and "page 1" in page and "?people=2" in page
    assert "Former people" in page and "P00 Staff" in page[page.index("former-people") :]
    second = alice_client.get(acme.get_absolute_url() + "?people=2").content.decode()
    assert "P29 Staff" in second


def test_merging_two_persons_keeps_both_positions(alice, make_contact, acme, globex):
    keep = make_contact(company=acme, job_title="Buyer")
    other = make_contact(first_name="Jean", last_name="Dupont", company=globex, job_title="CEO")
    contacts_merge(by=alice, keep=keep, other=other)
    companies = set(Position.objects.filter(person=keep).values_list("company_id", flat=True))
    assert companies == {acme.pk, globex.pk}
    consistent(keep)


def test_merging_two_companies_moves_their_people(alice, make_contact, acme, globex):
    person = make_contact(company=globex)
    contacts_merge(by=alice, keep=acme, other=globex)
    position = Position.objects.get(person=person)
    assert position.company_id == acme.pk and position.is_primary
    consistent(person)


def found(user, query):
    from contacts.access import contacts_visible_to
    from contacts.selectors import contact_search

    return set(contact_search(contacts_visible_to(user), query).values_list("pk", flat=True))


def test_a_person_is_found_by_each_company_he_works_at_now(alice, make_contact, acme, globex):
    person = make_contact(company=acme)
    position = services.position_add(by=alice, person=person, company=globex)
    assert person.pk in found(alice, "globex") and person.pk in found(alice, "acme")
    data = contact_data_of(globex)
    data.fields["company_name"] = "Initrode"
    contact_update(by=alice, contact=globex, data=data)
    assert person.pk in found(alice, "initrode") and person.pk not in found(alice, "globex")
    services.position_end(by=alice, position=position)
    assert person.pk not in found(alice, "initrode") and person.pk in found(alice, "acme")


def test_the_list_shows_who_works_at_a_company_now_or_at_any_time(
    alice_client, alice, bob, make_contact, acme
):
    now = make_contact(first_name="Now", last_name="Here", company=acme)
    before = make_contact(first_name="Long", last_name="Gone", company=acme)
    services.position_end(by=alice, position=Position.objects.get(person=before))
    url = reverse("contacts:list")
    page = alice_client.get(f"{url}?works_at={acme.pk}").content.decode()
    assert "Now Here" in page and "Long Gone" not in page and "Works at Acme" in page
    page = alice_client.get(f"{url}?works_at={acme.pk}&works_when=any").content.decode()
    assert "Now Here" in page and "Long Gone" in page
    card = alice_client.get(acme.get_absolute_url()).content.decode()
    assert f"?works_at={acme.pk}" in card and "See them in the list" in card
    hidden = make_contact("company", company_name="Hidden Ltd", by=bob, responsible=[bob])
    now.positions.create(company=hidden)
    page = alice_client.get(f"{url}?works_at={hidden.pk}").content.decode()
    assert "Now Here" not in page and "Hidden Ltd" not in page


def test_purging_his_primary_company_lets_his_other_position_lead(
    alice, make_contact, acme, globex
):
    from contacts.trash.services import contacts_purge

    person = make_contact(company=acme, job_title="Buyer")
    services.position_add(by=alice, person=person, company=globex, job_title="Advisor")
    contacts_purge([acme])
    person = Contact.objects.get(pk=person.pk)
    assert person.company == globex and person.job_title == "Advisor"
    consistent(person)
    assert person.pk in found(alice, "globex")


def test_another_company_typed_on_the_form_is_a_move(alice_client, make_contact, acme):
    from tests.support import form_data

    person = make_contact(company=acme, job_title="Buyer")
    url = reverse("contacts:edit", args=[person.pk])
    page = alice_client.get(url).content.decode()
    assert 'data-formset="positions"' in page and 'name="positions-0-company"' in page
    data = form_data(
        first_name="Jean",
        last_name="Dupont",
        company_input="Globex",
        job_title="CEO",
        responsible=[person.responsible.get().pk],
    )
    response = alice_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Contact.objects.get(pk=person.pk)
    assert person.company.display_name == "Globex"
    assert Position.objects.get(person=person, company=acme).end_date == timezone.localdate()
    consistent(person)


def sort_names(company):
    return dict(Position.objects.filter(company=company).values_list("person_id", "sort_name"))


def test_each_position_keeps_its_persons_sort_name_whoever_writes(
    alice, make_contact, acme, globex
):
    person = make_contact(first_name="Émile", last_name="Zola", company=acme)
    services.position_add(by=alice, person=person, company=globex)
    assert sort_names(acme) == sort_names(globex) == {person.pk: "emile zola"}

    data = contact_data_of(person)
    data.fields["first_name"] = "Anatole"
    contact_update(by=alice, contact=person, data=data)
    assert sort_names(acme) == sort_names(globex) == {person.pk: "anatole zola"}

    # A writer that leaves the name out, or writes another, gets the person's.
    other = make_contact(first_name="Bob", last_name="Brel")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contacts_position (person_id, company_id, job_title, department, "
            "is_primary, created_at) VALUES (%s, %s, '', '', FALSE, %s)",
            [other.pk, acme.pk, timezone.now()],
        )
    Position.objects.filter(person=person, company=acme).update(sort_name="zzz")
    assert sort_names(acme) == {person.pk: "anatole zola", other.pk: "bob brel"}

    # The merge moves his positions to the person kept, under the kept one's name.
    contacts_merge(by=alice, keep=other, other=person)
    assert set(sort_names(globex).values()) == {"bob brel"}


def test_a_company_lists_the_people_the_reader_may_see_in_name_order(alice, bob, make_contact):
    from contacts.positions.selectors import people_of

    acme = make_contact("company", company_name="Acme", access=Contact.Access.PUBLIC_READ)
    names = ["Zoé Ardent", "adam Zed", "Élodie Martin", "Bruno Martin", "Chloé Abel"]
    people = [
        make_contact(first_name=first, last_name=last, company=acme)
        for first, last in (name.split() for name in names)
    ]
    hidden = make_contact(first_name="Hugo", last_name="Hidden", by=bob, responsible=[bob])
    services.position_add(by=bob, person=hidden, company=acme)
    shown = make_contact(
        first_name="Paula", last_name="Public", by=bob, access=Contact.Access.PUBLIC_READ
    )
    services.position_add(by=bob, person=shown, company=acme)
    services.position_end(by=alice, position=Position.objects.get(person=people[4]))

    expected = sorted(
        [*people[:4], shown],
        key=lambda p: (p.sort_name, p.pk),
    )
    listed = people_of(alice, acme, start=0, stop=10)
    assert [p.person.display_name for p in listed] == [p.display_name for p in expected]
    assert [p.person_id for p in people_of(alice, acme, start=2, stop=4)] == [
        p.pk for p in expected[2:4]
    ]
    assert hidden.pk in [p.person_id for p in people_of(bob, acme, start=0, stop=10)]
