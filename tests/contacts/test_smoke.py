from contacts.models import Contact
from tests.support import form_data


def test_alice_creates_a_person_and_sees_it_in_the_list(client, alice):
    client.force_login(alice)
    response = client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            last_name="Curie",
            responsible=[alice.pk],
            email=[{"category": "work", "value": "marie@example.com", "is_primary": "on"}],
        ),
    )
    contact = Contact.objects.get(display_name="Marie Curie")
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    page = client.get("/contacts/")
    assert "Marie Curie" in page.content.decode()
    assert "mailto:marie@example.com" in page.content.decode()
