"""Forgot password?: a link by e-mail in the user's language, the same answer for every
address, throttled; the admins' "send a reset link"; broken links get a page, not a 500."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from accounts.services import password_reset_send, profile_update
from tests.support import page_of

RESET = "/accounts/password/reset/"
DONE = "/accounts/password/reset/done/"
NEW = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://crm.example.com"


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Post "Forgot password?"; the mail goes out when the request's work commits."""

    def post(client, email, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET, {"email": email}, **extra)

    return post


def link_in(message):
    return re.search(r"https://crm\.example\.com(/accounts/password/reset/key/\S+/)", message.body)[
        1
    ]


def test_a_known_address_gets_a_link_in_its_users_language(client, alice, ask):
    profile_update(user=alice, language="fr")

    response = ask(client, "alice@example.com", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302 and response["Location"] == DONE
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject.startswith("[CRM] ")
    assert "réinitialisation de mot de passe" in message.subject
    assert "https://crm.example.com/accounts/password/reset/key/" in message.body


def test_a_user_without_a_profile_gets_it_in_the_language_of_the_page(client, alice, ask):
    ask(client, "alice@example.com", HTTP_ACCEPT_LANGUAGE="fr")

    [message] = mail.outbox
    assert "réinitialisation de mot de passe" in message.subject


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, alice, ask):
    known = ask(client, "alice@example.com")
    unknown = ask(Client(), "nobody@example.com")

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == DONE
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    page = page_of(client.get(DONE))
    assert "If an account has this address" in page


def test_a_deactivated_user_gets_no_link(client, alice, ask):
    alice.is_active = False
    alice.save()

    response = ask(client, "alice@example.com")

    assert response["Location"] == DONE
    assert mail.outbox == []


def test_asking_again_and_again_is_throttled(client, alice, ask):
    for _ in range(5):
        assert ask(client, "alice@example.com").status_code == 302

    response = ask(client, "alice@example.com")

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert len(mail.outbox) == 5


def test_the_link_sets_a_new_password_once(client, alice, ask):
    ask(client, "alice@example.com")
    link = link_in(mail.outbox[0])

    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0]
    response = client.post(action, {"password1": NEW, "password2": NEW})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert SESSION_KEY not in client.session  # he logs in next, second factor included
    again = Client().get(link, follow=True)
    assert "This link no longer works" in page_of(again)


@pytest.mark.parametrize("weak", ["password", "12345678", "alice123"])
def test_the_new_password_follows_the_password_rules(client, alice, weak, ask):
    ask(client, "alice@example.com")
    form_page = client.get(link_in(mail.outbox[0]), follow=True)

    response = client.post(form_page.redirect_chain[-1][0], {"password1": weak, "password2": weak})

    assert response.status_code == 200
    assert 'class="invalid-feedback"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("pw")


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password/reset/key/1-abc-123/",
        "/accounts/password/reset/key/zzzzzzzzzzzzzzzzzzzz-x/",
        "/accounts/password/reset/key/0-set-password/",
        "/accounts/password/reset/key/1-%E2%82%AC%27%3Cb%3E/",
    ],
)
def test_a_tampered_link_gets_a_clear_page(client, alice, path):
    response = client.get(path, follow=True)

    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()
    posted = client.post(path, {"password1": NEW, "password2": NEW})
    assert posted.status_code in (200, 302)
    alice.refresh_from_db()
    assert alice.check_password("pw")


def test_an_admin_sends_a_user_a_reset_link_in_the_users_language(
    alice, admin_client, django_capture_on_commit_callbacks
):
    profile_update(user=alice, language="fr")
    request = admin_client.get("/").wsgi_request

    with django_capture_on_commit_callbacks(execute=True):
        assert password_reset_send(user=alice, request=request) is True

    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "réinitialisation de mot de passe" in message.subject
    assert link_in(message)


def test_no_link_is_sent_to_a_user_without_an_address_or_deactivated(client, alice, bob):
    request = client.get("/").wsgi_request
    alice.email = ""
    alice.save()
    bob.is_active = False
    bob.save()

    assert password_reset_send(user=alice, request=request) is False
    assert password_reset_send(user=bob, request=request) is False
    assert mail.outbox == []
