"""Settings › Personal data in a browser, in French: an admin finds a person, builds his
copy, downloads it and reads the register; the pages fit a desktop and a 375 px phone in
English and French (saved as screenshots)."""

import json
import zipfile
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.services import profile_update
from activities.models import EventCategory, TaskCategory
from activities.services import event_create
from activities.tasks.services import task_create
from contacts.models import Contact
from contacts.services import ContactData, contact_create
from tests.e2e.conftest import SCREENSHOTS, new_page
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy

EMAIL = "jeanne.martin@example.org"
SIZES = {"desktop": {"width": 1280, "height": 900}, "375": {"width": 375, "height": 812}}


@pytest.fixture
def browser_locale():
    return "fr-FR"


@pytest.fixture
def person(admin):
    EventCategory.objects.get_or_create(code="note", defaults={"name": "Note"})
    TaskCategory.objects.get_or_create(code="call", defaults={"name": "Call"})
    contact = contact_create(
        by=admin,
        data=ContactData(
            kind=Contact.Kind.PERSON,
            fields={"first_name": "Jeanne", "last_name": "Martin"},
            responsible=[admin],
            infos=[{"kind": "email", "category": "work", "value": EMAIL, "is_primary": True}],
        ),
    )
    note = EventCategory.objects.filter(code="note").first()
    event_create(by=admin, contact=contact, category=note, text="Appel au sujet du devis")
    call = TaskCategory.objects.filter(code="call").first()
    task_create(
        by=admin, title="Rappeler Jeanne", due_date=date(2030, 1, 2), category=call, contact=contact
    )
    return contact


def log_in(page, language):
    page.goto("/")
    page.locator("input[name=login]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == language


def test_an_admin_finds_a_person_builds_his_copy_and_reads_the_register(page, shot, admin, person):
    profile_update(user=admin, language="fr")
    log_in(page, "fr")
    page.get_by_role("link", name="Paramètres").click()
    page.get_by_role("link", name="Données personnelles").click()
    expect(page.get_by_role("heading", name="Données personnelles", level=2)).to_be_visible()
    page.get_by_label("Adresse e-mail").check()
    page.get_by_label("Valeur").fill("Jeanne.Martin@Example.org")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#place-contacts")).to_contain_text("Jeanne Martin")
    expect(page.locator("#place-timeline")).to_contain_text("sur Jeanne Martin")
    expect(page.locator("#place-tasks")).to_contain_text("Rappeler Jeanne")
    shot("found")

    page.get_by_role("button", name="Préparer une copie (zip)").click()
    expect(page.get_by_role("alert")).to_contain_text("La copie est en préparation")
    # The worker (immediate here) has built it by the time the page shows.
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger").click()
    path = download.value.path()
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read("personal-data.json"))
    assert document["looked_up_by"] == {"kind": "email", "value": EMAIL}
    shot("copies")

    page.get_by_role("link", name="Registre").click()
    rows = page.locator("tr[id^=request-]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Export")
    expect(page.locator("main")).not_to_contain_text("Jeanne")
    shot("register")
    assert_page_was_healthy(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_personal_data_pages_fit_a_desktop_and_a_phone(
    browser, live_server, admin, person, language
):
    profile_update(user=admin, language=language)
    page = new_page(browser, live_server, locale=f"{language}-FR")
    log_in(page, language)

    def fits(name):
        for kind, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} is {width} px wide at {kind}"
            SCREENSHOTS.mkdir(exist_ok=True)
            path = SCREENSHOTS / f"privacy-{language}--{name}-{kind}.png"
            page.screenshot(path=path, full_page=True)
        page.set_viewport_size(SIZES["desktop"])

    page.goto("/settings/personal-data/")
    page.locator("input[name=lookup][value=email]").check()
    page.locator("input[name=value]").fill(EMAIL)
    page.locator("main form[action$='personal-data/'] button[type=submit]").click()
    expect(page.locator("#place-contacts")).to_be_visible()
    fits("find")
    page.locator("main form[action$='exports/new/'] button").click()
    expect(page.locator("main li[id^=export-]")).to_have_count(1)
    fits("exports")
    page.goto("/settings/personal-data/register/")
    fits("register")
    assert_page_was_healthy(page)
    page.context.close()
