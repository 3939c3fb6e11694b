"""Logging in and out: throttled failures, cookies, password rules, logout by POST only."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client

LOCKED = "Too many failed attempts to log in. Try again in 15 minutes."


@pytest.fixture(autouse=True)
def _throttle(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.CLIENT_IP_HEADER = ""


def log_in(client, username, password, url="/accounts/login/", **extra):
    return client.post(url, {"login": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    for _ in range(times):
        response = log_in(client, username, "wrong", **extra)
        assert response.status_code == 200
        assert 'id="lockout"' not in response.content.decode()


def lock_out(client, username, url="/accounts/login/", **extra):
    """Fail up to the limit: the last failure already answers with the lockout."""
    fail(client, username, 2, **extra)
    response = log_in(client, username, "wrong", url=url, **extra)
    assert response.status_code == 429


def test_the_login_page_refuses_a_username_after_the_limit_even_with_its_password(client, alice):
    lock_out(client, "alice")

    response = log_in(client, "alice", "pw")

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert 'id="id_login"' in page and 'value="alice"' in page  # still the login page
    assert SESSION_KEY not in client.session
    assert AccessAttempt.objects.get(username="alice").failures_since_start >= 3


def test_the_lockout_message_is_in_french_for_a_french_browser(client, alice):
    lock_out(client, "alice", HTTP_ACCEPT_LANGUAGE="fr")

    response = log_in(client, "alice", "pw", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes." in page
    assert '<html lang="fr">' in page


def test_a_successful_login_starts_the_count_again(client, alice):
    fail(client, "alice", 2)
    assert log_in(client, "alice", "pw").status_code == 302
    client.post("/accounts/logout/")

    fail(client, "alice", 2)

    assert log_in(client, "alice", "pw").status_code == 302
    assert int(client.session[SESSION_KEY]) == alice.pk


def test_the_lockout_is_for_that_username_at_that_address(alice, bob):
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    lock_out(attacker, "alice")
    assert log_in(attacker, "alice", "pw").status_code == 429

    # alice from her own address, and bob from the attacker's, may still log in.
    assert log_in(Client(REMOTE_ADDR="10.0.0.7"), "alice", "pw").status_code == 302
    assert log_in(attacker, "bob", "pw").status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_webforms_see(settings, alice):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    # Every request comes from the proxy; the header's last address is the visitor's.
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    lock_out(attacker, "alice")
    assert log_in(attacker, "alice", "pw").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"

    visitor = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert log_in(visitor, "alice", "pw").status_code == 302


def test_the_admin_site_signs_in_through_the_crms_throttled_page(client, root):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # Its own form is gone: a password posted there signs nobody in.
    client.post("/admin/login/?next=/admin/", {"username": "root", "password": "pw"})
    assert SESSION_KEY not in client.session
    lock_out(client, "root")
    assert log_in(client, "root", "pw", url="/accounts/login/?next=/admin/").status_code == 429
    assert SESSION_KEY not in client.session


def test_the_session_cookie_is_out_of_reach_of_scripts_and_other_sites(client, alice):
    response = log_in(client, "alice", "pw")

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert 0 < int(cookie["max-age"]) <= 7 * 24 * 3600


def test_logout_by_get_is_refused_and_keeps_the_session(alice_client, alice):
    response = alice_client.get("/accounts/logout/")

    assert response.status_code == 405
    assert int(alice_client.session[SESSION_KEY]) == alice.pk
    assert alice_client.get("/contacts/").status_code == 200


def test_logout_by_post_ends_the_session(alice_client):
    response = alice_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert SESSION_KEY not in alice_client.session
    assert alice_client.get("/contacts/").status_code == 302  # back to the login page


@pytest.mark.parametrize("weak", ["password", "12345678", "alice123", "short"])
def test_the_password_change_page_refuses_a_weak_password(alice_client, alice, weak):
    response = alice_client.post(
        "/accounts/password/change/",
        {"oldpassword": "pw", "password1": weak, "password2": weak},
    )

    assert response.status_code == 200
    assert 'class="invalid-feedback"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("pw")


def test_the_password_change_page_accepts_a_strong_password(alice_client, alice):
    strong = "correct horse battery staple"
    response = alice_client.post(
        "/accounts/password/change/",
        {"oldpassword": "pw", "password1": strong, "password2": strong},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(strong)


def test_the_admin_site_refuses_a_user_with_a_weak_password(client, root, django_user_model):
    client.force_login(root)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "carol",
            "usable_password": "true",
            "password1": "12345678",
            "password2": "12345678",
        },
    )

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    assert not django_user_model.objects.filter(username="carol").exists()
