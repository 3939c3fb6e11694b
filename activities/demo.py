"""The demo's calls, notes and tasks, written through the services as a user's would be."""

from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from activities import services
from activities.models import EventCategory, TaskCategory
from activities.tasks import services as tasks
from contacts.models import Contact

# (event category, days ago, text) written on the first contacts of each user.
EVENTS = [
    ("call", 12, gettext_noop("Called about the spring order: they want a quote before the 15th.")),
    ("email", 9, gettext_noop("Sent the quote and the product sheet.")),
    (
        "meeting",
        3,
        gettext_noop("Met at their office with the purchasing manager. Next step: a trial."),
    ),
    ("note", 1, gettext_noop("Prefers to be called in the morning.")),
]
# (task category, days from today, time, title, reminder)
TASKS = [
    ("call", -2, time(10, 0), gettext_noop("Call back about the quote"), 15),
    ("email", 0, None, gettext_noop("Send the price list"), None),
    ("meeting", 3, time(14, 30), gettext_noop("Follow-up meeting"), 60),
    ("follow_up", 10, None, gettext_noop("Follow up on the trial"), 1440),
]


def seed_demo_activities(sender: Any = None, *, users: dict[str, User], **kwargs: Any) -> None:
    """Write the demo's events and tasks, in the categories the admins kept of the defaults
    (none of a category that is gone: a database emptied by a test has none)."""
    with translation.override(settings.LANGUAGE_CODE):
        events = {c.code: c for c in EventCategory.objects.all()}
        kinds = {c.code: c for c in TaskCategory.objects.all()}
        now, today = timezone.now(), timezone.localdate()
        for user in users.values():
            contacts = list(Contact.objects.filter(responsible=user).order_by("pk")[:4])
            for contact, (code, days, text) in zip(contacts, EVENTS, strict=False):
                if code not in events:
                    continue
                services.event_create(
                    by=user,
                    contact=contact,
                    category=events[code],
                    text=gettext(text),
                    happened_at=now - timedelta(days=days),
                )
            for contact, (code, days, at, title, reminder) in zip(contacts, TASKS, strict=False):
                if code not in kinds:
                    continue
                tasks.task_create(
                    by=user,
                    contact=contact,
                    category=kinds[code],
                    title=gettext(title),
                    due_date=today + timedelta(days=days),
                    due_time=at,
                    reminder=reminder,
                )
