"""The card's timeline in a browser: "a" opens the add dialog, whose form is fetched then,
a call written there shows on the timeline with its link and its line breaks, a script
typed in it stays text; the card with a few events, and a company's card with its persons'
events, in English and French, on a desktop and a 375 px phone."""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import profile_update
from activities import services
from activities.models import EventCategory
from contacts.models import Contact
from tests.e2e.conftest import new_page
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy, log_in

# What the journeys looked like, for a person to open: beside the other temporary files.
SHOTS = Path(tempfile.gettempdir()) / "shots-timeline"
DEFAULTS = [
    ("note", "Note", "sticky"),
    ("call", "Call", "telephone"),
    ("email", "E-mail", "envelope"),
    ("meeting", "Meeting", "people"),
]


@pytest.fixture
def categories():
    # The live server's tests flush the database, and with it the migration's rows.
    return {
        code: EventCategory.objects.get_or_create(
            code=code, defaults={"name": name, "icon": icon, "position": n}
        )[0]
        for n, (code, name, icon) in enumerate(DEFAULTS)
    }


def test_a_call_is_added_with_the_keyboard_and_shown_as_plain_text(
    page, alice, contact, categories
):
    log_in(page)
    page.goto(contact.get_absolute_url())
    assert page.locator("#event-dialog textarea").count() == 0  # fetched when it opens
    page.keyboard.press("a")
    text = page.get_by_label("Text")
    expect(text).to_be_focused()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "add-dialog-en-desktop.png")
    page.get_by_label("Category").select_option(label="Call")
    text.fill("<script>window.hacked = 1</script>\nSee https://example.com/offer")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Added to the timeline.")).to_be_visible()
    event = page.locator(".timeline-event").first
    expect(event).to_contain_text("<script>window.hacked = 1</script>")
    expect(event.get_by_role("link", name="https://example.com/offer")).to_have_attribute(
        "href", "https://example.com/offer"
    )
    assert page.evaluate("window.hacked") is None
    # The filter "Events" leaves the history out, with htmx, in place.
    page.locator(".timeline-filters").get_by_role("link", name="Events").click()
    expect(page.locator("#timeline")).not_to_contain_text("created this contact")
    assert_page_was_healthy(page)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 375, "height": 667}],
    ids=["desktop", "phone"],
)
def test_the_card_with_a_few_events_looks_right(
    browser, live_server, alice, contact, categories, language, viewport
):
    profile_update(user=alice, language=language, time_zone="Europe/Paris")
    now = timezone.now()
    for days, code, text in [
        (9, "meeting", "Met at the trade fair in Lyon.\nInterested in the 2027 range."),
        (3, "email", "Sent the offer: https://example.com/offers/2027-range"),
        (1, "call", "Called back: wants a discount of 5 %.\nCall again on Monday."),
    ]:
        services.event_create(
            by=alice,
            contact=contact,
            category=categories[code],
            text=text,
            happened_at=now - timedelta(days=days),
        )
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=viewport)
    page.goto("/contacts/")  # a link to the list: signing in leads there
    page.locator("input[name=login]").fill("alice")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/contacts/")
    page.goto(contact.get_absolute_url())
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Réunion" if language == "fr" else "Meeting")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    kind = "desktop" if viewport["width"] > 400 else "375"
    page.screenshot(path=SHOTS / f"card-{language}-{kind}.png", full_page=True)
    timeline.screenshot(path=SHOTS / f"timeline-{language}-{kind}.png")
    assert_page_was_healthy(page)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 375, "height": 667}],
    ids=["desktop", "phone"],
)
def test_a_company_card_shows_its_persons_events_with_the_toggle(
    browser, live_server, alice, bob, make_contact, categories, language, viewport
):
    profile_update(user=alice, language=language, time_zone="Europe/Paris")
    company = make_contact(
        Contact.Kind.COMPANY, company_name="Fromagerie Dupuis", access=Contact.Access.PUBLIC_READ
    )
    ada = make_contact(
        first_name="Ada", last_name="Martin", company=company, access=Contact.Access.PUBLIC_READ
    )
    # bob's private person: alice never sees it, nor its events.
    hidden = make_contact(first_name="Hugo", last_name="Secret", company=company, by=bob)
    now = timezone.now()
    for days, contact, code, text in [
        (6, company, "meeting", "Visited the dairy: new cellar in spring."),
        (4, ada, "call", "Ada asks for the 2027 prices."),
        (2, hidden, "note", "Private to bob."),
        (1, ada, "email", "Sent the prices: https://example.com/prices-2027"),
    ]:
        services.event_create(
            by=bob if contact == hidden else alice,
            contact=contact,
            category=categories[code],
            text=text,
            happened_at=now - timedelta(days=days),
        )
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=viewport)
    page.goto("/contacts/")  # a link to the list: signing in leads there
    page.locator("input[name=login]").fill("alice")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/contacts/")
    page.goto(company.get_absolute_url())
    timeline = page.locator("#timeline")
    expect(timeline).not_to_contain_text("Ada asks")
    toggle = timeline.locator(".timeline-persons")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()  # htmx replaces the timeline in place
    expect(timeline.locator(".timeline-persons")).to_have_attribute("aria-pressed", "true")
    expect(timeline).to_contain_text("Ada asks for the 2027 prices.")
    expect(timeline.get_by_role("link", name="Ada Martin").first).to_have_attribute(
        "href", ada.get_absolute_url()
    )
    expect(timeline).not_to_contain_text("Private to bob")
    expect(timeline).not_to_contain_text("Hugo Secret")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    kind = "desktop" if viewport["width"] > 400 else "375"
    page.screenshot(path=SHOTS / f"company-persons-{language}-{kind}.png", full_page=True)
    timeline.screenshot(path=SHOTS / f"company-timeline-{language}-{kind}.png")
    assert_page_was_healthy(page)
