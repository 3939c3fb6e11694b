"""axe-core finds no serious or critical accessibility violation on the CRM's pages, in
English and in French.

One browser context per language, logged in once, visits every page; the violations of all
pages are gathered so that one run lists them all.
"""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from api.webhooks import services as webhooks
from api.webhooks.models import TEST_EVENT, Delivery
from contacts.imports import services as import_services
from contacts.models import Contact
from contacts.services import ContactData, contact_create, contact_update
from contacts.trash.services import contact_delete
from tests.e2e.test_journey import PASSWORD
from tests.support import make_web_form

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
OUTLOOK = Path(__file__).resolve().parents[1] / "data" / "outlook-contacts.csv"
BLOCKING = ("serious", "critical")
# Pages saved as screenshots even when they pass (each costs a fraction of a second).
SHOTS = {
    "overview-full",
    "list-full",
    "shortcuts-dialog",
    "create-person-errors",
    "import-mapping",
    "settings-webform-preview",
}


def axe_violations(page):
    """Return the serious and critical violations axe-core finds on the page as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, as the CSP refuses the inline script a tag would be.
        page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(name, violations):
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(
            f"{name}: [{violation['impact']}] {violation['id']}: {violation['help']}"
            f" ({len(violation['nodes'])}× e.g. {targets})"
        )
    return lines


def wait_until(page, condition, seconds=10):
    """Wait until the JavaScript condition holds on the page.

    Not page.wait_for_function: when the condition is not true at once, Playwright polls
    it through eval, which the pages' Content Security Policy rightly refuses.
    """
    deadline = time.monotonic() + seconds
    while not page.evaluate(f"() => Boolean({condition})"):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {condition}"
        page.wait_for_timeout(50)


def settle(page):
    """Wait for the page and its htmx requests (the import preview, the filter panel)."""
    page.wait_for_load_state("load")
    wait_until(page, "!document.querySelector('.htmx-request')")


class Audit:
    def __init__(self, page, shot, language):
        self.page, self.shot, self.language, self.problems = page, shot, language, []

    def check(self, name, url=None):
        if url is not None:
            response = self.page.goto(url)
            assert response.ok, f"{name}: {url} answered {response.status}"
        settle(self.page)
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        problems = describe(name, axe_violations(self.page))
        if problems or name in SHOTS:
            self.shot(name)
        self.problems += problems

    def check_with_errors(self, name, url, submit="button[type=submit][name=save]"):
        """Submit the form at url empty, past the browser's own checks, and audit the errors."""
        self.page.goto(url)
        self.page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        self.page.locator(submit).first.click()
        settle(self.page)
        expect(self.page.get_by_role("alert").first).to_be_visible()
        # The first invalid field has the focus and is linked to its error's text.
        field = self.page.locator("*:focus")
        expect(field).to_have_attribute("aria-invalid", "true")
        error = self.page.locator("#" + field.get_attribute("aria-describedby").split()[0])
        expect(error).to_have_text(re.compile(r"\w"))
        self.check(name)


def person(by, first, last, **extra):
    data = ContactData(
        kind=Contact.Kind.PERSON,
        fields={"first_name": first, "last_name": last, "job_title": "Engineer"},
        **extra,
    )
    return contact_create(by=by, data=data)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_pages_have_no_serious_accessibility_violation(
    page, shot, live_server, admin, alice, language
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    audit = Audit(page, shot, language)

    page.goto("/")
    audit.check("login")
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.locator("main form button[type=submit]").click()
    audit.check("login-errors")
    page.locator("#id_login").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    # Signing in opens the overview, empty yet; the list is one click away.
    expect(page.locator('svg[data-chart="weeks"]')).to_be_visible()
    audit.check("overview-empty")
    page.locator("#open-list").click()
    expect(page.locator("#search")).to_be_visible()
    audit.check("list-empty")

    acme = contact_create(
        by=admin,
        data=ContactData(
            kind=Contact.Kind.COMPANY,
            fields={"company_name": "Acme"},
            access=Contact.Access.PUBLIC_RW,
            responsible=[admin],
        ),
    )
    ada = person(admin, "Ada", "Lovelace", responsible=[admin], access=Contact.Access.PUBLIC_RW)
    for n in range(12):
        person(admin, f"Person{n}", "Sample", access=Contact.Access.PUBLIC_RW)
    contact_update(
        by=admin,
        contact=ada,
        data=ContactData(
            kind=Contact.Kind.PERSON,
            fields={"first_name": "Ada", "last_name": "Lovelace", "job_title": "Mathematician"},
            access=Contact.Access.PUBLIC_RW,
            responsible=[admin],
        ),
    )
    # alice makes admin responsible for a contact: admin has a notification.
    person(alice, "Grace", "Hopper", responsible=[admin, alice])
    contact_delete(by=admin, contact=person(admin, "Old", "Contact"))
    web_form = make_web_form()
    job = import_services.job_create_from_path(by=admin, path=OUTLOOK)
    # The tests' task backend runs the import at once.
    done = import_services.job_create_from_path(by=admin, path=OUTLOOK)
    import_services.job_start(job=done)

    audit.check("overview-full", "/overview/")
    audit.check("list-full", "/contacts/")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_focused()
    # Focused as it starts to fade in: half transparent, its text fails the contrast check.
    wait_until(page, "getComputedStyle(document.querySelector('#shortcuts')).opacity === '1'")
    audit.check("shortcuts-dialog")
    page.keyboard.press("Escape")
    audit.check("list-filtered", "/contacts/?q=Sample&filters=1&kind=person")
    audit.check("list-filtered-none", "/contacts/?q=nobody-has-this-name")
    audit.check("card-person", ada.get_absolute_url())
    audit.check("card-company", acme.get_absolute_url())
    audit.check("history", f"/contacts/{ada.pk}/history/")
    audit.check("create-person", "/contacts/new/person/")
    audit.check_with_errors("create-person-errors", "/contacts/new/person/")
    audit.check("create-company", "/contacts/new/company/")
    audit.check_with_errors("create-company-errors", "/contacts/new/company/")
    audit.check("edit-person", f"/contacts/{ada.pk}/edit/")
    audit.check("edit-company", f"/contacts/{acme.pk}/edit/")
    audit.check("delete", f"/contacts/{ada.pk}/delete/")
    audit.check("trash", "/contacts/trash/")
    audit.check("notifications", "/contacts/notifications/")
    audit.check("duplicates", "/contacts/duplicates/")
    audit.check("import-upload", "/contacts/imports/new/")
    audit.check("import-settings", f"/contacts/imports/{job.pk}/settings/")
    audit.check("import-mapping", f"/contacts/imports/{job.pk}/mapping/")
    audit.check("import-report", f"/contacts/imports/{done.pk}/")
    audit.check("import-list", "/contacts/imports/")
    for name in ("types", "fields", "currency", "users", "audit", "tags", "webforms"):
        audit.check(f"settings-{name}", f"/settings/{name}/")
    audit.check("settings-user", f"/settings/users/{alice.pk}/")
    audit.check("settings-invite", "/settings/users/invite/")
    audit.check("settings-deactivate", f"/settings/users/{alice.pk}/deactivate/")
    audit.check("settings-webform-preview", f"/settings/webforms/{web_form.pk}/")
    audit.check("settings-webform-edit", f"/settings/webforms/{web_form.pk}/edit/")
    hook = webhooks.subscription_save(
        owner=admin, url="https://hooks.example.com/crm", events=["contact.created"]
    )
    Delivery.objects.create(subscription=hook, event=TEST_EVENT, status="sent", response_code=200)
    audit.check("settings-webhooks", "/settings/webhooks/")
    audit.check("settings-webhook-new", "/settings/webhooks/new/")
    audit.check("settings-webhook-log", hook.get_absolute_url())
    audit.check("password-change", "/accounts/password/change/")
    audit.check("profile", "/account/profile/")
    audit.check("two-factor", "/accounts/2fa/")
    audit.check("sessions", "/accounts/sessions/")
    audit.check("settings-sign-in", "/settings/sign-in/")
    audit.check("guide", "/guide/")

    assert not audit.problems, "\n".join(audit.problems)
