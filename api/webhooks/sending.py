"""Sending the webhooks' messages: signed, retried, logged, and only what the owner sees.

A delivery is claimed before it is sent (its next attempt moved past a lease, in one
UPDATE for a batch), so that the task that follows an event and the worker's sweep of due
retries never both send it; a worker stopped while sending leaves it claimed until the
lease ends, and the sweep sends it then. Its body is written when it is sent, as its
subscription's owner may see the contact (the task, the import) at that moment: what he
may not see is not sent at all.
"""

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import urllib3
from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from standardwebhooks import Webhook

from accounts.preferences import speaking_to
from activities.selectors import events_visible_to
from activities.tasks.selectors import tasks_visible_to
from api.contacts import FIELDS, _out, _rows
from api.events import _out as event_out
from api.imports import summary as import_out
from api.tasks import _out as task_out
from api.webhooks.addresses import UrlRefused, resolve, split
from api.webhooks.models import TEST_EVENT, Delivery, DisabledReason, Event, Subscription
from contacts.access import contacts_visible_to
from contacts.imports.access import imports_visible_to
from contacts.links import absolute_url
from contacts.models import Contact, Notification

# The waits before each attempt after the first: about a day in all.
RETRY_DELAYS = [
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
]
MAX_CONSECUTIVE_FAILURES = 50
SWEEP_BATCH = 500
# The deliveries one call claims and sends: the task's batch, and the sweep's by as many.
SEND_BATCH = 100
USER_AGENT = "CRM-webhooks/1.0"
NOTIFICATION_VERB = "webhook_disabled"


class _SiteRequest(HttpRequest):
    """What api.contacts needs of a request to write a contact: the site's own address."""

    def build_absolute_uri(self, location: str | None = None) -> str:
        return absolute_url(location or "/")


@dataclass
class _Pools:
    """The connections of one batch, one per receiving address: reused from message to
    message."""

    open: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = field(default_factory=dict)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST body to url's checked address; return the answer's status."""
        parts, host, port = split(url)
        ip = str(resolve(host, port)[0])
        key = (parts.scheme, ip, port, host)
        if key not in self.open:
            timeout = urllib3.Timeout(
                connect=settings.WEBHOOK_TIMEOUT, read=settings.WEBHOOK_TIMEOUT
            )
            options: dict[str, Any] = {"port": port, "maxsize": 1, "retries": False}
            if parts.scheme == "https":
                # TLS is checked against the host name, though the socket goes to the address.
                self.open[key] = urllib3.HTTPSConnectionPool(
                    ip, server_hostname=host, assert_hostname=host, timeout=timeout, **options
                )
            else:
                self.open[key] = urllib3.HTTPConnectionPool(ip, timeout=timeout, **options)
        host_header = (f"[{host}]" if ":" in host else host) + (
            f":{parts.port}" if parts.port else ""
        )
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        response = self.open[key].urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header, "User-Agent": USER_AGENT},
            redirect=False,
            assert_same_host=False,
        )
        return response.status

    def close(self) -> None:
        for pool in self.open.values():
            pool.close()


def lease(count: int) -> timedelta:
    """Return how long count claimed deliveries stay out of the sweep's sight: longer than
    sending them all to receivers that never answer takes (a lookup, a connection, a read)."""
    return timedelta(seconds=60 + 3 * settings.WEBHOOK_TIMEOUT * count)


def claim(ids: Iterable[int], now: datetime) -> list[Delivery]:
    """Return the deliveries of ids due at now that this call claimed."""
    ids = list(ids)
    # A claim's mark is its lease's end, to the microsecond: another worker's is another.
    mark = now + lease(len(ids)) + timedelta(microseconds=random.randrange(1, 10**6))
    due = Delivery.objects.filter(
        pk__in=ids, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    )
    if not due.update(next_attempt_at=mark):
        return []
    claimed = Delivery.objects.filter(pk__in=ids, next_attempt_at=mark)
    deliveries = list(claimed.select_related("subscription__owner").order_by("pk"))
    # One instance per subscription: one turned off during the batch is off for the rest.
    shared: dict[int, Subscription] = {}
    for d in deliveries:
        d.subscription = shared.setdefault(d.subscription_id, d.subscription)
    return deliveries


def bodies(deliveries: Sequence[Delivery]) -> dict[int, bytes | None]:
    """Return {delivery id: its JSON body}, None for what its owner may not see now."""
    by_owner: dict[int, list[Delivery]] = defaultdict(list)
    for d in deliveries:
        by_owner[d.subscription.owner_id].append(d)
    found: dict[int, bytes | None] = {}
    for group in by_owner.values():
        seen = _seen(group[0].subscription.owner, group)
        for d in group:
            data = {} if d.event == TEST_EVENT else seen.get((_kind(d.event), d.object_id or 0))
            if data is None:
                found[d.pk] = None
                continue
            message = {
                "type": d.event,
                "timestamp": d.created_at.isoformat(),
                "data": {**data, **d.payload},
            }
            # Written as the API writes a contact or a task (api.contacts.as_json).
            found[d.pk] = json.dumps(message, cls=DjangoJSONEncoder).encode()
    return found


def _kind(event: str) -> str:
    """Return what event is about, as _seen reads it: deleted, contact, task, event (a
    timeline's) or import."""
    if event == Event.CONTACT_DELETED:
        return "deleted"
    return event.split(".", 1)[0]


def _seen(owner: User, deliveries: Sequence[Delivery]) -> dict[tuple[str, int], dict[str, Any]]:
    """Return {(kind, id): as the API gives it} of what the deliveries are about that owner
    may see now; of a deleted contact, only its id."""
    ids: dict[str, set[int]] = defaultdict(set)
    for d in deliveries:
        if d.object_id is not None:
            ids[_kind(d.event)].add(d.object_id)
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    if ids["deleted"]:
        trashed = contacts_visible_to(owner, Contact.all_objects.filter(pk__in=ids["deleted"]))
        seen |= {("deleted", pk): {"id": pk} for pk in trashed.values_list("pk", flat=True)}
    if ids["contact"]:
        rows = _rows(owner, contacts_visible_to(owner).filter(pk__in=ids["contact"]))
        for out in _out(_SiteRequest(), owner, rows, FIELDS):
            seen[("contact", out["id"])] = out
    if ids["task"]:
        tasks = tasks_visible_to(owner).filter(pk__in=ids["task"])
        for task in tasks.select_related("contact", "category", "responsible"):
            seen[("task", task.pk)] = task_out(task)
    if ids["event"]:
        events = events_visible_to(owner).filter(pk__in=ids["event"])
        for event in events.select_related("category", "author"):
            seen[("event", event.pk)] = event_out(event)
    if ids["import"]:
        # An import is its importer's and the CRM admins' to see (imports_visible_to).
        for job in imports_visible_to(owner).filter(pk__in=ids["import"]):
            seen[("import", job.pk)] = import_out(job)
    return seen


def deliveries_send(ids: Iterable[int], now: datetime | None = None) -> int:
    """Send the deliveries of ids that are due; return how many were sent."""
    now = now or timezone.now()
    deliveries = claim(ids, now)
    if not deliveries:
        return 0
    written = bodies(deliveries)
    pools = _Pools()
    sent = 0
    try:
        for delivery in deliveries:
            sent += delivery_attempt(delivery, written[delivery.pk], pools, now)
    finally:
        pools.close()
    return sent


def delivery_attempt(delivery: Delivery, body: bytes | None, pools: _Pools, now: datetime) -> bool:
    """Send one claimed delivery and log how it went; return whether it was received."""
    subscription = delivery.subscription
    if body is None:
        _log(delivery, Delivery.Status.SKIPPED, now)
        return False
    if not subscription.active:
        _log(delivery, Delivery.Status.FAILED, now, error=_("The subscription is turned off."))
        return False
    signed_at = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": Webhook(subscription.secret).sign(
            delivery.message_id, signed_at, body
        ),
    }
    code, error = None, ""
    try:
        code = pools.post(subscription.url, body, headers)
    except UrlRefused as exc:
        error = str(exc)
    except urllib3.exceptions.HTTPError as exc:
        error = str(exc)[:300] or exc.__class__.__name__
    if code is not None and 200 <= code < 300:
        _log(delivery, Delivery.Status.SENT, now, code=code)
        Subscription.objects.filter(pk=subscription.pk, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
        return True
    _failed(delivery, code, error, now)
    return False


def _failed(delivery: Delivery, code: int | None, error: str, now: datetime) -> None:
    """Log a failed attempt, schedule the next one, or give up and turn the subscription off."""
    subscription = delivery.subscription
    attempt = delivery.attempts + 1
    if code == 410:
        _log(delivery, Delivery.Status.FAILED, now, code=code, error=error)
        subscription_disable(subscription=subscription, reason=DisabledReason.GONE)
        return
    if attempt <= len(RETRY_DELAYS):
        next_at = now + RETRY_DELAYS[attempt - 1]
        _log(delivery, Delivery.Status.PENDING, now, code=code, error=error, next_at=next_at)
    else:
        _log(delivery, Delivery.Status.FAILED, now, code=code, error=error)
    failing = Subscription.objects.filter(pk=subscription.pk)
    failing.update(consecutive_failures=F("consecutive_failures") + 1)
    failures = failing.values_list("consecutive_failures", flat=True).first() or 0
    if failures >= MAX_CONSECUTIVE_FAILURES:
        subscription_disable(subscription=subscription, reason=DisabledReason.FAILURES)


def _log(
    delivery: Delivery,
    status: str,
    now: datetime,
    *,
    code: int | None = None,
    error: str = "",
    next_at: datetime | None = None,
) -> None:
    attempted = status != Delivery.Status.SKIPPED
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=delivery.attempts + attempted,
        response_code=code,
        last_error=error,
        sent_at=now if attempted else None,
        next_attempt_at=next_at or now,
    )


@transaction.atomic
def subscription_disable(*, subscription: Subscription, reason: DisabledReason) -> bool:
    """Turn a subscription off and tell its owner; return False if it was off already."""
    turned_off = Subscription.objects.filter(pk=subscription.pk, active=True).update(
        active=False, disabled_reason=reason
    )
    if not turned_off:
        return False
    subscription.active, subscription.disabled_reason = False, reason
    Notification.objects.create(
        recipient_id=subscription.owner_id, verb=NOTIFICATION_VERB, object_id=subscription.pk
    )
    transaction.on_commit(partial(send_disabled_email.enqueue, subscription_id=subscription.pk))
    return True


def deliveries_send_due(now: datetime | None = None) -> int:
    """Send every delivery due at now (retries, and any the queue lost); return how many
    were sent."""
    now = now or timezone.now()
    sent = 0
    while True:
        due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH])
        for start in range(0, len(ids), SEND_BATCH):
            sent += deliveries_send(ids[start : start + SEND_BATCH], now)
        if len(ids) < SWEEP_BATCH:
            return sent


def check_interval() -> float:
    return float(settings.WEBHOOK_CHECK_SECONDS)


@task()
def send_deliveries(*, ids: list[int]) -> None:
    """Send the deliveries of ids, those still due."""
    deliveries_send(ids)


@task()
def send_disabled_email(*, subscription_id: int) -> None:
    """E-mail a subscription's owner that it was turned off, and why."""
    subscription = Subscription.objects.select_related("owner").filter(pk=subscription_id).first()
    if subscription is None or subscription.active or not subscription.owner.email:
        return
    owner = subscription.owner
    with speaking_to(owner):
        reason = DisabledReason(subscription.disabled_reason).label
        subject = _("Webhook turned off: %(url)s") % {"url": subscription.url}
        body = _(
            "The CRM stopped sending webhooks to %(url)s.\n\n%(reason)s\n\n"
            "Turn it on again once the receiver works: %(page)s\n"
        ) % {
            "url": subscription.url,
            "reason": reason,
            "page": absolute_url(subscription.get_absolute_url()),
        }
    send_mail(subject, body, None, [owner.email])
