"""Telling users what concerns them: the bell's notifications and the e-mails that go
with them, each written in the recipient's language when it is sent.

Other apps notify through the same bell without contacts knowing them: an app stores a
Notification with a verb of its own (and, in object_id, the id of what it is about), and
registers that verb with register_verb, in its AppConfig.ready, with a function that
writes the bell's line of such notifications:

    def describe(notifications, reader):
        for n in notifications:
            n.line = format_html(...)  # or n.hidden = True

describe is called once per page of the bell with every notification of its verb on that
page, so it reads what it needs in one query whatever their number (the page stays a
constant number of queries). Each notification comes with its actor and contact loaded
and contact_visible set: whether reader may see its contact now. describe sets on each a
safe HTML line, written in the reader's language (the page is), naming only what reader
may see at that moment, or hidden = True to leave it off the page.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from accounts.preferences import EmailKind, speaking_to, wants_email
from contacts.access import contacts_visible_to
from contacts.links import absolute_url
from contacts.models import Contact, Notification

# describe(notifications, reader): see the module's docstring.
Describe = Callable[[Sequence[Notification], User], None]
_DESCRIBERS: dict[str, Describe] = {}


def register_verb(verb: str, describe: Describe) -> None:
    """Have describe write the bell's line of the notifications of verb (an app's own)."""
    if verb in _DESCRIBERS and _DESCRIBERS[verb] is not describe:
        raise ValueError(f"the notification verb {verb!r} is registered already")
    _DESCRIBERS[verb] = describe


def notifications_describe(notifications: Sequence[Notification], reader: User) -> None:
    """Mark on each notification whether reader may see its contact now, and have each
    registered verb's describe write its own notifications' lines."""
    visible = set(
        contacts_visible_to(reader)
        .filter(pk__in={n.contact_id for n in notifications if n.contact_id})
        .values_list("pk", flat=True)
    )
    by_verb: dict[str, list[Notification]] = defaultdict(list)
    for n in notifications:
        n.contact_visible = n.contact_id in visible  # type: ignore[attr-defined]
        n.line, n.hidden = "", False  # type: ignore[attr-defined]
        if n.verb in _DESCRIBERS:
            by_verb[n.verb].append(n)
    for verb, group in by_verb.items():
        _DESCRIBERS[verb](group, reader)


def notify_assigned(*, contact: Contact, users: Sequence[User], actor: User | None) -> None:
    """Tell each user, in the app and by email, that he is now responsible for contact."""
    Notification.objects.bulk_create(
        Notification(recipient=u, actor=actor, contact=contact, verb="assigned") for u in users
    )
    for user in users:
        if user.email:
            transaction.on_commit(
                partial(
                    send_assignment_email.enqueue,
                    user_id=user.pk,
                    contact_id=contact.pk,
                    actor_id=actor.pk if actor else None,
                )
            )


# The bell's count, on every page: a constant statement on the (recipient, read_at) index.
UNREAD = "SELECT COUNT(*) FROM contacts_notification WHERE recipient_id = %s AND read_at IS NULL"


def unread_count(user: User) -> int:
    """Return how many of user's notifications are unread."""
    with connection.cursor() as cursor:
        cursor.execute(UNREAD, [user.pk])
        return cursor.fetchone()[0]


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@task()
def send_assignment_email(*, user_id: int, contact_id: int, actor_id: int | None) -> None:
    """Email a user that he was made responsible for a contact, if he still is."""
    users = get_user_model().objects.in_bulk([user_id, actor_id])
    user = users.get(user_id)
    if user is None or not user.is_active or not user.email:
        return
    if not wants_email(user, EmailKind.ASSIGNMENT):
        return  # he reads it under the bell only
    # Written when sent, not when enqueued: an assignment undone in between (or the
    # contact gone to the trash) is not news any more.
    contact = Contact.objects.filter(pk=contact_id, responsible=user).first()
    if contact is None:
        return
    context = {
        "user": user,
        "actor": users.get(actor_id),
        "contact": contact,
        "url": absolute_url(contact.get_absolute_url()),
    }
    with speaking_to(user):
        subject = render_to_string("contacts/email/assigned_subject.txt", context).strip()
        body = render_to_string("contacts/email/assigned.txt", context)
    send_mail(subject, body, None, [user.email])
