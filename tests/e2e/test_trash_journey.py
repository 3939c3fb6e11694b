"""Taking back a delete in a real browser: the "Undo" of the message that follows it, and
the trash's ticked rows restored or deleted forever together, in English and French."""

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from contacts.trash.services import contact_delete
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy
from tests.support import in_trash


@pytest.fixture(params=["en-US", "fr-FR"])
def browser_locale(request):
    return request.param


def log_in(page):
    page.goto("/contacts/")  # a link to the list: signing in leads there
    page.locator("input[name=login]").fill("alice")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("#search")).to_be_visible()


def test_undo_after_deleting_brings_the_contact_back(page, shot, alice, make_contact):
    contact = make_contact(first_name="Undone", last_name="Deletion")
    log_in(page)
    page.goto(f"/contacts/{contact.pk}/delete/")
    page.locator("main form button[type=submit]").click()

    message = page.get_by_role("alert").filter(has_text="Undone Deletion")
    expect(message).to_be_visible()
    expect(page.get_by_role("link", name="Undone Deletion")).to_have_count(0)
    assert in_trash(contact)
    shot("deleted")
    message.locator("[data-undo]").click()

    expect(page).to_have_url(f"{page.url.split('/contacts/')[0]}/contacts/{contact.pk}/")
    expect(page.get_by_role("heading", name="Undone Deletion", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Undone Deletion")
    assert not in_trash(contact)
    assert_page_was_healthy(page)


def test_tick_rows_of_the_trash_to_restore_or_delete_them_forever(page, shot, alice, make_contact):
    binned = [make_contact(first_name=name, last_name="Binned") for name in ("Ann", "Ben", "Cy")]
    for contact in binned:
        contact_delete(by=alice, contact=contact)
    ann, ben, cy = binned
    log_in(page)
    page.goto("/contacts/trash/")
    rows = page.locator(".trash-table tbody tr")
    expect(rows).to_have_count(3)

    # "Select all" ticks every row; unticking one leaves it half ticked.
    select_all = page.locator("[data-select-all]")
    select_all.check()
    for box in page.locator('input[name="selected"]').all():
        expect(box).to_be_checked()
    rows.filter(has_text="Cy Binned").locator('input[name="selected"]').uncheck()
    assert select_all.evaluate("box => box.indeterminate")
    shot("selected")

    # Delete forever asks first, naming what goes.
    page.locator("[data-trash-purge]").click()
    expect(page.locator("main li")).to_have_text(["Ann Binned", "Ben Binned"])
    assert in_trash(ann) and in_trash(ben)
    shot("confirm")
    page.locator("main .btn-danger").click()

    expect(rows).to_have_count(1)
    assert not Contact.all_objects.filter(pk__in=[ann.pk, ben.pk]).exists()

    rows.first.locator('input[name="selected"]').check()
    expect(select_all).to_be_checked()
    page.locator("[data-trash-restore]").click()

    expect(page.locator(".trash-table tbody tr")).to_have_count(0)
    assert not in_trash(cy)
    assert_page_was_healthy(page)
