"""Settings › Users › a user: deactivate (and hand over in the same step), reactivate."""

import pytest
from django.test import Client

from contacts.models import BulkJob, Contact
from tests.support import page_of

USERS = "/settings/users/"


@pytest.fixture
def alices_contacts(alice, bob, make_contact):
    return [
        make_contact(first_name="Private"),
        make_contact(first_name="Shared", responsible=[alice, bob]),
        make_contact(first_name="Public", access=Contact.Access.PUBLIC_READ),
    ]


def test_the_confirmation_says_what_she_is_responsible_for_and_offers_a_hand_over(
    admin_client, alice, bob, alices_contacts
):
    page = page_of(admin_client.get(f"{USERS}{alice.pk}/deactivate/"))

    assert "Deactivate Alice Martin?" in page
    assert "Responsible for 3 contacts." in page
    assert "1 of them is private with no other active responsible user" in page
    assert "Hand their contacts over to" in page
    assert f'<option value="{bob.pk}">Bob Durand</option>' in page
    assert f'<option value="{alice.pk}"' not in page
    assert alice.is_active


def test_deactivating_with_a_hand_over_does_both_in_one_step(
    admin_client, alice, bob, alices_contacts
):
    alice_client = Client()
    alice_client.force_login(alice)

    response = admin_client.post(f"{USERS}{alice.pk}/deactivate/", {"taker": bob.pk}, follow=True)

    page = page_of(response)
    assert "Alice Martin is deactivated and signed out." in page
    assert "3 contacts handed over to Bob Durand." in page
    assert response.redirect_chain[-1][0] == f"{USERS}{alice.pk}/"
    assert "This account is deactivated: it cannot log in." in page
    assert all(list(c.responsible.all()) == [bob] for c in alices_contacts)
    assert alice_client.get("/contacts/").status_code == 302


def test_deactivating_without_a_hand_over_keeps_the_contacts(admin_client, alice, alices_contacts):
    admin_client.post(f"{USERS}{alice.pk}/deactivate/", {"taker": ""})

    alice.refresh_from_db()
    assert not alice.is_active
    assert all(alice in c.responsible.all() for c in alices_contacts)
    assert not BulkJob.objects.exists()


def test_a_big_hand_over_shows_its_progress_and_leads_back_to_the_user(
    admin_client, alice, bob, alices_contacts, settings, django_capture_on_commit_callbacks
):
    settings.BULK_SYNC_LIMIT = 1

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{USERS}{alice.pk}/deactivate/", {"taker": bob.pk})

    job = BulkJob.objects.get()
    assert response.url == f"/contacts/bulk/{job.pk}/"
    page = page_of(admin_client.get(response.url))
    assert "3 contacts handed over to Bob Durand." in page
    assert f'href="{USERS}{alice.pk}/"' in page
    assert "Back to the user" in page


def test_handing_over_the_contacts_of_an_active_user(admin_client, alice, bob, alices_contacts):
    page = page_of(admin_client.get(f"{USERS}{alice.pk}/hand-over/"))
    assert "Hand over the contacts of Alice Martin" in page

    refused = admin_client.post(f"{USERS}{alice.pk}/hand-over/", {"taker": ""})
    assert "This field is required." in page_of(refused)
    response = admin_client.post(f"{USERS}{alice.pk}/hand-over/", {"taker": bob.pk}, follow=True)

    assert "3 contacts handed over to Bob Durand." in page_of(response)
    alice.refresh_from_db()
    assert alice.is_active
    assert all(list(c.responsible.all()) == [bob] for c in alices_contacts)


def test_the_own_account_and_a_superusers_are_not_deactivated_here(admin_client, admin, root):
    for user, message in [
        (admin, "You cannot deactivate your own account."),
        (root, "the account is managed in Django&#x27;s administration site."),
    ]:
        detail = page_of(admin_client.get(f"{USERS}{user.pk}/"))
        assert f"{USERS}{user.pk}/deactivate/" not in detail
        response = admin_client.post(f"{USERS}{user.pk}/deactivate/", {}, follow=True)
        assert message in page_of(response)
        user.refresh_from_db()
        assert user.is_active


def test_reactivating_from_the_users_page(admin_client, alice):
    admin_client.post(f"{USERS}{alice.pk}/deactivate/", {})

    response = admin_client.post(f"{USERS}{alice.pk}/reactivate/", follow=True)

    assert "Alice Martin may log in again." in page_of(response)
    # She logs in: to the overview, the landing page.
    assert Client().post("/accounts/login/", {"login": "alice", "password": "pw"}).url == (
        "/overview/"
    )


def test_an_unknown_user_is_not_found(admin_client):
    for path in ("", "deactivate/", "hand-over/"):
        assert admin_client.get(f"{USERS}999999/{path}").status_code == 404
