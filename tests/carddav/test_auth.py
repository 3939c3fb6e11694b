"""Who may sync: a user name and one of his app passwords over Basic, nothing else."""

import base64

import pytest
from django.contrib.auth.models import Group

from accounts.app_passwords import app_password_create, app_password_revoke
from contacts.models import CRM_USERS_GROUP

PATH = "/dav/addressbooks/alice/all/"


def basic(username, password):
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


def propfind(client, auth=None, path=PATH, **extra):
    return client.generic("PROPFIND", path, "", HTTP_DEPTH="0", **(auth or {}), **extra)


@pytest.fixture
def made(alice):
    return app_password_create(user=alice, name="Phone")


def test_no_credentials_get_a_401_asking_for_basic(client):
    for method in ("PROPFIND", "GET", "OPTIONS", "REPORT"):
        response = client.generic(method, PATH)
        assert response.status_code == 401, method
        assert response["WWW-Authenticate"].startswith('Basic realm="CRM address books"')
        assert b"<d:error" in response.content


def test_an_app_password_opens_the_users_books(client, alice, made):
    row, password = made

    response = propfind(client, basic("alice", password))

    assert response.status_code == 207
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_the_account_password_is_refused(client, alice):
    response = propfind(client, basic("alice", "pw"))

    assert response.status_code == 401


def test_a_signed_in_session_is_not_enough(alice_client):
    assert propfind(alice_client).status_code == 401


def test_a_revoked_app_password_is_refused(client, alice, made):
    row, password = made
    app_password_revoke(user=alice, app_password=row)

    assert propfind(client, basic("alice", password)).status_code == 401


def test_a_deactivated_user_is_refused(client, alice, made):
    _row, password = made
    alice.is_active = False
    alice.save()

    assert propfind(client, basic("alice", password)).status_code == 401


def test_an_account_outside_the_crm_is_refused(client, alice, made):
    _row, password = made
    alice.groups.remove(Group.objects.get(name=CRM_USERS_GROUP))

    response = propfind(client, basic("alice", password))

    assert response.status_code == 403
    assert b"not a CRM user" in response.content


@pytest.mark.parametrize(
    "header", ["Basic", "Basic !!!", "Basic " + base64.b64encode(b"nocolon").decode(), "Bearer x"]
)
def test_a_malformed_header_is_a_401(client, header):
    assert propfind(client, HTTP_AUTHORIZATION=header).status_code == 401


def test_wrong_passwords_are_throttled_per_user_name_and_address(client, alice, made, settings):
    settings.CARDDAV_AUTH_FAILURES = 3
    _row, password = made
    for _attempt in range(3):
        assert propfind(client, basic("alice", "wrong")).status_code == 401

    refused = propfind(client, basic("alice", password))

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 300
    # Another address, or another user name, is counted apart.
    assert propfind(client, basic("alice", password), REMOTE_ADDR="10.0.0.9").status_code == 207
    assert propfind(client, basic("bob", "wrong")).status_code == 401
