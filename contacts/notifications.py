"""Telling users what concerns them: the bell's notifications and the e-mails that go
with them, each written in the recipient's language when it is sent.
"""

from collections.abc import Iterable, Sequence
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from accounts.preferences import EmailKind, speaking_to, wants_email
from contacts.links import absolute_url
from contacts.models import Contact, Notification


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
