"""Each user's own language and time zone: the profile page, and where it applies."""

from datetime import UTC, datetime

import pytest

from accounts.models import Profile
from accounts.preferences import language_of, preferences_of
from contacts.models import Contact
from tests.support import page_of


@pytest.fixture
def profile_of():
    def make(user, language="en", time_zone="Europe/Paris"):
        return Profile.objects.create(user=user, language=language, time_zone=time_zone)

    return make


def test_the_user_menu_links_to_the_profile_page(alice_client):
    page = page_of(alice_client.get("/contacts/"))

    assert 'href="/account/profile/"' in page
    assert "My profile" in page


def test_the_profile_page_shows_the_users_own_choices(client, alice, bob, profile_of):
    profile_of(alice, "fr", "America/Montreal")
    profile_of(bob, "en", "Asia/Tokyo")
    client.force_login(bob)

    page = page_of(client.get("/account/profile/"))

    assert '<option value="Asia/Tokyo" selected>' in page
    assert '<option value="en" selected>' in page
    assert 'value="America/Montreal" selected' not in page


def test_saving_the_profile_changes_only_ones_own_and_speaks_its_language(
    client, alice, bob, profile_of
):
    profile_of(bob, "en", "Asia/Tokyo")
    client.force_login(alice)

    response = client.post(
        "/account/profile/", {"language": "fr", "time_zone": "America/Montreal"}, follow=True
    )

    page = page_of(response)
    assert preferences_of(alice) == ("fr", "America/Montreal")
    assert preferences_of(bob) == ("en", "Asia/Tokyo")
    assert '<html lang="fr">' in page
    assert "Langue" in page
    # The login page, before any profile applies, speaks it too.
    assert client.cookies["django_language"].value == "fr"


def test_an_unknown_time_zone_is_refused(alice_client, alice):
    response = alice_client.post(
        "/account/profile/", {"language": "fr", "time_zone": "Mars/Olympus_Mons"}
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Profile.objects.filter(user=alice).exists()


def test_the_profile_language_applies_to_every_page_after_sign_in(client, alice, profile_of):
    profile_of(alice, "fr")
    client.force_login(alice)

    page = page_of(client.get("/contacts/", HTTP_ACCEPT_LANGUAGE="en"))

    assert '<html lang="fr">' in page


def test_signing_in_keeps_the_profile_language_over_the_browsers(client, alice, profile_of):
    profile_of(alice, "fr")

    response = client.post(
        "/accounts/login/",
        {"login": "alice", "password": "pw"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert '<html lang="fr">' in page_of(response)


def test_the_first_sign_in_starts_the_profile_in_the_language_of_the_login_page(client, alice):
    client.cookies["django_language"] = "fr"

    response = client.post("/accounts/login/", {"login": "alice", "password": "pw"})

    assert response.status_code == 302
    assert preferences_of(alice) == ("fr", "Europe/Paris")


def test_a_user_without_a_profile_reads_his_browsers_language(client, alice):
    client.force_login(alice)

    page = page_of(client.get("/account/profile/", HTTP_ACCEPT_LANGUAGE="fr"))

    assert '<html lang="fr">' in page
    assert '<option value="fr" selected>' in page
    assert not Profile.objects.exists()  # looking is not choosing


def test_the_language_switch_updates_the_profile_of_a_signed_in_user(client, alice, profile_of):
    profile_of(alice, "en")
    client.force_login(alice)

    client.post("/i18n/setlang/", {"language": "fr", "next": "/contacts/"})

    assert language_of(alice) == "fr"
    assert '<html lang="fr">' in page_of(client.get("/contacts/", HTTP_ACCEPT_LANGUAGE="en"))


def test_pages_show_times_in_the_users_time_zone(client, alice, bob, make_contact, profile_of):
    profile_of(alice, "en", "America/New_York")
    profile_of(bob, "en", "Asia/Tokyo")
    contact = make_contact(access="public_read")
    Contact.objects.filter(pk=contact.pk).update(
        created_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    )
    client.force_login(alice)
    new_york = page_of(client.get(f"/contacts/{contact.pk}/"))
    client.force_login(bob)
    tokyo = page_of(client.get(f"/contacts/{contact.pk}/"))

    assert "10 Mar 2026, 08:00" in new_york
    assert "10 Mar 2026, 21:00" in tokyo
