"""Two-factor sign-in in a real browser, in French: a user sets up an authenticator app from
the key the page shows (the codes computed here, as the app would), logs out, logs in with a
code, then with a recovery code; an admin requires two-factor for everyone, and a user
without it is made to set it up at his next log-in."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import SignInPolicy
from accounts.services import two_factor_enabled
from tests.e2e.conftest import new_page, save_screenshot
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy
from tests.support import totp_code

CODE = re.compile(r"^[0-9a-f]{8}$")


@pytest.fixture
def browser_locale():
    return "fr-FR"


def log_in(page, username):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Connexion au CRM")).to_be_visible()
    page.get_by_label("Nom d’utilisateur ou adresse e-mail").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def log_out(page):
    page.locator("nav.navbar .dropdown-toggle").last.click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion au CRM")).to_be_visible()


def second_step(page, code):
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Se connecter").click()


def set_up_the_app(page, shot):
    """From the two-factor page: the app, the password again, the code, the ten codes."""
    page.locator(".factors").get_by_role("link", name="Configurer").click()
    # Setting a factor up asks for the password once more.
    expect(page.get_by_role("heading", name="Confirmer l'accès")).to_be_visible()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    expect(
        page.get_by_role("heading", name="Configurer une application d’authentification")
    ).to_be_visible()
    expect(page.get_by_role("img", name="QR code de la clé ci-dessous")).to_be_visible()
    key = page.locator("#totp-key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    shot("app-set-up")
    page.get_by_label("Code de l'authentificateur").fill(totp_code(key))
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_role("heading", name="Codes de secours")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(CODE.match(c) for c in codes)
    shot("recovery-codes")
    page.get_by_label("J’ai mis mes codes de secours de côté").check()
    page.get_by_role("link", name="Terminé").click()
    return key, codes


def test_a_user_sets_up_an_app_and_logs_in_with_a_code_then_a_recovery_code(page, shot, alice):
    log_in(page, "alice")
    expect(page.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    page.locator("nav.navbar .dropdown-toggle").last.click()
    page.get_by_role("link", name="Mon profil").click()
    status = page.locator("#two-factor-status")
    expect(status).to_contain_text("Désactivée")
    status.get_by_role("link", name="Configurer").click()

    key, codes = set_up_the_app(page, shot)

    expect(page.get_by_role("heading", name="Mon profil", level=1)).to_be_visible()
    expect(status).to_contain_text("Activée")
    expect(status).to_contain_text("10 codes de secours restants")
    assert two_factor_enabled(alice)
    log_out(page)

    # The password alone is not enough now: the app's code is asked next.
    log_in(page, "alice")
    shot("code-asked")
    second_step(page, totp_code(key))
    expect(page.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    log_out(page)

    # Phone lost: a recovery code, once.
    log_in(page, "alice")
    second_step(page, codes[0])
    expect(page.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    page.goto("/account/profile/")
    expect(status).to_contain_text("9 codes de secours restants")
    log_out(page)
    log_in(page, "alice")
    second_step(page, codes[0])
    expect(page.get_by_text("Code incorrect.")).to_be_visible()
    assert_page_was_healthy(page)


def test_an_admin_requires_two_factor_and_a_user_is_made_to_set_it_up(
    page, shot, browser, live_server, admin, bob
):
    log_in(page, "admin")
    page.get_by_role("link", name="Paramètres").click()
    page.get_by_role("link", name="Connexion").click()
    coverage = page.locator("#two-factor-coverage")
    expect(coverage).to_contain_text("Mise en place par 0 des 2 utilisateurs actifs.")
    page.get_by_label("Exiger la double authentification pour tous les utilisateurs").check()
    shot("requirement")
    page.get_by_role("button", name="Enregistrer").click()
    # The admin has none either: he is the first to be sent to set it up.
    expect(page.locator("#two-factor-required")).to_be_visible()
    assert SignInPolicy.load().require_two_factor

    user = new_page(browser, live_server, locale="fr-FR")
    try:
        log_in(user, "bob")
        expect(user.locator("#two-factor-required")).to_contain_text(
            "exige la double authentification pour tous les utilisateurs"
        )
        save_screenshot(user, "two-factor-required", "fr")
        user.goto("/contacts/")  # nothing else opens meanwhile
        expect(user.locator("#two-factor-required")).to_be_visible()
        set_up_the_app(user, lambda name: save_screenshot(user, "two-factor-required", name))
        expect(user.get_by_role("heading", name="Mon profil", level=1)).to_be_visible()
        user.goto("/contacts/")
        expect(user.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
        assert two_factor_enabled(bob)
        assert_page_was_healthy(user)
    finally:
        user.context.close()


def test_a_user_adds_a_security_key_and_logs_in_with_it(page, shot, alice):
    """Chromium's virtual authenticator plays the key: django-allauth's scripts, static
    files under the pages' CSP, ask it to make a credential and later to sign in."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    log_in(page, "alice")
    page.goto("/accounts/2fa/")
    page.get_by_role("link", name="Ajouter une clé").click()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    page.get_by_label("Nom de la clé").fill("Clé bleue")
    shot("key-add")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_text("Clé de sécurité ajoutée.")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_label("J’ai mis mes codes de secours de côté").check()
    page.get_by_role("link", name="Terminé").click()
    expect(page.locator("#two-factor-status")).to_contain_text("1 clé de sécurité")
    assert two_factor_enabled(alice)
    log_out(page)

    log_in(page, "alice")
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    page.get_by_role("button", name="Utiliser une clé de sécurité").click()
    expect(page.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    assert_page_was_healthy(page)
