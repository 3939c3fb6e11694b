"""The contact card's open tasks, and the lines of a list of tasks, built in Python.

My tasks shows some fifty lines, each of a dozen values: through the template language,
whose every lookup is generic, the lines were most of the page's time. As the contact
list's rows (contacts/templatetags/contact_list.py), they are built here with plain
str.format: every value taken from a task goes through escape() (the standard library's
html.escape, which Django's escape filter calls), and only markup written here is left as
it is.
"""

from html import escape
from urllib.parse import quote

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from activities.links import url_of
from activities.models import Task
from activities.tasks.selectors import mark_changeable, open_tasks_of
from contacts.access import can_change

register = template.Library()

# The card lists this many open tasks; My tasks, filtered on the contact, lists them all.
SHOWN = 10

LINE = (
    '<li class="list-group-item d-flex align-items-start gap-2 task{done_class}"'
    ' id="task-{pk}">{toggle}<div class="flex-grow-1 min-w-0">'
    '<a class="fw-semibold text-break{title_class}" href="{edit_url}">{title}</a>'
    '<div class="small text-body-secondary d-flex flex-wrap column-gap-2">'
    "<span>{category}</span>"
    '<span{due_class}><i class="bi bi-calendar" aria-hidden="true"></i> {due}</span>'
    "{contact}{responsible}{reminder}{done}</div></div></li>\n"
)
TOGGLE = (
    '<form method="post" action="{url}" hx-post="{url}" hx-target="#task-{pk}"'
    ' hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="done" value="{value}">{next}'
    '<button type="submit" class="btn task-toggle" title="{title}">'
    '<i class="bi {icon}" aria-hidden="true"></i>'
    '<span class="visually-hidden">{label}</span></button></form>'
)
NEXT = '<input type="hidden" name="next" value="{}">'
ICON = '<i class="bi bi-{}" aria-hidden="true"></i> {}'
DUE = '<time datetime="{}">{}</time>'
CONTACT = '<span><i class="bi bi-person" aria-hidden="true"></i> <a href="{}">{}</a></span>'
RESPONSIBLE = '<span><i class="bi bi-person-check" aria-hidden="true"></i> {}</span>'
REMINDER = '<span title="{}"><i class="bi bi-bell" aria-hidden="true"></i> {}</span>'
DONE = '<span><i class="bi bi-check2" aria-hidden="true"></i> {}</span>'
OVERDUE = ' class="text-danger fw-semibold"'
STRUCK = " text-decoration-line-through text-body-secondary"


@register.inclusion_tag("activities/tasks/_card.html", takes_context=True)
def contact_tasks(context, contact):
    request = context["request"]
    may_change = can_change(request.user, contact)
    tasks = list(open_tasks_of(contact)[: SHOWN + 1])
    for task in tasks:
        task.contact = contact  # known: not read again for each task
    mark_changeable(request.user, tasks, editable={contact.pk} if may_change else set())
    return {
        "contact": contact,
        "tasks": tasks[:SHOWN],
        "more": len(tasks) > SHOWN,
        "may_add": may_change,
        "next": contact.get_absolute_url(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def task_lines(context, tasks, next="", hide_contact=False):
    """Return the <li> lines of tasks (marked by selectors.mark_changeable), linking back
    to next; the contact is left out on its own card (hide_contact)."""
    lines = _Lines(str(context.get("csrf_token", "")), next, hide_contact)
    # Safe: _Lines.line escapes every value it takes from a task (see the module's docstring).
    return mark_safe("".join(lines.line(task) for task in tasks))  # noqa: S308


class _Lines:
    """What the lines of a page share, worded once: labels, days, names."""

    def __init__(self, csrf: str, next: str, hide_contact: bool):
        self.csrf, self.hide_contact = escape(csrf), hide_contact
        self.next = NEXT.format(escape(next)) if next else ""
        self.edit_query = f"?next={escape(quote(next, safe='/'))}" if next else ""
        self.today = timezone.localdate()
        self.contact_url = url_of("contacts:detail")
        self.reminder_label = escape(gettext("Reminder"))
        self.reminders = {value: escape(str(label)) for value, label in Task.Reminder.choices}
        self.toggles = {
            done: (
                # One call per string: makemessages finds only the first of a conditional.
                escape(gettext("Mark as not done") if done else gettext("Mark as done")),
                gettext("Mark “%(title)s” as not done")
                if done
                else gettext("Mark “%(title)s” as done"),
            )
            for done in (False, True)
        }
        self.cache: dict[tuple, str] = {}

    def once(self, key: tuple, make) -> str:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def line(self, task: Task) -> str:
        done = task.done_at is not None
        title = escape(task.title)
        category = task.category
        due = self.once(
            ("due", task.due_date),
            lambda: DUE.format(
                task.due_date.isoformat(), escape(date_format(task.due_date, "DATE_FORMAT"))
            ),
        )
        if task.due_time is not None:
            due += " " + escape(time_format(task.due_time, "TIME_FORMAT"))
        contact = ""
        if task.contact_id is not None and not self.hide_contact:
            contact = CONTACT.format(self.contact_url(task.contact_id), escape(str(task.contact)))
        responsible = self.once(
            ("responsible", task.responsible_id),
            lambda: RESPONSIBLE.format(
                escape(task.responsible.get_full_name() or task.responsible.username)
            ),
        )
        reminder = ""
        if task.reminder is not None and not done:
            reminder = REMINDER.format(self.reminder_label, self.reminders[task.reminder])
        finished = ""
        if done:
            when = date_format(timezone.localtime(task.done_at), "SHORT_DATETIME_FORMAT")
            finished = DONE.format(escape(gettext("done %(when)s") % {"when": when}))
        return LINE.format(
            pk=task.pk,
            done_class=" task-done" if done else "",
            toggle=self.toggle(task, done, title) if task.may_change else "",
            title_class=STRUCK if done else "",
            edit_url=escape(task.edit_url) + self.edit_query,
            title=title,
            category=self.once(
                ("category", category.pk),
                lambda: ICON.format(escape(category.icon), escape(str(category.shown_name))),
            ),
            due_class=OVERDUE if not done and task.due_date < self.today else "",
            due=due,
            contact=contact,
            responsible=responsible,
            reminder=reminder,
            done=finished,
        )

    def toggle(self, task: Task, done: bool, title: str) -> str:
        hint, label = self.toggles[done]
        return TOGGLE.format(
            url=escape(task.done_url),
            pk=task.pk,
            csrf=self.csrf,
            value="0" if done else "1",
            next=self.next,
            title=hint,
            icon="bi-check-circle-fill" if done else "bi-circle",
            label=escape(label % {"title": task.title}),
        )
