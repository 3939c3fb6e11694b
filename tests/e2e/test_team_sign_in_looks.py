"""Settings › Users with two-factor and photos: the list and a user's sign-in card, in
English and French, at desktop and phone widths, light and dark; nothing wider than a
phone, and the reset's confirmation opens before anything is reset."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from accounts.services import profile_photo_set, profile_update
from tests.e2e.conftest import new_page, save_screenshot
from tests.e2e.test_journey import PASSWORD

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}


def portrait():
    picture = Image.new("RGB", (120, 120), "#d9c8a9")
    ImageDraw.Draw(picture).ellipse((30, 20, 90, 80), fill="#8a5a44")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return ContentFile(out.getvalue(), name="portrait.png")


@pytest.fixture
def sign_in_world(admin, alice, bob, make_user):
    admin.first_name, admin.last_name = "Alex", "Laurent"
    admin.save()
    TOTP.activate(alice, generate_totp_secret())
    RecoveryCodes.activate(alice)
    profile_photo_set(user=alice, upload=portrait())
    make_user("carla", first_name="Carla", last_name="Sans-Adresse", email="")


def visit(page, name, path, viewport):
    page.goto(path)
    expect(page.locator("main h2, #main h2").first).to_be_visible()
    path = save_screenshot(page, "team-sign-in", name)
    if viewport["width"] < 400:
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
    return path


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_sign_in_card_and_the_two_factor_column_look_right(
    browser, live_server, admin, alice, sign_in_world, language, size, scheme
):
    viewport = SIZES[size]
    profile_update(user=admin, language=language)
    page = new_page(
        browser, live_server, locale=f"{language}-FR", viewport=viewport, color_scheme=scheme
    )
    page.goto("/")
    page.locator("input[name=login]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    tag = f"{language}-{size}-{scheme}"

    visit(page, f"users-{tag}", "/settings/users/", viewport)
    expect(page.locator(f'#user-{alice.pk} img[src*="/photo/"]')).to_be_visible()
    visit(page, f"user-{tag}", f"/settings/users/{alice.pk}/", viewport)
    reset = {"en": "Reset two-factor", "fr": "Réinitialiser la double authentification"}
    page.locator("#sign-in summary").click()
    confirm = page.locator("#sign-in button[type=submit]", has_text=reset[language]).first
    expect(confirm).to_be_visible()
    save_screenshot(page, "team-sign-in", f"user-confirm-{tag}")
    assert Authenticator.objects.filter(user=alice).count() == 2
    assert page.js_errors == [] and page.static_errors == []
    page.context.close()
