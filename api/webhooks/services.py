"""Webhooks' writes: subscriptions, and the deliveries an event or an admin makes."""

from collections.abc import Iterable, Sequence
from functools import partial

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from api.webhooks.models import TEST_EVENT, Delivery, Subscription
from api.webhooks.sending import SEND_BATCH, send_deliveries


def subscription_save(
    *,
    owner: User,
    url: str,
    events: Sequence[str],
    active: bool = True,
    subscription: Subscription | None = None,
) -> Subscription:
    """Create a subscription of owner's, or change one; turned on again, it starts afresh."""
    if subscription is None:
        subscription = Subscription(owner=owner)
    if active and not subscription.active:
        subscription.consecutive_failures = 0
        subscription.disabled_reason = ""
    subscription.url, subscription.events, subscription.active = url, list(events), active
    subscription.save()
    return subscription


def subscription_delete(*, subscription: Subscription) -> None:
    subscription.delete()


def deliveries_create(
    *, event: str, ids: Iterable[int], payload: dict[str, object] | None = None
) -> list[int]:
    """Make a delivery of event, for each contact of ids, to every active subscription
    that wants it; they are sent once the transaction commits."""
    wanted = [s.pk for s in Subscription.objects.filter(active=True) if event in s.events]
    if not wanted:
        return []
    ids = list(ids)
    deliveries = Delivery.objects.bulk_create(
        (
            Delivery(subscription_id=sub, event=event, object_id=pk, payload=payload or {})
            for sub in wanted
            for pk in ids
        ),
        batch_size=500,
    )
    delivery_ids = [d.pk for d in deliveries]
    deliveries_enqueue(delivery_ids)
    return delivery_ids


def deliveries_enqueue(ids: Sequence[int]) -> None:
    """Have the task worker send the deliveries of ids once the transaction commits."""
    for start in range(0, len(ids), SEND_BATCH):
        chunk = list(ids[start : start + SEND_BATCH])
        transaction.on_commit(partial(send_deliveries.enqueue, ids=chunk))


def webhook_test(*, subscription: Subscription) -> Delivery:
    """Send a test message to the subscription now."""
    delivery = Delivery.objects.create(subscription=subscription, event=TEST_EVENT)
    deliveries_enqueue([delivery.pk])
    return delivery


def delivery_redeliver(*, delivery: Delivery) -> None:
    """Send a delivery again, with its message id, on a schedule of retries of its own."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    deliveries_enqueue([delivery.pk])
