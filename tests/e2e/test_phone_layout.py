"""The list and the card on a 375×667 phone, with the demo data, in English and French: the
title, one row of actions and the search box come before the first contact; the search hint
fits its box; e-mail addresses stay on one line; badges are never split. At 1280 px the
toolbar keeps its words and the addresses their line."""

import importlib
import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.services import profile_update
from contacts.models import Contact
from tests.e2e.conftest import new_page
from tests.e2e.test_journey import assert_page_was_healthy
from tests.e2e.test_screenshots import GOOGLE

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
LONG_TAG = "Trade fair 2026 in Lyon, agriculture and food processing hall"
LONG_EMAIL = "maximilienne-alexandrine.delarochefoucauld@example.org"
# The toolbar's buttons, by their accessible names.
TOOLBAR = {
    "en": ["Possible duplicates", "Trash", "Export", "Create new…"],
    "fr": ["Doublons possibles", "Corbeille", "Exporter", "Créer nouveau…"],
}
CARD_ACTIONS = {
    "en": ["Download vCard", "This is a duplicate…", "Edit contact", "Delete"],
    "fr": ["Télécharger la vCard", "C’est un doublon…", "Modifier le contact", "Supprimer"],
}

# Whether a placeholder's words fit the room the box gives them.
PLACEHOLDER_FITS = """input => {
    const style = getComputedStyle(input);
    const context = document.createElement("canvas").getContext("2d");
    context.font = style.font;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [context.measureText(input.placeholder).width, room];
}"""
# An element's height against its line's, and how it cuts what overflows.
LINES = """el => {
    const style = getComputedStyle(el);
    return {
        height: el.getBoundingClientRect().height,
        line: parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2,
        textOverflow: style.textOverflow,
        whiteSpace: style.whiteSpace,
        title: el.title,
        text: el.textContent,
        truncated: el.scrollWidth > el.clientWidth,
    };
}"""
# The lines a table cell's text takes, and the title that holds it whole.
SAMPLE = """td => {
    const tops = new Set();
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(walker.currentNode);
        for (const rect of range.getClientRects()) tops.add(Math.round(rect.top));
    }
    const titled = td.querySelector("[title]");
    return {lines: tops.size, text: td.textContent.trim(), title: titled && titled.title};
}"""
# A badge on one line: one box, as high as one line of its text plus its padding and border.
BADGE = """el => {
    const s = getComputedStyle(el);
    const one = (parseFloat(s.lineHeight) || parseFloat(s.fontSize))
        + parseFloat(s.paddingTop) + parseFloat(s.paddingBottom)
        + parseFloat(s.borderTopWidth) + parseFloat(s.borderBottomWidth);
    return {rects: el.getClientRects().length, height: el.getBoundingClientRect().height, one,
            text: el.textContent};
}"""


@pytest.fixture
def demo(make_contact):
    """The demo data, and a newest contact with a long name, address and tag."""
    # The live server empties the database after each test, the rows the migrations wrote too.
    for migration in (
        "contacts.migrations.0002_defaults",
        "activities.migrations.0002_default_categories",
        "activities.migrations.0005_default_task_categories",
    ):
        importlib.import_module(migration).create_defaults(apps, None)
    call_command("seed_demo", stdout=StringIO())
    make_contact(
        first_name="Maximilienne-Alexandrine",
        last_name="de La Rochefoucauld-Montmorency",
        tags=["Lead", LONG_TAG],
        infos=[{"kind": "email", "category": "work", "value": LONG_EMAIL, "is_primary": True}],
    )
    return get_user_model().objects.get(username="admin")


def open_list(browser, live_server, admin, language, viewport):
    profile_update(user=admin, language=language)
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=viewport)
    page.goto("/contacts/")  # a link to the list: signing in leads there
    page.locator("input[name=login]").fill("admin")
    page.locator("input[name=password]").fill("demo1234")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page.locator(".contact-table tbody tr").first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == language
    return page


def box(locator):
    return locator.bounding_box()


def assert_one_row(page, names, within):
    """The buttons named sit side by side, on the line of `within` (the page's heading)."""
    heading = box(within)
    for name in names:
        button = box(
            page.get_by_role("main")
            .get_by_role("link", name=name, exact=True)
            .or_(page.get_by_role("main").get_by_role("button", name=name, exact=True))
        )
        middle = button["y"] + button["height"] / 2
        assert heading["y"] <= middle <= heading["y"] + heading["height"], (
            f"{name!r} is not on the heading's line: {button} vs {heading}"
        )


def assert_on_one_line(link):
    found = link.evaluate(LINES)
    assert found["height"] <= found["line"] + 1, found
    assert found["textOverflow"] == "ellipsis", found
    assert found["whiteSpace"] == "nowrap", found
    assert found["title"] == found["text"].strip(), found
    return found


@pytest.mark.parametrize("language", ["en", "fr"])
def test_phone_shows_title_actions_and_search_before_the_first_contact(
    browser, live_server, demo, language
):
    page = open_list(browser, live_server, demo, language, PHONE)
    try:
        title = page.get_by_role("heading", level=1)
        assert_one_row(page, TOOLBAR[language], within=title)
        search = page.locator("#search")
        first_row = page.locator(".contact-table tbody tr").first
        assert box(title)["y"] < box(search)["y"] < box(first_row)["y"] < PHONE["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The search hint is read whole, not cut at the box's edge.
        needed, room = search.evaluate(PLACEHOLDER_FITS)
        assert needed <= room, f"the placeholder needs {needed}px, the box gives {room}px"
        assert search.evaluate("el => el.scrollWidth <= el.clientWidth")

        # Every address on one line, the long one cut with an ellipsis and whole in its title.
        emails = page.locator(".contact-table tbody .col-email a")
        assert emails.count() >= 20
        for i in range(emails.count()):
            assert_on_one_line(emails.nth(i))
        long_one = page.get_by_role("link", name=LONG_EMAIL)
        assert assert_on_one_line(long_one)["truncated"]
        # With the keyboard's focus, the whole address shows.
        long_one.focus()
        assert long_one.evaluate(LINES)["height"] > long_one.evaluate(LINES)["line"] + 1

        # No badge is split over two lines, however long the tag.
        badges = page.locator(".contact-table tbody .badge")
        texts = []
        for i in range(badges.count()):
            found = badges.nth(i).evaluate(BADGE)
            assert found["rects"] == 1 and found["height"] <= found["one"] + 1, found
            texts.append(found["text"])
        assert LONG_TAG in texts

        # The card: its actions in one row under the name, its address on one line.
        page.get_by_role(
            "link", name="Maximilienne-Alexandrine de La Rochefoucauld-Montmorency"
        ).click()
        name = page.get_by_role("heading", level=1)
        expect(name).to_contain_text("Maximilienne")
        tops = {
            round(box(page.get_by_role("main").get_by_role("link", name=label, exact=True))["y"])
            for label in CARD_ACTIONS[language]
        }
        assert len(tops) == 1, f"the card's actions take {len(tops)} rows"
        assert_on_one_line(page.locator(".contact-info").get_by_role("link", name=LONG_EMAIL))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_page_was_healthy(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_desktop_keeps_the_toolbar_words_and_every_address_on_one_line(
    browser, live_server, demo, language
):
    page = open_list(browser, live_server, demo, language, DESKTOP)
    try:
        for name in TOOLBAR[language]:
            expect(page.get_by_role("main").get_by_text(name, exact=True)).to_be_visible()
        assert_one_row(page, TOOLBAR[language], within=page.get_by_role("heading", level=1))
        emails = page.locator(".contact-table tbody .col-email a")
        for i in range(emails.count()):
            assert_on_one_line(emails.nth(i))
        wrapper = page.locator(".contact-table").locator("xpath=..")
        assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth")
        assert_page_was_healthy(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_phone_form_and_import_show_whole_values(browser, live_server, demo, language):
    page = open_list(browser, live_server, demo, language, PHONE)
    try:
        # The form: an e-mail address and a phone number get the width of the card to show in.
        for value in (LONG_EMAIL, "+41 76 555 43 21"):
            page.goto(f"{Contact.objects.get(infos__value=value).get_absolute_url()}edit/")
            field = page.locator(f"input[value='{value}']")
            expect(field).to_be_visible()
            assert box(field)["width"] >= PHONE["width"] / 2, f"{value}: {box(field)}"
        # The import's columns: each sample value on one line, whole in its title.
        page.goto("/contacts/imports/new/")
        page.set_input_files("input[name=file]", GOOGLE)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/settings/$"))
        page.locator("main form > .d-flex button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/mapping/$"))
        expect(page.locator(".mapping-table").first).to_be_visible()
        samples = page.locator(".mapping-table tbody tr:not(.table-light) > td:nth-of-type(1)")
        assert samples.count() >= 10
        found = [samples.nth(i).evaluate(SAMPLE) for i in range(samples.count())]
        assert [f["text"] for f in found if f["lines"] != 1] == []
        for sample in found:
            if sample["text"] != "—":
                assert (sample["title"] or "").startswith(sample["text"].rstrip("…")), sample
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_page_was_healthy(page)
    finally:
        page.context.close()
