"""The card's timeline in a browser: "a" opens the add form, a call written there shows on
the timeline with its link and its line breaks, a script typed in it stays text; the card
with a few events, in English and French, on a desktop and a 375 px phone."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import profile_update
from activities import services
from activities.models import EventCategory
from tests.e2e.conftest import new_page
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy, log_in

SHOTS = Path("/work/wt/shots-timeline")
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
    page.keyboard.press("a")
    text = page.get_by_label("Text")
    expect(text).to_be_focused()
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
    page.goto("/")
    page.locator("input[name=login]").fill("alice")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/contacts/")
    page.goto(contact.get_absolute_url())
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Réunion" if language == "fr" else "Meeting")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    SHOTS.mkdir(exist_ok=True)
    kind = "desktop" if viewport["width"] > 400 else "375"
    page.screenshot(path=SHOTS / f"card-{language}-{kind}.png", full_page=True)
    timeline.screenshot(path=SHOTS / f"timeline-{language}-{kind}.png")
    assert_page_was_healthy(page)
