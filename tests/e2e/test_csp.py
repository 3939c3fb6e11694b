"""The Content-Security-Policy holds in a real browser, and htmx still works under it.

Every browser test fails on a CSP violation (the `page` fixture, tests/e2e/conftest.py):
test_accessibility.py's tour of every page, in English and French, is the "every page"
check. Here: the headers as the browser gets them, and the htmx interactions (type-ahead,
filter panel, row menu, import progress polling) done under the policy.
"""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.imports import services as import_services
from contacts.imports.models import ImportJob
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy, log_in

OUTLOOK = Path(__file__).resolve().parents[1] / "data" / "outlook-contacts.csv"


def test_htmx_interactions_work_under_the_policy(page, alice, make_contact):
    for n in range(3):
        make_contact(first_name=f"Visitor{n}", last_name="Salon", tags=["Fair"])
    make_contact(first_name="Grace", last_name="Hopper", kind="person")
    make_contact("company", company_name="Acme")
    log_in(page)

    response = page.goto("/contacts/")
    headers = response.all_headers()
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    # htmx was told not to add its inline style; crm.css hides the indicators instead.
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.locator("head style").count() == 0

    # Type-ahead: the results follow the search box.
    page.get_by_label("Search contacts").fill("Hopper")
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    expect(page.get_by_role("link", name="Visitor0 Salon")).to_have_count(0)
    page.get_by_label("Search contacts").fill("")
    expect(page.get_by_role("link", name="Visitor0 Salon")).to_be_visible()

    # The filter panel loads its choices, then filters.
    page.get_by_role("button", name="Filters").click()
    page.get_by_label("Tags", exact=True).fill("Fair")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("3 contacts")).to_be_visible()
    expect(page.get_by_role("link", name="Acme")).to_have_count(0)

    # A row's menu opens (Bootstrap's dropdown) and leads to the edit form.
    page.get_by_role("button", name="Actions for Visitor1 Salon").click()
    menu = page.locator(".dropdown-menu.show")
    expect(menu).to_be_visible()
    menu.get_by_role("link", name=re.compile("Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Visitor1 Salon")
    assert_page_was_healthy(page)


def test_the_import_progress_is_polled_under_the_policy(page, alice):
    job = import_services.job_create_from_path(by=alice, path=OUTLOOK)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        total_rows=200,
        rows_done=50,
        run_started_at=now,
        heartbeat_at=now,
    )
    log_in(page)

    page.goto(f"/contacts/imports/{job.pk}/")
    bar = page.locator("#progress .progress-bar")
    expect(bar).to_have_text("25 %")
    expect(bar).to_have_class(re.compile(r"\bprogress-step-5\b"))
    width = bar.evaluate("e => e.getBoundingClientRect().width")
    track = page.locator("#progress .progress").evaluate("e => e.getBoundingClientRect().width")
    assert abs(width / track - 0.25) < 0.02  # the class sets the width, not a style attribute

    # The worker moves on: the next poll shows it.
    ImportJob.objects.filter(pk=job.pk).update(rows_done=150, heartbeat_at=timezone.now())
    expect(bar).to_have_text("75 %")
    expect(bar).to_have_class(re.compile(r"\bprogress-step-15\b"))
    assert_page_was_healthy(page)


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "Too many failed attempts to log in. Try again in 15 minutes."),
        ("fr", "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes."),
    ],
    ids=["en", "fr"],
)
def test_the_lockout_message_shows_on_the_login_page(
    page, settings, shot, live_server, alice, language, message
):
    settings.AXES_FAILURE_LIMIT = 2
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto("/")
    page.locator("#id_login").fill("alice")
    for _ in range(2):
        page.locator("#id_password").fill("wrong")
        page.locator("main form button[type=submit]").click()

    expect(page.locator("#lockout")).to_have_text(message)
    expect(page.locator("#id_login")).to_have_value("alice")
    expect(page.locator("html")).to_have_attribute("lang", language)
    shot(f"lockout-{language}")
    # The right password does not get through either.
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#lockout")).to_have_text(message)
    assert_page_was_healthy(page)
