import pytest

from contacts.models import ContactType


@pytest.fixture
def client_type(db):
    return ContactType.objects.get(title="Client")


def test_list_filtered_by_type_shows_only_that_type_and_a_removable_chip(
    client, alice, make_contact, client_type
):
    typed = make_contact(first_name="Typed")
    typed.contact_type = client_type
    typed.save()
    make_contact(first_name="Untyped")
    client.force_login(alice)

    page = client.get(f"/contacts/?type={client_type.pk}").content.decode()

    assert "Typed Dupont" in page
    assert "Untyped Dupont" not in page
    assert "Type: Client" in page
    assert "1 contact" in page


def test_list_filtered_by_no_type_shows_contacts_without_type(
    client, alice, make_contact, client_type
):
    typed = make_contact(first_name="Typed")
    typed.contact_type = client_type
    typed.save()
    make_contact(first_name="Untyped")
    client.force_login(alice)

    page = client.get("/contacts/?type=none").content.decode()

    assert "Untyped Dupont" in page
    assert "Typed Dupont" not in page


def test_list_filtered_by_two_tags_shows_contacts_with_both(client, alice, make_contact):
    make_contact(first_name="Both", tags=["Lead", "VIP"])
    make_contact(first_name="One", tags=["Lead"])
    client.force_login(alice)

    page = client.get("/contacts/?tag=lead&tag=VIP").content.decode()

    assert "Both Dupont" in page
    assert "One Dupont" not in page
    assert "Tag: lead" in page and "Tag: VIP" in page


def test_filters_are_kept_in_pagination_links_and_the_search_form(client, alice, make_contact):
    for n in range(26):
        make_contact(first_name=f"P{n}", tags=["Lead"])
    client.force_login(alice)

    page = client.get("/contacts/?tag=Lead").content.decode()

    assert "?tag=Lead&amp;page=2" in page
    assert '<input type="hidden" name="tag" value="Lead">' in page


def test_filter_on_unknown_tag_or_bad_type_shows_no_error(client, alice, contact):
    client.force_login(alice)
    assert "No contact" in client.get("/contacts/?tag=nope").content.decode()
    assert client.get("/contacts/?type=abc").status_code == 200


def test_filtered_list_never_shows_contacts_the_user_may_not_see(client, bob, make_contact):
    make_contact(first_name="Hidden", tags=["Lead"])
    client.force_login(bob)
    page = client.get("/contacts/?tag=Lead").content.decode()
    assert "Hidden" not in page
