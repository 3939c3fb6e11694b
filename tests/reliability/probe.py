"""What the fault tests ask of a database they cannot open themselves: run as a script.

    python -m tests.reliability.probe COMMAND [ARGS]   (DATABASE_URL names the database)

The tests drive real processes (a worker, a server) on a database of their own; this
script creates the data they start from and reports what that database holds, as JSON
on stdout.
"""

import json
import os
import sys


def setup_import(path):
    """Create alice and an import of the CSV file at path, queued for the workers."""
    from django.contrib.auth import get_user_model

    from contacts.imports import services

    alice = get_user_model().objects.create_user("alice", "alice@example.com", "pw")
    job = services.job_create_from_path(by=alice, path=path)
    services.job_start(job=job)
    return {"job": job.pk}


def import_state(job_id):
    """Return the job's progress and, per imported contact, what it holds."""
    from contacts.imports.models import ImportJob
    from contacts.models import Contact

    job = ImportJob.objects.get(pk=job_id)
    contacts = {}
    queryset = Contact.all_objects.filter(import_job=job).prefetch_related("infos", "tags")
    for contact in queryset.order_by("pk"):
        emails = sorted(i.value for i in contact.infos.all() if i.kind == "email")
        contacts.setdefault(emails[0] if emails else f"#{contact.pk}", []).append(
            {
                "name": [contact.first_name, contact.last_name],
                "emails": emails,
                "phones": sorted(i.normalized for i in contact.infos.all() if i.kind == "phone"),
                "tags": sorted(t.name for t in contact.tags.all()),
                "responsible": list(contact.responsible.values_list("username", flat=True)),
            }
        )
    return {
        "status": job.status,
        "rows_done": job.rows_done,
        "run_start_rows": job.run_start_rows,
        "created": job.created,
        "total_rows": job.total_rows,
        "contacts": contacts,
    }


def page(url, language):
    """Return the page alice sees at url in language."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(get_user_model().objects.get(username="alice"))
    response = client.get(url)
    return {"status": response.status_code, "html": response.content.decode()}


def setup_webform():
    """Create alice and a website form for persons; return its address and posted fields."""
    from django.contrib.auth import get_user_model

    from tests.support import make_web_form, posted, submit_url

    alice = get_user_model().objects.create_user("alice", "alice@example.com", "pw")
    web_form = make_web_form(tags=["Web lead"], responsible=[alice], notify=[alice])
    return {"url": submit_url(web_form), "data": posted(web_form), "form": web_form.pk}


def webform_state(form_id):
    """Return, per contact the form created, its e-mails, phones, tags and responsible."""
    from contacts.models import Contact, WebForm

    contacts = []
    queryset = Contact.all_objects.filter(source=Contact.Source.WEB_FORM, kind="person")
    for contact in queryset.prefetch_related("infos", "tags", "responsible").order_by("pk"):
        contacts.append(
            {
                "name": contact.last_name,
                "emails": [i.normalized for i in contact.infos.all() if i.kind == "email"],
                "phones": [i.normalized for i in contact.infos.all() if i.kind == "phone"],
                "tags": [t.name for t in contact.tags.all()],
                "responsible": [u.username for u in contact.responsible.all()],
            }
        )
    web_form = WebForm.objects.get(pk=form_id)
    return {"contacts": contacts, "created_count": web_form.created_count}


def tasks(task_path):
    """Return the statuses of the queued, running and ended tasks of task_path."""
    from django_tasks_db.models import DBTaskResult

    statuses = DBTaskResult.objects.filter(task_path=task_path).values_list("status", flat=True)
    return {"statuses": list(statuses)}


def setup_reminders(count, seconds):
    """Create count tasks of alice's whose reminders are due in seconds (negative: past)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from activities.models import Task, TaskCategory
    from activities.tasks import services
    from contacts.access import make_crm_user

    alice, _ = get_user_model().objects.get_or_create(
        username="alice", defaults={"email": "alice@example.com"}
    )
    make_crm_user(alice)
    call = TaskCategory.objects.get(code="call")
    first = Task.objects.count()
    ids = []
    for n in range(int(count)):
        task = services.task_create(
            by=alice,
            category=call,
            title=f"Task {first + n}",
            due_date=timezone.localdate() + timedelta(days=7),
            reminder=Task.Reminder.AT_DUE,
        )
        ids.append(task.pk)
    when = timezone.now() + timedelta(seconds=float(seconds))
    Task.objects.filter(pk__in=ids).update(remind_at=when)
    return {"ids": ids}


def reminders_state():
    """Per task: whether its reminder was claimed, and how many notifications it got."""
    from django.db.models import Count

    from activities.models import Task
    from contacts.models import Notification

    counts = dict(
        Notification.objects.filter(verb="task_reminder")
        .values("object_id")
        .annotate(n=Count("id"))
        .values_list("object_id", "n")
    )
    return {
        str(pk): {"claimed": reminded is not None, "notifications": counts.get(pk, 0)}
        for pk, reminded in Task.objects.values_list("pk", "reminded_at")
    }


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    import django

    django.setup()
    command, *args = sys.argv[1:]
    result = {
        "setup_import": setup_import,
        "import_state": lambda job_id: import_state(int(job_id)),
        "page": page,
        "tasks": tasks,
        "setup_webform": setup_webform,
        "setup_reminders": setup_reminders,
        "reminders_state": reminders_state,
        "webform_state": lambda form_id: webform_state(int(form_id)),
    }[command](*args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
