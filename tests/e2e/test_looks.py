"""How the pages look in a real browser: the empty list, the list on a phone, dark mode."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import new_page
from tests.e2e.test_journey import assert_page_was_healthy, log_in

PHONE = {"width": 375, "height": 812}


def test_empty_list_offers_to_create_a_person_a_company_or_import(page, shot, alice):
    log_in(page)

    empty = page.locator("[data-empty-state]")
    expect(empty.get_by_role("heading", name="No contacts yet")).to_be_visible()
    shot("empty")
    empty.get_by_role("link", name="New company").click()
    expect(page).to_have_url(re.compile(r"/contacts/new/company/$"))
    page.go_back()
    empty.get_by_role("link", name="Import from CSV").click()
    expect(page).to_have_url(re.compile(r"/contacts/imports/new/$"))
    page.go_back()
    empty.get_by_role("link", name="New person").click()
    expect(page).to_have_url(re.compile(r"/contacts/new/person/$"))
    assert_page_was_healthy(page)


def test_empty_filtered_list_does_not_offer_to_start_the_customer_base(page, alice, make_contact):
    make_contact(first_name="Anna", tags=["Lead"])
    log_in(page)
    page.goto("/contacts/?tag=Nothing")

    expect(page.get_by_text("No contact matches these filters.")).to_be_visible()
    expect(page.locator("[data-empty-state]")).to_have_count(0)


def test_list_becomes_cards_on_a_phone_without_scrolling_sideways(
    browser, live_server, alice, make_contact
):
    make_contact(
        first_name="Maximilienne-Alexandrine",
        last_name="de La Rochefoucauld-Montmorency",
        tags=["Customer", "Lead", "Trade fair 2026 in Lyon"],
        infos=[
            {
                "kind": "email",
                "category": "work",
                "value": "maximilienne-alexandrine.delarochefoucauld@example.org",
                "is_primary": True,
            },
            {
                "kind": "phone",
                "category": "mobile",
                "value": "+33 6 12 34 56 78",
                "is_primary": True,
            },
        ],
    )
    page = new_page(browser, live_server, viewport=PHONE)
    try:
        log_in(page)
        table = page.locator(".contact-table")
        expect(table.locator("thead")).to_be_hidden()
        expect(page.get_by_role("link", name=re.compile("Maximilienne"))).to_be_visible()
        expect(table.get_by_role("link", name="+33 6 12 34 56 78")).to_be_visible()
        expect(table.get_by_text("Trade fair 2026 in Lyon")).to_be_visible()
        # The responsible users' column is left out of the card.
        expect(table.locator("td.col-responsible")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        row = table.locator("tbody tr").first
        assert row.evaluate("row => getComputedStyle(row).display") == "grid"
        assert_page_was_healthy(page)
    finally:
        page.context.close()


def test_list_fits_a_1280_pixel_screen(browser, live_server, alice, make_contact):
    for n in range(3):
        make_contact(
            first_name=f"Bernadette{n}",
            last_name="Vandenberghe-Oosterlinck",
            tags=["Customer", "Lead", "Supplier", "Staff", "Trade fair 2026"],
            infos=[
                {
                    "kind": "email",
                    "category": "work",
                    "value": f"bernadette{n}.vandenberghe-oosterlinck@a-long-company-name.example",
                    "is_primary": True,
                },
            ],
        )
    page = new_page(browser, live_server, viewport={"width": 1280, "height": 800})
    try:
        log_in(page)
        expect(page.locator(".contact-table thead")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        wrapper = page.locator(".contact-table").locator("xpath=..")
        assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth")
    finally:
        page.context.close()


def test_dark_mode_follows_the_system_setting(browser, live_server, alice):
    page = new_page(browser, live_server, color_scheme="dark")
    try:
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
        page.emulate_media(color_scheme="light")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    finally:
        page.context.close()


def test_search_results_keep_their_room_while_htmx_replaces_them(page, alice, make_contact):
    for n in range(3):
        make_contact(first_name=f"Anna{n}")
    log_in(page)
    before = page.locator("#results").bounding_box()["height"]

    page.locator("#search").fill("nobody by that name")
    expect(page.get_by_text("No contact matches")).to_be_visible()

    # The page does not collapse under the search box: the results keep 40 % of the screen.
    after = page.locator("#results").bounding_box()["height"]
    assert after >= 0.4 * page.viewport_size["height"] - 1
    assert before >= after
    assert_page_was_healthy(page)
