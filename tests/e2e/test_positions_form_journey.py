"""A person's other positions on his form, in a browser: alice adds one with a company
suggested as she types and one with a company the CRM does not have, ends another, and
saves them with him; the form with two other positions is saved as screenshots on a
desktop and a 375 px phone, in English and in French."""

from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.services import profile_update
from contacts.models import Contact, Position
from contacts.positions import services
from tests.e2e.conftest import SCREENSHOTS, new_page, save_screenshot
from tests.e2e.test_activity_journey_fr import DESKTOP, PHONE
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy

# Through the CSSOM: a <style> would be refused by the CSP.
UNSTICK = "document.querySelectorAll('.sticky-actions').forEach(e => e.style.position = 'static')"


def log_in(page, username):
    page.goto("/contacts/")  # a link to the list: signing in leads there
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#search")).to_be_visible()


@pytest.fixture
def jean(alice, make_contact):
    """A buyer at Acme, advisor at Globex and treasurer at Initech's works council."""
    acme = make_contact("company", company_name="Acme")
    jean = make_contact(first_name="Jean", last_name="Dupont", company=acme, job_title="Buyer")
    for name, title, department, start in (
        ("Globex", "Advisor", "Board", date(2024, 1, 2)),
        ("Initech", "Treasurer", "Works council", date(2025, 9, 1)),
    ):
        company = make_contact("company", company_name=name)
        services.position_add(
            by=alice,
            person=jean,
            company=company,
            job_title=title,
            department=department,
            start_date=start,
        )
    return jean


def test_other_positions_are_added_and_ended_on_the_form(page, alice, jean, make_contact):
    make_contact("company", company_name="Hooli")
    log_in(page, "alice")
    page.goto(f"/contacts/{jean.pk}/edit/")
    section = page.locator('[data-formset="positions"]')
    expect(section.get_by_role("heading", name="Other positions")).to_be_visible()
    expect(section.get_by_role("link", name="Globex")).to_be_visible()

    # The blank row: a company suggested as she types, as in the Company field.
    first = section.locator("fieldset").nth(2)
    first.get_by_label("Company").press_sequentially("Hoo")
    expect(page.locator("#company-options option[value='Hooli']")).to_have_count(1)
    first.get_by_label("Company").fill("Hooli")
    first.get_by_label("Job title").fill("Mentor")
    # Another row, added by the script, with a company the CRM does not have yet.
    section.get_by_role("button", name="Add another position").click()
    second = section.locator("fieldset").nth(3)
    expect(second.get_by_label("Company")).to_be_focused()
    second.get_by_label("Company").fill("Pied Piper")
    second.get_by_label("Since").fill("2026-01-05")
    # Initech's position ends, first on a day to come, which is refused beside its row
    # with nothing saved and nothing typed lost.
    initech = section.locator("fieldset", has_text="Initech")
    initech.get_by_label("Until").fill("2099-06-30")
    page.get_by_role("button", name="Save changes").click()
    expect(initech.get_by_role("alert")).to_contain_text("An end date in the future")
    expect(section.get_by_label("Company").nth(1)).to_have_value("Pied Piper")
    assert not Contact.objects.filter(company_name="Pied Piper").exists()
    page.screenshot(path=SCREENSHOTS / "positions-form-refused.png", full_page=True)
    initech.get_by_label("Until").fill("2026-06-30")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_text("Your changes to “Jean Dupont” were saved.")).to_be_visible()
    current = Position.objects.filter(person=jean, end_date__isnull=True)
    assert {p.company.display_name for p in current} == {"Acme", "Globex", "Hooli", "Pied Piper"}
    assert Contact.objects.get(company_name="Pied Piper").kind == Contact.Kind.COMPANY
    ended = Position.objects.get(person=jean, company__company_name="Initech")
    assert ended.end_date == date(2026, 6, 30)
    assert_page_was_healthy(page)


@pytest.mark.parametrize(("language", "locale"), [("en", "en-US"), ("fr", "fr-FR")])
def test_the_form_with_two_other_positions_fits_a_desktop_and_a_phone(
    browser, live_server, alice, jean, language, locale
):
    profile_update(user=alice, language=language, time_zone="Europe/Paris")
    page = new_page(browser, live_server, locale=locale, viewport=DESKTOP)
    log_in(page, "alice")
    page.goto(f"/contacts/{jean.pk}/edit/")
    section = page.locator('[data-formset="positions"]')
    expect(section.get_by_role("link", name="Initech")).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    for kind, viewport in (("desktop", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], kind
        shown = save_screenshot(page, f"positions-form-{language}", kind)
        shown.replace(SCREENSHOTS / f"positions-form-{language}-{kind}.png")
        # The section alone, the action bar laid out in place as for the whole page.
        page.evaluate(UNSTICK)
        section.screenshot(path=SCREENSHOTS / f"positions-form-{language}-{kind}-rows.png")
    assert_page_was_healthy(page)
    page.context.close()
