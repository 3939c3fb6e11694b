from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def send_assignment_email(*, user_id, contact_id, actor_id):
    """Email a user that he was made responsible for a contact."""
    from .models import Contact

    users = get_user_model().objects.in_bulk([user_id, actor_id])
    contact = Contact.objects.filter(pk=contact_id).first()
    user = users.get(user_id)
    if contact is None or user is None or not user.email:
        return
    context = {
        "user": user,
        "actor": users.get(actor_id),
        "contact": contact,
        "url": settings.SITE_URL.rstrip("/") + contact.get_absolute_url(),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("contacts/email/assigned_subject.txt", context).strip()
        body = render_to_string("contacts/email/assigned.txt", context)
    send_mail(subject, body, None, [user.email])


@task()
def send_web_form_email(*, user_id, contact_id, web_form_id, created, values):
    """Email a user what a visitor sent through a website form."""
    from .models import Contact, WebForm

    user = get_user_model().objects.filter(pk=user_id).first()
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None or user is None or not user.email:
        return
    web_form = WebForm.objects.filter(pk=web_form_id).first()
    context = {
        "user": user,
        "contact": contact,
        "form_name": web_form.name if web_form else "",
        "created": created,
        "values": values,
        "url": settings.SITE_URL.rstrip("/") + contact.get_absolute_url(),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("contacts/email/web_form_subject.txt", context).strip()
        body = render_to_string("contacts/email/web_form.txt", context)
    send_mail(subject, body, None, [user.email])
