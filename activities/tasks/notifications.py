"""The bell's lines of the tasks' notifications: a reminder, a task given to the reader."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from activities.models import Task
from activities.tasks.selectors import tasks_visible_to
from contacts.models import Notification


def describe_tasks(notifications: Sequence[Notification], reader: User) -> None:
    """Write each line, naming the task and its contact only while reader may see the task
    (contacts.notifications.register_verb)."""
    tasks = (
        tasks_visible_to(reader)
        .select_related("contact")
        .in_bulk([n.object_id for n in notifications if n.object_id])
    )
    for n in notifications:
        n.line = _line(n, tasks.get(n.object_id or 0))  # type: ignore[attr-defined]


def _due(task: Task) -> str:
    day = date_format(task.due_date, "DATE_FORMAT")
    return f"{day} {date_format(task.due_time, 'TIME_FORMAT')}" if task.due_time else day


def _line(n: Notification, task: Task | None) -> SafeString:
    if task is None:
        return format_html("{}", _("A task you cannot see any more."))
    values = {"url": reverse("tasks:edit", args=[task.pk]), "title": task.title, "due": _due(task)}
    if n.verb == "task_reminder":
        text = _('Reminder: <a href="{url}">{title}</a>, due {due}.')
    else:
        actor = n.actor.get_full_name() or n.actor.username if n.actor else _("Someone")
        values["actor"] = actor
        text = _('{actor} gave you a task: <a href="{url}">{title}</a>, due {due}.')
    return format_html(text, **values)
