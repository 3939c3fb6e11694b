"""The e-mails about tasks, written in their recipient's language and time zone when sent."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from accounts.models import EmailKind
from accounts.preferences import speaking_to, wants_email
from activities.models import Task
from activities.services import may_see
from contacts.links import absolute_url

TEMPLATES = {
    "task_reminder": ("activities/email/task_reminder_subject.txt", "activities/email/task.txt"),
    "task_assigned": ("activities/email/task_assigned_subject.txt", "activities/email/task.txt"),
}


@task()
def send_task_email(*, task_id: int, user_id: int, verb: str) -> None:
    """E-mail user a task's reminder, or that it is his now, if it still is and is open."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not wants_email(user, EmailKind.TASK):
        return
    found = Task.objects.select_related("category", "contact", "author")
    task = found.filter(pk=task_id, responsible=user, done_at__isnull=True).first()
    if task is None:
        return  # done, deleted or given to someone else since
    contact = task.contact
    if contact is not None and not may_see(user, contact):
        contact = None  # his access changed since: the contact's name is not his to read
    context = {
        "user": user,
        "task": task,
        "contact": contact,
        "url": absolute_url(reverse("tasks:edit", args=[task.pk])),
        "verb": verb,
    }
    subject_template, body_template = TEMPLATES[verb]
    with speaking_to(user):
        subject = render_to_string(subject_template, context).strip()
        body = render_to_string(body_template, context)
    send_mail(subject, body, None, [user.email])
