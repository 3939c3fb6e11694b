"""Personal data in French: an admin lifts a suppression by typing its address, reviews
the idle contacts and keeps one; a user records a consent on the contact form and reads it
on the card. Each page is also shot in English and on a phone's width."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact, Suppression
from contacts.personal_data import retention, suppression
from tests.e2e.conftest import new_page, save_screenshot
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy
from tests.support import make_web_form

WORDING = "J’accepte de recevoir la lettre d’information par e-mail."


@pytest.fixture
def browser_locale():
    return "fr-FR"


def log_in(page, username):
    page.goto("/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    # Signing in opens the overview.
    expect(page.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()


@pytest.fixture
def idle(make_contact):
    retention.review_settings_update(months=12)
    contact = make_contact(first_name="Ines", last_name="Oubliée")
    old = timezone.now() - datetime.timedelta(days=800)
    Contact.objects.filter(pk=contact.pk).update(updated_at=old)
    return contact


def test_an_admin_lifts_a_suppression_and_keeps_an_idle_contact(page, shot, admin, idle):
    suppression.suppress(
        emails=["zoe@example.org"], phones=["0612345678"], by=admin, reason="Effacement demandé"
    )
    log_in(page, "admin")
    page.get_by_role("link", name="Paramètres").click()
    page.get_by_role("link", name="Liste d’exclusion").click()
    expect(page.get_by_role("heading", name="Liste d’exclusion", level=2)).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("zoe@example.org")
    shot("suppression")

    email_row = page.get_by_role("row").filter(has_text="E-mail")
    email_row.get_by_role("link", name="Lever").click()
    page.get_by_label("L’adresse e-mail effacée").fill("autre@example.org")
    page.get_by_role("button", name="Lever").click()
    expect(page.get_by_text("Ce n’est pas l’adresse ni le numéro de cette entrée.")).to_be_visible()
    shot("lift-refused")
    page.get_by_label("L’adresse e-mail effacée").fill("ZOE@example.org")
    page.get_by_role("button", name="Lever").click()
    expect(page.get_by_role("alert")).to_contain_text("L’entrée a été levée")
    assert list(Suppression.objects.values_list("kind", flat=True)) == ["phone"]

    page.get_by_role("link", name="Audit").click()
    expect(page.get_by_role("main")).to_contain_text("Entrée de la liste d’exclusion levée")

    page.get_by_role("link", name="Revue de conservation").click()
    expect(page.get_by_role("main")).to_contain_text("Aucune activité depuis 12 mois")
    shot("retention")
    page.get_by_label("Garder Ines Oubliée").check()
    page.get_by_role("button", name="Garder les contacts cochés").click()
    expect(page.get_by_role("alert")).to_contain_text("1 contact gardé.")
    expect(page.get_by_role("main")).to_contain_text("Aucun contact n’est à revoir.")
    assert Contact.objects.get(pk=idle.pk).reviewed_at is not None
    assert_page_was_healthy(page)


def test_a_consent_recorded_on_the_form_shows_on_the_card(page, shot, alice, contact):
    log_in(page, "alice")
    page.goto(f"/contacts/{contact.pk}/edit/")
    box = page.locator("section").filter(has=page.get_by_role("heading", name="E-mails marketing"))
    box.get_by_label("Donné").check()
    box.get_by_label("Texte présenté").fill(WORDING)
    shot("form")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("heading", name="Jean Dupont")).to_be_visible()
    expect(page.locator("[data-consent=given]")).to_contain_text("Donné")
    expect(page.locator("[data-consent=given]")).to_contain_text(WORDING)
    shot("card")
    assert Contact.objects.get(pk=contact.pk).consent_wording == WORDING
    assert_page_was_healthy(page)


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_pages_look_right(browser, live_server, admin, idle, contact, locale, width):
    suppression.suppress(emails=["zoe@example.org"], by=admin, reason="erasure")
    entry = Suppression.objects.get()
    web_form = make_web_form(consent_wording=WORDING)
    page = new_page(browser, live_server, locale=locale, viewport={"width": width, "height": 900})
    log_in_any(page, "admin")
    for name, url in (
        ("suppression", "/settings/privacy/suppression/"),
        ("lift", f"/settings/privacy/suppression/{entry.pk}/lift/"),
        ("retention", "/settings/privacy/retention/"),
        ("form", f"/contacts/{contact.pk}/edit/"),
        ("card", f"/contacts/{contact.pk}/"),
        ("filters", "/contacts/?consent=unknown"),
        ("webform-edit", f"/settings/webforms/{web_form.pk}/edit/"),
        ("webform-preview", f"/settings/webforms/{web_form.pk}/preview/"),
    ):
        page.goto(url)
        save_screenshot(page, f"personal-data-{locale}-{width}", name)
        # Nothing wider than the screen: a phone scrolls down, never sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px too wide at {width}px"
    assert_page_was_healthy(page)
    page.context.close()


def log_in_any(page, username):
    page.goto("/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/overview/")
