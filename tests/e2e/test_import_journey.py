"""The import in a real browser, in English and in French: upload the Outlook sample,
check the detected settings, change one column's mapping, watch the progress finish,
open the imported contacts."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from activities.models import Event
from contacts.imports import runner
from contacts.imports.models import ImportJob
from contacts.models import Contact
from tests.e2e.test_journey import assert_page_was_healthy, log_in

OUTLOOK = Path(__file__).resolve().parents[1] / "data" / "outlook-contacts.csv"
TEXT = {
    "en": {"report": "Report", "queued": "Waiting to start", "open": "Open the imported contacts"},
    "fr": {
        "report": "Rapport",
        "queued": "En attente de démarrage",
        "open": "Ouvrir les contacts importés",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_import_the_outlook_sample(page, shot, alice, settings, language):
    # The job waits in the queue until the test runs it, as the worker would.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    text = TEXT[language]
    log_in(page)
    if language == "fr":
        group = page.get_by_role("group", name=re.compile("Language|Langue"))
        group.get_by_role("button", name=re.compile(r"^FR\b")).click()
        expect(page.locator("html")).to_have_attribute("lang", "fr")

    # "Import contacts" sits in the menu beside "Create new…".
    page.locator("main .dropdown-toggle.btn-primary").click()
    page.locator("a.dropdown-item[href='/contacts/imports/new/']").click()
    expect(page).to_have_url(re.compile(r"/contacts/imports/new/$"))
    page.set_input_files("input[name=file]", OUTLOOK)
    shot(f"{language}-1-upload")
    page.locator("main form button[type=submit]").click()

    # Step 1: the encoding and delimiter were detected; the preview follows a change.
    expect(page).to_have_url(re.compile(r"/settings/$"))
    expect(page.locator("#id_encoding")).to_have_value("cp1252")
    expect(page.locator("#id_delimiter")).to_have_value(",")
    expect(page.locator("#preview table")).to_contain_text("Émile")
    page.locator("#id_encoding").select_option("utf-8")
    expect(page.locator("#preview .alert-danger")).to_contain_text("UTF-8")
    page.locator("#id_encoding").select_option("cp1252")
    expect(page.locator("#preview table")).to_contain_text("Lefèvre")
    page.locator("#id_tags").fill("Outlook")
    shot(f"{language}-2-settings")
    page.locator("main form > .d-flex button[type=submit]").click()

    # Step 2: change one column: the notes are left out; browse to the next record.
    expect(page).to_have_url(re.compile(r"/mapping/$"))
    notes = page.locator("#id_col_13")
    expect(notes).to_have_value("notes")
    notes.select_option("")
    expect(page.locator("tr", has=notes)).to_have_class(re.compile("table-warning"))
    page.locator("#mapping-rows nav a").last.click()
    expect(page.locator("#mapping-rows")).to_contain_text("Søren")
    expect(page.locator("#id_col_13")).to_have_value("")
    shot(f"{language}-3-mapping")
    page.locator("#mapping-form .sticky-actions button[type=submit]").click()

    # Step 3: the progress polls by itself until the report shows.
    expect(page).to_have_url(re.compile(r"/contacts/imports/\d+/$"))
    expect(page.locator("#progress h2").first).to_have_text(text["queued"])
    shot(f"{language}-4-waiting")
    job = ImportJob.objects.get()
    runner.run_job(job.pk, job.run_token)
    expect(page.locator("#report-title")).to_have_text(text["report"], timeout=15_000)
    expect(page.locator(".report-counts")).to_contain_text("30")
    shot(f"{language}-5-report")

    page.get_by_role("link", name=text["open"]).click()
    expect(page).to_have_url(re.compile(rf"/contacts/\?import={job.pk}$"))
    # 30 persons and their companies: more than a page, so look him up within the import.
    page.locator("#search").fill("Lefèvre")
    expect(page.get_by_role("link", name="Émile Lefèvre")).to_be_visible()
    shot(f"{language}-6-imported-contacts")
    emile = Contact.objects.get(first_name="Émile", last_name="Lefèvre")
    assert emile.description == ""
    assert not Event.objects.filter(contact=emile).exists()  # the notes were left out
    assert_page_was_healthy(page)
