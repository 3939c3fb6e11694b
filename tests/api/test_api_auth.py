"""Who may call the API: tokens, sessions, their limits, and the errors as problems."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import token_create, token_revoke
from api import throttle
from contacts.models import CRM_USERS_GROUP


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def token(alice):
    return token_create(user=alice, name="Sync", scope=ApiToken.Scope.READ)[1]


def test_a_token_calls_as_its_user(client, alice, token):
    response = client.get("/api/v1/me", **bearer(token))

    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert response.json()["auth"] == "token"
    assert response.json()["scope"] == "read"


def test_a_signed_in_browser_calls_as_its_user(alice_client):
    response = alice_client.get("/api/v1/me")

    assert response.json()["username"] == "alice"
    assert response.json()["auth"] == "session"


@pytest.mark.parametrize("header", ["Bearer crm_nope_nope", "Bearer ", "Basic abc", "Bearer x"])
def test_a_wrong_token_is_a_401_problem(client, token, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["status"] == 401
    assert problem["code"] == "not_authenticated"
    assert problem["type"] == "urn:crm:problem:not_authenticated"


def test_a_token_with_another_secret_is_refused(client, token):
    key = token.split("_")[1]

    response = client.get("/api/v1/me", **bearer(f"crm_{key}_{'x' * 43}"))

    assert response.status_code == 401


def test_a_revoked_token_stops_at_once(client, alice, token):
    token_revoke(user=alice, token=ApiToken.objects.get())

    assert client.get("/api/v1/me", **bearer(token)).status_code == 401


def test_an_expired_token_is_refused(client, alice):
    past = timezone.now() - datetime.timedelta(seconds=1)
    token = token_create(user=alice, name="Old", scope="read", expires_at=past)[1]

    assert client.get("/api/v1/me", **bearer(token)).status_code == 401


def test_a_deactivated_users_tokens_stop_at_once(client, alice, token):
    alice.is_active = False
    alice.save()

    assert client.get("/api/v1/me", **bearer(token)).status_code == 401


def test_an_account_outside_the_crm_gets_a_403_problem(client, alice, token):
    alice.groups.remove(Group.objects.get(name=CRM_USERS_GROUP))

    response = client.get("/api/v1/contacts", **bearer(token))

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_crm_user"


def test_the_tokens_last_use_is_noted(client, token):
    client.get("/api/v1/me", **bearer(token))

    assert ApiToken.objects.get().last_used_at is not None


def test_each_caller_has_a_limit_per_minute(client, settings, token, alice, monkeypatch):
    settings.API_RATE_LIMIT = 3
    monkeypatch.setattr(throttle.time, "time", lambda: 1_800_000_010.0)  # one minute
    answers = [client.get("/api/v1/me", **bearer(token)) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert answers[-1]["Retry-After"] == "50"
    # Another caller (alice's browser) counts on his own.
    browser = Client()
    browser.force_login(alice)
    assert browser.get("/api/v1/me").status_code == 200


def test_the_schema_is_public_and_the_docs_are_for_signed_in_users(alice):
    visitor = Client()
    schema = visitor.get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/contacts" in schema["paths"]
    assert visitor.get("/api/v1/docs/")["Location"].startswith("/accounts/login/")

    signed_in = Client()
    signed_in.force_login(alice)
    docs = signed_in.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui-bundle.js" in docs.content


@pytest.mark.parametrize("url", ["/api/v1/tags?q=a%00b", "/api/v1/contacts?currency=E%00R"])
def test_a_nul_character_in_a_parameter_is_a_problem(client, token, url):
    response = client.get(url, **bearer(token))

    assert (response.status_code, response.json()["code"]) == (400, "unreadable_query")
