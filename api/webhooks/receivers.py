"""The contacts' history (contacts.history.recorded), the tasks' changes and the imports
that ended, turned into deliveries."""

from collections.abc import Mapping, Sequence

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from api.webhooks.models import DisabledReason, Event, Subscription
from api.webhooks.services import deliveries_create
from contacts.models import ContactEvent, Notification

Verb = ContactEvent.Verb
EVENTS = {
    Verb.CREATED: Event.CONTACT_CREATED,
    Verb.CHANGED: Event.CONTACT_UPDATED,
    # Its responsible users changed: what the API gives of it.
    Verb.HANDED_OVER: Event.CONTACT_UPDATED,
    Verb.DELETED: Event.CONTACT_DELETED,
    Verb.RESTORED: Event.CONTACT_RESTORED,
    Verb.MERGED: Event.CONTACT_MERGED,
}


def contacts_recorded(
    sender: object,
    *,
    ids: Sequence[int],
    verb: str,
    details: Mapping[str, object],
    **kwargs: object,
) -> None:
    """Make the deliveries of the contacts' event (contacts.history.recorded)."""
    event = EVENTS.get(verb)  # type: ignore[call-overload]
    if event is None:
        return
    payload = {"merged_id": details.get("other_id")} if event == Event.CONTACT_MERGED else None
    deliveries_create(event=event, ids=ids, payload=payload)


def task_saved(sender: object, *, task_id: int, created: bool, **kwargs: object) -> None:
    """Make the deliveries of a task made or changed (activities.tasks.signals.task_saved)."""
    event = Event.TASK_CREATED if created else Event.TASK_UPDATED
    deliveries_create(event=event, ids=[task_id])


def event_saved(
    sender: object, *, event_ids: Sequence[int], created: bool, **kwargs: object
) -> None:
    """Make the deliveries of timeline events written or changed (activities.signals)."""
    event = Event.TIMELINE_EVENT_CREATED if created else Event.TIMELINE_EVENT_UPDATED
    deliveries_create(event=event, ids=event_ids)


def import_finished(sender: object, *, job_id: int, **kwargs: object) -> None:
    """Make the deliveries of an import that ended (contacts.signals.import_finished)."""
    deliveries_create(event=Event.IMPORT_FINISHED, ids=[job_id])


def describe_disabled(notifications: Sequence[Notification], reader: User) -> None:
    """Write the line of each subscription turned off (contacts.notifications.register_verb)."""
    subscriptions = Subscription.objects.in_bulk([n.object_id for n in notifications])
    for n in notifications:
        subscription = subscriptions.get(n.object_id or 0)
        if subscription is None:
            n.hidden = True  # type: ignore[attr-defined]
            continue
        reason = (
            DisabledReason(subscription.disabled_reason).label
            if subscription.disabled_reason
            else ""
        )
        n.line = format_html(  # type: ignore[attr-defined]
            _('Webhooks to <a href="{url}">{address}</a> were turned off. {reason}'),
            url=reverse("webhooks:deliveries", args=[subscription.pk]),
            address=subscription.url,
            reason=reason,
        )
