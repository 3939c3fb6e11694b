"""/api/v1/trash: what the caller may delete that is in the trash, and restoring it."""

from django.test import Client

from accounts.tokens import token_create
from contacts.models import Contact, ContactEvent
from contacts.trash.services import contact_delete


def client_of(user, scope="write"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='T', scope=scope)[1]}")


def test_the_trash_lists_the_last_deleted_first_page_by_page(alice, make_contact):
    made = [make_contact(first_name=f"P{n}") for n in range(5)]
    for contact in made:
        contact_delete(by=alice, contact=contact)
    api, found, cursor = client_of(alice, "read"), [], ""
    while True:
        page = api.get(f"/api/v1/trash?limit=2&cursor={cursor}").json()
        found += [c["id"] for c in page["results"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert found == [c.pk for c in reversed(made)]


def test_a_contact_comes_back_as_it_was(alice, make_contact):
    contact = make_contact(first_name="Back", tags=["VIP"])
    contact_delete(by=alice, contact=contact)

    response = client_of(alice).post(f"/api/v1/trash/{contact.pk}/restore")

    assert response.status_code == 200
    assert response.json()["tags"] == ["VIP"]
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert ContactEvent.objects.filter(contact=contact, verb="restored").exists()


def test_someone_who_may_not_delete_it_sees_nothing_of_it(alice, bob, make_contact):
    shared = make_contact(first_name="Shared", access="public_read")
    contact_delete(by=alice, contact=shared)
    api = client_of(bob)

    assert api.get("/api/v1/trash").json()["results"] == []
    assert api.post(f"/api/v1/trash/{shared.pk}/restore").status_code == 403
    assert not Contact.objects.filter(pk=shared.pk).exists()


def test_a_contact_not_in_the_trash_is_not_restored(alice, contact):
    assert client_of(alice).post(f"/api/v1/trash/{contact.pk}/restore").status_code == 404
