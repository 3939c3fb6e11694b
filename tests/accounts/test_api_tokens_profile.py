"""Personal API tokens: made, listed and revoked in the profile, shown once; and checked."""

import datetime
import re
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from accounts import audit, tokens
from accounts.models import ApiToken, AuditEntry
from accounts.services import profile_update
from settings_app.audit_text import details_text
from tests.support import page_of, table_row

PROFILE = "/account/profile/"
CREATE = "/account/profile/tokens/"
NEW = "/account/profile/tokens/new/"


def revoke_url(token):
    return f"/account/profile/tokens/{token.pk}/revoke/"


def shown_token(page):
    """Return the token the page shows in its read-only field."""
    match = re.search(r'id="api-token"[^>]*value="([^"]+)"', page)
    assert match, "no token shown"
    return match.group(1)


def every_column_of(row):
    values = ApiToken.objects.filter(pk=row.pk).values().get()
    return [str(value) for value in values.values()]


@pytest.fixture
def made(alice):
    """Make a token of alice's; return its row and the token."""

    def make(name="Script", scope="read", **kwargs):
        return tokens.token_create(user=alice, name=name, scope=scope, **kwargs)

    return make


# The profile page


def test_a_token_made_is_shown_once_and_only_its_digest_kept(alice_client, alice):
    response = alice_client.post(CREATE, {"name": " Invoicing ", "scope": "write"})

    assert response.status_code == 302 and response["Location"] == NEW
    shown = alice_client.get(NEW)
    page = page_of(shown)
    token = shown_token(page)
    assert "no-store" in shown["Cache-Control"]
    assert f"Authorization: Bearer {token}" in page
    assert "http://testserver/api/v1/" in page
    assert "it is not shown again" in page
    assert 'data-copy="#api-token"' in page
    assert '<script src="/static/js/copy.js" defer></script>' in page
    row = ApiToken.objects.get(user=alice)
    assert (row.name, row.scope, row.expires_at) == ("Invoicing", "write", None)
    assert token.startswith(f"crm_{row.key}_")
    assert not any(token in value for value in every_column_of(row))
    assert tokens.token_check(token) == row
    # Nor in the session, which held it until it was shown.
    assert token not in str(dict(alice_client.session))


def test_the_token_is_not_shown_again_on_reload(alice_client):
    alice_client.post(CREATE, {"name": "Once", "scope": "read"})
    token = shown_token(page_of(alice_client.get(NEW)))

    again = alice_client.get(NEW)

    assert again.status_code == 302
    assert again["Location"] == f"{PROFILE}#api-tokens"
    assert token not in alice_client.get(PROFILE).content.decode()


def test_the_list_shows_name_scope_dates_and_last_use(alice_client, alice, made):
    profile_update(user=alice, time_zone="Asia/Tokyo")
    used, used_token = made(name="Backup job", scope="write")
    unused, _token = made(
        name="Phone",
        expires_at=datetime.datetime(2099, 3, 4, 23, 59, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
    )
    tokens.token_check(used_token)
    ApiToken.objects.filter(pk=used.pk).update(
        last_used_at=datetime.datetime(2026, 5, 1, 22, 30, tzinfo=datetime.UTC)
    )

    page = page_of(alice_client.get(PROFILE))

    row = table_row(page, f"api-token-{used.pk}")
    assert "Backup job" in row and "Read and write" in row
    assert f"crm_{used.key}_…" in row
    assert "2 May 2026, 07:30" in row  # in her time zone
    assert row.count("Never") == 1  # it does not expire
    row = table_row(page, f"api-token-{unused.pk}")
    assert "Phone" in row and ">Read<" in row
    assert "4 Mar 2099" in row
    assert row.count("Never") == 1  # never used
    assert f'action="{revoke_url(unused)}"' in row
    assert 'href="#api-tokens"' in page


def test_revoked_and_expired_tokens_are_not_listed(alice_client, made):
    revoked, _token = made(name="Old laptop")
    tokens.token_revoke(user=revoked.user, token=revoked)
    made(name="Trial", expires_at=timezone.now() - datetime.timedelta(seconds=1))

    page = page_of(alice_client.get(PROFILE))

    assert "Old laptop" not in page and "Trial" not in page
    assert "You have no API token." in page


def test_a_token_revoked_stops_working_and_is_recorded(alice_client, alice, made):
    row, token = made(name="Report")

    response = alice_client.post(revoke_url(row))

    assert response["Location"] == f"{PROFILE}#api-tokens"
    assert tokens.token_check(token) is None
    row.refresh_from_db()
    assert row.revoked_at is not None
    page = page_of(alice_client.get(PROFILE))
    assert "The token “Report” was revoked." in page
    assert f"api-token-{row.pk}" not in page
    entries = AuditEntry.objects.filter(target=alice).order_by("pk")
    assert [(e.action, e.actor) for e in entries] == [
        (audit.Action.API_TOKEN_CREATED, alice),
        (audit.Action.API_TOKEN_REVOKED, alice),
    ]
    assert details_text(entries[1]) == "“Report”, read"


def test_someone_elses_token_cannot_be_revoked(alice, bob, made):
    row, token = made()
    bobs = Client()
    bobs.force_login(bob)

    assert bobs.post(revoke_url(row)).status_code == 404

    assert tokens.token_check(token) == row
    assert f"api-token-{row.pk}" not in page_of(bobs.get(PROFILE))


def test_a_revoked_token_cannot_be_revoked_again(alice_client, made):
    row, _token = made()
    alice_client.post(revoke_url(row))

    assert alice_client.post(revoke_url(row)).status_code == 404
    assert AuditEntry.objects.filter(action=audit.Action.API_TOKEN_REVOKED).count() == 1


def test_a_past_expiry_is_refused(alice_client, alice):
    profile_update(user=alice, time_zone="Pacific/Kiritimati")
    yesterday = timezone.localdate(timezone=zoneinfo.ZoneInfo("Pacific/Kiritimati")) - (
        datetime.timedelta(days=1)
    )

    response = alice_client.post(
        CREATE, {"name": "Late", "scope": "read", "expires_on": yesterday.isoformat()}
    )

    assert "This day is past: choose today or a later day." in page_of(response)
    assert not ApiToken.objects.exists()


def test_a_token_expires_at_the_end_of_the_day_in_the_users_time_zone(alice_client, alice):
    zone = zoneinfo.ZoneInfo("Pacific/Kiritimati")  # UTC+14: often a day ahead of UTC
    profile_update(user=alice, time_zone="Pacific/Kiritimati")
    today = timezone.localdate(timezone=zone)

    alice_client.post(CREATE, {"name": "Today", "scope": "read", "expires_on": today.isoformat()})

    expires = ApiToken.objects.get().expires_at.astimezone(zone)
    assert (expires.date(), expires.hour, expires.minute) == (today, 23, 59)
    page = page_of(alice_client.get(NEW))
    assert f"expires on {today.day} {today:%b} {today.year}" in page


def test_a_name_is_required_and_at_most_100_characters(alice_client):
    empty = page_of(alice_client.post(CREATE, {"name": " ", "scope": "read"}))
    long = page_of(alice_client.post(CREATE, {"name": "x" * 101, "scope": "read"}))

    assert "This field is required." in empty
    assert "Ensure this value has at most 100 characters (it has 101)." in long
    assert not ApiToken.objects.exists()


def test_no_more_than_20_live_tokens(alice_client, alice, made):
    for n in range(19):
        made(name=f"Token {n}")
    expired, _token = made(name="Gone", expires_at=timezone.now() - datetime.timedelta(days=1))
    made(name="Token 19")

    page = page_of(alice_client.post(CREATE, {"name": "One more", "scope": "read"}))

    assert "You have 20 live tokens, the most there may be: revoke one first." in page
    assert not ApiToken.objects.filter(name="One more").exists()
    tokens.token_revoke(user=alice, token=ApiToken.objects.get(name="Token 0"))
    assert alice_client.post(CREATE, {"name": "One more", "scope": "read"}).status_code == 302


def test_the_section_and_the_new_token_page_are_in_french(alice_client, alice, made):
    profile_update(user=alice, language="fr")
    made(name="Sauvegarde", scope="write")

    page = page_of(alice_client.get(PROFILE))

    assert ">Jetons d’API</h2>" in page
    assert "Lecture et écriture" in page
    assert "Créer le jeton" in page
    assert "Révoquer le jeton" in page
    assert "Jamais" in page
    alice_client.post(CREATE, {"name": "Script", "scope": "read"})
    new = page_of(alice_client.get(NEW))
    assert "Nouveau jeton d’API" in new
    assert "il ne sera plus affiché" in new


def test_the_audit_page_names_the_token_made(admin_client, alice, made):
    made(name="Export", scope="write")

    page = page_of(admin_client.get("/settings/audit/", {"action": "api_token_created"}))

    assert "API token created" in page
    assert "“Export”, read and write" in page


# token_check


def test_a_good_token_is_accepted_and_its_use_noted(alice, made):
    row, token = made()

    assert tokens.token_check(token) == row

    row.refresh_from_db()
    assert row.last_used_at is not None


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # wrong secret
        lambda token: "crm_000000000000_" + token.split("_", 2)[2],  # unknown key
        lambda token: token.removeprefix("crm_"),
        lambda token: token.rsplit("_", 1)[0] + "_",
        lambda _token: "",
    ],
    ids=["wrong secret", "unknown key", "no prefix", "no secret", "empty"],
)
def test_a_wrong_token_is_refused(made, spoil):
    row, token = made()

    assert tokens.token_check(spoil(token)) is None

    row.refresh_from_db()
    assert row.last_used_at is None


def test_a_revoked_token_is_refused(alice, made):
    row, token = made()
    tokens.token_revoke(user=alice, token=row)

    assert tokens.token_check(token) is None


def test_an_expired_token_is_refused(made):
    _row, token = made(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _live, live_token = made(expires_at=timezone.now() + datetime.timedelta(minutes=5))

    assert tokens.token_check(token) is None
    assert tokens.token_check(live_token) is not None


def test_a_deactivated_users_token_stops_working_at_once(alice, made):
    _row, token = made()
    alice.is_active = False
    alice.save()

    assert tokens.token_check(token) is None


def test_the_last_use_is_written_at_most_once_a_minute(made):
    row, token = made()
    tokens.token_check(token)
    first = ApiToken.objects.get(pk=row.pk).last_used_at

    tokens.token_check(token)
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first

    earlier = timezone.now() - tokens.LAST_USE_STEP - datetime.timedelta(seconds=1)
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=earlier)
    tokens.token_check(token)
    assert ApiToken.objects.get(pk=row.pk).last_used_at > earlier


def test_a_token_revoked_by_someone_else_is_left_alone(alice, bob, made):
    row, token = made()

    tokens.token_revoke(user=bob, token=row)

    assert tokens.token_check(token) == row
    assert not AuditEntry.objects.filter(action=audit.Action.API_TOKEN_REVOKED).exists()


def test_the_profile_reads_the_tokens_in_one_query(
    alice_client, made, django_assert_max_num_queries
):
    for name in ("One", "Two", "Three"):
        made(name=name)
    alice_client.get(PROFILE)

    with django_assert_max_num_queries(8):
        page = page_of(alice_client.get(PROFILE))

    assert all(name in page for name in ("One", "Two", "Three"))
