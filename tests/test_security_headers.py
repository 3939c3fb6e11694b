"""Every answer carries the security headers; production settings pass `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.support import make_web_form, posted, submit_url

ROOT = Path(__file__).resolve().parent.parent


def policy(response):
    """Return the Content-Security-Policy as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_protected(response):
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_a_page_of_the_app_has_the_security_headers(alice_client, contact):
    response = alice_client.get(contact.get_absolute_url())
    assert response.status_code == 200
    assert_protected(response)
    assert policy(response)["form-action"] == ["'self'"]


def test_the_overview_draws_its_charts_without_inline_script_or_style(alice_client, contact):
    response = alice_client.get("/overview/")
    assert response.status_code == 200
    assert_protected(response)
    page = response.content.decode()
    assert "<svg" in page
    assert "<script>" not in page and " style=" not in page and "<style" not in page


def test_an_htmx_fragment_has_the_security_headers(alice_client, contact):
    response = alice_client.get(
        "/contacts/?q=Dupont", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Dupont" in response.content.decode()
    assert_protected(response)


def test_the_login_page_has_the_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_protected(response)


def test_a_missing_page_has_the_security_headers(alice_client):
    response = alice_client.get("/contacts/no-such-page/")
    assert response.status_code == 404
    assert_protected(response)


@pytest.mark.django_db
def test_the_public_form_page_has_the_headers_and_may_lead_to_another_site(settings):
    settings.WEBFORM_MIN_SECONDS = 3
    web_form = make_web_form()
    visitor = Client()
    # Too fast: the visitor is asked to confirm on a page of the CRM, whose form posts to
    # the CRM again and is then sent on to the admin's own site.
    response = visitor.post(
        submit_url(web_form),
        posted(web_form, _ts="", first_name="Ann", last_name="Lee", email="ann@example.com"),
    )
    assert response.status_code == 200
    assert "webform.css" in response.content.decode()
    assert_protected(response)
    assert "form-action" not in policy(response)


@pytest.mark.django_db
def test_the_website_forms_preview_has_a_policy_of_its_own(admin_client):
    web_form = make_web_form()
    response = admin_client.get(f"/settings/webforms/{web_form.pk}/preview/")

    assert response.status_code == 200
    assert '<form class="crm-webform"' in response.content.decode()
    csp = policy(response)
    assert csp["default-src"] == ["'none'"]  # no script, no connection, no image
    assert csp["style-src"] == ["'unsafe-inline'"]  # the HTML's own <style>, as on a site
    assert csp["form-action"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_production_settings_pass_check_deploy_without_a_warning():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="crm.example.com",
        CSRF_TRUSTED_ORIGINS="https://crm.example.com",
        DJANGO_SETTINGS_MODULE="crm.settings",
    )
    result = subprocess.run(  # noqa: S603 - this interpreter and fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
