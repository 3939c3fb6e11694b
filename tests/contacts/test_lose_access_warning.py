from contacts.models import Contact
from tests.support import form_data


def test_user_removing_himself_from_private_contact_is_warned_and_nothing_saved(
    client, alice, bob, contact
):
    client.force_login(alice)
    data = form_data(first_name="Jean", last_name="Dupont", responsible=[bob.pk])
    response = client.post(f"/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 200
    assert "you will no longer see it" in response.content.decode()
    contact.refresh_from_db()
    assert list(contact.responsible.all()) == [alice]


def test_user_who_confirms_loses_access_to_the_private_contact(client, alice, bob, contact):
    client.force_login(alice)
    data = form_data(
        first_name="Jean", last_name="Dupont", responsible=[bob.pk], confirm_lose_access="on"
    )
    response = client.post(f"/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 302
    assert list(contact.responsible.all()) == [bob]
    assert client.get(f"/contacts/{contact.pk}/").status_code == 404


def test_public_read_contact_warns_that_user_can_no_longer_change_it(client, alice, bob, contact):
    client.force_login(alice)
    data = form_data(
        first_name="Jean", last_name="Dupont", responsible=[bob.pk], access="public_read"
    )
    response = client.post(f"/contacts/{contact.pk}/edit/", data)
    assert "no longer be able to change it" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).access == Contact.Access.PRIVATE


def test_admin_removing_himself_is_not_warned(client, admin, alice, contact):
    client.force_login(admin)
    data = form_data(first_name="Jean", last_name="Dupont", responsible=[alice.pk])
    assert client.post(f"/contacts/{contact.pk}/edit/", data).status_code == 302


def test_french_user_sees_the_warning_in_french(client, alice, bob, contact):
    client.force_login(alice)
    client.cookies["django_language"] = "fr"
    data = form_data(first_name="Jean", last_name="Dupont", responsible=[bob.pk])
    response = client.post(f"/contacts/{contact.pk}/edit/", data)
    assert "vous ne le verrez plus" in response.content.decode()
