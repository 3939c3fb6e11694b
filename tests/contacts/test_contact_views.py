"""Every contact page with the personas.

alice is responsible for the contact; bob is a stranger when it is private, a reader
when it is public read and an editor when it is public read/write; admin is a CRM admin
and root a superuser.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from contacts.models import Contact
from contacts.photos.files import process_photo
from tests.support import form_data

EDITORS = [
    ("alice", "private"),
    ("bob", "public_rw"),
    ("admin", "private"),
    ("root", "private"),
]


def photo_files():
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(out, "JPEG")
    return process_photo(SimpleUploadedFile("face.jpg", out.getvalue(), "image/jpeg"))


@pytest.fixture
def login(client, request):
    """Log the named persona in and return him."""

    def log_in(persona):
        user = request.getfixturevalue(persona)
        client.force_login(user)
        return user

    return log_in


@pytest.mark.parametrize(
    "path",
    [
        "/contacts/",
        "/contacts/new/person/",
        "/contacts/new/company/",
        "/contacts/{pk}/",
        "/contacts/{pk}/edit/",
        "/contacts/{pk}/delete/",
        "/contacts/{pk}/photo/full/",
        "/contacts/{pk}/photo/thumb/",
        "/contacts/suggest/companies/",
        "/contacts/suggest/persons/",
        "/contacts/suggest/tags/",
        "/contacts/notifications/",
    ],
)
def test_anonymous_visitor_is_sent_to_the_login_page(client, contact, path):
    path = path.format(pk=contact.pk)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize(
    "path",
    [
        "/contacts/new/person/",
        "/contacts/{pk}/edit/",
        "/contacts/{pk}/delete/",
        "/contacts/{pk}/link-person/",
        "/contacts/notifications/read/",
        "/contacts/notifications/1/read/",
    ],
)
def test_anonymous_post_is_sent_to_the_login_page_and_changes_nothing(client, contact, path):
    path = path.format(pk=contact.pk)

    response = client.post(path, form_data(first_name="Mallory"))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    assert Contact.objects.get().first_name == "Jean"


@pytest.mark.parametrize("persona", ["alice", "bob", "admin", "root"])
@pytest.mark.parametrize("path", ["/contacts/", "/contacts/new/person/", "/contacts/new/company/"])
def test_every_logged_in_persona_opens_the_list_and_the_create_forms(login, client, persona, path):
    login(persona)

    assert client.get(path).status_code == 200


def test_create_form_of_an_unknown_kind_is_not_found(login, client):
    login("alice")

    assert client.get("/contacts/new/robot/").status_code == 404


@pytest.mark.parametrize(
    "persona, access, page, expected",
    [
        # A stranger cannot even learn that the contact exists.
        ("bob", "private", "", 404),
        ("bob", "private", "edit/", 404),
        ("bob", "private", "delete/", 404),
        ("bob", "private", "photo/full/", 404),
        ("bob", "private", "photo/thumb/", 404),
        # A reader sees it but may not change it.
        ("bob", "public_read", "", 200),
        ("bob", "public_read", "edit/", 403),
        ("bob", "public_read", "delete/", 403),
        ("bob", "public_read", "photo/full/", 200),
        # Editors may do everything.
        *[
            (p, a, page, 200)
            for p, a in EDITORS
            for page in ("", "edit/", "delete/", "photo/thumb/")
        ],
    ],
)
def test_persona_gets_the_expected_status_on_a_contact_page(
    login, client, make_contact, persona, access, page, expected
):
    contact = make_contact(access=access, photo=photo_files())
    login(persona)

    response = client.get(f"/contacts/{contact.pk}/{page}")

    assert response.status_code == expected


def test_contact_card_shows_the_contact_to_a_reader(login, client, make_contact):
    contact = make_contact(access="public_read", first_name="Hélène", last_name="Boucher")
    login("bob")

    response = client.get(f"/contacts/{contact.pk}/")

    assert '<h1 class="h3 mb-1">Hélène Boucher</h1>' in response.content.decode()
    assert f"/contacts/{contact.pk}/edit/" not in response.content.decode()


@pytest.mark.parametrize("persona, access", EDITORS)
def test_editor_sees_edit_and_delete_links_on_the_card(
    login, client, make_contact, persona, access
):
    contact = make_contact(access=access)
    login(persona)

    page = client.get(f"/contacts/{contact.pk}/").content.decode()

    assert f"/contacts/{contact.pk}/edit/" in page
    assert f"/contacts/{contact.pk}/delete/" in page


@pytest.mark.parametrize("access, expected", [("private", 404), ("public_read", 403)])
def test_user_who_may_not_edit_cannot_change_the_contact_with_a_post(
    login, client, make_contact, alice, access, expected
):
    contact = make_contact(access=access)
    login("bob")

    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Mallory", access="public_rw", responsible=[alice.pk]),
    )

    assert response.status_code == expected
    contact.refresh_from_db()
    assert contact.first_name == "Jean"
    assert contact.access == access


@pytest.mark.parametrize("access, expected", [("private", 404), ("public_read", 403)])
def test_user_who_may_not_delete_cannot_delete_with_a_post(
    login, client, make_contact, access, expected
):
    contact = make_contact(access=access)
    login("bob")

    response = client.post(f"/contacts/{contact.pk}/delete/")

    assert response.status_code == expected
    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize("persona, access", EDITORS)
def test_editor_changes_the_contact_with_a_post(
    login, client, make_contact, alice, persona, access
):
    contact = make_contact(access=access)
    login(persona)

    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(
            first_name="Jeanne",
            last_name="Durand",
            job_title="Engineer",
            access=access,
            responsible=[alice.pk],
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.job_title) == (
        "Jeanne",
        "Durand",
        "Engineer",
    )
    assert contact.display_name == "Jeanne Durand"
    assert contact.version == 2


@pytest.mark.parametrize("persona, access", EDITORS)
def test_editor_sees_a_delete_confirmation_naming_the_contact(
    login, client, make_contact, persona, access
):
    contact = make_contact(access=access, first_name="Marie", last_name="Curie")
    login(persona)

    response = client.get(f"/contacts/{contact.pk}/delete/")

    assert response.status_code == 200
    assert "Delete “Marie Curie”?" in response.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize("persona, access", EDITORS)
def test_editor_deletes_the_contact_with_a_post(login, client, make_contact, persona, access):
    contact = make_contact(access=access, first_name="Marie", last_name="Curie")
    login(persona)

    response = client.post(f"/contacts/{contact.pk}/delete/", follow=True)

    assert response.redirect_chain == [("/contacts/", 302)]
    assert "“Marie Curie” was moved to the trash" in response.content.decode()
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.all_objects.get(pk=contact.pk).deleted_at is not None


def test_stranger_cannot_link_a_person_to_a_private_company(login, client, make_contact, bob):
    company = make_contact("company", company_name="Secret Corp")
    person = make_contact(by=bob, first_name="Paul", last_name="Petit")
    login("bob")

    response = client.post(f"/contacts/{company.pk}/link-person/", {"person": "Paul Petit"})

    assert response.status_code == 404
    person.refresh_from_db()
    assert person.company is None


def test_link_person_only_accepts_posts(login, client, make_contact):
    company = make_contact("company")
    login("alice")

    assert client.get(f"/contacts/{company.pk}/link-person/").status_code == 405


def test_responsible_user_links_an_existing_person_to_a_company(login, client, make_contact):
    company = make_contact("company", company_name="Acme")
    person = make_contact(first_name="Paul", last_name="Petit")
    login("alice")

    response = client.post(
        f"/contacts/{company.pk}/link-person/", {"person": "paul petit"}, follow=True
    )

    person.refresh_from_db()
    assert person.company == company
    assert "“Paul Petit” now works at “Acme”." in response.content.decode()


def test_reader_cannot_link_a_person_he_may_not_change(login, client, make_contact):
    company = make_contact("company", company_name="Acme", access="public_read")
    person = make_contact(first_name="Paul", last_name="Petit", access="public_read")
    login("bob")

    response = client.post(
        f"/contacts/{company.pk}/link-person/", {"person": "Paul Petit"}, follow=True
    )

    person.refresh_from_db()
    assert person.company is None
    assert "You may not change “Paul Petit”." in response.content.decode()


def test_linking_a_person_the_user_cannot_see_says_none_was_found(login, client, make_contact, bob):
    company = make_contact("company", by=bob, company_name="Bob & Co")
    hidden = make_contact(first_name="Paul", last_name="Petit")
    login("bob")

    response = client.post(
        f"/contacts/{company.pk}/link-person/", {"person": "Paul Petit"}, follow=True
    )

    hidden.refresh_from_db()
    assert hidden.company is None
    assert "No person named “Paul Petit” was found." in response.content.decode()


def test_empty_list_offers_to_create_a_person_a_company_or_import(alice_client):
    page = alice_client.get("/contacts/").content.decode()

    empty_state = page.split("data-empty-state", 1)[1]
    assert "No contacts yet" in empty_state
    for href, label in [
        ("/contacts/new/person/", "New person"),
        ("/contacts/new/company/", "New company"),
        ("/contacts/imports/new/", "Import from CSV"),
    ]:
        assert f'href="{href}"' in empty_state
        assert label in empty_state


def test_stranger_sees_the_empty_list_when_every_contact_is_private(client, bob, contact):
    client.force_login(bob)

    page = client.get("/contacts/").content.decode()

    assert "No contacts yet" in page
    assert str(contact) not in page


def test_filtered_list_without_matches_says_so_instead_of_offering_to_start(
    alice_client, make_contact
):
    make_contact(tags=["Lead"])

    page = alice_client.get("/contacts/?tag=Other").content.decode()

    assert "No contact matches these filters." in page
    assert "No contacts yet" not in page
