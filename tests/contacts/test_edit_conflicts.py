"""Edit conflicts (SPEC C17): two people edit the same contact at once."""

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from contacts.services import ContactData, EditConflict, contact_update
from tests.conftest import form_data, page_of


@pytest.fixture
def shared(make_contact, alice, bob):
    """A person alice and bob are both responsible for."""
    return make_contact(
        first_name="Jean",
        last_name="Dupont",
        job_title="Buyer",
        responsible=[alice, bob],
        infos=[{"kind": "email", "category": "work", "value": "jean@acme.fr", "is_primary": True}],
    )


def edit_data(contact, version, **fields):
    values = {
        "first_name": "Jean",
        "last_name": "Dupont",
        "job_title": "Buyer",
        "responsible": [u.pk for u in contact.responsible.all()],
        "version": str(version),
        "email": [{"category": "work", "value": "jean@acme.fr", "is_primary": "on"}],
    }
    values.update(fields)
    data = form_data(**values)
    # As the edit page sends it: the rows it showed are initial rows.
    data["email-INITIAL_FORMS"] = "1"
    return data


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_second_save_shows_the_differences_and_saves_nothing(shared, alice, bob):
    url = reverse("contacts:edit", args=[shared.pk])
    alices, bobs = logged_in(alice), logged_in(bob)
    opened = shared.version
    assert f'name="version" value="{opened}"' in page_of(alices.get(url))
    page_of(bobs.get(url))

    # Bob saves first: a new job title.
    bobs.post(url, edit_data(shared, opened, job_title="Head buyer"))
    # Alice, from the form she opened before, changes the last name.
    page = page_of(alices.post(url, edit_data(shared, opened, last_name="Durand")))

    assert "This contact was changed while you were editing it" in page
    assert "Bob Durand saved it on" in page
    # Field by field: the last name (hers) and the job title (his) differ.
    assert page.count('type="radio" name="choice-') == 4
    assert 'value="Head buyer"' not in page  # the form keeps what she typed…
    assert 'value="Buyer"' in page
    assert "Head buyer" in page  # …and shows what is stored
    assert 'value="Durand"' in page
    shared.refresh_from_db()
    assert (shared.last_name, shared.job_title) == ("Dupont", "Head buyer")
    assert f'name="version" value="{shared.version}"' in page


def test_choosing_per_field_then_saving_keeps_both_changes(shared, alice, bob):
    url = reverse("contacts:edit", args=[shared.pk])
    opened = shared.version
    logged_in(bob).post(url, edit_data(shared, opened, job_title="Head buyer"))
    shared.refresh_from_db()

    response = logged_in(alice).post(
        url,
        edit_data(shared, shared.version, last_name="Durand", **{"choice-job_title": "job_title"}),
    )

    assert response.status_code == 302
    shared.refresh_from_db()
    assert (shared.last_name, shared.job_title) == ("Durand", "Head buyer")
    assert shared.version == opened + 2


def test_stored_contact_information_can_win(shared, alice, bob):
    url = reverse("contacts:edit", args=[shared.pk])
    opened = shared.version
    bob_email = [{"category": "home", "value": "jean@home.fr", "is_primary": "on"}]
    logged_in(bob).post(url, edit_data(shared, opened, email=bob_email))
    alices = logged_in(alice)

    page = page_of(alices.post(url, edit_data(shared, opened, first_name="Jeanne")))
    assert "jean@home.fr" in page and "jean@acme.fr" in page
    shared.refresh_from_db()
    alices.post(
        url, edit_data(shared, shared.version, first_name="Jeanne", **{"choice-email": "email"})
    )

    shared.refresh_from_db()
    assert shared.first_name == "Jeanne"
    assert list(shared.infos.values_list("value", flat=True)) == ["jean@home.fr"]


def test_no_difference_means_no_conflict(shared, alice, bob):
    url = reverse("contacts:edit", args=[shared.pk])
    opened = shared.version
    logged_in(bob).post(url, edit_data(shared, opened, job_title="Head buyer"))

    response = logged_in(alice).post(url, edit_data(shared, opened, job_title="Head buyer"))

    assert response.status_code == 302


def test_the_service_refuses_a_stale_version(shared, alice):
    data = ContactData(kind="person", fields={"first_name": "X"}, responsible=[alice])
    contact_update(by=alice, contact=shared, data=data, expected_version=shared.version)

    stale = Contact.objects.get(pk=shared.pk)
    with pytest.raises(EditConflict):
        contact_update(by=alice, contact=stale, data=data, expected_version=stale.version - 1)
    assert Contact.objects.get(pk=shared.pk).version == stale.version
