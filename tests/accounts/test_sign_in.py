"""Signing in through django-allauth: by username or e-mail address, no sign-up, the
deactivated refused with a clear page, the CSP kept."""

import re

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY

from tests.support import page_of

GENERIC = "The username and/or password you specified are not correct."


def log_in(client, login, password="pw", **extra):
    return client.post("/accounts/login/", {"login": login, "password": password}, **extra)


@pytest.mark.parametrize("login", ["alice", "alice@example.com", "ALICE@example.com"])
def test_a_user_logs_in_with_his_username_or_his_email_address(client, alice, login):
    response = log_in(client, login)

    assert response.status_code == 302
    assert response["Location"] == "/overview/"
    assert int(client.session[SESSION_KEY]) == alice.pk


def test_the_next_address_is_followed_after_logging_in(client, alice):
    response = client.post(
        "/accounts/login/?next=/contacts/trash/", {"login": "alice", "password": "pw"}
    )

    assert response["Location"] == "/contacts/trash/"


def test_a_wrong_password_says_the_same_for_a_known_and_an_unknown_user(client, alice):
    known = page_of(log_in(client, "alice", "wrong"))
    unknown = page_of(log_in(client, "nobody", "wrong"))

    assert GENERIC in known and GENERIC in unknown
    assert SESSION_KEY not in client.session


def test_a_deactivated_user_with_his_password_is_told_his_account_is_deactivated(client, alice):
    alice.is_active = False
    alice.save()

    response = log_in(client, "alice", follow=True)

    page = page_of(response)
    assert response.redirect_chain[-1][0] == "/accounts/inactive/"
    assert "This account is deactivated" in page
    assert "ask a CRM admin to reactivate it" in page
    assert SESSION_KEY not in client.session


def test_a_deactivated_user_with_a_wrong_password_learns_nothing_more(client, alice):
    alice.is_active = False
    alice.save()

    page = page_of(log_in(client, "alice", "wrong"))

    assert GENERIC in page
    assert "deactivated" not in page


def test_nobody_signs_up(client, django_user_model):
    before = django_user_model.objects.count()

    page = page_of(client.get("/accounts/signup/"))
    client.post(
        "/accounts/signup/",
        {"username": "mallory", "email": "m@example.com", "password1": "x" * 20},
    )

    assert "Users join by invitation" in page
    assert "<form" not in page.split('id="main"')[1]  # no sign-up form, only the page
    assert django_user_model.objects.count() == before


def test_the_log_in_page_offers_forgot_password_and_runs_no_inline_script(client):
    response = client.get("/accounts/login/")

    page = page_of(response)
    assert 'href="/accounts/password/reset/"' in page
    assert "Forgot password?" in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # Every script is a file: no inline code for the policy to refuse.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert 'name="remember"' not in page  # every session lasts the same working day


def test_the_log_in_page_is_in_french_for_a_french_browser(client):
    page = page_of(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr"))

    assert "Connexion au CRM" in page
    assert "Nom d’utilisateur ou adresse e-mail" in page
    assert "Mot de passe oublié ?" in page


def test_logging_in_records_the_session_for_the_sessions_list(client, alice):
    log_in(client, "alice", HTTP_USER_AGENT="Firefox on the test bench")

    session = UserSession.objects.get(user=alice)
    assert session.session_key == client.session.session_key
    assert session.user_agent == "Firefox on the test bench"
