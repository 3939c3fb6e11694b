"""The contact journey without the mouse: only the keyboard creates a person,
finds it, edits it from the row menu and deletes it; "?" shows the shortcuts; "n", "c",
"e", "/", "j", "k", Enter and Ctrl/⌘+Enter each do what the shortcuts dialog says, in
English and in French."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, CrmSettings
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
    # The username or e-mail field has the focus as the page opens.
    expect(page.locator("#id_login")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # Signing in opens the overview; its first link after the menu opens the list.
    expect(page.locator("h1")).to_have_text(re.compile("Overview|Vue d’ensemble"))
    tab_to(page, "#open-list")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    page.wait_for_load_state("domcontentloaded")


def test_create_find_edit_and_delete_a_person_with_the_keyboard_only(page, shot, alice, contact):
    log_in_with_the_keyboard(page)

    # "n": a new person, the first field ready for typing.
    page.keyboard.press("n")
    expect(page.get_by_role("heading", name="New person", level=1)).to_be_visible()
    expect(page.locator("#id_first_name")).to_be_focused()
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


BOTH_LANGUAGES = pytest.mark.parametrize("browser_locale", ["en-US", "fr-FR"])
# The headings the tests wait for, in the browser's language.
HEADINGS = {
    "en-US": {"new_person": "New person", "new_company": "New company", "edit": "Edit {}"},
    "fr-FR": {
        "new_person": "Nouvelle personne",
        "new_company": "Nouvelle entreprise",
        "edit": "Modifier {}",
    },
}


def heading(page, name):
    return page.get_by_role("heading", name=name, level=1, exact=True)


def arrive_at(page, name):
    """The page titled name is shown and its deferred scripts have run: a key pressed
    before then would reach no shortcut."""
    expect(heading(page, name)).to_be_visible()
    page.wait_for_load_state("domcontentloaded")


def rows(page):
    return page.locator("#results tbody tr")


def current_row(page):
    return page.locator("#results tbody tr.row-current")


@BOTH_LANGUAGES
def test_n_and_c_open_the_new_form_on_its_first_field_and_ctrl_enter_saves_it(
    page, alice, browser_locale
):
    words = HEADINGS[browser_locale]
    log_in_with_the_keyboard(page)

    page.keyboard.press("n")
    arrive_at(page, words["new_person"])
    expect(page.locator("#id_first_name")).to_be_focused()
    page.keyboard.type("Ada")
    page.keyboard.press("Tab")
    page.keyboard.type("Lovelace")
    page.keyboard.press("Control+Enter")
    arrive_at(page, "Ada Lovelace")
    assert Contact.objects.get(display_name="Ada Lovelace").kind == "person"

    page.keyboard.press("c")
    arrive_at(page, words["new_company"])
    expect(page.locator("#id_company_name")).to_be_focused()
    page.keyboard.type("Analytical Engines")
    # ⌘+Enter, as on a Mac, from the description's text box.
    page.locator("#id_description").focus()
    page.keyboard.type("Looms and cards")
    page.keyboard.press("Meta+Enter")
    arrive_at(page, "Analytical Engines")
    company = Contact.objects.get(display_name="Analytical Engines")
    assert (company.kind, company.description) == ("company", "Looms and cards")
    assert_page_was_healthy(page)


@BOTH_LANGUAGES
def test_e_edits_the_open_card_and_modified_keys_do_not(
    page, alice, bob, make_contact, browser_locale
):
    words = HEADINGS[browser_locale]
    mine = make_contact(first_name="Ada", last_name="Lovelace")
    readable = make_contact(
        first_name="Charles", last_name="Babbage", by=bob, access=Contact.Access.PUBLIC_READ
    )
    log_in_with_the_keyboard(page)

    # A card alice may only read offers no edit: "e" stays on it.
    page.goto(readable.get_absolute_url())
    page.keyboard.press("e")
    page.goto(mine.get_absolute_url())
    arrive_at(page, "Ada Lovelace")
    assert page.url.endswith(mine.get_absolute_url())

    # With another modifier, or as a capital, "e" is not the shortcut.
    for key in ("Alt+e", "Shift+E", "Control+e"):
        page.keyboard.press(key)
    page.wait_for_load_state()
    arrive_at(page, "Ada Lovelace")

    page.keyboard.press("e")
    arrive_at(page, words["edit"].format("Ada Lovelace"))
    expect(page.locator("#id_first_name")).to_be_focused()
    tab_to(page, "#id_job_title")
    # Letters typed in a field are text, not shortcuts; Ctrl+Enter still saves.
    page.keyboard.type("enjk/?")
    page.keyboard.press("Control+Enter")
    arrive_at(page, "Ada Lovelace")
    expect(page.get_by_text("enjk/?").first).to_be_visible()
    mine.refresh_from_db()
    assert mine.job_title == "enjk/?"
    assert_page_was_healthy(page)


@BOTH_LANGUAGES
def test_j_and_k_move_through_the_rows_and_enter_opens_one(
    page, alice, make_contact, browser_locale
):
    # Created oldest first: the list shows the newest first, "Person 29" on top.
    people = [make_contact(first_name="Person", last_name=f"{n:02}") for n in range(30)]
    people.reverse()
    log_in_with_the_keyboard(page)
    expect(rows(page)).to_have_count(25)  # a page
    expect(current_row(page)).to_have_count(0)

    page.keyboard.press("j")
    expect(current_row(page)).to_have_count(1)
    expect(rows(page).nth(0)).to_have_class(re.compile(r"\brow-current\b"))
    expect(rows(page).nth(0).get_by_role("link", name=str(people[0]))).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows(page).nth(1)).to_have_class(re.compile(r"\brow-current\b"))
    expect(rows(page).nth(0)).not_to_have_class(re.compile(r"\brow-current\b"))
    expect(focused(page)).to_have_text(str(people[1]))
    # The highlight shows: the row's cells are tinted unlike the others'.
    tint = "row => getComputedStyle(row.cells[2]).boxShadow"
    assert rows(page).nth(1).evaluate(tint) != rows(page).nth(2).evaluate(tint)

    # Far down the page, the row comes into view.
    for _ in range(20):
        page.keyboard.press("j")
    expect(rows(page).nth(21)).to_have_class(re.compile(r"\brow-current\b"))
    expect(rows(page).nth(21)).to_be_in_viewport()
    page.keyboard.press("Enter")
    arrive_at(page, str(people[21]))

    # After a live search, the rows htmx put in are the ones "j" walks.
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("Person 07")
    expect(rows(page)).to_have_count(1)
    page.keyboard.press("Tab")  # out of the search box, onto its button
    page.keyboard.press("j")
    expect(rows(page).nth(0)).to_have_class(re.compile(r"\brow-current\b"))
    expect(focused(page)).to_have_text("Person 07")
    page.keyboard.press("Enter")
    arrive_at(page, "Person 07")
    assert_page_was_healthy(page)


def test_j_goes_on_from_a_ticked_row_and_not_from_the_search_box(page, alice, make_contact):
    first, second = make_contact(last_name="One"), make_contact(last_name="Two")
    log_in_with_the_keyboard(page)
    page.keyboard.press("/")
    page.keyboard.type("j")
    expect(page.locator("#search")).to_have_value("j")
    expect(current_row(page)).to_have_count(0)
    page.keyboard.press("Alt+j")
    expect(current_row(page)).to_have_count(0)
    page.goto("/contacts/")
    expect(rows(page)).to_have_count(2)

    # The newest, "Two", is on top; a tick box takes no text, so "j" moves on from it.
    page.locator("#results").get_by_role("checkbox").nth(1).focus()
    page.keyboard.press("Space")
    page.keyboard.press("j")
    expect(focused(page)).to_have_text(str(first))
    expect(page.locator("[data-selection-count]")).to_have_text("1 contact selected")
    assert str(second) == "Jean Two"


@BOTH_LANGUAGES
def test_ctrl_enter_saves_a_settings_form(page, admin, browser_locale):
    log_in_with_the_keyboard(page, "admin")
    page.goto("/settings/currency/")
    choice = page.locator("#id_default_currency")
    choice.select_option("JPY")
    choice.focus()
    expect(choice).to_be_focused()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    assert CrmSettings.load().default_currency == "JPY"
    assert_page_was_healthy(page)


@BOTH_LANGUAGES
def test_the_shortcuts_dialog_lists_every_shortcut(page, shot, alice, browser_locale):
    log_in_with_the_keyboard(page)
    page.keyboard.press("?")
    title = {"en-US": "Keyboard shortcuts", "fr-FR": "Raccourcis clavier"}[browser_locale]
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_visible()
    keys = dialog.locator("kbd")
    for key in ("/", "n", "c", "e", "j", "k", "?", "Ctrl", "⌘"):
        expect(keys.filter(has_text=re.compile(f"^{re.escape(key)}$"))).not_to_have_count(0)
    if browser_locale == "en-US":
        for action in (
            "Go to the next or the previous contact",
            "Open the highlighted contact",
            "Edit the contact",
            "Save the form",
        ):
            expect(dialog).to_contain_text(action)
    shot("shortcuts")
