"""Nothing is lost in a real browser: two users edit the same contact and the
second resolves the conflict; two duplicates are merged; the merged one is restored."""

from playwright.sync_api import expect

from contacts.models import Contact
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_journey import assert_page_was_healthy, log_in


def test_conflict_merge_and_restore(page, shot, browser, live_server, alice, bob, make_contact):
    shared = make_contact(
        first_name="Jean", last_name="Dupont", job_title="Buyer", responsible=[alice, bob]
    )
    twin = make_contact(
        first_name="Jean",
        last_name="Dupont",
        job_title="Head buyer",
        responsible=[alice],
        infos=[{"kind": "email", "category": "work", "value": "jean@acme.fr", "is_primary": True}],
    )
    bobs_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    bobs_context.set_default_timeout(TIMEOUT_MS)
    bobs = bobs_context.new_page()
    log_in(page, "alice")
    log_in(bobs, "bob")

    # Both open the edit form; Bob saves first.
    page.goto(f"/contacts/{shared.pk}/edit/")
    bobs.goto(f"/contacts/{shared.pk}/edit/")
    bobs.locator("#id_job_title").fill("Purchasing manager")
    bobs.get_by_label("Description").fill("Met at the fair.")
    bobs.get_by_role("button", name="Save changes").click()
    expect(bobs.get_by_role("alert")).to_contain_text("were saved")
    bobs_context.close()

    # Alice changes the last name and the job title too: only the job title is asked.
    page.get_by_label("Last name").fill("Durand")
    page.locator("#id_job_title").fill("Head of purchasing")
    page.get_by_role("button", name="Save changes").click()
    expect(
        page.get_by_role("heading", name="This contact was changed while you were editing it")
    ).to_be_visible()
    expect(page.get_by_label("Last name")).to_have_value("Durand")  # nothing typed is lost
    expect(page.get_by_label("Description")).to_have_value("Met at the fair.")  # nor his
    question = page.locator('section[aria-labelledby="conflict-title"]')
    expect(question.get_by_role("radio")).to_have_count(2)
    expect(page.get_by_role("radio", name="Purchasing manager")).not_to_be_checked()
    expect(page.get_by_role("radio", name="Head of purchasing")).not_to_be_checked()
    shot("conflict")
    # Saving without choosing is refused, with everything typed still there.
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#conflict-error")).to_contain_text("Choose a value for each field")
    expect(page.get_by_label("Last name")).to_have_value("Durand")
    page.get_by_role("radio", name="Purchasing manager").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("were saved")
    shared.refresh_from_db()
    assert (shared.last_name, shared.job_title, shared.description) == (
        "Durand",
        "Purchasing manager",
        "Met at the fair.",
    )

    # The twin is found among the possible duplicates and merged into the other Jean Dupont.
    Contact.objects.filter(pk=twin.pk).update(
        last_name="Durand", sort_name="jean durand", display_name="Jean Durand"
    )
    page.goto("/contacts/duplicates/")
    expect(page.get_by_text("Same name")).to_be_visible()
    page.get_by_role("link", name="Merge into “Jean Durand”…").click()
    shot("merge")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("was merged into")
    expect(page.get_by_role("link", name="jean@acme.fr")).to_be_visible()
    assert not Contact.objects.filter(pk=twin.pk).exists()

    # Undo: restore the merged one from the trash.
    page.goto("/contacts/trash/")
    page.get_by_role("button", name="Restore Jean Durand").click()
    expect(page.get_by_role("alert")).to_contain_text("was restored")
    assert Contact.objects.filter(pk=twin.pk).exists()
    expect(page.get_by_text("restored it from the trash")).to_be_visible()
    shot("restored")
    assert_page_was_healthy(page)
