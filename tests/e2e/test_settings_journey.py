"""The settings journey: an admin adds a user field and a contact type, then an ordinary
user creates a person with both."""

from playwright.sync_api import expect

from contacts.models import Contact, CustomField
from tests.e2e.test_journey import assert_page_was_healthy, log_in


def log_out(page):
    page.locator("nav.navbar .dropdown-toggle").last.click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to the CRM")).to_be_visible()


def test_admin_adds_a_field_and_a_type_then_a_user_creates_a_person_with_both(
    page, shot, admin, alice
):
    log_in(page, "admin")
    page.get_by_role("link", name="Settings").click()

    page.get_by_role("link", name="User fields").click()
    page.get_by_label("Label").fill("Customer tier")
    page.get_by_label("Type").select_option(label="Select box")
    page.get_by_role("radio", name="Persons", exact=True).check()
    page.get_by_label("Options").fill("Gold\nSilver\nBronze")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("alert")).to_contain_text("Customer tier")
    shot("field-added")

    page.get_by_role("link", name="Contact types").click()
    page.get_by_label("Title").fill("Reseller")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("rowheader", name="Reseller")).to_be_visible()
    shot("type-added")
    log_out(page)

    log_in(page, "alice")
    page.get_by_role("button", name="Create new…").click()
    page.get_by_role("link", name="Person", exact=True).click()
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Contact type").select_option(label="Reseller")
    page.get_by_label("Customer tier").select_option(label="Gold")
    shot("person-form")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="Grace Hopper", level=1)).to_be_visible()
    expect(page.get_by_text("Reseller")).to_be_visible()
    expect(page.get_by_text("Customer tier")).to_be_visible()
    expect(page.get_by_text("Gold", exact=True)).to_be_visible()
    shot("card")
    assert_page_was_healthy(page)

    grace = Contact.objects.get(display_name="Grace Hopper")
    field = CustomField.objects.get(label="Customer tier")
    assert grace.contact_type.title == "Reseller"
    assert grace.custom == {field.key: "Gold"}

    # A company has no such field.
    page.goto("/contacts/new/company/")
    expect(page.get_by_label("Company name")).to_be_visible()
    expect(page.get_by_label("Customer tier")).to_have_count(0)
