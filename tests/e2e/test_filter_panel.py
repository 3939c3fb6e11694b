"""The list's filter panel in a real browser: a clean address, and tags suggested as typed."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from tests.e2e.test_journey import assert_page_was_healthy, log_in


@pytest.fixture(params=["en", "fr"])
def speaking(request, alice):
    """Alice, who reads the CRM in the language under test."""
    Profile.objects.create(user=alice, language=request.param, time_zone="Europe/Paris")
    return request.param


def open_filters(page):
    page.locator('[aria-controls="filter-panel"]').click()
    expect(page.locator("#filter-kind")).to_be_visible()


def suggestions(page):
    return page.locator("#filter-tag-options option").evaluate_all(
        "options => options.map(o => o.value)"
    )


def test_applied_filters_leave_no_empty_parameter_in_the_address(
    page, shot, speaking, make_contact
):
    make_contact(first_name="Ada", last_name="Lovelace")
    make_contact("company", company_name="Analytical Engines")
    log_in(page)
    expect(page.locator("html")).to_have_attribute("lang", speaking)

    open_filters(page)
    page.locator("#filter-kind").select_option("person")
    page.locator("#filter-panel [type=submit]").click()

    expect(page).to_have_url(re.compile(r"/contacts/\?kind=person$"))
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_role("link", name="Analytical Engines")).to_have_count(0)
    shot("filtered")

    # The live search, typed then cleared, keeps the address as clean.
    page.locator("#search").fill("Ada")
    expect(page).to_have_url(re.compile(r"/contacts/\?kind=person&q=Ada$"))
    page.locator("#search").fill("")
    expect(page).to_have_url(re.compile(r"/contacts/\?kind=person$"))
    assert_page_was_healthy(page)


def test_an_address_with_empty_parameters_shows_the_clean_one(page, speaking, make_contact):
    make_contact(first_name="Ada", last_name="Lovelace")
    log_in(page)

    page.goto("/contacts/?kind=person&type=&tag=&tag_mode=&q=")

    expect(page).to_have_url(re.compile(r"/contacts/\?kind=person$"))
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()


def test_the_tag_filter_suggests_the_crms_tags_after_the_ones_chosen(
    page, shot, speaking, make_contact
):
    make_contact(first_name="Ada", last_name="Lovelace", tags=["Customer", "VIP"])
    make_contact(first_name="Alan", last_name="Turing", tags=["Customer", "Lead"])
    log_in(page)

    open_filters(page)
    tag = page.locator("#filter-tag")
    expect(tag).to_have_attribute("list", "filter-tag-options")
    assert suggestions(page) == ["Customer", "Lead", "VIP"]

    tag.press_sequentially("Customer, V")
    assert suggestions(page) == ["Customer, Lead", "Customer, VIP"]
    shot("suggested")
    tag.fill("Customer, VIP")
    page.locator("#filter-panel [type=submit]").click()

    expect(page).to_have_url(re.compile(r"/contacts/\?tag=Customer%2C\+VIP$"))
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_role("link", name="Alan Turing")).to_have_count(0)
    assert_page_was_healthy(page)
