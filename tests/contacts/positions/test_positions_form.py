"""A person's other positions edited on his form: added, changed, ended and removed with
him, in one transaction, over what others saved meanwhile."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from contacts.models import Contact, ContactEvent, Position
from contacts.positions import services
from contacts.positions.forms import read_loaded
from tests.contacts.positions.test_positions import consistent
from tests.contacts.test_edit_conflicts import form_of
from tests.support import form_data, page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_contact):
    return make_contact("company", company_name="Acme")


@pytest.fixture
def globex(make_contact):
    return make_contact("company", company_name="Globex")


@pytest.fixture
def person(make_contact, alice, bob, acme, globex):
    """A person alice and bob may change: buyer at Acme, advisor at Globex since 2024."""
    person = make_contact(company=acme, job_title="Buyer", responsible=[alice, bob])
    services.position_add(
        by=alice,
        person=person,
        company=globex,
        job_title="Advisor",
        department="Board",
        start_date=date(2024, 1, 2),
    )
    return Contact.objects.get(pk=person.pk)


def edit_url(contact):
    return reverse("contacts:edit", args=[contact.pk])


def open_form(client, contact):
    return form_of(page_of(client.get(edit_url(contact))))


def save(client, contact, fields, **changes):
    data = {**fields, **{k: [v] for k, v in changes.items()}, "save": [""]}
    return client.post(edit_url(contact), data)


def row_of(fields, company):
    """Return the prefix of the row the form loaded for the position at company."""
    for key in fields:
        match = re.fullmatch(r"(positions-\d+)-loaded", key)
        if match and fields[key][0]:
            position = Position.objects.get(pk=_loaded_pk(fields[key][0]))
            if position.company == company:
                return match[1]
    raise AssertionError(f"no row for {company}")


def _loaded_pk(signed):
    return read_loaded(signed)["pk"]


def blank_row(fields):
    """Return the prefix of the first row that adds a position."""
    for key in sorted(fields):
        match = re.fullmatch(r"(positions-\d+)-company", key)
        if match:
            return match[1]
    raise AssertionError("no row to add a position")


def position_at(person, company):
    return Position.objects.get(person=person, company=company)


def test_the_form_shows_each_other_current_position_with_a_link_to_its_company(
    alice_client, person, globex
):
    page = page_of(alice_client.get(edit_url(person)))
    assert "Other positions" in page
    assert f'<a href="{globex.get_absolute_url()}">Globex</a>' in page
    assert 'value="Advisor"' in page and 'value="Board"' in page and 'value="2024-01-02"' in page
    # The primary position is the Company and Job title fields, not a row.
    fields = form_of(page)
    assert fields["positions-TOTAL_FORMS"] == ["2"]
    assert "Other positions, current and former, are on the card." not in page


def test_two_positions_are_added_one_at_a_company_created_as_the_company_field_does(
    alice_client, alice, bob, person, globex
):
    fields = open_form(alice_client, person)
    fields["positions-TOTAL_FORMS"] = ["3"]
    response = save(
        alice_client,
        person,
        fields,
        **{
            "positions-1-company": "Initech",
            "positions-1-job_title": "Consultant",
            "positions-1-department": "IT",
            "positions-1-start_date": "2025-03-01",
            "positions-2-company": "  acme   corp ",
            "positions-2-job_title": "Auditor",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    initech = Contact.objects.get(kind="company", company_name="Initech")
    assert initech.access == person.access
    assert set(initech.responsible.all()) == {alice, bob}
    added = position_at(person, initech)
    assert (added.job_title, added.department, added.start_date) == (
        "Consultant",
        "IT",
        date(2025, 3, 1),
    )
    assert not added.is_primary and added.end_date is None
    assert position_at(person, Contact.objects.get(company_name="acme corp")).job_title == "Auditor"
    assert position_at(person, globex).job_title == "Advisor"
    consistent(person)
    assert "Initech — Consultant" in str(
        [e.changes for e in ContactEvent.objects.filter(contact=person)]
    )


def test_a_row_left_empty_is_ignored(alice_client, person):
    fields = open_form(alice_client, person)
    before = Position.objects.count()
    response = save(alice_client, person, fields, first_name="Jeanne")
    assert response.status_code == 302
    assert Position.objects.count() == before
    assert Contact.objects.get(pk=person.pk).first_name == "Jeanne"


def test_a_job_title_changed_in_a_row_is_saved_alone_with_its_history(alice_client, person, globex):
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    response = save(alice_client, person, fields, **{f"{row}-job_title": "Chair"})

    assert response.status_code == 302
    position = position_at(person, globex)
    assert (position.job_title, position.department, position.start_date) == (
        "Chair",
        "Board",
        date(2024, 1, 2),
    )
    assert position.end_date is None
    change = ContactEvent.objects.filter(contact=person).latest("pk").changes[0]
    assert change["old"] == "Globex — Advisor, Board (2024-01-02 →)"
    assert change["new"] == "Globex — Chair, Board (2024-01-02 →)"
    consistent(person)


def test_a_date_in_until_ends_the_position(alice_client, person, globex):
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    response = save(alice_client, person, fields, **{f"{row}-end_date": "2025-06-30"})

    assert response.status_code == 302
    assert position_at(person, globex).end_date == date(2025, 6, 30)
    consistent(person)
    page = page_of(alice_client.get(edit_url(person)))
    assert "Globex" not in page  # an ended position is no row of the form


def test_remove_deletes_the_position(alice_client, person, globex):
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    response = save(
        alice_client, person, fields, **{f"{row}-DELETE": "on", f"{row}-start_date": "soon"}
    )

    assert response.status_code == 302
    assert not Position.objects.filter(person=person, company=globex).exists()
    consistent(person)


@pytest.mark.parametrize(
    ("end", "message"),
    [
        (timezone.localdate() + timedelta(days=3), "An end date in the future"),
        (date(2023, 12, 31), "A position cannot end before it starts."),
    ],
)
def test_a_refused_end_date_shows_the_error_beside_its_row_and_writes_nothing(
    alice_client, person, globex, end, message
):
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    events = ContactEvent.objects.count()
    response = save(
        alice_client,
        person,
        fields,
        first_name="Jeanne",
        **{f"{row}-end_date": end.isoformat(), f"{row}-job_title": "Chair"},
    )

    page = page_of(response)
    fieldset = re.search(
        r"<fieldset[^>]*>(?:(?!</fieldset>).)*Globex(?:(?!</fieldset>).)*", page, re.S
    )
    assert message in fieldset[0]
    assert 'value="Chair"' in fieldset[0]  # what was typed stays
    assert Contact.objects.get(pk=person.pk).first_name == "Jean"
    position = position_at(person, globex)
    assert (position.job_title, position.end_date) == ("Advisor", None)
    assert ContactEvent.objects.count() == events


def test_the_refusal_is_in_the_users_language(alice_client, alice, person, globex):
    Profile.objects.update_or_create(user=alice, defaults={"language": "fr"})
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    later = (timezone.localdate() + timedelta(days=3)).isoformat()
    page = page_of(save(alice_client, person, fields, **{f"{row}-end_date": later}))
    assert "Une date de fin dans le futur" in page
    assert "Autres postes" in page


def test_a_new_position_with_an_invalid_row_saves_nothing(alice_client, person, acme):
    fields = open_form(alice_client, person)
    new = blank_row(fields)
    response = save(
        alice_client,
        person,
        fields,
        first_name="Jeanne",
        **{f"{new}-company": "Acme", f"{new}-job_title": "Twice"},
    )
    page = page_of(response)
    assert "already works at Acme" in page
    assert Contact.objects.get(pk=person.pk).first_name == "Jean"
    assert Position.objects.filter(person=person).count() == 2


def test_a_row_with_a_title_but_no_company_asks_for_the_company(alice_client, person):
    fields = open_form(alice_client, person)
    new = blank_row(fields)
    page = page_of(save(alice_client, person, fields, **{f"{new}-job_title": "Ghost"}))
    assert "Name the company of this position." in page
    assert not Position.objects.filter(job_title="Ghost").exists()


def test_a_position_at_a_company_the_editor_cannot_see_is_neither_shown_nor_changed(
    alice_client, alice, bob, person, make_contact, globex
):
    secret = make_contact("company", by=bob, company_name="Hush Industries")
    services.position_add(by=bob, person=person, company=secret, job_title="Spy")
    hidden = position_at(person, secret)

    page = page_of(alice_client.get(edit_url(person)))
    assert "Hush Industries" not in page and "Spy" not in page
    fields = form_of(page)
    assert fields["positions-TOTAL_FORMS"] == ["2"]  # Globex's row and a blank one
    row = row_of(fields, globex)
    response = save(
        alice_client, person, fields, **{f"{row}-end_date": "2025-01-31", "first_name": "Jo"}
    )

    assert response.status_code == 302
    after = Position.objects.get(pk=hidden.pk)
    assert (after.job_title, after.end_date, after.is_primary) == ("Spy", None, False)
    page = page_of(alice_client.get(edit_url(person)))
    assert "Hush Industries" not in page


def test_a_row_cannot_be_pointed_at_another_position(alice_client, bob, person, make_contact):
    secret = make_contact("company", by=bob, company_name="Hush Industries")
    services.position_add(by=bob, person=person, company=secret, job_title="Spy")
    fields = open_form(alice_client, person)
    fields["positions-0-loaded"] = [f'{{"pk": {position_at(person, secret).pk}}}']
    save(alice_client, person, fields, **{"positions-0-DELETE": "on"})
    assert position_at(person, secret).job_title == "Spy"


def test_a_position_ended_meanwhile_is_not_current_again_after_a_stale_save(
    alice_client, alice, bob, person, globex
):
    fields = open_form(alice_client, person)
    services.position_end(by=bob, position=position_at(person, globex), end_date=date(2025, 5, 1))

    # Untouched in the stale form: the rest is saved, the position stays ended.
    response = save(alice_client, person, fields, description="Met again.")
    assert response.status_code == 302
    assert Contact.objects.get(pk=person.pk).description == "Met again."
    position = position_at(person, globex)
    assert (position.end_date, position.is_primary) == (date(2025, 5, 1), False)
    shown = open_form(alice_client, person)
    loaded = [v for k, v in shown.items() if k.endswith("-loaded") and "__prefix__" not in k]
    assert loaded == [[""]]  # the blank row alone


def test_changing_a_position_another_user_ended_meanwhile_shows_the_form_again(
    alice_client, alice, bob, person, globex
):
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    services.position_end(by=bob, position=position_at(person, globex), end_date=date(2025, 5, 1))

    response = save(
        alice_client, person, fields, first_name="Jeanne", **{f"{row}-job_title": "Chair"}
    )

    page = page_of(response)
    assert "The position at Globex was ended by someone else meanwhile" in page
    position = position_at(person, globex)
    assert (position.job_title, position.end_date) == ("Advisor", date(2025, 5, 1))
    assert Contact.objects.get(pk=person.pk).first_name == "Jean"
    # The form shown again has no row for it: saved again, the rest goes through.
    again = form_of(page)
    assert not any(v == ["Chair"] for v in again.values())
    assert page_of(alice_client.get(edit_url(person)))
    response = save(alice_client, person, again)
    assert response.status_code == 302
    assert Contact.objects.get(pk=person.pk).first_name == "Jeanne"
    assert position_at(person, globex).end_date == date(2025, 5, 1)


def test_changing_a_position_another_user_removed_meanwhile_says_so(
    alice_client, bob, person, globex
):
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    services.position_remove(by=bob, position=position_at(person, globex))

    page = page_of(save(alice_client, person, fields, **{f"{row}-job_title": "Chair"}))
    assert "A position you changed was removed by someone else meanwhile" in page
    assert not Position.objects.filter(person=person, company=globex).exists()


def test_only_what_the_user_changed_in_a_row_is_applied(alice_client, bob, person, globex):
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    position = position_at(person, globex)
    services.position_update(
        by=bob, position=position, job_title="Advisor", department="Audit", start_date=None
    )

    response = save(alice_client, person, fields, **{f"{row}-job_title": "Chair"})

    assert response.status_code == 302
    position = position_at(person, globex)
    assert (position.job_title, position.department, position.start_date) == (
        "Chair",
        "Audit",
        None,
    )


def test_a_field_both_users_changed_is_shown_again_then_saved(alice_client, bob, person, globex):
    fields = open_form(alice_client, person)
    row = row_of(fields, globex)
    services.position_update(
        by=bob,
        position=position_at(person, globex),
        job_title="Treasurer",
        department="Audit",
        start_date=date(2024, 1, 2),
    )

    page = page_of(save(alice_client, person, fields, **{f"{row}-job_title": "Chair"}))

    assert "Someone else changed this position meanwhile" in page
    assert position_at(person, globex).job_title == "Treasurer"
    again = form_of(page)
    assert again[f"{row}-job_title"] == ["Chair"]  # hers, over theirs
    assert again[f"{row}-department"] == ["Audit"]  # theirs, which she did not touch
    assert save(alice_client, person, again).status_code == 302
    position = position_at(person, globex)
    assert (position.job_title, position.department) == ("Chair", "Audit")


def test_add_another_position_without_script_keeps_what_was_typed(alice_client, person):
    fields = open_form(alice_client, person)
    new = blank_row(fields)
    data = {**fields, f"{new}-company": ["Initech"], "add_row": ["positions"]}
    page = page_of(alice_client.post(edit_url(person), data))
    again = form_of(page)
    assert again["positions-TOTAL_FORMS"] == ["3"]
    assert again[f"{new}-company"] == ["Initech"]
    assert not Contact.objects.filter(company_name="Initech").exists()
    assert 'hx-get="/contacts/suggest/companies/"' in page.split(f'name="{new}-company"')[1][:400]


def test_a_new_person_is_created_with_another_position(alice_client, alice, acme):
    data = form_data(
        first_name="Ada",
        last_name="Lovelace",
        company_input="Acme",
        job_title="Analyst",
        responsible=[alice.pk],
        **{
            "positions-TOTAL_FORMS": "1",
            "positions-INITIAL_FORMS": "0",
            "positions-0-company": "Analytical Engines",
            "positions-0-job_title": "Author",
        },
    )
    response = alice_client.post(reverse("contacts:create", args=["person"]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    ada = Contact.objects.get(first_name="Ada")
    assert ada.company == acme and ada.job_title == "Analyst"
    engines = Contact.objects.get(company_name="Analytical Engines")
    assert position_at(ada, engines).job_title == "Author"
    assert not position_at(ada, engines).is_primary
    consistent(ada)


def test_a_refused_new_person_is_not_created(alice_client, alice):
    data = form_data(
        first_name="Ada",
        last_name="Lovelace",
        responsible=[alice.pk],
        **{
            "positions-TOTAL_FORMS": "1",
            "positions-INITIAL_FORMS": "0",
            "positions-0-company": "Analytical Engines",
            "positions-0-start_date": (timezone.localdate() + timedelta(days=9)).isoformat(),
        },
    )
    page = page_of(alice_client.post(reverse("contacts:create", args=["person"]), data))
    assert "A position cannot start in the future." in page
    assert not Contact.objects.filter(first_name="Ada").exists()
    assert not Contact.objects.filter(company_name="Analytical Engines").exists()


def test_a_form_posted_without_the_rows_leaves_the_positions_alone(
    alice_client, alice, person, globex
):
    data = form_data(
        first_name="Jean", last_name="Dupont", company_input="Acme", responsible=[alice.pk]
    )
    response = alice_client.post(edit_url(person), data)
    assert response.status_code == 302
    assert position_at(person, globex).end_date is None


def test_the_edit_form_reads_the_positions_in_one_query_however_many(
    alice_client, alice, person, make_contact
):
    def queries():
        alice_client.get(edit_url(person))
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(edit_url(person)).status_code == 200
        return len(captured)

    one = queries()
    for name in ("Initech", "Umbrella", "Hooli"):
        company = make_contact("company", company_name=name)
        services.position_add(by=alice, person=person, company=company)
    assert queries() == one
