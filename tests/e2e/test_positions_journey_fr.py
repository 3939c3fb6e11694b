"""A person moves from one company to another, in French, in a browser: alice adds his
new position from his card and makes it his primary one, then ends the old one; his card,
both companies' cards and the list show it right. The cards are saved as screenshots on
a desktop and a 375 px phone, in French and in English."""

import pytest
from playwright.sync_api import expect

from accounts.services import profile_update
from contacts.models import Contact, Position
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_activity_journey_fr import DESKTOP, PHONE, log_in
from tests.e2e.test_journey import assert_page_was_healthy


@pytest.fixture
def browser_locale():
    return "fr-FR"


def screenshots(page, name):
    """Save the whole page on a desktop and on a 375 px phone, whose width it must fit."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for kind, viewport in (("desktop", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], kind
        page.screenshot(path=SCREENSHOTS / f"positions-fr--{name}-{kind}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_person_moves_from_one_company_to_another(page, alice, make_contact):
    profile_update(user=alice, language="fr", time_zone="Europe/Paris")
    old = make_contact("company", company_name="Boulangerie Martin")
    jean = make_contact(first_name="Jean", last_name="Dupont", company=old, job_title="Vendeur")
    log_in(page, "alice")

    # His new position, from his card, with a company the CRM does not have yet.
    page.goto(jean.get_absolute_url())
    positions = page.locator("#positions")
    expect(positions.get_by_role("heading", name="Postes")).to_be_visible()
    expect(positions).to_contain_text("Boulangerie Martin")
    expect(positions).to_contain_text("principal")
    positions.get_by_role("link", name="Ajouter un poste").click()
    expect(page.get_by_role("heading", name="Ajouter un poste", level=1)).to_be_visible()
    page.get_by_label("Entreprise").fill("Pâtisserie Durand")
    page.get_by_label("Poste", exact=True).fill("Chef pâtissier")
    page.get_by_label("Depuis").fill("2026-09-01")
    page.get_by_label("Poste principal (affiché avec le nom)").check()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Le poste est enregistré.")).to_be_visible()
    expect(page.get_by_text("Personne · Chef pâtissier")).to_be_visible()
    new = Contact.objects.get(display_name="Pâtisserie Durand")
    jean.refresh_from_db()
    assert jean.company == new and jean.job_title == "Chef pâtissier"

    # The old one ends: it is folded among the former positions.
    row = positions.locator("li", has_text="Boulangerie Martin")
    row.get_by_label("Jusqu’au").fill("2026-08-31")
    row.get_by_role("button", name="Terminer").click()
    expect(page.get_by_text("Le poste est terminé.")).to_be_visible()
    expect(positions.locator("ul.positions li", has_text="Boulangerie Martin")).to_have_count(0)
    positions.get_by_text("1 ancien poste").click()
    expect(positions.locator(".former-positions")).to_contain_text("Boulangerie Martin")
    ended = Position.objects.get(person=jean, company=old)
    assert str(ended.end_date) == "2026-08-31" and not ended.is_primary
    screenshots(page, "person")

    # Each company's card: one has him now, the other among its former people.
    page.goto(new.get_absolute_url())
    people = page.locator("#people")
    expect(people.locator(".company-people")).to_contain_text("Jean Dupont")
    expect(people.locator(".company-people")).to_contain_text("Chef pâtissier")
    screenshots(page, "company")
    page.goto(old.get_absolute_url())
    people = page.locator("#people")
    expect(people).to_contain_text("Aucune personne")
    people.get_by_text("Anciens collaborateurs").click()
    expect(people.locator(".former-people")).to_contain_text("Jean Dupont")

    # The list of who worked there at any time.
    people.get_by_role("link", name="avec les anciens").click()
    expect(page.get_by_text("A travaillé chez Boulangerie Martin")).to_be_visible()
    expect(page.locator("table").get_by_role("link", name="Jean Dupont")).to_be_visible()
    assert_page_was_healthy(page)


def test_the_cards_in_english(page, alice, make_contact):
    acme = make_contact("company", company_name="Acme")
    jean = make_contact(first_name="Jean", last_name="Dupont", company=acme, job_title="Buyer")
    globex = make_contact("company", company_name="Globex")
    Position.objects.create(person=jean, company=globex, job_title="Advisor")
    page.goto("/")
    page.locator("#id_login").fill("alice")
    from tests.e2e.test_journey import PASSWORD

    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.goto(jean.get_absolute_url())
    expect(page.locator("#positions")).to_contain_text("Globex")
    SCREENSHOTS.mkdir(exist_ok=True)
    for kind, viewport in (("desktop", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"positions-en--person-{kind}.png", full_page=True)
