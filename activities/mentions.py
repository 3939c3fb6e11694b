"""Mentions of users in an event's text ("@marie"): who they name, the bell's line that
tells the user mentioned, and the e-mail that goes with it.

A mention is "@" and a username (letters, digits, ".", "_", "-", "+", as Django's
usernames, "@" aside), not glued to a word before it, so that an e-mail address mentions
nobody; it names a user when an active CRM user has that username, whatever its case.
"""

import re
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.preferences import EmailKind, speaking_to, wants_email
from activities.models import Event
from contacts.access import active_crm_users, contacts_visible_to
from contacts.links import absolute_url
from contacts.models import Contact, Notification

VERB = "mentioned"
# The name ends on a letter or digit: "@marie." at the end of a sentence names marie.
MENTION_PATTERN = r"(?<![\w.+\-@])@(?P<name>\w(?:[\w.+-]*\w)?)"
MENTION = re.compile(MENTION_PATTERN)
# How much of the event's text the bell and the e-mail quote.
EXCERPT_LENGTH = 80


def mentioned_names(text: str) -> set[str]:
    """Return the names text mentions, in lower case."""
    return {name.lower() for name in MENTION.findall(text)}


def users_named(names: Iterable[str]) -> QuerySet[User]:
    """Return the active CRM users whose usernames are among names (in lower case)."""
    return active_crm_users().alias(name=Lower("username")).filter(name__in=list(names))


def known_names(texts: Iterable[str]) -> dict[str, str]:
    """Return {username in lower case: full name} of the active CRM users texts mention."""
    names = set().union(*(mentioned_names(text) for text in texts))
    if not names:
        return {}
    return {user.username.lower(): user.get_full_name() for user in users_named(names)}


def mentioned_users(text: str) -> list[User]:
    """Return the active CRM users text mentions, each once."""
    names = mentioned_names(text)
    return list(users_named(names).order_by("pk")) if names else []


def excerpt(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= EXCERPT_LENGTH else line[: EXCERPT_LENGTH - 1] + "…"


def event_url(event: Event) -> str:
    return f"{event.contact.get_absolute_url()}#event-{event.pk}"


def _actor_name(user: User | None) -> str:
    if user is None:
        return _("A former user")
    return user.get_full_name() or user.username


def describe_mentions(notifications: Sequence[Notification], reader: User) -> None:
    """Write the bell's line of each mention: the contact and the text only while reader
    may see the contact (contacts.notifications.register_verb)."""
    events = Event.objects.only("pk", "contact_id", "text").in_bulk(
        [n.object_id for n in notifications if n.object_id]
    )
    for n in notifications:
        visible = n.contact_visible  # type: ignore[attr-defined]
        event = events.get(n.object_id or 0)
        n.line = _line(n, event if visible else None, visible)  # type: ignore[attr-defined]


def _line(n: Notification, event: Event | None, visible: bool) -> SafeString:
    actor = _actor_name(n.actor)
    if not visible or n.contact is None:
        return format_html(_("{actor} mentioned you on a contact you cannot see."), actor=actor)
    if event is None:
        return format_html(
            _('{actor} mentioned you on <a href="{url}">{contact}</a>, in a deleted entry.'),
            actor=actor,
            url=n.contact.get_absolute_url(),
            contact=str(n.contact),
        )
    return format_html(
        _('{actor} mentioned you on <a href="{url}">{contact}</a>: “{text}”'),
        actor=actor,
        url=f"{n.contact.get_absolute_url()}#event-{event.pk}",
        contact=str(n.contact),
        text=excerpt(event.text),
    )


@task()
def send_mention_email(*, user_id: int, event_id: int, actor_id: int | None) -> None:
    """E-mail a user that he was mentioned in an event, if he may still see its contact."""
    users = User.objects.in_bulk([pk for pk in (user_id, actor_id) if pk])
    user = users.get(user_id)
    if user is None or not user.is_active or not user.email:
        return
    if not wants_email(user, EmailKind.MENTION):
        return  # he reads it under the bell only
    # Asked when sent, not when enqueued: the event may be deleted by now, or the contact
    # made private, or gone to the trash.
    event = Event.objects.select_related("contact").filter(pk=event_id).first()
    if event is None:
        return
    contact = Contact.objects.filter(pk=event.contact_id)
    if not contacts_visible_to(user, contact).exists():
        return
    context = {
        "user": user,
        "actor": _actor_name(users.get(actor_id or 0)),
        "contact": event.contact,
        "text": excerpt(event.text),
        "url": absolute_url(event_url(event)),
    }
    with speaking_to(user):
        subject = render_to_string("activities/email/mentioned_subject.txt", context).strip()
        body = render_to_string("activities/email/mentioned.txt", context)
    send_mail(subject, body, None, [user.email])
