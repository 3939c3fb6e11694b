"""The profile's choice of address books in English and French, at 1280 and 375 px: a
book dropped, two tags chosen through their suggestions' box, an unknown one refused."""

import pytest
from playwright.sync_api import expect
from taggit.models import Tag

from accounts.address_books import address_books_of
from accounts.services import profile_update
from tests.e2e.conftest import SCREENSHOTS, new_page
from tests.e2e.test_account_pages import OVERFLOW, SIZES, log_in
from tests.e2e.test_journey import assert_page_was_healthy

TEXT = {
    "en": {
        "login": "Log in to the CRM",
        "mine": "My contacts",
        "tags": "Address books from tags",
        "save": "Save",
        "saved": "Your address books were saved.",
        "unknown": "No tag is named “Nowhere”.",
    },
    "fr": {
        "login": "Connexion au CRM",
        "mine": "Mes contacts",
        "tags": "Carnets d’adresses tirés de tags",
        "save": "Enregistrer",
        "saved": "Vos carnets d’adresses ont été enregistrés.",
        "unknown": "Aucun tag ne s’appelle «\u00a0Nowhere\u00a0».",
    },
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", TEXT)
def test_books_are_chosen_in_the_profile(browser, live_server, alice, language, size):
    text = TEXT[language]
    profile_update(user=alice, language=language, time_zone="Europe/Paris")
    Tag.objects.create(name="VIP customers", slug="vip")
    Tag.objects.create(name="Suppliers", slug="suppliers")
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=SIZES[size])
    try:
        log_in(page, "alice", text["login"])
        page.goto("/account/profile/#address-books")
        section = page.locator("#address-books")
        section.get_by_label(text["mine"]).uncheck()
        entry = section.get_by_role("combobox", name=text["tags"])
        for name in ("VIP customers", "Nowhere"):
            entry.fill(name)
            entry.press("Enter")
        section.get_by_role("button", name=text["save"]).click()

        expect(page.locator("#address-books")).to_contain_text(text["unknown"])
        assert page.evaluate(OVERFLOW) <= 0
        SCREENSHOTS.mkdir(exist_ok=True)
        page.locator("#app-passwords").screenshot(
            path=SCREENSHOTS / f"address-books-{language}-{size}-refused.png"
        )
        section = page.locator("#address-books")
        section.get_by_role("button", name="× Nowhere").click()
        entry = section.get_by_role("combobox", name=text["tags"])
        entry.fill("suppl")
        expect(section.locator("datalist option[value='Suppliers']")).to_have_count(1)
        entry.fill("suppliers")
        entry.press("Enter")
        section.get_by_role("button", name=text["save"]).click()

        expect(page.get_by_text(text["saved"])).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0
        page.locator("#app-passwords").screenshot(
            path=SCREENSHOTS / f"address-books-{language}-{size}-saved.png"
        )
        chosen = address_books_of(alice)
        assert (chosen.mine, chosen.everyone) == (False, True)
        assert [tag.name for tag in chosen.tags] == ["Suppliers", "VIP customers"]
        assert_page_was_healthy(page)
    finally:
        page.context.close()
