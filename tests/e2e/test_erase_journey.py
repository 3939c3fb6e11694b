"""Erasing a person in a browser: in French, an admin finds him, reads the confirmation,
ticks the box and erases him; the confirmation fits a desktop and a 375 px phone in
English and French (saved as screenshots)."""

import pytest
from playwright.sync_api import expect

from accounts.services import profile_update
from contacts.models import Contact
from tests.e2e.conftest import SCREENSHOTS, new_page
from tests.e2e.test_journey import assert_page_was_healthy
from tests.e2e.test_privacy_journey import EMAIL, SIZES, log_in, person  # noqa: F401

pytestmark = pytest.mark.usefixtures("person")


@pytest.fixture
def browser_locale():
    return "fr-FR"


def _find(page):
    page.goto("/settings/personal-data/")
    page.locator("input[name=lookup][value=email]").check()
    page.locator("input[name=value]").fill(EMAIL)
    page.locator("main form[action$='personal-data/'] button[type=submit]").click()
    expect(page.locator("#place-contacts")).to_be_visible()


def test_an_admin_erases_a_person_in_french(page, shot, admin):
    profile_update(user=admin, language="fr")
    log_in(page, "fr")
    _find(page)
    page.get_by_role("button", name="Effacer…").click()
    expect(
        page.get_by_role("heading", name="Effacer cette personne définitivement")
    ).to_be_visible()
    expect(page.locator("#erase-contacts")).to_contain_text("Jeanne Martin")
    expect(page.locator("#erase-place-tasks")).to_contain_text("1")
    shot("confirmation")
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Cochez la case")
    page.get_by_label("Je comprends").check()
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_role("alert")).to_contain_text("L’effacement a commencé")
    # The worker (immediate here) has erased him by the time the page shows.
    page.reload()
    expect(page.locator("main li[id^=erasure-]")).to_contain_text("Effacé")
    shot("erasures")
    assert not Contact.all_objects.filter(first_name="Jeanne").exists()
    assert_page_was_healthy(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_confirmation_fits_a_desktop_and_a_phone(browser, live_server, admin, language):
    profile_update(user=admin, language=language)
    page = new_page(browser, live_server, locale=f"{language}-FR")
    log_in(page, language)
    _find(page)
    page.locator("main form[action$='erase/'] button").click()
    expect(page.locator("#erase-contacts")).to_be_visible()
    for kind, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the confirmation is {width} px wide at {kind}"
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"erase-{language}--confirm-{kind}.png", full_page=True)
    assert_page_was_healthy(page)
    page.context.close()
