"""Two-factor sign-in: an authenticator app set up from its QR code or key, recovery codes
shown once and usable once, failed codes throttled, the CRM-wide requirement, the reset."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import SignInPolicy
from accounts.services import sign_in_policy_update, two_factor_enabled, two_factor_reset
from tests.support import log_in_recently, make_security_key, page_of, totp_code

AUTHENTICATE = "/accounts/2fa/authenticate/"


@pytest.fixture
def secret(alice):
    """alice's authenticator app, set up, and her recovery codes."""
    key = generate_totp_secret()
    TOTP.activate(alice, key)
    RecoveryCodes.activate(alice)
    return key


def recovery_codes(user):
    return Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()


def password_step(client, login="alice"):
    return client.post("/accounts/login/", {"login": login, "password": "pw"})


def test_setting_up_the_app_shows_a_qr_code_and_the_key_then_ten_codes_once(client, alice):
    log_in_recently(client, alice)

    page = page_of(client.get("/accounts/2fa/totp/activate/"))
    key = re.search(r'<code class="totp-key[^"]*" id="totp-key">([A-Z2-7]+)</code>', page)[1]
    assert '<img src="data:image/svg+xml;base64,' in page
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(key)})

    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert two_factor_enabled(alice)
    codes = page_of(client.get("/accounts/2fa/recovery-codes/"))
    shown = re.findall(r"<li>([0-9a-f]{8})</li>", codes)
    assert len(shown) == 10 and set(shown) == set(recovery_codes(alice))
    again = page_of(client.get("/accounts/2fa/recovery-codes/"))
    assert not re.findall(r"<li>([0-9a-f]{8})</li>", again)  # shown once
    assert "10 of 10 codes are still unused." in again


def test_a_wrong_code_does_not_set_the_app_up(client, alice):
    log_in_recently(client, alice)
    client.get("/accounts/2fa/totp/activate/")

    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not two_factor_enabled(alice)


def test_setting_up_asks_for_the_password_again_after_a_while(client, alice):
    client.force_login(alice)  # no password typed lately

    response = client.get("/accounts/2fa/totp/activate/")

    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_with_the_app_on_the_password_alone_does_not_log_in(client, alice, secret):
    response = password_step(client)

    assert response["Location"] == AUTHENTICATE
    assert SESSION_KEY not in client.session
    assert client.get("/contacts/").status_code == 302
    page = page_of(client.get(AUTHENTICATE))
    assert 'autocomplete="one-time-code"' in page


def test_the_code_of_the_app_completes_the_log_in(client, alice, secret):
    password_step(client)

    response = client.post(AUTHENTICATE, {"code": totp_code(secret)})

    assert response["Location"] == "/overview/"
    assert int(client.session[SESSION_KEY]) == alice.pk


def test_a_recovery_code_logs_in_once(client, alice, secret):
    code = recovery_codes(alice)[0]
    password_step(client)
    assert client.post(AUTHENTICATE, {"code": code})["Location"] == "/overview/"

    other = Client()
    password_step(other)
    response = other.post(AUTHENTICATE, {"code": code})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert SESSION_KEY not in other.session
    assert code not in recovery_codes(alice)


def test_failed_codes_are_throttled_like_passwords(client, alice, secret):
    password_step(client)
    for _ in range(5):
        page = page_of(client.post(AUTHENTICATE, {"code": "000000"}))
        assert "Incorrect code." in page

    response = client.post(AUTHENTICATE, {"code": totp_code(secret)})

    assert "Too many failed login attempts" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_security_key_is_offered_at_the_second_step(client, alice):
    make_security_key(alice, "Blue key")

    password_step(client)
    page = page_of(client.get(AUTHENTICATE))

    assert "Use a security key" in page
    assert '<script src="/static/mfa/js/webauthn.js"></script>' in page
    assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", page)


# The CRM-wide requirement


@pytest.fixture
def required():
    sign_in_policy_update(require_two_factor=True)


@pytest.mark.parametrize("path", ["/contacts/", "/account/profile/", "/guide/", "/settings/"])
def test_a_user_without_two_factor_is_sent_to_set_it_up_first(client, alice, required, path):
    client.force_login(alice)

    response = client.get(path)

    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    page = page_of(client.get("/accounts/2fa/"))
    assert "requires two-factor sign-in for every user" in page


def test_while_required_the_setup_the_way_out_and_the_language_stay_open(client, alice, required):
    log_in_recently(client, alice)

    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "fr", "next": "/"}).status_code == 302
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_once_set_up_the_user_goes_on(client, alice, secret, required):
    client.force_login(alice)

    assert client.get("/contacts/").status_code == 200


def test_without_the_requirement_nobody_is_stopped(client, alice):
    client.force_login(alice)

    assert client.get("/contacts/").status_code == 200
    assert "requires two-factor" not in page_of(client.get("/accounts/2fa/"))


def test_while_required_the_last_second_factor_cannot_be_turned_off(
    client, alice, secret, required
):
    log_in_recently(client, alice)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 200
    assert two_factor_enabled(alice)
    sign_in_policy_update(require_two_factor=False)
    assert client.post("/accounts/2fa/totp/deactivate/").status_code == 302
    assert not two_factor_enabled(alice)


def test_a_second_factor_reset_leaves_the_password_alone(client, alice, admin, secret):
    make_security_key(alice)

    deleted = two_factor_reset(by=admin, user=alice)

    assert deleted == 3  # the app, the key and the recovery codes
    assert not Authenticator.objects.filter(user=alice).exists()
    assert password_step(client)["Location"] == "/overview/"


# Settings › Sign-in


def test_an_admin_requires_two_factor_for_everyone(admin_client, admin, alice, secret):
    page = page_of(admin_client.get("/settings/sign-in/"))
    assert "Set up by 1 of 2 active users." in page

    response = admin_client.post("/settings/sign-in/", {"require_two_factor": "on"})

    assert response["Location"] == "/settings/sign-in/"
    assert SignInPolicy.load().require_two_factor
    # The admin himself has none: he is the first to be asked.
    assert admin_client.get("/settings/sign-in/")["Location"] == "/accounts/2fa/"


def test_an_admin_lifts_the_requirement(admin_client, admin, required):
    TOTP.activate(admin, generate_totp_secret())  # else he would be sent to set it up

    response = admin_client.post("/settings/sign-in/", {})

    assert response.status_code == 302
    assert not SignInPolicy.load().require_two_factor


def test_the_requirement_costs_no_query_of_its_own(client, alice, secret):
    client.force_login(alice)
    client.get("/guide/")  # the guide is rendered once per process

    with CaptureQueriesContext(connection) as free:
        client.get("/guide/")
    sign_in_policy_update(require_two_factor=True)
    with CaptureQueriesContext(connection) as required:
        assert client.get("/guide/").status_code == 200

    assert len(required) == len(free)
