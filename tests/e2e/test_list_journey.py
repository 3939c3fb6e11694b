"""The list at full power in a real browser: filter by a tag, select all the
matching contacts across pages, add a tag to them, export the selection as CSV."""

import csv
import io
import re

from playwright.sync_api import expect

from contacts.models import Contact
from tests.e2e.test_journey import assert_page_was_healthy, log_in


def test_filter_select_all_add_a_tag_and_export(page, shot, alice, bob, make_contact):
    for n in range(30):
        make_contact(first_name=f"Visitor{n:02}", last_name="Salon", tags=["Fair"])
    make_contact(first_name="Other", last_name="Person", tags=["Lead"])
    make_contact(first_name="Bobs", last_name="Own", by=bob, access="public_read", tags=["Fair"])
    log_in(page)

    # Filter by the tag from the filter panel.
    page.get_by_role("button", name="Filters").click()
    page.get_by_label("Tags", exact=True).fill("Fair")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Tag: Fair (remove)")).to_be_visible()
    expect(page.get_by_text("31 contacts")).to_be_visible()
    expect(page.get_by_role("link", name="Other Person")).to_have_count(0)

    # Tick the page, then every matching contact across the two pages.
    page.get_by_label("Select the contacts of this page").check()
    expect(page.get_by_text("25 contacts selected")).to_be_visible()
    page.get_by_label("Select all 31 matching contacts").check()
    shot("all-selected")

    # Add a tag: the confirmation says how many will change and how many are skipped.
    page.get_by_role("button", name="Actions", exact=True).click()
    page.get_by_role("button", name="Add a tag…").click()
    expect(page.get_by_text("You selected 31 contacts:")).to_be_visible()
    expect(page.get_by_text("You may not change 1 of them: it will be skipped.")).to_be_visible()
    page.get_by_label("Tag").fill("Met at the fair")
    shot("confirm")
    page.get_by_role("button", name="Apply to 30 contacts").click()
    result = page.locator("#bulk-progress .alert")
    expect(result).to_contain_text("Tag “Met at the fair” added to 30 contacts.")
    expect(result).to_contain_text("1 contact was skipped")
    assert Contact.objects.filter(tags__name="Met at the fair").count() == 30
    assert not Contact.objects.get(first_name="Bobs").tags.filter(name="Met at the fair").exists()
    # The result names the contact it skipped.
    skipped = page.get_by_role("region", name="Skipped contacts")
    expect(skipped.get_by_role("link", name="Bobs Own")).to_be_visible()
    page.get_by_role("link", name="Back to the list").click()

    # The list kept its filter; export the ticked rows as CSV.
    expect(page.get_by_role("link", name="Tag: Fair (remove)")).to_be_visible()
    page.locator('input[name="selected"]').nth(0).check()
    page.locator('input[name="selected"]').nth(1).check()
    expect(page.get_by_text("2 contacts selected")).to_be_visible()
    page.get_by_role("button", name="Actions", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export as CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8-sig"))))
    # Newest first: bob's contact (skipped, so without the new tag), then Visitor29.
    assert [(row["First name"], row["Tags"]) for row in rows] == [
        ("Bobs", "Fair"),
        ("Visitor29", "Fair, Met at the fair"),
    ]
    assert_page_was_healthy(page)


def test_a_search_typed_before_the_page_scripts_ran_still_filters_the_list(
    page, alice, make_contact
):
    for n in range(30):
        make_contact(first_name=f"Visitor{n:02}", last_name="Salon")
    make_contact(first_name="Hélène", last_name="Dubois")
    log_in(page)
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(25)

    # htmx held back, as on a slow connection: the search box is there, and typed in,
    # before the live search listens to it.
    htmx = re.compile(r"/static/vendor/htmx/")
    held = []
    page.route(htmx, lambda route: held.append(route))
    with page.expect_request(htmx):
        page.get_by_role("link", name="Contacts", exact=True).first.click()
    page.get_by_role("searchbox", name="Search contacts").fill("Dubois")
    while not held:  # the route's handler runs once Playwright hears of it
        page.wait_for_timeout(20)
    held[0].continue_()

    expect(rows).to_have_count(1)
    expect(rows.get_by_role("link", name="Hélène Dubois")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=Dubois$"))
    assert_page_was_healthy(page)
