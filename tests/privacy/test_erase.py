"""Erasing a person everywhere, and the proof: after it, the marker seeded in every place
(through the real services, an import, a website form, a task, an attachment, a webhook
delivery, the task queue) is nowhere in the database, the media folder or the queue, and
the other person's data is all there."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.services import email_send
from api.webhooks.models import Delivery
from contacts import history
from contacts.imports import services as imports
from contacts.imports.models import ImportJob
from contacts.models import Contact, ContactEvent, ContactInfo, CustomField, Suppression
from contacts.personal_data import suppression
from privacy import erasure
from privacy.models import Erasure, PrivacyRequest
from privacy.subjects import subject_for
from tests.privacy.conftest import EMAIL, KEPT, MARK, OTHER
from tests.support import csv_text, make_web_form, posted, submit_url

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _text_columns():
    """Yield (table, column) of every text and JSON column of every table, as the database
    describes them: the models' tables and any other (the task queue's, taggit's)."""
    text_types = ("char", "text", "json", "clob", "varchar")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                kind = str(column.type_code).lower()
                if connection.vendor == "postgresql":
                    kind = connection.introspection.get_field_type(column.type_code, column)
                    kind = kind.lower()
                if any(t in kind for t in text_types) or "json" in kind or "char" in kind:
                    yield table, column.name


def _database_hits(marker):
    """Return {table.column: rows} holding marker, in any case, in text or JSON."""
    hits = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cast = f"CAST({quote(column)} AS TEXT)"
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(table)} WHERE LOWER({cast}) LIKE %s",  # noqa: S608 (names from the introspection)
                [f"%{marker}%"],
            )
            count = cursor.fetchone()[0]
            if count:
                hits[f"{table}.{column}"] = count
    return hits


def _media_hits(settings, marker):
    hits = []
    root = Path(settings.MEDIA_ROOT)
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if marker in name.lower() or marker.encode() in path.read_bytes().lower():
                hits.append(str(path.relative_to(root)))
    return hits


def _queue(settings):
    """Put an e-mail naming the person, and one naming the other, in the task queue."""
    with override_settings(TASKS=DB_TASKS):
        email_send.enqueue(subject="Hello", body="Dear Zorglub", from_email="c@x.org", to=[EMAIL])
        email_send.enqueue(
            subject="Hello", body=f"Dear {OTHER}", from_email="c@x.org", to=["b@x.org"]
        )


def _erase_by_email(client, capture, value=EMAIL):
    with capture(execute=True):
        response = client.post(
            reverse("privacy:erase"),
            {"lookup": "email", "value": value, "step": "confirmed", "confirm": "on"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Erasure.objects.get()


@pytest.mark.django_db
def test_the_confirmation_names_what_goes(admin_client, seeded):
    response = admin_client.post(reverse("privacy:erase"), {"lookup": "email", "value": EMAIL})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Erase this person for good" in page
    assert "The 2 contacts purged" in page
    assert page.count("Zorglub Kowalski") == 2  # his card, and the website form's
    shown = int(page.split(" records to erase")[0].rsplit(">", 1)[-1])
    assert 'id="erase-place-timeline"' in page and 'id="erase-place-import_files"' in page
    # Other contacts' free text that names him, and the import named after him.
    assert "Mentions on other contacts&#x27; cards" in page
    assert 'id="erase-place-mentions"' in page and 'id="erase-place-import_file_names"' in page
    assert "Bertrand" not in page
    assert not Erasure.objects.exists()  # shown, not started
    # The register counts what the page said would go.
    response = admin_client.post(
        reverse("privacy:erase"),
        {"lookup": "email", "value": EMAIL, "step": "confirmed", "confirm": "on"},
    )
    assert PrivacyRequest.objects.get(kind="erase").records == shown


@pytest.mark.django_db
def test_the_erasure_needs_the_box_ticked(admin_client, seeded):
    response = admin_client.post(
        reverse("privacy:erase"), {"lookup": "email", "value": EMAIL, "step": "confirmed"}
    )
    assert response.status_code == 200
    assert "Tick the box to confirm" in response.content.decode()
    assert not Erasure.objects.exists()
    assert Contact.all_objects.filter(first_name="Zorglub").count() == 2


@pytest.mark.django_db
def test_the_proof_nothing_of_the_person_is_left_anywhere(
    admin, admin_client, seeded, settings, django_capture_on_commit_callbacks
):
    _queue(settings)
    other = seeded["other"]
    assert _database_hits(MARK), "the seeding put the marker nowhere"
    assert _media_hits(settings, MARK)
    before_other = _database_hits(OTHER)
    other_events = ContactEvent.objects.filter(contact=other).count()
    person = seeded["person"]
    # A delivery log names a contact by its id: those of his contacts and tasks go.
    assert Delivery.objects.filter(object_id=person.pk, event="contact.created").exists()
    assert Delivery.objects.filter(event="task.created").count() == 2

    done = _erase_by_email(admin_client, django_capture_on_commit_callbacks)

    assert done.status == Erasure.Status.DONE
    assert done.steps == list(erasure.STEPS)
    assert _database_hits(MARK) == {}
    assert _media_hits(settings, MARK) == []
    # The other person is all there: each place that held her marker still does.
    after_other = _database_hits(OTHER)
    assert after_other.keys() == before_other.keys()
    assert Contact.objects.filter(pk=other.pk).exists()
    assert not Delivery.objects.filter(object_id=person.pk, event="contact.created").exists()
    assert Delivery.objects.filter(object_id=other.pk, event="contact.created").exists()
    assert Delivery.objects.filter(event="task.created").count() == 1
    assert _media_hits(settings, OTHER)
    # Suppressed, recorded without a word of him.
    assert suppression.is_suppressed(emails=[EMAIL.upper()])
    # His phone left his card before: his history shows he held it, so it goes on the
    # list too, however it is written.
    assert Suppression.objects.count() == 2
    assert suppression.is_suppressed(phones=["06.11.22.33.44"])
    entry = PrivacyRequest.objects.get(kind="erase")
    assert entry.outcome == "done" and entry.records > 10
    assert MARK not in " ".join(str(v) for v in PrivacyRequest.objects.values_list()).lower()
    # The other contact's note named his address: it is kept, without it.
    notes = list(other.activities.values_list("text", flat=True))
    assert "Wrote to [\u2026] about it" in notes
    # Her card named him: the words went, the rest of what the colleague typed stayed,
    # and what syncs from her card fetches it again.
    other_before = other
    other = Contact.objects.get(pk=other.pk)
    assert other.description == f"Knows [erased] ([erased]), call [erased] first.\n{KEPT}"
    referrer = CustomField.objects.get(label="Referred by")
    assert other.custom[referrer.key] == "Sent by [erased], [erased]"
    assert other.version > other_before.version
    assert other.updated_at > other_before.updated_at
    assert list(other.positions.values_list("job_title", "department")) == [
        ("Assistant", "[erased]'s team")
    ]
    assert f"{OTHER}@example.org" in other.search_text
    # No history entry tells what went.
    assert ContactEvent.objects.filter(contact=other).count() == other_events
    # The import named after him is named otherwise; its file is the same.
    assert ImportJob.objects.filter(file_name="leads-[erased].csv").count() == 1


@pytest.mark.django_db
def test_another_contacts_history_reads_erased(admin, admin_client, seeded, settings):
    other = seeded["other"]
    entry = ContactEvent.objects.filter(contact=other).first()
    ContactEvent.objects.filter(pk=entry.pk).update(
        changes=[{"field": "description", "label": "", "old": "", "new": f"Ask {EMAIL}"}]
    )
    subject = subject_for("email", EMAIL)
    made = erasure.erasure_start(by=admin, subject=subject)  # queued on a commit tests never make
    erasure.erasure_resume(made.pk)
    entry.refresh_from_db()
    assert entry.changes[0]["new"] == history.ERASED
    page = admin_client.get(reverse("contacts:history", args=[other.pk])).content.decode()
    assert "erased" in page
    admin_client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "fr"})
    page = admin_client.get(reverse("contacts:history", args=[other.pk])).content.decode()
    assert "effacé" in page


@pytest.mark.django_db
def test_another_contacts_text_reads_erased_in_the_admins_language(admin, seeded):
    Profile.objects.update_or_create(user=admin, defaults={"language": "fr"})
    made = erasure.erasure_start(by=admin, subject=subject_for("email", EMAIL))
    erasure.erasure_resume(made.pk)
    other = Contact.objects.get(pk=seeded["other"].pk)
    assert other.description == f"Knows [effacé] ([effacé]), call [effacé] first.\n{KEPT}"
    assert ImportJob.objects.filter(file_name="leads-[effacé].csv").exists()


@pytest.mark.django_db
def test_a_crash_midway_resumes_and_ends_complete(admin, seeded, settings, monkeypatch):
    subject = subject_for("email", EMAIL)
    made = erasure.erasure_start(by=admin, subject=subject)
    calls = []
    real = erasure.STEPS["imports"]

    def crash(*args):
        calls.append(1)
        raise OSError("worker killed")

    monkeypatch.setitem(erasure.STEPS, "imports", crash)
    with pytest.raises(OSError):
        erasure.erasure_run.call(erasure_id=made.pk)
    made.refresh_from_db()
    assert made.status == Erasure.Status.INTERRUPTED
    assert made.steps == [
        "suppress",
        "webhook_deliveries",
        "queued_emails",
        "history",
        "mentions",
        "timeline",
        "tasks",
    ]
    assert Contact.all_objects.filter(pk=seeded["person"].pk).exists()  # not reached yet
    counts = dict(made.counts)
    monkeypatch.setitem(erasure.STEPS, "imports", real)
    # The worker's check queues again an erasure left untouched for a while.
    assert erasure.erasures_resume_stale() == 0
    Erasure.objects.filter(pk=made.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert erasure.erasures_resume_stale() == 1
    made.refresh_from_db()
    assert made.status == Erasure.Status.DONE
    assert made.steps == list(erasure.STEPS)
    # The steps done before the crash were not run again.
    assert {k: made.counts[k] for k in counts} == counts
    assert made.counts["imports"] > 0
    assert not Contact.all_objects.filter(pk=seeded["person"].pk).exists()
    assert made.needles == [] and made.contact_ids == [] and made.emails == []
    assert _database_hits(MARK) == {}
    # Run once more: nothing to do, nothing broken.
    erasure.erasure_run.call(erasure_id=made.pk)
    assert PrivacyRequest.objects.get(kind="erase").outcome == "done"


@pytest.mark.django_db
def test_the_erased_address_is_not_brought_back(
    admin, admin_client, seeded, django_capture_on_commit_callbacks
):
    _erase_by_email(admin_client, django_capture_on_commit_callbacks)
    count = Contact.all_objects.count()
    rows = [
        ["First name", "Email", "Phone"],
        ["Zorglub", EMAIL.title(), ""],
        ["Z", " zorglub.KOWALSKI@example.org", ""],
        # The number he took off his card before he was erased, written otherwise.
        ["Zed", "zed@example.net", "+33 (0)6.11.22.33.44"],
    ]
    job = imports.job_create(
        by=admin, upload=ContentFile(csv_text(*rows).encode(), name="again.csv")
    )
    job.responsible = [admin.pk]
    job.save()
    imports.job_start(job=job)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.issues.filter(outcome="rejected").count() == 3
    web_form = make_web_form(name="Again")
    response = Client().post(
        submit_url(web_form),
        posted(web_form, first_name="Zorglub", last_name="Kowalski", email=EMAIL.upper()),
    )
    assert response.status_code in (200, 302, 303)
    response = Client().post(
        submit_url(web_form),
        posted(
            web_form, first_name="Zed", last_name="Z", email="zed@example.net", phone="0611223344"
        ),
    )
    assert response.status_code in (200, 302, 303), response.content.decode()[:3000]
    assert Contact.all_objects.count() == count
    assert not ContactInfo.objects.filter(normalized=EMAIL).exists()
    assert not ContactInfo.objects.filter(normalized="+33611223344").exists()


@pytest.mark.django_db
def test_the_number_looked_up_is_suppressed_though_no_card_holds_it(admin, seeded):
    # Found by a number only his history holds: it goes on the list all the same.
    made = erasure.erasure_start(by=admin, subject=subject_for("phone", "06 11 22 33 44"))
    erasure.erasure_resume(made.pk)
    assert suppression.is_suppressed(phones=["+33611223344"])
    assert not suppression.is_suppressed(emails=[EMAIL])  # no contact of his was found


@pytest.mark.django_db
def test_the_retention_review_leads_to_the_erasure_of_one_contact(
    admin_client, seeded, django_capture_on_commit_callbacks
):
    person = seeded["person"]
    url = reverse("privacy:erase_contact", args=[person.pk])
    page = admin_client.get(url).content.decode()
    assert "The contact purged" in page and "Zorglub Kowalski" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert not Contact.all_objects.filter(pk=person.pk).exists()
    # The website form's contact shares his address but was not chosen: it stays.
    assert Contact.all_objects.filter(first_name="Zorglub").count() == 1
    assert Erasure.objects.get().status == "done"
    assert admin_client.get(url).status_code == 404


@pytest.mark.django_db
def test_lifting_a_suppression_is_recorded_in_the_register(admin, admin_client):
    [entry] = suppression.suppress(emails=[EMAIL], by=admin)
    response = admin_client.post(
        reverse("settings_app:suppression_lift", args=[entry.pk]), {"value": EMAIL.upper()}
    )
    assert response.status_code == 302
    assert not Suppression.objects.exists()
    lift = PrivacyRequest.objects.get()
    assert (lift.kind, lift.lookup, lift.outcome) == ("lift", "email", "done")
    from privacy.register import subject_key  # noqa: PLC0415

    assert lift.subject_key == subject_key("email", EMAIL)


@pytest.mark.django_db
def test_only_crm_admins_erase(alice, seeded):
    client = Client()
    client.force_login(alice)
    for url in (
        reverse("privacy:erase"),
        reverse("privacy:erase_contact", args=[seeded["person"].pk]),
    ):
        response = client.post(
            url, {"lookup": "email", "value": EMAIL, "step": "confirmed", "confirm": "on"}
        )
        assert response.status_code == 403
    assert client.get(reverse("privacy:erasures")).status_code == 403
    assert not Erasure.objects.exists()
