"""The webhooks' journey: an admin subscribes a receiver, sends it a test and reads the
log; the pages fit a phone in English and French."""

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from accounts.services import profile_update
from api.webhooks import services
from api.webhooks.models import TEST_EVENT, Delivery, Subscription
from tests.e2e.conftest import new_page
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy, log_in
from tests.webhook_receiver import Receiver

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = Receiver()
    yield server
    server.stop()


def test_an_admin_subscribes_sends_a_test_and_reads_the_log(page, shot, admin, receiver):
    log_in(page, "admin")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_role("link", name="New webhook").click()
    page.get_by_label("Address").fill(receiver.url)
    page.get_by_label("Contact created").check()
    page.get_by_label("Contact changed").check()
    shot("form-filled")
    page.get_by_role("button", name="Save").click()

    subscription = Subscription.objects.get()
    expect(page.locator("#webhook-secret")).to_have_text(subscription.secret)
    page.get_by_role("button", name="Send a test").click()
    expect(page.get_by_role("alert")).to_contain_text("Test message sent")
    delivery = Delivery.objects.get()
    row = page.locator(f"#delivery-{delivery.pk}")
    expect(row).to_contain_text(TEST_EVENT)
    expect(row).to_contain_text("sent")
    expect(row).to_contain_text("200")
    [(_path, headers, body)] = receiver.received
    assert Webhook(subscription.secret).verify(body, headers)["type"] == TEST_EVENT
    shot("log")
    assert_page_was_healthy(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_webhook_pages_fit_a_phone(browser, live_server, admin, receiver, language):
    profile_update(user=admin, language=language)
    hook = services.subscription_save(
        owner=admin,
        url=receiver.url + "/a/rather/long/path/of/the/receiver",
        events=["contact.created"],
    )
    Delivery.objects.create(subscription=hook, event=TEST_EVENT, status="sent", response_code=200)
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=PHONE)
    page.goto("/")
    page.locator("input[name=login]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    for url in ("/settings/webhooks/", hook.get_absolute_url()):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} is {width} px wide"
    expect(page.locator("#webhook-secret")).to_be_visible()
    page.context.close()
