"""Mentions in a browser: alice mentions marie and bob in a note; the page tells her bob
cannot see the contact, the timeline marks @marie, and marie finds the mention under the
bell, whose link opens the event on the card. The bell and the timeline in English and
French, on a desktop and a 375 px phone."""

import pytest
from playwright.sync_api import expect

from accounts.services import profile_update
from activities import services
from activities.models import EventCategory
from contacts.trash.services import contact_delete
from tests.e2e.conftest import SCREENSHOTS, new_page
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy, log_in

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def note():
    # The live server's tests flush the database, and with it the migration's rows.
    return EventCategory.objects.get_or_create(
        code="note", defaults={"name": "Note", "icon": "sticky"}
    )[0]


@pytest.fixture
def marie(make_user):
    return make_user("marie", first_name="Marie", last_name="Dupont")


@pytest.fixture
def shared(make_contact, alice, marie):
    return make_contact(first_name="Jean", last_name="Valjean", responsible=[alice, marie])


def log_in_as(browser, live_server, username, language, viewport):
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=viewport)
    page.goto("/contacts/")  # a link to the list: signing in leads there
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/contacts/")
    return page


def test_a_mention_reaches_the_colleague_and_the_author_learns_who_was_not_told(
    page, browser, live_server, alice, bob, marie, shared, note
):
    log_in(page)
    page.goto(shared.get_absolute_url())
    page.keyboard.press("a")
    expect(page.get_by_text("Type @ and a colleague's username (@marie)")).to_be_visible()
    page.get_by_label("Text").fill("Wants a call back: @marie, and @bob for the price.")
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page.get_by_text("Added to the timeline.")).to_be_visible()
    expect(
        page.get_by_text("Bob Durand cannot see this contact and was not notified of the mention.")
    ).to_be_visible()
    event = page.locator(".timeline-event").first
    expect(event.locator(".mention")).to_have_text(["@marie", "@bob"])
    assert_page_was_healthy(page)

    colleague = log_in_as(browser, live_server, "marie", "en", DESKTOP)
    colleague.goto("/contacts/notifications/")
    line = colleague.locator(".list-group-item").filter(has_text="mentioned you")
    expect(line).to_contain_text(
        "Alice Martin mentioned you on Jean Valjean: “Wants a call back: @marie, and @bob"
    )
    line.get_by_role("link", name="Jean Valjean").click()
    colleague.wait_for_url(f"**{shared.get_absolute_url()}#event-*")
    expect(colleague.locator(".timeline-event .mention").first).to_have_text("@marie")
    assert_page_was_healthy(colleague)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_bell_and_the_timeline_with_a_mention_look_right(
    browser, live_server, alice, marie, shared, make_contact, note, language, viewport
):
    for user in (alice, marie):
        profile_update(user=user, language=language, time_zone="Europe/Paris")
    text = "Called back: wants a discount of 5 %.\n@marie can you send the 2027 offer on Monday?"
    services.event_create(by=alice, contact=shared, category=note, text=text)
    # A mention on a contact marie can no longer see: its line names neither it nor the text.
    gone = make_contact(first_name="Victor", last_name="Hugo", responsible=[alice, marie])
    services.event_create(by=alice, contact=gone, category=note, text="@marie, see this")
    contact_delete(by=alice, contact=gone)
    kind = "desktop" if viewport["width"] > 400 else "375"
    SCREENSHOTS.mkdir(exist_ok=True)

    author = log_in_as(browser, live_server, "alice", language, viewport)
    author.goto(shared.get_absolute_url())
    timeline = author.locator("#timeline")
    expect(timeline.locator(".mention").first).to_have_text("@marie")
    assert author.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    timeline.screenshot(path=SCREENSHOTS / f"mentions-timeline-{language}-{kind}.png")
    assert_page_was_healthy(author)

    reader = log_in_as(browser, live_server, "marie", language, viewport)
    reader.goto("/contacts/notifications/")
    said = "vous a mentionné sur" if language == "fr" else "mentioned you on"
    expect(reader.locator(".list-group-item").filter(has_text=said)).to_have_count(2)
    assert reader.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    reader.screenshot(
        path=SCREENSHOTS / f"mentions-notifications-{language}-{kind}.png", full_page=True
    )
    assert_page_was_healthy(reader)
