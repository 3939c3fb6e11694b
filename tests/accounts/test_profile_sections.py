"""The profile page's other sections: name, e-mail address (the password confirming it),
photo (kept private, shrunk), which notifications come by e-mail, and sessions."""

import io

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import EmailKind, Profile
from accounts.preferences import wants_email
from accounts.services import profile_update
from tests.support import page_of


@pytest.fixture
def changed_email(client, alice, django_capture_on_commit_callbacks):
    def post(email, password="pw"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/account/profile/email/", {"email": email, "password": password})

    client.force_login(alice)
    return post


def picture(fmt="PNG", size=(900, 600), color="teal"):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return SimpleUploadedFile(f"me.{fmt.lower()}", out.getvalue(), content_type="image/png")


def test_the_profile_page_has_its_sections(alice_client):
    page = page_of(alice_client.get("/account/profile/"))

    for heading in (
        "Name and photo",
        "E-mail address",
        "Language and time zone",
        "E-mail notifications",
        "Password and two-factor",
        "Sessions",
    ):
        assert f">{heading}</h2>" in page
    assert 'href="/accounts/password/change/"' in page
    assert 'href="/accounts/2fa/"' in page


def test_a_user_changes_his_name(alice_client, alice):
    response = alice_client.post(
        "/account/profile/name/", {"first_name": " Alicia ", "last_name": "Martín"}
    )

    assert response["Location"] == "/account/profile/"
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name) == ("Alicia", "Martín")


def test_a_name_too_long_is_refused_and_nothing_changes(alice_client, alice):
    response = alice_client.post("/account/profile/name/", {"first_name": "x" * 151})

    assert "Ensure this value has at most 150 characters" in page_of(response)
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_a_user_changes_his_email_address_with_his_password(changed_email, alice, client):
    response = changed_email("alice.martin@example.org")

    assert response["Location"] == "/account/profile/"
    alice.refresh_from_db()
    assert alice.email == "alice.martin@example.org"
    assert list(EmailAddress.objects.filter(user=alice).values_list("email", "primary")) == [
        ("alice.martin@example.org", True)
    ]
    # The former address is told, in case it was not him.
    [notice] = mail.outbox
    assert notice.to == ["alice@example.com"]
    assert "alice.martin@example.org" in notice.body
    # He logs in with the new one, no longer with the old one.
    assert (
        Client()
        .post("/accounts/login/", {"login": "alice.martin@example.org", "password": "pw"})
        .status_code
        == 302
    )
    assert (
        Client()
        .post("/accounts/login/", {"login": "alice@example.com", "password": "pw"})
        .status_code
        == 200
    )


def test_a_wrong_password_changes_nothing_and_counts_as_a_failed_log_in(changed_email, alice):
    response = changed_email("alice.martin@example.org", password="wrong")

    assert "This is not your current password." in page_of(response)
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1
    assert mail.outbox == []


@pytest.mark.parametrize("taken", ["bob@example.com", "BOB@Example.com"])
def test_an_address_another_user_has_is_refused_clearly(changed_email, alice, bob, taken):
    page = page_of(changed_email(taken))

    assert "Another user already has this e-mail address." in page
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_a_photo_is_shrunk_kept_private_and_shown_to_its_user_only(
    alice_client, alice, bob, settings
):
    response = alice_client.post("/account/profile/photo/", {"photo": picture()})

    assert response["Location"] == "/account/profile/"
    profile = Profile.objects.get(user=alice)
    stored = settings.MEDIA_ROOT / profile.photo.name
    with Image.open(stored) as image:
        assert image.size == (256, 256)
    served = alice_client.get("/account/photo/")
    assert served["Cache-Control"] == "private, max-age=86400"
    assert b"".join(served.streaming_content) == stored.read_bytes()
    assert 'src="/account/photo/?v=' in page_of(alice_client.get("/account/profile/"))
    bobs = Client()
    bobs.force_login(bob)
    assert bobs.get("/account/photo/").status_code == 404  # his own: he has none
    assert Client().get("/account/photo/").status_code == 302  # to the log-in page
    assert Client().get(f"/media/{profile.photo.name}").status_code == 404


def test_what_is_no_picture_is_refused_with_a_message(alice_client, alice):
    fake = SimpleUploadedFile("me.png", b"<?php echo 'hi'; ?>", content_type="image/png")

    response = alice_client.post("/account/profile/photo/", {"photo": fake})

    assert "This file is not a JPEG, PNG, GIF or WebP image" in page_of(response)
    assert not Profile.objects.filter(user=alice).exclude(photo="").exists()


def test_removing_the_photo_deletes_its_file(
    alice_client, alice, settings, django_capture_on_commit_callbacks
):
    alice_client.post("/account/profile/photo/", {"photo": picture()})
    stored = settings.MEDIA_ROOT / Profile.objects.get(user=alice).photo.name

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post("/account/profile/photo/", {"remove": "1"})

    assert Profile.objects.get(user=alice).photo.name == ""
    assert not stored.exists()
    assert alice_client.get("/account/photo/").status_code == 404


def test_a_user_chooses_which_notifications_come_by_email(alice_client, alice):
    page = page_of(alice_client.get("/account/profile/"))
    form = page.split('id="notifications-form"')[1].split("</form>")[0]
    kinds = len(EmailKind)
    assert form.count('name="wanted"') == kinds and form.count(" checked") == kinds  # all on

    alice_client.post("/account/profile/notifications/", {"wanted": ["assignment"]})

    assert wants_email(alice, EmailKind.ASSIGNMENT)
    assert not wants_email(alice, EmailKind.IMPORT)
    assert not wants_email(alice, EmailKind.WEB_FORM)
    assert not wants_email(alice, EmailKind.TASK)
    assert not wants_email(alice, EmailKind.MENTION)


def test_a_user_without_a_profile_wants_every_email(bob):
    assert all(wants_email(bob, kind) for kind in EmailKind)


def test_the_sessions_section_lists_his_sessions_and_logs_the_others_out(client, alice):
    laptop, phone = (
        Client(HTTP_USER_AGENT="Laptop browser"),
        Client(HTTP_USER_AGENT="Phone browser"),
    )
    for browser in (laptop, phone):
        browser.post("/accounts/login/", {"login": "alice", "password": "pw"})

    page = page_of(laptop.get("/account/profile/"))
    assert "Laptop browser" in page and "Phone browser" in page
    assert page.count("This session") == 1
    response = laptop.post("/accounts/sessions/")

    assert response.status_code == 302
    assert SESSION_KEY in laptop.session
    assert phone.get("/contacts/").status_code == 302  # logged out
    assert UserSession.objects.filter(user=alice).count() == 1


def test_the_profile_page_is_in_french(alice_client, alice):
    profile_update(user=alice, language="fr")

    page = page_of(alice_client.get("/account/profile/"))

    assert "Mon profil" in page
    assert "Nom et photo" in page
    assert "Notifications par e-mail" in page


@pytest.mark.parametrize(
    "user_agent, shown",
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on Linux",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
    ],
)
def test_sessions_name_the_browser_and_its_system(client, alice, user_agent, shown):
    client.post(
        "/accounts/login/", {"login": "alice", "password": "pw"}, HTTP_USER_AGENT=user_agent
    )

    page = page_of(client.get("/account/profile/", HTTP_USER_AGENT=user_agent))

    assert f">{shown}</div>" in page
