"""Relating two contacts from a card in a real browser, and removing the relation: with a
script, the contacts found are listed on the card as the name is typed; without one, the
search opens a page that lists them. Removing asks first, with no script either."""

import pytest
from playwright.sync_api import expect

from contacts.relations.models import Relation, RelationType
from tests.e2e.conftest import new_page
from tests.e2e.test_accessibility import axe_violations, describe
from tests.e2e.test_journey import assert_page_was_healthy, log_in


@pytest.fixture
def persons(make_contact):
    # The browser tests flush the database: the type is made here.
    RelationType.objects.create(
        label_en="assistant of", inverse_en="has assistant", from_kind="person", to_kind="person"
    )
    return make_contact(first_name="Marie", last_name="Curie"), make_contact(
        first_name="Jean", last_name="Dupont"
    )


def search_from_the_card(page, jean):
    page.goto(f"/contacts/{jean.pk}/")
    relations = page.locator("#relations")
    expect(relations).to_contain_text("No relation yet.")
    relations.get_by_label("Add a relation: Jean Dupont…").select_option(label="has assistant")
    relations.get_by_label("Find the other contact").fill("curie")
    return relations


def add_and_remove(page, relations, marie, jean, shot, script=True):
    page.get_by_role("listitem").filter(has_text="Marie Curie").get_by_role(
        "button", name="Add this relation"
    ).click()
    expect(page.get_by_role("heading", name="Jean Dupont", level=1)).to_be_visible()
    expect(relations).to_contain_text("has assistant")
    expect(relations.get_by_role("link", name="Marie Curie")).to_be_visible()
    assert Relation.objects.filter(from_contact=marie, to_contact=jean).exists()
    shot("related")
    if script:  # axe runs in the page
        relations.locator("summary").click()  # the confirmation open too
        assert describe("card", axe_violations(page)) == []
        relations.locator("summary").click()

    relations.locator("summary").click()
    expect(relations).to_contain_text("Remove the relation “has assistant Marie Curie”?")
    relations.get_by_role("button", name="Remove the relation").click()
    expect(page.get_by_role("alert")).to_contain_text("The relation was removed.")
    expect(relations).to_contain_text("No relation yet.")
    assert not Relation.objects.exists()


def test_the_contacts_found_are_listed_on_the_card_as_the_name_is_typed(page, shot, persons):
    marie, jean = persons
    log_in(page)
    relations = search_from_the_card(page, jean)
    # No click: the list comes as the name is typed, the card staying where it is.
    expect(relations.locator("#relation-candidates")).to_contain_text("Marie Curie")
    expect(page).to_have_url(f"{page.url.split('/contacts/')[0]}/contacts/{jean.pk}/")
    shot("found")
    assert describe("card searching", axe_violations(page)) == []
    add_and_remove(page, relations, marie, jean, shot)
    assert_page_was_healthy(page)


def test_without_a_script_the_search_opens_a_page_listing_the_contacts_found(
    browser, live_server, persons
):
    marie, jean = persons
    page = new_page(browser, live_server, java_script_enabled=False)
    try:
        log_in(page)
        relations = search_from_the_card(page, jean)
        relations.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Add a relation")
        expect(page.get_by_role("listitem").filter(has_text="Marie Curie")).to_be_visible()
        relations = page.locator("#relations")
        add_and_remove(page, relations, marie, jean, lambda name: None, script=False)
    finally:
        page.context.close()
