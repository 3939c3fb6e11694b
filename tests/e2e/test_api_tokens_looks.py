"""The profile's API tokens in English and French, at 1280 and 375 px: a token made through
the form, shown once with its Copy button, then revoked through its confirmation."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from accounts import tokens
from accounts.models import ApiToken
from accounts.services import profile_update
from tests.e2e.conftest import SCREENSHOTS, new_page
from tests.e2e.test_account_pages import OVERFLOW, SIZES, log_in
from tests.e2e.test_journey import assert_page_was_healthy

TEXT = {
    "en": {
        "login": "Log in to the CRM",
        "write": "Read and write",
        "create": "Create the token",
        "new": "New API token",
        "copied": "Copied",
        "revoke": "Revoke…",
        "confirm": "Revoke the token",
    },
    "fr": {
        "login": "Connexion au CRM",
        "write": "Lecture et écriture",
        "create": "Créer le jeton",
        "new": "Nouveau jeton d’API",
        "copied": "Copié",
        "revoke": "Révoquer…",
        "confirm": "Révoquer le jeton",
    },
}


def shoot(locator, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    locator.screenshot(path=SCREENSHOTS / f"api-tokens-{name}.png")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", TEXT)
def test_a_token_is_made_shown_once_copied_and_revoked(browser, live_server, alice, language, size):
    text = TEXT[language]
    profile_update(user=alice, language=language, time_zone="Europe/Paris")
    _row, used = tokens.token_create(
        user=alice,
        name="Nightly backup",
        scope="read",
        expires_at=datetime(2027, 6, 30, tzinfo=UTC),
    )
    tokens.token_check(used)
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=SIZES[size])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        log_in(page, "alice", text["login"])
        page.goto("/account/profile/#api-tokens")
        tokens_section = page.locator("#api-tokens")
        tokens_section.locator("#id_token_name").fill("Invoicing export")
        tokens_section.get_by_label(text["write"]).check()
        tokens_section.get_by_role("button", name=text["create"]).click()

        expect(page.get_by_role("heading", name=text["new"])).to_be_visible()
        token = page.locator("#api-token").input_value()
        assert token.startswith("crm_")
        assert page.evaluate(OVERFLOW) <= 0
        shoot(page.locator("main"), f"{language}-{size}-new")
        page.locator("[data-copy='#api-token']").click()
        expect(page.locator("[data-copy='#api-token']")).to_have_text(text["copied"])
        assert page.evaluate("navigator.clipboard.readText()") == token
        page.reload()
        expect(page.locator("#api-tokens")).to_be_visible()
        assert token not in page.content()

        assert page.evaluate(OVERFLOW) <= 0
        shoot(tokens_section, f"{language}-{size}-list")
        made = ApiToken.objects.get(name="Invoicing export")
        row = page.locator(f"#api-token-{made.pk}")
        row.get_by_text(text["revoke"]).click()
        assert page.evaluate(OVERFLOW) <= 0
        shoot(tokens_section, f"{language}-{size}-revoke")
        row.get_by_role("button", name=text["confirm"]).click()
        expect(page.locator(f"#api-token-{made.pk}")).to_have_count(0)
        assert tokens.token_check(token) is None
        assert_page_was_healthy(page)
    finally:
        page.context.close()
