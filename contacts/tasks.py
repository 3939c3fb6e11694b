from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import task

from accounts.preferences import speaking_to


def _link(path):
    return settings.SITE_URL.rstrip("/") + path


@task()
def send_assignment_email(*, user_id, contact_id, actor_id):
    """Email a user that he was made responsible for a contact, if he still is."""
    from contacts.models import Contact

    users = get_user_model().objects.in_bulk([user_id, actor_id])
    user = users.get(user_id)
    if user is None or not user.is_active or not user.email:
        return
    # Written when sent, not when enqueued: an assignment undone in between (or the
    # contact gone to the trash) is not news any more.
    contact = Contact.objects.filter(pk=contact_id, responsible=user).first()
    if contact is None:
        return
    context = {
        "user": user,
        "actor": users.get(actor_id),
        "contact": contact,
        "url": _link(contact.get_absolute_url()),
    }
    with speaking_to(user):
        subject = render_to_string("contacts/email/assigned_subject.txt", context).strip()
        body = render_to_string("contacts/email/assigned.txt", context)
    send_mail(subject, body, None, [user.email])


@task()
def run_bulk_job(*, job_id):
    """Run a bulk action from the list in the background, resuming where it stopped."""
    from contacts.bulk import bulk_run
    from contacts.models import BulkJob

    job = BulkJob.objects.select_related("user").filter(pk=job_id).first()
    if job is not None and not job.finished:
        bulk_run(job)


@task()
def purge_trash(*, reschedule=False):
    """Purge the contacts in the trash for longer than settings.TRASH_DAYS (SPEC C16).

    With reschedule, it enqueues itself again for tomorrow: one daily run, kept going by
    the worker, started by `manage.py purge_trash --schedule`.
    """
    from contacts.services import trash_purge_expired
    from contacts.statistics import refresh_statistics

    purged = trash_purge_expired()
    refresh_statistics()  # daily
    if reschedule:
        schedule_purge_trash()
    return purged


def schedule_purge_trash(delay=timedelta(days=1)):
    """Enqueue the daily purge for later, unless the backend cannot defer tasks."""
    if purge_trash.get_backend().supports_defer:
        purge_trash.using(run_after=timezone.now() + delay).enqueue(reschedule=True)


@task()
def send_web_form_email(*, user_id, contact_id, web_form_id, created, values, sent_at=None):
    """Email a user what a visitor sent through a website form, as far as he may see it."""
    from contacts.access import contacts_visible_to
    from contacts.models import Contact, WebForm

    user = get_user_model().objects.filter(pk=user_id).first()
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None or user is None or not user.is_active or not user.email:
        return
    web_form = WebForm.objects.filter(pk=web_form_id).first()
    # Asked when sent: the contact may have been made private since the visit. What the
    # visitor typed names the contact, so it goes only to those who may see him.
    visible = contacts_visible_to(user).filter(pk=contact.pk).exists()
    context = {
        "user": user,
        "visible": visible,
        "contact": contact if visible else None,
        "form_name": web_form.name if web_form else "",
        "created": created,
        "values": values if visible else [],
        "sent_at": parse_datetime(sent_at) if sent_at else None,
        "url": _link(contact.get_absolute_url()) if visible else "",
    }
    with speaking_to(user):
        subject = render_to_string("contacts/email/web_form_subject.txt", context).strip()
        body = render_to_string("contacts/email/web_form.txt", context)
    send_mail(subject, body, None, [user.email])


@task()
def run_import(*, job_id, token):
    """Run a CSV import job (see contacts.imports.runner)."""
    from contacts.imports.runner import run_job

    run_job(job_id, token)


@task()
def send_import_email(*, job_id, user_id):
    """Email a user that an import ended: its importer, or a user made responsible by it."""
    from contacts.imports.models import ImportJob

    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if job is None or user is None or not user.is_active or not user.email:
        return
    is_importer = user.pk == job.created_by_id
    if not is_importer and job.status == ImportJob.Status.UNDONE:
        return  # the contacts he was made responsible for are gone again
    context = {
        "user": user,
        "job": job,
        "importer": job.created_by,
        "is_importer": is_importer,
        "url": _link(job.get_absolute_url()),
        "list_url": _link(reverse("contacts:list") + f"?import={job.pk}"),
    }
    with speaking_to(user):
        subject = render_to_string("contacts/email/import_subject.txt", context).strip()
        body = render_to_string("contacts/email/import.txt", context)
    send_mail(subject, body, None, [user.email])
