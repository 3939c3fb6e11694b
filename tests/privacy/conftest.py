"""The seeding shared by the personal-data tests: a person (and another) put in every place
the finders know, through the real ways in: the contact form's services, a CSV import, a
website form, a task, a timeline event with a file, a webhook subscription."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from activities.models import EventCategory, TaskCategory
from activities.services import event_create
from activities.tasks.services import task_create
from api.webhooks import services as webhook_services
from contacts.custom_fields import services as custom_fields
from contacts.imports import services as imports
from contacts.models import Contact, CustomField
from contacts.positions.services import position_add
from contacts.services import ContactData, contact_create, contact_data_of, contact_update
from tests.support import csv_text, make_web_form, posted, submit_url

EMAIL = "zorglub.kowalski@example.org"
PHONE = "+33 6 11 22 33 44"
MARK = "zorglub"  # in everything about the person, and nothing else
OTHER = "bertrandmarker"  # in everything about the other person
# What a colleague typed on the other person's card about him: his address, his name, and
# the number he has since taken off his card, written otherwise than it was.
MENTION = f"Knows Zorglub Kowalski ({EMAIL.upper()}), call 06.11.22.33.44 first."
KEPT = "Budget approved in March."


def _person(by, *, first, last, email, phone, passport, responsible):
    passport_field = CustomField.objects.get(label="Passport")
    return contact_create(
        by=by,
        data=ContactData(
            kind=Contact.Kind.PERSON,
            fields={"first_name": first, "last_name": last},
            responsible=responsible,
            infos=[
                {"kind": "email", "category": "work", "value": email, "is_primary": True},
                {"kind": "phone", "category": "mobile", "value": phone, "is_primary": True},
            ],
            custom={passport_field.key: passport},
        ),
    )


def _import(by, content):
    job = imports.job_create(by=by, upload=ContentFile(content.encode(), name="people.csv"))
    job.responsible = [by.pk]
    job.save()
    imports.job_start(job=job)
    job.refresh_from_db()
    return job


@pytest.fixture
def seeded(admin, alice, settings, django_capture_on_commit_callbacks):
    """Put the person (and another) in every place the finders know, through the services."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    custom_fields.custom_field_create(label="Passport", field_type="text", is_personal=True)
    custom_fields.custom_field_create(label="Shoe size", field_type="text")
    custom_fields.custom_field_create(label="Referred by", field_type="text")
    webhook_services.subscription_save(
        owner=admin, url="http://127.0.0.1:9/hook", events=["contact.created", "task.created"]
    )
    with django_capture_on_commit_callbacks(execute=False):
        person = _person(
            admin,
            first="Zorglub",
            last="Kowalski",
            email=EMAIL,
            phone="06 11 22 33 44",
            passport="ZX-zorglub-77",
            responsible=[alice],
        )
        other = _person(
            admin,
            first="Bertrand",
            last="Bertrandmarker",
            email=f"{OTHER}@example.org",
            phone="+33 6 99 88 77 66",
            passport=f"{OTHER}-pass",
            responsible=[alice],
        )
    data = ContactData(
        kind=Contact.Kind.PERSON,
        fields={"first_name": "Zorglub", "last_name": "Kowalski", "job_title": "Pilot"},
        responsible=[alice],
        infos=[{"kind": "email", "category": "work", "value": EMAIL, "is_primary": True}],
    )
    contact_update(by=admin, contact=person, data=data)
    note, call = EventCategory.objects.get(code="note"), TaskCategory.objects.get(code="call")
    event_create(
        by=admin,
        contact=person,
        category=note,
        text="Met Zorglub at the fair",
        attachments=[SimpleUploadedFile("../../zorglub card.pdf", b"%PDF zorglub card")],
    )
    event_create(by=admin, contact=other, category=note, text=f"Wrote to {EMAIL} about it")
    event_create(
        by=admin,
        contact=other,
        category=note,
        text=f"{OTHER} note",
        attachments=[SimpleUploadedFile(f"{OTHER}.pdf", b"%PDF other")],
    )
    task_create(
        by=admin,
        title="Call back Zorglub",
        due_date=date(2030, 1, 2),
        category=call,
        contact=person,
    )
    task_create(
        by=admin, title=f"Call {OTHER}", due_date=date(2030, 1, 2), category=call, contact=other
    )
    # An import: the person's row is skipped (his address is known), another one of his
    # rejected; the upload goes once the import is done, its rejected rows' file stays.
    rows = [
        ["First name", "Last name", "Email", "Phone"],
        ["Zorglub", "Kowalski", EMAIL, ""],
        ["Zorglub", "K.", EMAIL, "12"],
        ["Bertrand", OTHER, f"{OTHER}2@example.org", ""],
    ]
    job = _import(admin, csv_text(*rows))
    # An import not started yet keeps its upload.
    draft = csv_text(["Name", "Email"], [OTHER, f"{OTHER}3@example.org"], ["Zorglub", EMAIL])
    imports.job_create(by=admin, upload=ContentFile(draft.encode(), name="draft.csv"))
    # An import whose file the importer named after him, holding nothing else of him.
    leads = csv_text(["Name", "Email"], [OTHER, f"{OTHER}4@example.org"])
    imports.job_create(by=admin, upload=ContentFile(leads.encode(), name=f"leads-{EMAIL}.csv"))
    # A colleague writes about him on the other person's card: its description, a user
    # field that is not personal, and a position's department.
    data = contact_data_of(other)
    data.fields["description"] = f"{MENTION}\n{KEPT}"
    referrer = CustomField.objects.get(label="Referred by")
    data.custom = {**other.custom, referrer.key: f"Sent by zorglub kowalski, {PHONE}"}
    contact_update(by=admin, contact=other, data=data)
    acme = contact_create(
        by=admin,
        data=ContactData(
            kind=Contact.Kind.COMPANY, fields={"company_name": "Acme Works"}, responsible=[alice]
        ),
    )
    position_add(
        by=admin,
        person=other,
        company=acme,
        job_title="Assistant",
        department="Zorglub Kowalski's team",
    )
    # A visitor sends the website form.
    web_form = make_web_form(name="Newsletter")
    Client().post(
        submit_url(web_form),
        posted(web_form, first_name="Zorglub", last_name="Kowalski", email=EMAIL.upper()),
    )
    other.refresh_from_db()
    return {"person": person, "other": other, "job": job}
