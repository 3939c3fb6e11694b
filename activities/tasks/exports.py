"""Tasks as a CSV file for a spreadsheet and as an iCalendar file for a calendar app.

The calendar gets each task as an event (VEVENT), not a to-do (VTODO): the calendar apps
people import into (Google Calendar, Outlook) leave to-dos out. A task with a time is a
half-hour event at that time in its responsible user's zone, with an alarm for its
reminder; one without a time is an all-day event.
"""

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta

import vobject
from dateutil.tz import UTC
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.preferences import preferences_of, zone
from activities.models import Task
from contacts.csv_columns import escape_cell
from contacts.links import absolute_url

# The export's rows, read a batch at a time.
BATCH = 2000
MAX_TASKS = 50_000


def _rows(tasks: QuerySet[Task]) -> Iterator[Task]:
    found = tasks.select_related("category", "contact", "responsible").order_by("due_date", "id")
    return found[:MAX_TASKS].iterator(chunk_size=BATCH)


def _name(user: User | None) -> str:
    return user.get_full_name() or user.username if user else ""


def _csv(tasks: QuerySet[Task]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [_("Title"), _("Due date"), _("Time"), _("Category"), _("Responsible"),
              _("Contact"), _("Status"), _("Done on"), _("Description")]  # fmt: skip
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for task in _rows(tasks):
        buffer.seek(0)
        buffer.truncate()
        done = timezone.localtime(task.done_at).strftime("%Y-%m-%d %H:%M") if task.done_at else ""
        writer.writerow(
            escape_cell(value)
            for value in (
                task.title,
                task.due_date.isoformat(),
                task.due_time.strftime("%H:%M") if task.due_time else "",
                task.category.shown_name,
                _name(task.responsible),
                str(task.contact) if task.contact else "",
                _("Done") if task.done_at else _("Open"),
                done,
                task.description,
            )
        )
        yield buffer.getvalue()


def tasks_csv(tasks: QuerySet[Task]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv(tasks), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tasks-{timezone.localdate()}.csv"'
    return response


def _event(calendar: vobject.base.Component, task: Task, zones: dict[int, str]) -> None:
    event = calendar.add("vevent")
    event.add("uid").value = f"task-{task.pk}@{absolute_url('').split('//')[-1].rstrip('/')}"
    event.add("dtstamp").value = task.updated_at.astimezone(UTC)
    event.add("summary").value = task.title
    description = "\n".join(filter(None, [str(task.contact or ""), task.description]))
    if description:
        event.add("description").value = description
    event.add("categories").value = [str(task.category.shown_name)]
    event.add("url").value = absolute_url(reverse("tasks:edit", args=[task.pk]))
    if task.due_time is None:
        event.add("dtstart").value = task.due_date
        event.add("dtend").value = task.due_date + timedelta(days=1)
    else:
        local = datetime.combine(task.due_date, task.due_time, tzinfo=zone(zones[task.pk]))
        event.add("dtstart").value = local.astimezone(UTC)
        event.add("dtend").value = (local + timedelta(minutes=30)).astimezone(UTC)
    if task.remind_at and not task.done_at:
        alarm = event.add("valarm")
        alarm.add("action").value = "DISPLAY"
        alarm.add("description").value = task.title
        alarm.add("trigger").value = task.remind_at.astimezone(UTC)


def tasks_ics(tasks: QuerySet[Task]) -> HttpResponse:
    calendar = vobject.iCalendar()
    calendar.add("prodid").value = "-//CRM//Tasks//EN"
    rows = list(_rows(tasks))
    zones = _zones(rows)
    for task in rows:
        _event(calendar, task, zones)
    response = HttpResponse(calendar.serialize(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tasks-{timezone.localdate()}.ics"'
    return response


def _zones(rows: list[Task]) -> dict[int, str]:
    """Return each task's zone: its responsible user's, read once per user."""
    by_user: dict[int, str] = {}
    for task in rows:
        if task.responsible_id not in by_user:
            by_user[task.responsible_id] = preferences_of(task.responsible).time_zone
    return {task.pk: by_user[task.responsible_id] for task in rows}
