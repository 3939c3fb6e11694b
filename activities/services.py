"""Writing on a contact's timeline: add, change and delete events, each recorded.

Who may: whoever may change the contact adds; the author changes and deletes his own
events while he may still see the contact; CRM admins delete any. The contact's history
records each write, in the transaction of the write.

The users an event's text mentions ("@marie") are notified when it is written, and those
newly mentioned when it is changed: in the app at once, by e-mail once the transaction
commits. A user who may not see the contact is not: the event's not_notified lists them,
for the page to tell its author.
"""

from collections.abc import Collection, Sequence
from datetime import datetime
from functools import partial

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from activities import mentions
from activities.models import Event, EventAttachment, EventCategory
from activities.signals import event_saved
from contacts import history
from contacts import services as contact_services
from contacts.access import Perm, can_change, contacts_visible_to, is_crm_admin
from contacts.models import Contact, Notification
from contacts.storage import delete_files_on_commit

# Events an import's INSERT writes at once.
NOTES_BATCH = 500
# How much of an event's text its history entry keeps.
SUMMARY_LENGTH = 120


def summary(category: EventCategory, text: str) -> str:
    """Return how the history names an event: its category as the writer reads it, and the
    start of its text."""
    line = " ".join(text.split())
    if len(line) > SUMMARY_LENGTH:
        line = line[: SUMMARY_LENGTH - 1] + "…"
    return f"{category.shown_name}: {line}"


def may_see(user: User, contact: Contact) -> bool:
    return contacts_visible_to(user, Contact.objects.filter(pk=contact.pk), Perm.VIEW).exists()


def may_edit(user: User, event: Event) -> bool:
    """Return whether user may change the event: his own (the services check the contact)."""
    return event.author_id == user.pk and user.is_active


def may_delete(user: User, event: Event) -> bool:
    return may_edit(user, event) or is_crm_admin(user)


@transaction.atomic
def event_create(
    *,
    by: User,
    contact: Contact,
    category: EventCategory,
    text: str,
    happened_at: datetime | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Event:
    """Write an event on the contact's timeline, as by, who must be able to change it."""
    if not can_change(by, contact):
        raise PermissionDenied
    event = Event.objects.create(
        contact=contact,
        category=category,
        text=text,
        happened_at=happened_at or timezone.now(),
        author=by,
    )
    _attach(event, attachments)
    _record(event, by, "", summary(category, text))
    event_saved.send(Event, event_ids=[event.pk], created=True)
    _notify_mentioned(event, by, before="")
    last_activity_refresh([contact.pk])
    return event


@transaction.atomic
def event_update(
    *,
    by: User,
    event: Event,
    category: EventCategory,
    text: str,
    happened_at: datetime,
    attachments: Sequence[UploadedFile] = (),
) -> Event:
    """Change the author's own event; attachments are added to those it has."""
    if not (may_edit(by, event) and may_see(by, event.contact)):
        raise PermissionDenied
    before, text_before = summary(event.category, event.text), event.text
    event.category, event.text, event.happened_at = category, text, happened_at
    event.save(update_fields=["category", "text", "happened_at", "updated_at"])
    _attach(event, attachments)
    after = summary(category, text)
    if before != after:
        _record(event, by, before, after)
    event_saved.send(Event, event_ids=[event.pk], created=False)
    _notify_mentioned(event, by, before=text_before)
    last_activity_refresh([event.contact_id])
    return event


@transaction.atomic
def event_delete(*, by: User, event: Event) -> None:
    """Delete the event: its author's, or any for a CRM admin."""
    if not (may_delete(by, event) and may_see(by, event.contact)):
        raise PermissionDenied
    _record(event, by, summary(event.category, event.text), "")
    files = list(EventAttachment.objects.filter(event=event).values_list("file", flat=True))
    contact_id = event.contact_id
    event.delete()
    last_activity_refresh([contact_id])
    delete_files_on_commit(files)


def _notify_mentioned(event: Event, by: User, *, before: str) -> None:
    """Notify the users the event's text mentions and before did not, but by himself; set
    event.not_notified to those who may not see its contact."""
    already = {u.pk for u in mentions.mentioned_users(before)} if before else set()
    users = [
        u for u in mentions.mentioned_users(event.text) if u.pk not in already and u.pk != by.pk
    ]
    seeing = [u for u in users if may_see(u, event.contact)]
    event.not_notified = [u for u in users if u not in seeing]
    Notification.objects.bulk_create(
        Notification(
            recipient=u, actor=by, contact=event.contact, verb=mentions.VERB, object_id=event.pk
        )
        for u in seeing
    )
    for user in seeing:
        if user.email:
            transaction.on_commit(
                partial(
                    mentions.send_mention_email.enqueue,
                    user_id=user.pk,
                    event_id=event.pk,
                    actor_id=by.pk,
                )
            )


def notes_import(
    *,
    by: User,
    notes: Sequence[tuple[int, str]],
    at: datetime | None = None,
    fresh: Collection[int] = (),
) -> list[Event]:
    """Write the notes of an import's batch, (contact id, text), as notes by the importer,
    happening at (now by default); fresh: contacts whose last activity is at already.

    In bulk, in the batch's transaction: the importer may change these contacts, the
    import having created or completed them for him. A note the contact's timeline already
    holds, word for word, is not written again: importing a file twice adds nothing.
    """
    category = _note_category()
    if category is None or not notes:
        # No note written: a fresh contact's last activity is none.
        last_activity_refresh(sorted(fresh))
        return []
    ids = {pk for pk, _text in notes}
    texts = {text for _pk, text in notes}
    held = set(
        Event.objects.filter(contact_id__in=ids, text__in=texts).values_list("contact_id", "text")
    )
    now = at or timezone.now()
    events = [
        Event(contact_id=pk, category=category, text=text, happened_at=now, author=by)
        for pk, text in dict.fromkeys(notes)
        if (pk, text) not in held
    ]
    Event.objects.bulk_create(events, batch_size=NOTES_BATCH)
    if events:
        event_saved.send(Event, event_ids=[event.pk for event in events], created=True)
    # The contacts given a note but not fresh, and the fresh ones given none.
    last_activity_refresh(sorted({event.contact_id for event in events} ^ set(fresh)))
    return events


def _note_category() -> EventCategory | None:
    # The "note" category unless an admin deleted it: then the first one.
    categories = EventCategory.objects.order_by("position", "id")
    return categories.filter(code="note").first() or categories.first()


def newest_event_time() -> Subquery:
    """Return the time of the newest event of the contact OuterRef("pk") names, or NULL."""
    events = Event.objects.filter(contact=OuterRef("pk")).order_by("-happened_at", "-id")
    return Subquery(events.values("happened_at")[:1])


def last_activity_refresh(contact_ids: Collection[int]) -> None:
    """Set the contacts' last activity from their events, as the list shows it."""
    contact_services.last_activity_refresh(contact_ids=contact_ids, latest=newest_event_time())


def _attach(event: Event, uploads: Sequence[UploadedFile]) -> None:
    for upload in uploads:
        EventAttachment.objects.create(
            event=event,
            file=upload,
            name=(upload.name or "file")[-255:],
            size=upload.size or 0,
            content_type=(upload.content_type or "")[:100],
        )


def _record(event: Event, by: User, old: str, new: str) -> None:
    # details names the event: the timeline's "all" view leaves these entries out, the
    # event itself being there.
    history.record(
        event.contact,
        by,
        history.Verb.CHANGED,
        changes=[history.change("timeline", old, new)],
        details={"event": event.pk},
    )
