"""sessions_end: every session of one user deleted, on the db and cached_db engines, and
on the cache alone through the sessions django-allauth records; its records too."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from accounts.sessions import sessions_end


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def test_every_session_of_the_user_ends_and_no_other(settings, engine, alice, bob):
    settings.SESSION_ENGINE = engine
    alice_phone, alice_laptop, bob_laptop = signed_in(alice), signed_in(alice), signed_in(bob)
    anonymous = Client()
    anonymous.get("/accounts/login/")  # a session of no one
    keys = {c: c.session.session_key for c in (alice_phone, alice_laptop, bob_laptop)}

    assert sessions_end(alice) == 2

    assert set(Session.objects.values_list("session_key", flat=True)) == {keys[bob_laptop]}
    if engine.endswith("cached_db"):
        prefix = "django.contrib.sessions.cached_db"
        assert cache.get(f"{prefix}{keys[alice_phone]}") is None
        assert cache.get(f"{prefix}{keys[bob_laptop]}") is not None
    # Still active: only the deleted session keeps her out.
    assert alice_phone.get("/contacts/").status_code == 302
    assert bob_laptop.get("/contacts/").status_code == 200
    assert sessions_end(alice) == 0


def test_an_engine_without_a_table_ends_nothing_here(settings, alice):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

    assert sessions_end(alice) == 0


def logged_in(login):
    client = Client()
    client.post("/accounts/login/", {"login": login, "password": "pw"})
    return client


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
        "django.contrib.sessions.backends.cache",
    ],
)
def test_the_recorded_sessions_end_with_their_records(settings, engine, alice, bob):
    settings.SESSION_ENGINE = engine
    alice_laptop, alice_phone, bob_laptop = logged_in("alice"), logged_in("alice"), logged_in("bob")
    assert UserSession.objects.filter(user=alice).count() == 2

    assert sessions_end(alice) == 2

    assert not UserSession.objects.filter(user=alice).exists()
    assert UserSession.objects.filter(user=bob).count() == 1
    assert alice_laptop.get("/contacts/").status_code == 302
    assert alice_phone.get("/contacts/").status_code == 302
    assert bob_laptop.get("/contacts/").status_code == 200
