"""Tasks: create, change, complete and delete them, and tell their responsible users.

Who may: a task about a contact is changed by whoever may change the contact, and by its
responsible user and its author while they may see it; a task about no contact by its
responsible user and its author only. The responsible user must be a CRM user who may
see the task's contact: a task he could not open would be lost on him.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.preferences import preferences_of, zone
from activities.models import EventCategory, Task, TaskCategory
from activities.services import event_create, may_see
from activities.tasks.emails import send_task_email
from activities.tasks.signals import task_saved
from contacts.access import can_change, is_crm_user
from contacts.models import Contact, Notification

# The time of day a task without one is due, for its reminder.
DEFAULT_TIME = time(9, 0)
FIELDS = ("title", "due_date", "due_time", "category", "responsible", "description", "reminder")


def remind_at_for(
    due_date: date, due_time: time | None, reminder: int | None, zone_name: str
) -> datetime | None:
    """Return the instant of a task's reminder, or None without one.

    The due date and time are wall-clock values in the responsible user's zone. A day's
    advance is the same wall-clock time the day before (what "1 day before" means to a
    reader, even across a change of summer time); minutes are counted on the clock of
    the world. A wall-clock time that a change of summer time skips or repeats takes its
    first reading (fold 0), so every reminder has exactly one instant.
    """
    if reminder is None:
        return None
    local = datetime.combine(due_date, due_time or DEFAULT_TIME)
    if reminder >= Task.Reminder.DAY_1:
        local -= timedelta(days=reminder // Task.Reminder.DAY_1)
        reminder %= Task.Reminder.DAY_1
    aware = local.replace(tzinfo=zone(zone_name))
    return aware.astimezone(UTC) - timedelta(minutes=reminder)


def may_see_task(user: User, task: Task) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if task.contact_id is None:
        return user.pk in (task.responsible_id, task.author_id)
    return may_see(user, task.contact)


def may_change_task(user: User, task: Task) -> bool:
    if not may_see_task(user, task):
        return False
    if task.contact_id is None or user.pk in (task.responsible_id, task.author_id):
        return True
    return can_change(user, task.contact)


def check_responsible(responsible: User, contact: Contact | None) -> None:
    """Refuse a responsible user who could not open the task."""
    if not is_crm_user(responsible):
        raise ValidationError(
            _("%(name)s is not an active CRM user.")
            % {"name": responsible.get_full_name() or responsible.get_username()},
            code="responsible",
        )
    if contact is not None and not may_see(responsible, contact):
        raise ValidationError(
            _("%(name)s cannot see this contact: choose someone who can.")
            % {"name": responsible.get_full_name() or responsible.get_username()},
            code="responsible",
        )


def _schedule(task: Task) -> None:
    zone_name = preferences_of(task.responsible).time_zone
    task.remind_at = remind_at_for(task.due_date, task.due_time, task.reminder, zone_name)
    task.reminded_at = None


@transaction.atomic
def task_create(
    *,
    by: User,
    title: str,
    due_date: date,
    category: TaskCategory,
    responsible: User | None = None,
    contact: Contact | None = None,
    due_time: time | None = None,
    description: str = "",
    reminder: int | None = None,
) -> Task:
    """Create a task, by's own unless he names another responsible user."""
    if contact is not None and not can_change(by, contact):
        raise PermissionDenied
    responsible = responsible or by
    check_responsible(responsible, contact)
    task = Task(
        title=title,
        due_date=due_date,
        due_time=due_time,
        category=category,
        responsible=responsible,
        author=by,
        contact=contact,
        description=description,
        reminder=reminder,
    )
    _schedule(task)
    task.save()
    task_saved.send(Task, task_id=task.pk, created=True)
    if responsible.pk != by.pk:
        notify_assigned(task, by)
    return task


@transaction.atomic
def task_update(*, by: User, task: Task, **values: object) -> Task:
    """Change the task's fields given (FIELDS); a new due time or reminder starts a new
    reminder, a new responsible user is told."""
    if not may_change_task(by, task):
        raise PermissionDenied
    before = {name: getattr(task, name) for name in FIELDS}
    for name, value in values.items():
        if name not in FIELDS:
            raise TypeError(name)
        setattr(task, name, value)
    if task.responsible != before["responsible"]:
        check_responsible(task.responsible, task.contact)
    when = ("due_date", "due_time", "reminder", "responsible")
    if any(getattr(task, name) != before[name] for name in when):
        _schedule(task)
    task.save()
    task_saved.send(Task, task_id=task.pk, created=False)
    if task.responsible != before["responsible"] and task.responsible.pk != by.pk:
        notify_assigned(task, by)
    return task


@transaction.atomic
def task_set_done(*, by: User, task: Task, done: bool = True, log: bool = False) -> Task:
    """Mark the task done (or not done again); with log, write it on its contact's timeline."""
    if not may_change_task(by, task):
        raise PermissionDenied
    if done == (task.done_at is not None):
        return task
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done_at", "updated_at"])
    task_saved.send(Task, task_id=task.pk, created=False)
    if done and log and task.contact is not None and can_change(by, task.contact):
        event_create(
            by=by,
            contact=task.contact,
            category=_event_category(task.category),
            text=done_text(task),
        )
    return task


def done_text(task: Task) -> str:
    line = _("%(category)s done: %(title)s") % {
        "category": task.category.shown_name,
        "title": task.title,
    }
    return f"{line}\n\n{task.description}".strip()


def _event_category(category: TaskCategory) -> EventCategory:
    """Return the event category of the same kind (a call for a call), else a note."""
    events = EventCategory.objects.all()
    same = events.filter(code=category.code).exclude(code="").first()
    return same or events.filter(code="note").first() or events.first()  # type: ignore[return-value]


@transaction.atomic
def task_delete(*, by: User, task: Task) -> None:
    if not may_change_task(by, task):
        raise PermissionDenied
    Notification.objects.filter(verb__startswith="task_", object_id=task.pk).delete()
    task.delete()


def notify_assigned(task: Task, by: User) -> None:
    """Tell the responsible user, under the bell and by e-mail, that the task is his now."""
    Notification.objects.create(
        recipient=task.responsible,
        actor=by,
        contact=task.contact,
        verb="task_assigned",
        object_id=task.pk,
    )
    transaction.on_commit(
        partial(
            send_task_email.enqueue,
            task_id=task.pk,
            user_id=task.responsible_id,
            verb="task_assigned",
        )
    )


def tasks_create_many(*, by: User, contacts: list[Contact], **values: object) -> tuple[int, int]:
    """Create the same task for each contact; return how many were made and skipped (by may
    not change the contact, or its responsible user may not see it)."""
    made = skipped = 0
    for contact in contacts:
        try:
            with transaction.atomic():
                task_create(by=by, contact=contact, **values)  # type: ignore[arg-type]
        except (PermissionDenied, ValidationError):
            skipped += 1
        else:
            made += 1
    return made, skipped
