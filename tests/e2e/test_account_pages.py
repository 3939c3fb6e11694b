"""The log-in, two-factor and profile pages in English and French, at 1280 and 375 px:
nothing wider than the screen, and screenshots to look at."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from accounts.services import profile_photo_set, profile_update
from tests.e2e.conftest import new_page, save_screenshot
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy
from tests.support import make_security_key

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
TEXT = {
    "en": {
        "login": "Log in to the CRM",
        "second": "Two-factor sign-in",
        "profile": "My profile",
        "setup": "Set up an authenticator app",
        "password": "Password",
    },
    "fr": {
        "login": "Connexion au CRM",
        "second": "Double authentification",
        "profile": "Mon profil",
        "setup": "Configurer une application d’authentification",
        "password": "Mot de passe",
    },
}


def png():
    out = io.BytesIO()
    image = Image.new("RGB", (300, 200), (47, 111, 159))
    image.paste((240, 200, 80), (110, 50, 190, 150))
    image.save(out, "PNG")
    return out.getvalue()


# How far the page is wider than the window: a phone would scroll sideways.
OVERFLOW = "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


def log_in(page, username, heading):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", TEXT)
def test_the_account_pages_fit_the_screen_in_each_language(
    browser, live_server, alice, bob, language, size
):
    text = TEXT[language]
    for user in (alice, bob):
        profile_update(user=user, language=language)
    profile_photo_set(user=alice, upload=ContentFile(png(), name="me.png"))
    make_security_key(bob, "YubiKey 5C", host="localhost")
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=SIZES[size])
    shot = f"account-{language}-{size}"
    try:
        log_in(page, "bob", text["login"])
        expect(page.get_by_role("heading", name=text["second"])).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0
        save_screenshot(page, shot, "2-second-step")
        page.locator("#logout-from-stage button").click()
        expect(page.get_by_role("heading", name=text["login"])).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0
        save_screenshot(page, shot, "1-login")

        log_in(page, "alice", text["login"])
        page.goto("/account/profile/")
        expect(page.get_by_role("heading", name=text["profile"], level=1)).to_be_visible()
        expect(page.locator("img[src^='/account/photo/']").first).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0
        save_screenshot(page, shot, "3-profile")

        page.goto("/accounts/2fa/totp/activate/")
        page.get_by_label(text["password"]).fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.get_by_role("heading", name=text["setup"])).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0
        save_screenshot(page, shot, "4-setup")
        assert_page_was_healthy(page)
    finally:
        page.context.close()
