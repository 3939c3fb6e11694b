"""Sending the tasks' reminders when they are due, exactly once.

Every task worker looks for due reminders every REMINDER_CHECK_SECONDS (contacts.worker).
A reminder is claimed by an UPDATE that sets reminded_at only while it is still unset, in
the transaction that writes the notification and queues the e-mail: with two workers, one
claims it and the other updates nothing; a worker stopped before its commit claimed
nothing, and the next look, by any worker, finds the reminder still due.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from activities.models import Task
from activities.tasks.emails import send_task_email
from contacts.models import Notification

BATCH = 500


def due_reminders(now: datetime) -> list[tuple[int, datetime]]:
    due = Task.objects.filter(remind_at__lte=now, reminded_at__isnull=True, done_at__isnull=True)
    return list(due.order_by("remind_at").values_list("pk", "remind_at")[:BATCH])


def reminder_send(task_id: int, remind_at: datetime, now: datetime) -> bool:
    """Claim and send one reminder; return False when another worker had it, or the task
    changed since it was read."""
    with transaction.atomic():
        claimed = Task.objects.filter(
            pk=task_id, remind_at=remind_at, reminded_at__isnull=True, done_at__isnull=True
        ).update(reminded_at=now)
        if not claimed:
            return False
        task = Task.objects.only("responsible_id", "contact_id").get(pk=task_id)
        Notification.objects.create(
            recipient_id=task.responsible_id,
            contact_id=task.contact_id,
            verb="task_reminder",
            object_id=task_id,
        )
        # Queued in the transaction of the claim, not after it: with the database's task
        # queue, the e-mail's job is committed with the claim or not at all.
        send_task_email.enqueue(task_id=task_id, user_id=task.responsible_id, verb="task_reminder")
    return True


def reminders_send_due(now: datetime | None = None) -> int:
    """Send every reminder due at now; return how many this call sent."""
    now = now or timezone.now()
    sent = 0
    while due := due_reminders(now):
        sent += sum(reminder_send(pk, at, now) for pk, at in due)
        if len(due) < BATCH:
            break
    return sent


def check_interval() -> float:
    return float(settings.REMINDER_CHECK_SECONDS)
