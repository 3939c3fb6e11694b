"""An import gives each person its company's position, as the contact form does."""

import pytest

from contacts.models import Contact, Position

pytestmark = pytest.mark.django_db


def test_imported_persons_hold_their_company_as_primary_position(run_import):
    rows = ["First Name,Last Name,Company,Job Title", "Ada,Lovelace,Analytical Ltd,Engineer"]
    job = run_import("\n".join([*rows, "Alan,Turing,,", ""]))
    assert job.created == 2
    ada = Contact.objects.get(last_name="Lovelace")
    position = Position.objects.get(person=ada)
    assert position.company == ada.company and position.company.display_name == "Analytical Ltd"
    assert position.is_primary and position.job_title == "Engineer"
    assert not Position.objects.filter(person__last_name="Turing").exists()


@pytest.mark.parametrize("moved", [False, True])
def test_an_update_with_another_company_moves_the_person_or_adds_a_position(
    run_import, make_contact, moved
):
    acme = make_contact("company", company_name="Acme")
    ada = make_contact(
        first_name="Ada",
        last_name="Lovelace",
        company=acme,
        infos=[{"kind": "email", "category": "work", "value": "ada@example.com"}],
    )
    rows = "First Name,Last Name,Email,Company,Job Title\nAda,Lovelace,ada@example.com,Globex,CTO\n"
    job = run_import(rows, duplicates="update", match_on="email", company_moved=moved)
    assert job.updated == 1
    ada = Contact.objects.get(pk=ada.pk)
    assert ada.company.display_name == "Globex" and ada.job_title == "CTO"
    old = Position.objects.get(person=ada, company=acme)
    assert not old.is_primary and (old.end_date is not None) == moved


def test_the_import_settings_offer_the_choice(alice, alice_client):
    from django.urls import reverse

    from contacts.imports import services
    from tests.contacts.imports.conftest import upload

    job = services.job_create(by=alice, upload=upload("First Name,Company\nAda,Globex\n"))
    url = reverse("contacts:import_settings", args=[job.pk])
    assert "A new company means the person moved" in alice_client.get(url).content.decode()
    fields = {
        "encoding": job.encoding,
        "delimiter": job.delimiter,
        "quotechar": job.quotechar,
        "skip_records": 0,
        "has_header": "on",
        "duplicates": "update",
        "match_on": "email",
        "access": "private",
        "company_moved": "on",
    }
    assert alice_client.post(url, fields).status_code == 302
    job.refresh_from_db()
    assert job.company_moved
