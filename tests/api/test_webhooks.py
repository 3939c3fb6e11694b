"""Webhooks sent to a receiver on 127.0.0.1: signed, retried, turned off, only what the
owner may see; and their settings pages."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from accounts.tokens import token_create
from activities.models import EventCategory, TaskCategory
from activities.services import event_create, event_update, notes_import
from activities.tasks.services import task_create, task_set_done
from api.webhooks import services
from api.webhooks.addresses import UrlRefused, url_check
from api.webhooks.models import TEST_EVENT, Delivery, DisabledReason, Event, Subscription
from api.webhooks.receivers import describe_disabled
from api.webhooks.sending import RETRY_DELAYS, claim, deliveries_send_due, lease
from contacts.merging.merge import contacts_merge
from contacts.models import Contact, Notification
from contacts.trash.services import contacts_restore, contacts_trash
from tests.webhook_receiver import Receiver

ALL_EVENTS = list(Event.values)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def subscription(admin, receiver):
    return services.subscription_save(owner=admin, url=receiver.url, events=ALL_EVENTS)


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    """Run the deliveries' tasks as the transaction would commit."""

    def send():
        return django_capture_on_commit_callbacks(execute=True)

    return send


@pytest.mark.django_db
def test_a_new_contact_is_sent_signed_with_what_the_api_gives(
    receiver, subscription, make_contact, sending
):
    with sending():
        contact = make_contact(first_name="Claire", last_name="Petit")
    [message] = receiver.messages(subscription.secret)
    assert message["type"] == "contact.created"
    assert message["data"]["id"] == contact.pk
    assert message["data"]["display_name"] == "Claire Petit"
    assert message["data"]["responsible"][0]["username"] == "alice"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("sent", 200, 1)
    assert receiver.received[0][1]["webhook-id"] == delivery.message_id
    assert delivery.message_id.startswith("msg_")
    assert subscription.secret.startswith("whsec_")


@pytest.mark.django_db
def test_a_tampered_body_fails_the_verification(receiver, subscription, make_contact, sending):
    from standardwebhooks.webhooks import WebhookVerificationError  # noqa: PLC0415 (one test)

    with sending():
        make_contact()
    _path, headers, body = receiver.received[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.secret).verify(body.replace(b"Jean", b"Jane"), headers)


@pytest.mark.django_db
def test_a_500_is_retried_later_with_the_same_id_then_sent(
    receiver, subscription, make_contact, sending
):
    receiver.answer(500)
    with sending():
        make_contact()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("pending", 500, 1)
    wait = delivery.next_attempt_at - delivery.sent_at
    assert wait == RETRY_DELAYS[0]
    assert deliveries_send_due() == 0  # not due yet
    assert deliveries_send_due(timezone.now() + wait + timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("sent", 200, 2)
    ids = [headers["webhook-id"] for _path, headers, _body in receiver.received]
    assert ids == [delivery.message_id] * 2
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0


@pytest.mark.django_db
def test_retries_stop_after_about_a_day(receiver, subscription, make_contact, sending):
    receiver.answer(*[500] * 20)
    with sending():
        make_contact()
    now = timezone.now()
    for delay in RETRY_DELAYS:
        now += delay + timedelta(seconds=1)
        deliveries_send_due(now)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", len(RETRY_DELAYS) + 1)
    assert timedelta(hours=20) < sum(RETRY_DELAYS, timedelta()) < timedelta(hours=30)
    assert deliveries_send_due(now + timedelta(days=2)) == 0
    assert len(receiver.received) == len(RETRY_DELAYS) + 1


@pytest.mark.django_db
def test_a_410_turns_the_subscription_off_and_tells_its_owner(
    receiver, subscription, make_contact, sending, admin
):
    receiver.answer(410)
    with sending():
        make_contact()
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.disabled_reason == DisabledReason.GONE
    assert Delivery.objects.get().status == "failed"
    notification = Notification.objects.get(recipient=admin, verb="webhook_disabled")
    describe_disabled([notification], admin)
    assert "410 Gone" in notification.line
    assert receiver.url in notification.line
    [email] = mail.outbox
    assert email.to == [admin.email] and receiver.url in email.subject
    assert "410 Gone" in email.body
    with sending():
        make_contact(first_name="Later")
    assert len(receiver.received) == 1
    assert Delivery.objects.count() == 1  # nothing more for a subscription turned off


@pytest.mark.django_db
def test_50_failures_in_a_row_turn_the_subscription_off(
    receiver, subscription, make_contact, sending
):
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=48)
    receiver.answer(500, 503)
    with sending():
        make_contact()
        make_contact(first_name="Second")
    subscription.refresh_from_db()
    assert (subscription.active, subscription.disabled_reason) == (False, "failures")
    assert subscription.consecutive_failures == 50


@pytest.mark.django_db
def test_a_success_starts_the_count_of_failures_again(
    receiver, subscription, make_contact, sending
):
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=49)
    with sending():
        make_contact()
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (True, 0)


@pytest.mark.django_db
def test_nothing_is_sent_of_a_contact_the_owner_cannot_see(receiver, bob, make_contact, sending):
    hook = services.subscription_save(owner=bob, url=receiver.url, events=ALL_EVENTS)
    with sending():
        private = make_contact(first_name="Secret", access=Contact.Access.PRIVATE)
        public = make_contact(first_name="Open", access=Contact.Access.PUBLIC_READ)
        contacts_trash(by=private.responsible.first(), ids=[private.pk])
    messages = receiver.messages(hook.secret)
    assert [(m["type"], m["data"]["id"]) for m in messages] == [("contact.created", public.pk)]
    assert b"Secret" not in b"".join(body for _p, _h, body in receiver.received)
    skipped = Delivery.objects.filter(object_id=private.pk)
    assert sorted(skipped.values_list("status", flat=True)) == ["skipped", "skipped"]


@pytest.mark.django_db
def test_a_bulk_write_makes_one_delivery_per_contact_in_two_queries(
    receiver, subscription, make_contact, alice, sending
):
    contacts = [make_contact(first_name=f"P{n}") for n in range(3)]
    ids = [c.pk for c in contacts]
    with CaptureQueriesContext(connection) as queries:
        contacts_trash(by=alice, ids=ids)
    webhook_queries = [
        q for q in queries if "api_subscription" in q["sql"] or "api_delivery" in q["sql"]
    ]
    assert len(webhook_queries) == 2  # the subscriptions read, the deliveries written
    with sending():
        contacts_restore(by=alice, ids=ids)
    deleted = Delivery.objects.filter(event=Event.CONTACT_DELETED)
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(ids)
    restored = [m for m in receiver.messages(subscription.secret)]
    assert sorted(m["data"]["id"] for m in restored) == sorted(ids)
    assert {m["type"] for m in restored} == {"contact.restored"}


@pytest.mark.django_db
def test_a_deleted_contact_is_sent_as_its_id_only(receiver, subscription, contact, alice, sending):
    with sending():
        contacts_trash(by=alice, ids=[contact.pk])
    [message] = receiver.messages(subscription.secret)
    assert message["type"] == "contact.deleted"
    assert message["data"] == {"id": contact.pk}


@pytest.mark.django_db
def test_events_not_chosen_are_not_sent(receiver, admin, contact, alice, sending):
    services.subscription_save(owner=admin, url=receiver.url, events=["contact.deleted"])
    with sending():
        contacts_trash(by=alice, ids=[contact.pk])
        contacts_restore(by=alice, ids=[contact.pk])
    assert [d.event for d in Delivery.objects.all()] == ["contact.deleted"]


@pytest.mark.django_db
def test_private_addresses_and_plain_http_are_refused_without_the_setting(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    for url in (
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "https://localhost/hook",
        "http://example.com/hook",
        "ftp://example.com/hook",
    ):
        with pytest.raises(UrlRefused):
            url_check(url)
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert [str(ip) for ip in url_check("http://127.0.0.1:9/hook")] == ["127.0.0.1"]


@pytest.mark.django_db
def test_an_address_turned_private_since_is_not_sent_to(
    receiver, subscription, make_contact, sending, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with sending():
        make_contact()
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and "https" in delivery.last_error


@pytest.mark.django_db
def test_the_admin_page_refuses_a_private_address(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = admin_client.post(
        reverse("webhooks:create"),
        {"url": "https://127.0.0.1/hook", "events": ["contact.created"], "active": "on"},
    )
    assert response.status_code == 200
    assert "private network" in response.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_an_admin_subscribes_and_sees_the_secret(admin_client, admin, receiver):
    response = admin_client.post(
        reverse("webhooks:create"),
        {"url": receiver.url, "events": ["contact.created", "contact.updated"], "active": "on"},
    )
    subscription = Subscription.objects.get()
    assert response["Location"] == subscription.get_absolute_url()
    assert subscription.owner == admin
    assert subscription.events == ["contact.created", "contact.updated"]
    page = admin_client.get(response["Location"]).content.decode()
    assert subscription.secret in page
    listed = admin_client.get(reverse("webhooks:list")).content.decode()
    assert receiver.url in listed and "Contact changed" in listed


@pytest.mark.django_db
def test_send_test_and_redeliver_send_now_with_the_same_id(
    admin_client, receiver, subscription, sending
):
    with sending():
        admin_client.post(reverse("webhooks:test", args=[subscription.pk]))
    delivery = Delivery.objects.get()
    assert (delivery.event, delivery.status) == (TEST_EVENT, "sent")
    with sending():
        admin_client.post(reverse("webhooks:redeliver", args=[subscription.pk, delivery.pk]))
    messages = receiver.messages(subscription.secret)
    assert [m["type"] for m in messages] == [TEST_EVENT] * 2
    assert [h["webhook-id"] for _p, h, _b in receiver.received] == [delivery.message_id] * 2
    page = admin_client.get(reverse("webhooks:deliveries", args=[subscription.pk]))
    assert "webhook.test" in page.content.decode()


@pytest.mark.django_db
def test_turning_a_subscription_on_again_starts_it_afresh(admin_client, subscription):
    Subscription.objects.filter(pk=subscription.pk).update(
        active=False, disabled_reason="gone", consecutive_failures=50
    )
    admin_client.post(
        reverse("webhooks:edit", args=[subscription.pk]),
        {"url": subscription.url, "events": ["contact.created"], "active": "on"},
    )
    subscription.refresh_from_db()
    assert (subscription.active, subscription.disabled_reason) == (True, "")
    assert subscription.consecutive_failures == 0


@pytest.mark.django_db
def test_an_admin_deletes_a_subscription(admin_client, subscription):
    response = admin_client.post(reverse("webhooks:delete", args=[subscription.pk]))
    assert response["Location"] == reverse("webhooks:list")
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_a_merge_is_sent_with_the_merged_contacts_id(
    receiver, admin, make_contact, sending, settings
):
    keep, other = make_contact(first_name="Anne"), make_contact(first_name="Ann")
    hook = services.subscription_save(
        owner=admin, url=receiver.url, events=["contact.merged", "contact.deleted"]
    )
    with sending():
        contacts_merge(by=admin, keep=keep, other=other)
    messages = {m["type"]: m["data"] for m in receiver.messages(hook.secret)}
    assert messages["contact.merged"]["id"] == keep.pk
    assert messages["contact.merged"]["merged_id"] == other.pk
    assert messages["contact.deleted"] == {"id": other.pk}


@pytest.mark.django_db
def test_the_pages_speak_french(admin_client, subscription):
    listed = admin_client.get(reverse("webhooks:list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Nouveau webhook" in listed.content.decode()
    log = admin_client.get(subscription.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Derniers envois" in log.content.decode()
    assert "Contact créé" in log.content.decode()


@pytest.mark.django_db
def test_the_bell_tells_the_owner_his_webhook_was_turned_off(
    admin_client, receiver, subscription, make_contact, sending
):
    receiver.answer(410)
    with sending():
        make_contact()
    page = admin_client.get(reverse("contacts:notifications")).content.decode()
    assert f'<a href="{subscription.get_absolute_url()}">{receiver.url}</a>' in page
    assert "410 Gone" in page


@pytest.mark.django_db
def test_a_claimed_delivery_is_sent_once_then_again_if_its_worker_stopped(
    receiver, subscription, make_contact
):
    make_contact()  # no commit: the delivery waits, unsent
    delivery = Delivery.objects.get()
    now = timezone.now()
    assert [d.pk for d in claim([delivery.pk], now)] == [delivery.pk]
    assert claim([delivery.pk], now) == []  # another worker's turn finds it taken
    assert deliveries_send_due(now + timedelta(seconds=30)) == 0
    # The claiming worker stopped before sending: at the lease's end the sweep sends it.
    assert deliveries_send_due(now + lease(1) + timedelta(seconds=2)) == 1
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_a_task_is_sent_as_the_api_gives_it_and_only_if_the_owner_sees_it(
    receiver, bob, alice, contact, sending
):
    hook = services.subscription_save(
        owner=bob, url=receiver.url, events=["task.created", "task.updated"]
    )
    category = TaskCategory.objects.first()
    due = timezone.localdate()
    with sending():
        own = task_create(by=bob, title="Call back", due_date=due, category=category)
        hidden = task_create(
            by=alice, title="Secret call", due_date=due, category=category, contact=contact
        )
        task_set_done(by=bob, task=own)
    messages = receiver.messages(hook.secret)
    assert [(m["type"], m["data"]["id"]) for m in messages] == [
        ("task.created", own.pk),
        ("task.updated", own.pk),
    ]
    assert messages[0]["data"]["title"] == "Call back"
    assert messages[1]["data"]["done"] is True
    assert Delivery.objects.get(object_id=hidden.pk, event="task.created").status == "skipped"


@pytest.mark.django_db
def test_a_timeline_event_is_sent_as_the_api_gives_it_and_only_if_the_owner_sees_it(
    receiver, bob, alice, contact, make_contact, sending
):
    hook = services.subscription_save(
        owner=bob, url=receiver.url, events=["event.created", "event.updated"]
    )
    shared = make_contact(first_name="Shared", access=Contact.Access.PUBLIC_READ)
    note = EventCategory.objects.get(code="note")
    with sending():
        seen = event_create(by=alice, contact=shared, category=note, text="Called them")
        hidden = event_create(by=alice, contact=contact, category=note, text="Secret call")
        event_update(
            by=alice, event=seen, category=note, text="Called back", happened_at=seen.happened_at
        )
    messages = receiver.messages(hook.secret)
    assert [(m["type"], m["data"]["id"]) for m in messages] == [
        ("event.created", seen.pk),
        ("event.updated", seen.pk),
    ]
    # As the API gives it, read when sent: the text changed since it was written.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=bob, name='b', scope='read')[1]}")
    [listed] = api.get(f"/api/v1/contacts/{shared.pk}/events").json()["results"]
    assert messages[0]["data"] == listed
    assert messages[0]["data"]["text"] == "Called back"
    assert messages[0]["data"]["contact"] == shared.pk
    assert Delivery.objects.get(object_id=hidden.pk, event="event.created").status == "skipped"
    assert "Secret" not in b"".join(body for _p, _h, body in receiver.received).decode()


@pytest.mark.django_db
def test_timeline_events_written_through_the_api_a_task_or_an_import_are_sent(
    receiver, admin, alice, contact, sending
):
    hook = services.subscription_save(owner=admin, url=receiver.url, events=["event.created"])
    writer = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(user=alice, name='w', scope='write')[1]}"
    )
    category = TaskCategory.objects.get(code="call")
    with sending():
        posted = writer.post(
            f"/api/v1/contacts/{contact.pk}/events",
            json.dumps({"text": "From the API"}),
            content_type="application/json",
        )
        task = task_create(
            by=alice,
            title="Call",
            due_date=timezone.localdate(),
            category=category,
            contact=contact,
        )
        task_set_done(by=alice, task=task, log=True)
        [imported] = notes_import(by=alice, notes=[(contact.pk, "From the import")])
    assert posted.status_code == 201
    messages = receiver.messages(hook.secret)
    texts = [m["data"]["text"] for m in messages]
    assert texts[0] == "From the API"
    assert texts[1].startswith("Call done: Call")
    assert texts[2] == "From the import"
    assert messages[2]["data"]["id"] == imported.pk
    assert {m["type"] for m in messages} == {"event.created"}


@pytest.mark.django_db
def test_the_subscription_form_offers_the_timeline_events(admin_client, receiver):
    page = admin_client.get(reverse("webhooks:create")).content.decode()
    assert 'value="event.created"' in page and "Timeline event written" in page
    admin_client.post(
        reverse("webhooks:create"),
        {"url": receiver.url, "events": ["event.created", "event.updated"], "active": "on"},
    )
    assert Subscription.objects.get().events == ["event.created", "event.updated"]
    french = admin_client.get(reverse("webhooks:create"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Événement du fil d’activité modifié" in french.content.decode()
