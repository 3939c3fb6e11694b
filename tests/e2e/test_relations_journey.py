"""Relating two contacts from a card in a real browser, and removing the relation: the
search, the choice among the contacts found, the confirmation, without a script needed."""

from playwright.sync_api import expect

from contacts.relations.models import Relation, RelationType
from tests.e2e.test_journey import assert_page_was_healthy, log_in


def test_relate_two_persons_from_a_card_then_remove_the_relation(page, shot, make_contact):
    # The browser tests flush the database: the default types are made here.
    RelationType.objects.create(
        label_en="assistant of", inverse_en="has assistant", from_kind="person", to_kind="person"
    )
    marie = make_contact(first_name="Marie", last_name="Curie")
    jean = make_contact(first_name="Jean", last_name="Dupont")
    log_in(page)
    page.goto(f"/contacts/{jean.pk}/")
    relations = page.locator("#relations")
    expect(relations).to_contain_text("No relation yet.")

    relations.get_by_label("Add a relation: Jean Dupont…").select_option(label="has assistant")
    relations.get_by_label("Find the other contact").fill("curie")
    relations.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a relation")
    shot("found")
    page.get_by_role("listitem").filter(has_text="Marie Curie").get_by_role(
        "button", name="Add this relation"
    ).click()

    expect(page.get_by_role("heading", name="Jean Dupont", level=1)).to_be_visible()
    expect(relations).to_contain_text("has assistant")
    expect(relations.get_by_role("link", name="Marie Curie")).to_be_visible()
    assert Relation.objects.filter(from_contact=marie, to_contact=jean).exists()
    shot("related")

    relations.locator("summary").click()
    expect(relations).to_contain_text("Remove the relation “has assistant Marie Curie”?")
    relations.get_by_role("button", name="Remove the relation").click()
    expect(page.get_by_role("alert")).to_contain_text("The relation was removed.")
    expect(relations).to_contain_text("No relation yet.")
    assert not Relation.objects.exists()
    assert_page_was_healthy(page)
