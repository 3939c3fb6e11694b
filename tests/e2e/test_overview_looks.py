"""The overview in a browser: English and French, light and dark, desktop and phone.

Each combination is checked by axe-core (no serious or critical violation, the tables
of figures open), fits the width without scrolling sideways, and is saved as a
screenshot (tests/e2e/screenshots/overview--<language>-<scheme>-<size>.png). A bar of
each chart, clicked, opens the list of as many contacts as it counts.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts import contact_types
from contacts.models import Contact
from tests.e2e.conftest import CSP_LISTENER, CSP_PREFIX, new_page, save_screenshot
from tests.e2e.test_accessibility import axe_violations, describe
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}
HEADINGS = {"en": "Overview", "fr": "Vue d’ensemble"}
LOCALES = {"en": "en-US", "fr": "fr-FR"}


@pytest.fixture
def base(alice, bob, make_contact):
    """Contacts of every source over the last months, of two types, with tags."""
    key_account = contact_types.contact_type_create(title="Key account")
    reseller = contact_types.contact_type_create(title="Reseller")
    sources = Contact.Source.values
    now = timezone.now()
    for n in range(60):
        contact = make_contact(
            Contact.Kind.COMPANY if n % 4 == 0 else Contact.Kind.PERSON,
            first_name=f"Person{n}",
            last_name="Example",
            company_name=f"Company {n}",
            access=Contact.Access.PUBLIC_READ if n % 3 else Contact.Access.PRIVATE,
            responsible=[alice] if n % 2 else [alice, bob],
            tags=["Customer", "Trade fair 2026 in Lyon"][: n % 3] + ([f"Tag {n % 7}"]),
        )
        Contact.all_objects.filter(pk=contact.pk).update(
            source=sources[n % len(sources)] if n % 5 else Contact.Source.MANUAL,
            contact_type=(key_account, reseller, None)[n % 3],
            created_at=now - datetime.timedelta(days=(n * 37) % 180),
        )


def log_in(page, language):
    page.goto("/")
    page.locator("#id_login").fill("alice")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", name=HEADINGS[language], level=1)).to_be_visible()


def watch_csp(page):
    page.csp_violations = []
    page.add_init_script(CSP_LISTENER)
    page.on(
        "console", lambda m: m.text.startswith(CSP_PREFIX) and page.csp_violations.append(m.text)
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_overview_reads_in_each_language_mode_and_width(
    browser, live_server, base, language, scheme, size
):
    page = new_page(
        browser,
        live_server,
        locale=LOCALES[language],
        viewport=SIZES[size],
        color_scheme=scheme,
    )
    watch_csp(page)
    try:
        log_in(page, language)
        expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
        expect(page.locator("html")).to_have_attribute("lang", language)
        for chart in ("weeks", "types", "tags"):
            expect(page.locator(f'svg[data-chart="{chart}"]')).to_be_visible()
        # The tables of figures, opened, are read by axe too.
        for summary in page.locator("details.chart-figures > summary").all():
            summary.click()
        expect(page.locator('table[data-table="weeks"]')).to_be_visible()
        problems = axe_violations(page)
        assert not problems, "\n".join(describe("overview", problems))
        width = SIZES[size]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        save_screenshot(page, "overview", f"{language}-{scheme}-{size}")
        assert not page.csp_violations, page.csp_violations
        assert_page_was_healthy(page)
    finally:
        page.context.close()


def list_count(page):
    text = page.locator("nav[aria-label=Pages] > div").first.inner_text()
    return int(re.match(r"\s*([\d,]+) contacts?", text)[1].replace(",", ""))


def test_a_bar_clicked_opens_the_list_of_as_many_contacts(browser, live_server, base):
    page = new_page(browser, live_server, viewport=SIZES["desktop"])
    try:
        log_in(page, "en")
        charts = {
            "weeks": 'svg[data-chart="weeks"] a[data-source]',
            "types": 'svg[data-chart="types"] a',
            "tags": 'svg[data-chart="tags"] a',
        }
        for name, selector in charts.items():
            bar = page.locator(selector).first
            expected = int(bar.get_attribute("data-count"))
            assert expected > 0, name
            bar.locator("rect").last.click()
            expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
            assert list_count(page) == expected, (name, page.url)
            page.go_back()
        # The list, one click away.
        page.get_by_role("link", name="Open the contact list").click()
        expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
        assert_page_was_healthy(page)
    finally:
        page.context.close()
