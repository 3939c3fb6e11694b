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
