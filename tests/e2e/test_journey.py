"""The seed's journey in a real browser: log in, create a person with everything the form
offers, "Save and create new", find it by search, edit it from the row menu, delete it."""

import re
from pathlib import Path

from django.conf import settings
from PIL import Image
from playwright.sync_api import expect
from taggit.models import Tag

from contacts.models import Contact

NAME = "Ada Lovelace"
PASSWORD = "pw"  # every persona's, see tests/conftest.py


def log_in(page, username="alice"):
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in to the CRM")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Signing in opens the overview, in the user's language; the list is one click away.
    page.wait_for_url("**/overview/")
    page.locator("#open-list").click()
    page.wait_for_url("**/contacts/")
    expect(page.locator("#results")).to_be_visible()
    # Bootstrap is served: the navbar is laid out.
    expect(page.locator("nav.navbar")).to_have_css("display", "flex")


def assert_page_was_healthy(page):
    assert page.js_errors == []
    assert page.static_errors == []


def section(page, heading):
    """The card of the contact form whose heading is `heading`."""
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def alert(page):
    return page.get_by_role("alert")


def make_photo(tmp_path):
    path = tmp_path / "ada.png"
    image = Image.new("RGB", (120, 160), (47, 111, 159))
    image.paste((240, 200, 80), (30, 40, 90, 120))
    image.save(path)
    return path


def test_create_find_edit_and_delete_a_person(page, shot, alice, bob, contact, tmp_path):
    # Jean Dupont (the `contact` fixture) is there to show that the search filters.
    # "Customer" is one of the default tags, unless a transactional test flushed them.
    Tag.objects.get_or_create(name="Customer", defaults={"slug": "customer"})
    log_in(page)
    expect(page.get_by_role("link", name=contact.display_name)).to_be_visible()
    # The CRM's own CSS is served too: avatars are round.
    expect(page.locator(".avatar").first).to_have_css("border-radius", "50%")

    # Create a person.
    page.get_by_role("button", name="Create new…").click()
    page.get_by_role("link", name="Person", exact=True).click()
    expect(page.get_by_role("heading", name="New person", level=1)).to_be_visible()
    expect(page).to_have_title(re.compile(r"^New person"))

    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    section(page, "General").get_by_label("Job title").fill("Mathematician")

    emails = section(page, "Emails")
    expect(emails.get_by_label("Email")).to_have_count(1)
    emails.get_by_label("Email").fill("ada@example.com")
    emails.get_by_label("Primary").check()
    emails.get_by_role("button", name="Add an email").click()
    expect(emails.get_by_label("Email")).to_have_count(2)
    # The new row takes the focus; the page did not reload (the first value is kept).
    expect(emails.get_by_label("Email").nth(1)).to_be_focused()
    expect(emails.get_by_label("Email").nth(0)).to_have_value("ada@example.com")
    emails.get_by_label("Category").nth(1).select_option(label="Home")
    emails.get_by_label("Email").nth(1).fill("ada.lovelace@example.org")

    phones = section(page, "Phones")
    phones.get_by_label("Category").select_option(label="Mobile")
    phones.get_by_label("Phone").fill("+44 20 7946 0000")

    addresses = section(page, "Addresses")
    addresses.get_by_label("Category").select_option(label="Home")
    addresses.get_by_label("Street").fill("12 St James's Square")
    addresses.get_by_label("Postcode").fill("SW1Y 4JH")
    addresses.get_by_label("City").fill("London")
    addresses.get_by_label("Country").fill("United Kingdom")

    # The tag box: type a tag and press Enter to make it a chip; "Customer" exists already
    # and is offered by the datalist once typed.
    tags = page.locator("[data-tag-input]")
    entry = tags.get_by_role("combobox", name="Tags")
    entry.press_sequentially("Cust")
    expect(tags.locator("datalist option[value='Customer']")).to_have_count(1)
    entry.fill("Customer")
    entry.press("Enter")
    entry.fill("Pioneer")
    entry.press("Enter")
    expect(tags.get_by_role("button", name="× Customer")).to_be_visible()
    expect(tags.get_by_role("button", name="× Pioneer")).to_be_visible()
    expect(entry).to_have_value("")

    page.get_by_label("Photo", exact=True).set_input_files(make_photo(tmp_path))

    expect(page.get_by_label("Alice Martin")).to_be_checked()
    page.get_by_label("Bob Durand").check()
    page.get_by_label("All CRM users can view", exact=True).check()
    shot("1-form-filled")

    # "Save and create new": the confirmation and an empty form again.
    page.get_by_role("button", name="Save and create new person").click()
    expect(alert(page)).to_contain_text(f"“{NAME}” was created.")
    expect(page.get_by_role("heading", name="New person", level=1)).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("")
    expect(section(page, "Emails").get_by_label("Email")).to_have_count(1)
    expect(section(page, "Emails").get_by_label("Email")).to_have_value("")
    expect(page.locator("[data-tag-input] .tag-chips .badge")).to_have_count(0)
    shot("2-saved-and-new")
    created = Contact.objects.get(display_name=NAME)
    assert created.access == Contact.Access.PUBLIC_READ
    assert sorted(i.value for i in created.infos.all()) == [
        "+44 20 7946 0000",
        "ada.lovelace@example.org",
        "ada@example.com",
    ]
    assert sorted(t.name for t in created.tags.all()) == ["Customer", "Pioneer"]
    assert set(created.responsible.all()) == {alice, bob}
    assert created.photo and created.photo_thumb
    photo_files = [Path(settings.MEDIA_ROOT) / f.name for f in (created.photo, created.photo_thumb)]
    assert all(path.exists() for path in photo_files)

    # Find it by search: the list updates as you type.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_role("searchbox", name="Search contacts").press_sequentially("lovel")
    expect(page).to_have_url(re.compile(r"[?&]q=lovel"))
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.get_by_role("link", name=NAME)).to_be_visible()
    expect(page.get_by_role("link", name=contact.display_name)).to_have_count(0)
    expect(row.get_by_role("link", name="ada@example.com")).to_be_visible()
    expect(row.get_by_role("link", name="+44 20 7946 0000")).to_be_visible()
    expect(row).to_contain_text("Customer")
    expect(row).to_contain_text("Pioneer")
    # Both responsible users; their order is not asserted (it differs between databases).
    expect(row).to_contain_text("Alice Martin")
    expect(row).to_contain_text("Bob Durand")
    expect(row.locator(".avatar img")).to_have_attribute("src", re.compile(r"/photo/thumb/"))
    expect(row.locator(".avatar-public")).to_contain_text("Public")
    expect(page.get_by_text("1 contact", exact=True)).to_be_visible()
    shot("3-list-searched")

    # Edit from the row menu.
    page.get_by_role("button", name=f"Actions for {NAME}").click()
    menu = row.get_by_role("list")
    expect(menu.get_by_role("link", name="Send email")).to_be_visible()
    shot("4-row-menu")
    menu.get_by_role("link", name="Edit contact").click()
    expect(page.get_by_role("heading", name=f"Edit {NAME}", level=1)).to_be_visible()
    expect(section(page, "General").get_by_label("Job title")).to_have_value("Mathematician")
    expect(section(page, "Emails").get_by_label("Email")).to_have_count(3)  # 2 + 1 empty
    expect(page.get_by_role("button", name="× Pioneer")).to_be_visible()
    expect(page.get_by_label("Bob Durand")).to_be_checked()
    expect(page.get_by_label("All CRM users can view", exact=True)).to_be_checked()
    section(page, "General").get_by_label("Job title").fill("Mathematician and writer")
    shot("5-edit-form")
    page.get_by_role("button", name="Save changes").click()

    # The contact card.
    expect(alert(page)).to_contain_text(f"Your changes to “{NAME}” were saved.")
    expect(page).to_have_url(re.compile(rf"/contacts/{created.pk}/$"))
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect(page.get_by_text("Person · Mathematician and writer")).to_be_visible()
    info = page.locator("section").filter(
        has=page.get_by_role("heading", name="Contact information")
    )
    expect(info.get_by_role("link", name="ada@example.com")).to_have_attribute(
        "href", "mailto:ada@example.com"
    )
    expect(info.get_by_role("link", name="ada.lovelace@example.org")).to_be_visible()
    expect(info.get_by_role("link", name="+44 20 7946 0000")).to_be_visible()
    expect(info.locator("address")).to_contain_text("12 St James's Square")
    expect(info.locator("address")).to_contain_text("SW1Y 4JH London")
    expect(info.locator("address")).to_contain_text("United Kingdom")
    details = page.locator("section").filter(has=page.get_by_role("heading", name="Details"))
    expect(details).to_contain_text("Customer")
    expect(details).to_contain_text("Pioneer")
    expect(details).to_contain_text("Alice Martin")
    expect(details).to_contain_text("Bob Durand")
    expect(details).to_contain_text("All CRM users can view")
    avatar = page.locator(".avatar-lg")
    expect(avatar.locator(".avatar-public")).to_contain_text("Public")
    photo = avatar.locator("img")
    expect(photo).to_have_attribute("src", re.compile(rf"/contacts/{created.pk}/photo/full/"))
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") > 0
    shot("6-card")

    # Delete from the card, through the confirmation page.
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name=f"Delete “{NAME}”?")).to_be_visible()
    shot("7-delete-confirmation")
    page.get_by_role("button", name=f"Delete “{NAME}”").click()
    expect(alert(page)).to_contain_text(f"“{NAME}” was moved to the trash")
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=NAME)).to_have_count(0)
    expect(page.get_by_role("link", name=contact.display_name)).to_be_visible()

    assert not Contact.objects.filter(pk=created.pk).exists()
    assert Contact.all_objects.get(pk=created.pk).deleted_at is not None
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert all(path.exists() for path in photo_files)  # kept for a restore
    assert_page_was_healthy(page)


def test_switch_language_to_french(page, shot, alice):
    log_in(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Create new…").click()
    page.get_by_role("link", name="Person", exact=True).click()
    expect(page.get_by_role("heading", name="New person", level=1)).to_be_visible()

    language = page.get_by_role("group", name=re.compile("Language|Langue"))
    language.get_by_role("button", name=re.compile(r"^FR\b")).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # Back on the same page, which still works: the form is there and JS enhanced it.
    expect(page).to_have_url(re.compile(r"/contacts/new/person/$"))
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#id_first_name")).to_be_editable()
    expect(page.locator("[data-tag-input] .tag-chips")).to_have_count(1)
    expect(language.get_by_role("button", name=re.compile(r"^FR\b"))).to_have_attribute(
        "aria-pressed", "true"
    )
    shot("fr-form")
    # The server answers in French too: an empty form is refused, field by field.
    page.locator("button[name=save]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("#id_first_name")).to_have_class(re.compile(r"\bis-invalid\b"))
    shot("fr-errors")

    language.get_by_role("button", name=re.compile(r"^EN\b")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="New person", level=1)).to_be_visible()
    assert_page_was_healthy(page)


def test_a_late_answer_never_replaces_newer_tag_suggestions(page, alice):
    for name in ("Cat", "Car"):
        Tag.objects.get_or_create(name=name, defaults={"slug": name.lower()})
    log_in(page)
    page.goto("/contacts/new/person/")
    tags = page.locator("[data-tag-input]")
    entry = tags.get_by_role("combobox", name="Tags")

    # The answer for "Ca" (both tags) is held back until "Cat" (one tag) has been answered.
    held = []
    page.route(re.compile(r"/suggest/tags/\?q=Ca$"), lambda route: held.append(route))
    entry.fill("Ca")
    while not held:
        page.wait_for_timeout(20)
    entry.fill("Cat")
    expect(tags.locator("datalist option")).to_have_count(1)
    with page.expect_response(re.compile(r"/suggest/tags/\?q=Ca$")):
        held[0].continue_()
    page.wait_for_timeout(200)
    expect(tags.locator("datalist option")).to_have_count(1)
    expect(tags.locator("datalist option[value='Cat']")).to_have_count(1)


def test_the_language_chosen_follows_the_user_to_another_browser(page, browser, alice):
    log_in(page)
    page.get_by_role("button", name=re.compile("Alice")).click()
    page.get_by_role("link", name="My profile").click()
    page.locator("main").get_by_label("Language").select_option("fr")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.locator("#preferences-form").get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    other = browser.new_context(base_url=page.url.split("/account/")[0], locale="en-US")
    try:
        second = other.new_page()
        second.goto("/")
        second.get_by_label("Username").fill("alice")
        second.get_by_label("Password").fill(PASSWORD)
        second.get_by_role("button", name="Log in").click()
        expect(second.locator("html")).to_have_attribute("lang", "fr")
        expect(second.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    finally:
        other.close()
    assert_page_was_healthy(page)
