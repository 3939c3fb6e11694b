"""The contact journey without the mouse (SPEC X3): only the keyboard creates a person,
finds it, edits it from the row menu and deletes it; "?" shows the shortcuts."""

import re

from playwright.sync_api import expect

from contacts.models import Contact
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy

MAX_TABS = 80


def tab_to(page, selector):
    """Press Tab until the element matching selector has the focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused(page):
    return page.locator("*:focus")


def log_in_with_the_keyboard(page, username="alice"):
    page.goto("/")
    # The username field has the focus as the page opens.
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()


def test_create_find_edit_and_delete_a_person_with_the_keyboard_only(page, shot, alice, contact):
    log_in_with_the_keyboard(page)

    # "n": a new person.
    page.keyboard.press("n")
    expect(page.get_by_role("heading", name="New person", level=1)).to_be_visible()
    tab_to(page, "#id_first_name")
    page.keyboard.type("Ada")
    tab_to(page, "#id_last_name")
    page.keyboard.type("Lovelace")
    shot("form")
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()

    # "/" from the card: the list opens with the search focused.
    page.keyboard.press("/")
    expect(page).to_have_url(re.compile(r"/contacts/#search$"))
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("Lovelace")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).not_to_contain_text(contact.display_name)

    # The row menu: Enter opens it, the arrow keys move between its items.
    tab_to(page, "button[aria-label='Actions for Ada Lovelace']")
    page.keyboard.press("Enter")
    menu = page.locator("#results .col-menu .dropdown-menu")
    expect(menu).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(focused(page)).to_have_text(re.compile("Open"))
    page.keyboard.press("ArrowDown")
    expect(focused(page)).to_have_text(re.compile("Edit"))
    shot("row-menu")
    page.keyboard.press("Enter")

    # Edit: the job title.
    expect(page.get_by_role("heading", name="Edit Ada Lovelace", level=1)).to_be_visible()
    tab_to(page, "#id_job_title")
    page.keyboard.type("Mathematician")
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    expect(page.get_by_text("Mathematician").first).to_be_visible()

    # Delete, through the confirmation.
    tab_to(page, "main a[href$='/delete/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/delete/$"))
    tab_to(page, "main form button[type=submit]")
    shot("delete")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Ada Lovelace")
    assert_page_was_healthy(page)

    assert not Contact.objects.filter(display_name="Ada Lovelace").exists()
    ada = Contact.all_objects.get(display_name="Ada Lovelace")
    assert ada.job_title == "Mathematician"
    assert ada.deleted_at is not None


def test_the_actions_menu_works_with_the_keyboard(page, alice, contact):
    log_in_with_the_keyboard(page)
    tab_to(page, "input[name=selected]")
    page.keyboard.press("Space")
    expect(page.locator("[data-selection-count]")).to_have_text("1 contact selected")
    tab_to(page, "[data-bulk-actions]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-bulk-actions] + .dropdown-menu")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(focused(page)).to_have_text(re.compile("Add a tag"))
    page.keyboard.press("ArrowDown")
    expect(focused(page)).to_have_text(re.compile("Remove a tag"))
    page.keyboard.press("Escape")
    expect(page.locator("[data-bulk-actions] + .dropdown-menu")).to_be_hidden()
    expect(page.locator("[data-bulk-actions]")).to_be_focused()


def test_question_mark_shows_the_shortcuts_and_c_opens_a_new_company(page, shot, alice):
    log_in_with_the_keyboard(page)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("New company")
    expect(dialog).to_be_focused()
    shot("shortcuts")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Typing in a field is not a shortcut.
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("nc?")
    expect(page.locator("#search")).to_have_value("nc?")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    page.keyboard.press("c")
    expect(page.get_by_role("heading", name="New company", level=1)).to_be_visible()
    assert_page_was_healthy(page)


def test_a_shortcut_never_leaves_a_form_with_typed_input(page, alice):
    log_in_with_the_keyboard(page)
    page.keyboard.press("n")
    heading = page.get_by_role("heading", name="New person", level=1)
    expect(heading).to_be_visible()
    page.get_by_label("First name").focus()
    page.keyboard.type("Half typed")
    page.evaluate("document.activeElement.blur()")  # focus back on the page itself
    page.keyboard.press("c")
    page.keyboard.press("/")
    expect(heading).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Half typed")
