"""The screenshot tour (`make screenshots`): the main pages in English and French, at
desktop and phone widths, light and dark.

In the normal suite the pictures go to tests/e2e/screenshots/ (ignored by git). With
SCREENSHOTS=docs they also go, optimised, to docs/screenshots/ for the README (the light
ones, and the list in dark mode).
"""

import datetime
import io
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import EventCategory
from activities.services import event_create
from contacts.models import Contact, ContactType
from contacts.services import ContactData, contact_create
from tests.e2e.conftest import SCREENSHOTS, TIMEOUT_MS
from tests.e2e.test_journey import PASSWORD

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
GOOGLE = Path(__file__).resolve().parents[1] / "data" / "google-contacts.csv"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
LOCALES = {"en": "en-US", "fr": "fr-FR"}


def seed(alice, bob):
    """Create a few realistic contacts, some public, with company, emails, phones and tags."""
    client, partner = (
        ContactType.objects.get_or_create(title=t, defaults={"position": n})[0]
        for n, t in enumerate(["Client", "Partner"])
    )

    def add(kind, fields, *, infos=(), tags=(), access=Contact.Access.PRIVATE, by=alice, **extra):
        data = ContactData(
            kind=kind, fields=fields, access=access, responsible=[by], tags=list(tags), **extra
        )
        data.infos = [
            {"kind": k, "category": c, "value": v, "is_primary": True} for k, c, v in infos
        ]
        return contact_create(by=by, data=data, notify=False)

    company = Contact.Kind.COMPANY
    person = Contact.Kind.PERSON
    lumen = add(
        company,
        {"company_name": "Lumen Optique", "contact_type": client},
        infos=[
            ("email", "work", "contact@lumen-optique.fr"),
            ("phone", "work", "+33 4 72 10 20 30"),
        ],
        tags=["Customer"],
        access=Contact.Access.PUBLIC_READ,
    )
    add(
        company,
        {"company_name": "Northwind Traders", "contact_type": partner},
        infos=[("email", "work", "hello@northwind.example"), ("phone", "work", "+44 20 7946 0958")],
        tags=["Supplier"],
    )
    add(
        person,
        {
            "first_name": "Camille",
            "last_name": "Laurent",
            "job_title": "Head of purchasing",
            "contact_type": client,
        },
        infos=[
            ("email", "work", "camille.laurent@lumen-optique.fr"),
            ("phone", "mobile", "+33 6 12 34 56 78"),
        ],
        tags=["Customer", "Lead"],
        company=lumen,
        access=Contact.Access.PUBLIC_RW,
    )
    add(
        person,
        {"first_name": "Hugo", "last_name": "Moreau", "job_title": "Optician"},
        infos=[
            ("email", "work", "hugo.moreau@lumen-optique.fr"),
            ("phone", "work", "+33 4 72 10 20 31"),
        ],
        tags=["Customer"],
        company=lumen,
    )
    add(
        person,
        {"first_name": "Priya", "last_name": "Shah", "contact_type": partner},
        infos=[
            ("email", "work", "priya@shah-consulting.example"),
            ("phone", "mobile", "+44 7700 900123"),
        ],
        tags=["Lead"],
        access=Contact.Access.PUBLIC_READ,
        by=bob,
    )
    add(
        person,
        {
            "first_name": "Émile",
            "last_name": "Lefèvre",
            "description": "Met at the Lyon trade fair.",
        },
        infos=[("email", "home", "emile.lefevre@example.org")],
        tags=["Lead", "Staff"],
    )
    # Some recent activity, for the list's last activity column.
    now = timezone.now()
    for name, code, days, text, by in (
        ("Camille", "call", 2, "Called about the spring order.", alice),
        ("Priya", "meeting", 40, "Met at the partners' day.", bob),
    ):
        event_create(
            by=by,
            contact=Contact.objects.get(first_name=name),
            # The live server empties the database after each test, the categories too.
            category=EventCategory.objects.get_or_create(code=code, defaults={"name": code})[0],
            text=text,
            happened_at=now - datetime.timedelta(days=days),
        )
    return Contact.objects.get(first_name="Camille")


def capture(page, name):
    """Save the page to tests/e2e/screenshots/ and, under SCREENSHOTS=docs, to docs/."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"tour--{name}.png"
    png = page.screenshot(path=path, full_page=False, animations="disabled", caret="hide")
    # The docs keep the light pictures, and the list in dark mode.
    if os.environ.get("SCREENSHOTS") == "docs" and ("-dark" not in name or "list-" in name):
        DOCS.mkdir(parents=True, exist_ok=True)
        optimise(png, DOCS / f"{name}.png")
    return path


def optimise(png, path):
    """Write png as a 256-colour PNG, small enough to commit."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(path, optimize=True)


def log_in(page, username):
    page.goto("/contacts/")  # a link to the list: signing in leads there
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#results")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_screenshot_tour(browser, live_server, alice, bob, language, scheme):
    camille = seed(alice, bob)
    for size, viewport in SIZES.items():
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale=LOCALES[language],
            color_scheme=scheme,
            device_scale_factor=1,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        suffix = f"{language}-{size}" + ("-dark" if scheme == "dark" else "")
        try:
            log_in(page, "alice")
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
            expect(page.get_by_role("link", name="Camille Laurent")).to_be_visible()
            capture(page, f"list-{suffix}")
            # The last activity: a column of wide screens, or of the list sorted by it.
            page.goto("/contacts/?sort=-last_activity")
            activity = page.locator("th.col-activity")
            if size == "desktop":
                expect(activity).to_be_visible()
            else:
                # A secondary column, as the type and the responsible users: not on a phone.
                expect(activity).to_be_hidden()
            capture(page, f"list-activity-{suffix}")

            page.goto(camille.get_absolute_url())
            expect(page.locator("h1")).to_contain_text("Camille Laurent")
            capture(page, f"card-{suffix}")

            page.goto(f"{camille.get_absolute_url()}edit/")
            expect(page.locator("input[name=first_name]")).to_have_value("Camille")
            capture(page, f"form-{suffix}")

            page.goto("/contacts/imports/new/")
            page.set_input_files("input[name=file]", GOOGLE)
            page.locator("main form button[type=submit]").click()
            expect(page).to_have_url(re.compile(r"/settings/$"))
            page.locator("main form > .d-flex button[type=submit]").click()
            expect(page).to_have_url(re.compile(r"/mapping/$"))
            expect(page.locator(".mapping-table").first).to_be_visible()
            capture(page, f"import-mapping-{suffix}")

            if size == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], f"the mapping step scrolls sideways: {width}px"
            assert errors == []
        finally:
            context.close()
