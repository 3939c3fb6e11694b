"""App passwords for CardDAV: made, listed and revoked in the profile, shown once; checked."""

import datetime
import re

import pytest
from django.test import Client

from accounts import app_passwords, audit
from accounts.models import AppPassword, AuditEntry
from accounts.services import profile_update
from settings_app.audit_text import details_text
from tests.support import page_of, table_row

PROFILE = "/account/profile/"
CREATE = "/account/profile/app-passwords/"
NEW = "/account/profile/app-passwords/new/"


def revoke_url(row):
    return f"/account/profile/app-passwords/{row.pk}/revoke/"


def shown_password(page):
    match = re.search(r'id="app-password"[^>]*value="([^"]+)"', page)
    assert match, "no app password shown"
    return match.group(1)


@pytest.fixture
def made(alice):
    def make(name="Phone"):
        return app_passwords.app_password_create(user=alice, name=name)

    return make


def test_an_app_password_made_is_shown_once_with_the_server_and_only_its_digest_kept(
    alice_client, alice
):
    response = alice_client.post(CREATE, {"name": " My phone "})

    assert response.status_code == 302 and response["Location"] == NEW
    shown = alice_client.get(NEW)
    page = page_of(shown)
    password = shown_password(page)
    assert "no-store" in shown["Cache-Control"]
    assert "http://testserver/dav/" in page
    assert "<code>alice</code>" in page
    assert "it is not shown again" in page
    row = AppPassword.objects.get(user=alice)
    assert row.name == "My phone"
    assert re.fullmatch(r"[a-z2-9]{5}(-[a-z2-9]{5}){3}", password)
    values = AppPassword.objects.filter(pk=row.pk).values().get().values()
    assert not any(password in str(value) for value in values)
    assert app_passwords.app_password_check("alice", password) == alice
    assert password not in str(dict(alice_client.session))
    again = alice_client.get(NEW)
    assert again.status_code == 302 and again["Location"] == f"{PROFILE}#app-passwords"


def test_the_list_shows_name_dates_and_last_use(alice_client, alice, made):
    profile_update(user=alice, time_zone="Asia/Tokyo")
    used, password = made(name="Work phone")
    unused, _password = made(name="Thunderbird")
    app_passwords.app_password_check("alice", password)
    AppPassword.objects.filter(pk=used.pk).update(
        last_used_at=datetime.datetime(2026, 5, 1, 22, 30, tzinfo=datetime.UTC)
    )

    page = page_of(alice_client.get(PROFILE))

    row = table_row(page, f"app-password-{used.pk}")
    assert "Work phone" in row and "2 May 2026, 07:30" in row
    row = table_row(page, f"app-password-{unused.pk}")
    assert "Thunderbird" in row and "Never" in row
    assert f'action="{revoke_url(unused)}"' in row
    assert 'href="#app-passwords"' in page


def test_an_app_password_revoked_stops_working_and_is_recorded(alice_client, alice, made):
    row, password = made(name="Lost phone")

    response = alice_client.post(revoke_url(row))

    assert response["Location"] == f"{PROFILE}#app-passwords"
    assert app_passwords.app_password_check("alice", password) is None
    page = page_of(alice_client.get(PROFILE))
    assert "The app password “Lost phone” was revoked." in page
    assert f"app-password-{row.pk}" not in page
    assert "You have no app password." in page
    entries = AuditEntry.objects.filter(target=alice).order_by("pk")
    assert [(e.action, e.actor) for e in entries] == [
        (audit.Action.APP_PASSWORD_CREATED, alice),
        (audit.Action.APP_PASSWORD_REVOKED, alice),
    ]
    assert details_text(entries[1]) == "“Lost phone”"
    assert alice_client.post(revoke_url(row)).status_code == 404


def test_someone_elses_app_password_cannot_be_revoked(alice, bob, made):
    row, password = made()
    bobs = Client()
    bobs.force_login(bob)

    assert bobs.post(revoke_url(row)).status_code == 404

    assert app_passwords.app_password_check("alice", password) == alice
    assert f"app-password-{row.pk}" not in page_of(bobs.get(PROFILE))


def test_a_name_is_required(alice_client):
    page = page_of(alice_client.post(CREATE, {"name": " "}))

    assert "This field is required." in page
    assert not AppPassword.objects.exists()


def test_no_more_than_20_live_app_passwords(alice_client, alice, made):
    for n in range(20):
        made(name=f"Device {n}")

    page = page_of(alice_client.post(CREATE, {"name": "One more"}))

    assert "You have 20 app passwords, the most there may be: revoke one first." in page
    assert not AppPassword.objects.filter(name="One more").exists()
    first = AppPassword.objects.get(name="Device 0")
    app_passwords.app_password_revoke(user=alice, app_password=first)
    assert alice_client.post(CREATE, {"name": "One more"}).status_code == 302


def test_the_section_and_the_new_password_page_are_in_french(alice_client, alice, made):
    profile_update(user=alice, language="fr")
    made(name="Téléphone")

    page = page_of(alice_client.get(PROFILE))

    assert ">Carnets d’adresses sur vos appareils</h2>" in page
    assert "Créer le mot de passe d’application" in page
    assert "Révoquer le mot de passe d’application" in page
    alice_client.post(CREATE, {"name": "Tablette"})
    new = page_of(alice_client.get(NEW))
    assert "Nouveau mot de passe d’application" in new
    assert "il ne sera plus affiché" in new


def test_the_audit_page_names_the_app_password_made(admin_client, alice, made):
    made(name="Work phone")

    page = page_of(admin_client.get("/settings/audit/", {"action": "app_password_created"}))

    assert "App password created" in page
    assert "“Work phone”" in page


def test_the_account_password_is_no_app_password(alice):
    assert app_passwords.app_password_check("alice", "pw") is None


def test_a_deactivated_users_app_password_stops_working(alice, made):
    _row, password = made()
    alice.is_active = False
    alice.save()

    assert app_passwords.app_password_check("alice", password) is None


def test_an_app_password_is_another_users_for_nobody(alice, bob, made):
    _row, password = made()

    assert app_passwords.app_password_check("bob", password) is None
    assert app_passwords.app_password_check("alice", password.upper().replace("-", " - ")) == alice


def test_the_last_use_is_written_at_most_once_a_minute(alice, made):
    row, password = made()
    app_passwords.app_password_check("alice", password)
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None

    app_passwords.app_password_check("alice", password)

    row.refresh_from_db()
    assert row.last_used_at == first
