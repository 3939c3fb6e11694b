"""Finding a person everywhere and building his copy, from data put there by the real ways in:
the contact form's services, a CSV import, a website form, a task, a timeline event with
a file, a webhook subscription, the task queue."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import email_send
from contacts.imports.models import ImportIssue
from contacts.models import Contact, CustomField
from contacts.trash.services import contact_delete
from privacy import exports
from privacy.finders import find_everywhere
from privacy.models import PersonalDataExport, PrivacyRequest
from privacy.subjects import subject_for
from tests.privacy.conftest import EMAIL, MARK, OTHER


def _find(client, lookup, value):
    return client.post(reverse("privacy:find"), {"lookup": lookup, "value": value})


@pytest.mark.django_db
def test_the_seeding_reached_every_place(seeded):
    job = seeded["job"]
    assert job.status == "done", job.error
    assert ImportIssue.objects.filter(job=job, outcome="rejected").count() == 1
    assert job.error_file
    assert Contact.objects.filter(source="web_form", infos__normalized=EMAIL).count() == 1


@pytest.mark.django_db
def test_find_by_email_lists_every_place_the_person_is_in(admin_client, seeded):
    response = _find(admin_client, "email", "  Zorglub.Kowalski@EXAMPLE.org ")
    assert response.status_code == 200
    page = response.content.decode()
    for key in (
        "contacts",
        "contact_info",
        "user_fields",
        "history",
        "web_form_submissions",
        "timeline",
        "attachments",
        "tasks",
        "import_rows",
        "import_files",
        "notifications",
        "webhook_deliveries",
    ):
        assert f'id="place-{key}"' in page, key
    assert "Met Zorglub at the fair" not in page  # titles, not the notes themselves
    assert "zorglub card.pdf" in page
    assert "Call back Zorglub" in page
    assert "Passport of Zorglub Kowalski" in page
    assert "Rejected rows of people.csv, line 2" in page
    assert "draft.csv, line 3" in page
    assert "Website form: Zorglub Kowalski" in page
    # The other person's note names the address: it is listed, on her.
    assert "Note on another contact" in page
    assert "Bertrand" not in page
    assert f"Call {OTHER}" not in page
    assert f"{OTHER}.pdf" not in page
    assert "Shoe size" not in page
    assert reverse("contacts:detail", args=[seeded["person"].pk]) in page


@pytest.mark.django_db
def test_find_lists_the_free_text_of_other_contacts_that_names_the_person(admin_client, seeded):
    other = seeded["other"]
    page = _find(admin_client, "email", EMAIL).content.decode()
    assert 'id="place-mentions"' in page
    # The description named his address, his name and a number he no longer holds,
    # written with dots; a user field his number written otherwise; a position his name.
    assert "Mentioned in the description of another contact" in page
    assert "Mentioned in the user field “Referred by” of another contact" in page
    assert "Mentioned in a position of another contact" in page
    assert reverse("contacts:detail", args=[other.pk]) in page
    assert "Bertrand" not in page
    # The import the importer named after him.
    assert 'id="place-import_file_names"' in page
    assert f"Import of the file leads-{EMAIL}.csv" in page


@pytest.mark.django_db
def test_a_number_written_otherwise_in_free_text_is_found(seeded):
    places = {p.finder.key: p for p in find_everywhere(subject_for("phone", "0611223344"))}
    texts = {h.data["field"]: h.data["text"] for h in places["mentions"].hits}
    assert texts["description"].startswith("Knows Zorglub Kowalski")  # "06.11.22.33.44"
    assert texts["Referred by"] == "Sent by zorglub kowalski, +33 6 11 22 33 44"
    # Another number is another person's.
    places = {p.finder.key: p for p in find_everywhere(subject_for("phone", "0611223345"))}
    assert not places["mentions"].hits


@pytest.mark.django_db
def test_find_by_phone_finds_a_number_the_card_no_longer_holds(admin_client, seeded):
    # The update took the phone off his card: the history still holds it, as typed. No
    # contact holds the number now: the entries are named as no one's, and lead there.
    page = _find(admin_client, "phone", "+33 (0)6-11-22-33-44").content.decode()
    assert 'id="place-contacts"' not in page
    assert 'id="place-history"' in page
    assert "another contact changed" in page  # whose card no longer holds the number
    assert reverse("contacts:history", args=[seeded["person"].pk]) in page
    assert "Bertrand" not in page


@pytest.mark.django_db
def test_find_by_name_finds_the_contacts_in_the_trash_too(admin, admin_client, seeded):
    contact_delete(by=admin, contact=seeded["person"])
    page = _find(admin_client, "name", "zorglub kowalski").content.decode()
    assert "Zorglub Kowalski (in the trash)" in page
    assert reverse("contacts:trash") in page


@pytest.mark.django_db
def test_a_person_held_nowhere_is_found_nowhere_and_recorded(admin_client, seeded):
    page = _find(admin_client, "email", "nobody@example.net").content.decode()
    assert "0 records found" in page
    entry = PrivacyRequest.objects.get()
    assert (entry.kind, entry.outcome, entry.records) == ("find", "nothing", 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lookup", "value", "message"),
    [
        ("email", "not an address", "Enter an e-mail address"),
        ("phone", "12", "This phone number cannot be read"),
        ("name", "Z", "Write the full name"),
        ("other", "x", "Select a valid choice"),
        ("email", "x" * 300, "at most 254 characters"),
        ("name", "Zorg\x00lub", "Null characters are not allowed"),
    ],
)
def test_bad_input_is_a_message_not_an_error(admin_client, lookup, value, message):
    response = _find(admin_client, lookup, value)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PrivacyRequest.objects.exists()


def _export(admin_client, django_capture_on_commit_callbacks, lookup="email", value=EMAIL):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("privacy:export_new"), {"lookup": lookup, "value": value}
        )
    assert response.status_code == 302
    return PersonalDataExport.objects.get()


def _zip(admin_client, export):
    response = admin_client.get(reverse("privacy:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_the_copy_holds_every_place_and_nothing_of_anyone_else(
    admin_client, seeded, django_capture_on_commit_callbacks
):
    export = _export(admin_client, django_capture_on_commit_callbacks)
    assert export.status == "done"
    assert export.value == ""  # forgotten once in the zip
    archive = _zip(admin_client, export)
    names = archive.namelist()
    document = json.loads(archive.read("personal-data.json"))
    assert document["format"] == "crm-personal-data"
    assert document["looked_up_by"] == {"kind": "email", "value": EMAIL}
    counts = {p["place"]: p["count"] for p in document["places"]}
    for key in (
        "contacts",
        "contact_info",
        "user_fields",
        "history",
        "web_form_submissions",
        "timeline",
        "attachments",
        "tasks",
        "import_rows",
        "import_files",
        "notifications",
        "webhook_deliveries",
        "mentions",
        "import_file_names",
    ):
        assert counts[key] > 0, key
    mentions = next(p for p in document["places"] if p["place"] == "mentions")["records"]
    assert {r["data"]["field"] for r in mentions} == {"description", "Referred by", "position"}
    assert all(r["data"]["contact"] == seeded["other"].pk for r in mentions)
    [named_file] = next(p for p in document["places"] if p["place"] == "import_file_names")[
        "records"
    ]
    assert named_file["data"]["file_name"] == f"leads-{EMAIL}.csv"
    assert export.records == sum(counts.values())
    person = next(p for p in document["places"] if p["place"] == "contacts")["records"]
    assert {r["data"]["user_fields"].get("Passport") for r in person} >= {"ZX-zorglub-77"}
    assert all("Shoe size" not in r["data"]["user_fields"] for r in person)
    vcards = [n for n in names if n.startswith("vcards/")]
    assert len(vcards) == 2  # his card, and the one the website form created
    assert all(EMAIL in archive.read(n).decode().lower() for n in vcards)
    timeline = list(csv.reader(io.StringIO(archive.read("timeline.csv").decode("utf-8-sig"))))
    assert timeline[0][0] == "date"
    assert {"Met Zorglub at the fair", f"Wrote to {EMAIL} about it"} <= {r[5] for r in timeline}
    [attachment] = [n for n in names if n.startswith("attachments/")]
    assert attachment.endswith("-zorglub_card.pdf")  # no way out of the folder it is unpacked in
    assert archive.read(attachment) == b"%PDF zorglub card"
    everything = b"".join(archive.read(n) for n in names).lower()
    assert MARK.encode() in everything
    assert OTHER.encode() not in everything
    assert b"bertrandmarker-pass" not in everything


@pytest.mark.django_db
def test_the_register_holds_each_request_but_not_the_person(
    admin_client, seeded, django_capture_on_commit_callbacks
):
    _find(admin_client, "email", EMAIL)
    _find(admin_client, "email", EMAIL.upper())
    _export(admin_client, django_capture_on_commit_callbacks)
    find1, find2, export = PrivacyRequest.objects.order_by("pk")
    assert (find1.kind, find1.lookup, find1.outcome, find1.by_name) == (
        "find",
        "email",
        "done",
        "admin",
    )
    assert find1.records > 10
    assert find1.subject_key == find2.subject_key == export.subject_key
    assert (export.kind, export.outcome, export.records) == ("export", "done", find1.records)
    stored = " ".join(str(v) for row in PrivacyRequest.objects.values_list() for v in row).lower()
    assert MARK not in stored and "kowalski" not in stored
    page = admin_client.get(reverse("privacy:register")).content.decode()
    assert "3 requests" in page
    assert MARK not in page.lower()
    response = admin_client.get(reverse("privacy:register_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["kind"] for r in rows] == ["find", "find", "export"]
    assert rows[0]["person_key"] == find1.subject_key
    assert MARK not in text.lower()


@pytest.mark.django_db
def test_a_queued_email_naming_the_person_is_found(admin_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    email_send.enqueue(subject="Hello", body="Dear Zorglub", from_email="crm@x.org", to=[EMAIL])
    email_send.enqueue(subject="Hello", body="Dear B", from_email="crm@x.org", to=["b@x.org"])
    places = {p.finder.key: p for p in find_everywhere(subject_for("email", EMAIL))}
    [hit] = places["queued_emails"].hits
    assert hit.data["arguments"]["kwargs"]["to"] == [EMAIL]
    page = _find(admin_client, "email", EMAIL).content.decode()
    assert 'id="place-queued_emails"' in page


@pytest.mark.django_db
def test_a_copy_past_its_days_is_refused_then_deleted(
    admin_client, seeded, django_capture_on_commit_callbacks
):
    export = _export(admin_client, django_capture_on_commit_callbacks)
    name = export.file.name
    assert default_storage.exists(name)
    PersonalDataExport.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    url = reverse("privacy:export_download", args=[export.pk])
    assert admin_client.get(url).status_code == 404
    assert "Expired" in admin_client.get(reverse("privacy:exports")).content.decode()
    call_command("delete_expired_exports", stdout=io.StringIO())
    assert not PersonalDataExport.objects.exists()
    assert not default_storage.exists(name)
    # The register keeps the request.
    assert PrivacyRequest.objects.get().kind == "export"


@pytest.mark.django_db
def test_the_worker_deletes_the_copies_past_their_days(admin, seeded):
    kept = exports.export_start(by=admin, lookup="email", value=EMAIL)
    gone = exports.export_start(by=admin, lookup="email", value=EMAIL)
    PersonalDataExport.objects.filter(pk=gone.pk).update(expires_at=timezone.now())
    assert exports.exports_delete_expired() == 1
    assert list(PersonalDataExport.objects.all()) == [kept]


@pytest.mark.django_db
def test_a_copy_left_unbuilt_for_a_day_is_marked_failed(admin, seeded):
    export = exports.export_start(by=admin, lookup="email", value=EMAIL)  # never built here
    exports.exports_delete_expired()
    export.refresh_from_db()
    assert export.status == "queued"
    PersonalDataExport.objects.update(created_at=timezone.now() - timedelta(days=2))
    exports.exports_delete_expired()
    export.refresh_from_db()
    assert (export.status, export.value) == ("failed", "")
    assert PrivacyRequest.objects.get().outcome == "failed"


@pytest.mark.django_db
def test_a_copy_that_fails_says_so_and_is_recorded(
    admin_client, seeded, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_archive", broken)
    export = _export(admin_client, django_capture_on_commit_callbacks)
    assert (export.status, export.value) == ("failed", "")
    assert PrivacyRequest.objects.get().outcome == "failed"
    url = reverse("privacy:export_download", args=[export.pk])
    assert admin_client.get(url).status_code == 404


@pytest.mark.django_db
def test_only_crm_admins_reach_the_pages_and_the_copies(
    alice, admin_client, seeded, django_capture_on_commit_callbacks
):
    export = _export(admin_client, django_capture_on_commit_callbacks)
    alice_client = Client()
    alice_client.force_login(alice)
    for url in (
        reverse("privacy:find"),
        reverse("privacy:exports"),
        reverse("privacy:export_download", args=[export.pk]),
        reverse("privacy:register"),
        reverse("privacy:register_csv"),
    ):
        assert alice_client.get(url).status_code == 403, url
    response = alice_client.post(reverse("privacy:export_new"), {"lookup": "email", "value": EMAIL})
    assert response.status_code == 403
    assert PersonalDataExport.objects.count() == 1
    response = alice_client.post(reverse("privacy:find"), {"lookup": "email", "value": EMAIL})
    assert response.status_code == 403
    assert PrivacyRequest.objects.count() == 1


@pytest.mark.django_db
def test_admins_mark_a_user_field_as_personal(admin_client):
    response = admin_client.post(
        reverse("settings_app:fields"),
        {"label": "Passport", "field_type": "text", "applies_to": "person", "is_personal": "on"},
    )
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert field.is_personal
    page = admin_client.get(reverse("settings_app:fields")).content.decode()
    assert "Personal data" in page
    response = admin_client.post(
        reverse("settings_app:field_edit", args=[field.pk]),
        {"label": "Passport", "field_type": "text", "applies_to": "person"},
    )
    assert response.status_code == 302
    field.refresh_from_db()
    assert not field.is_personal
