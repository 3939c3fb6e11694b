"""The import wizard's pages, for every persona."""

import re

import pytest
from django.urls import reverse

from contacts.imports import services
from contacts.imports.models import ImportJob
from contacts.models import Contact
from contacts.services import ContactData, contact_update
from tests.contacts.imports.conftest import DATA, sample, upload
from tests.support import page_of

CSV = "First name,Last name,Email\r\nAda,Lovelace,ada@example.com\r\nBad,Row,nope\r\n"


@pytest.fixture
def job(run_import):
    """Alice's finished import: one contact created, one row rejected."""
    return run_import(CSV)


@pytest.fixture
def draft(alice):
    return services.job_create(by=alice, upload=sample("outlook-contacts.csv"))


def urls(job):
    return {
        name: reverse(f"contacts:import_{name}", args=[job.pk])
        for name in ("detail", "progress", "rejected", "undo")
    }


PAGES = ["detail", "progress", "rejected", "undo"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, job, name):
    response = client.get(urls(job)[name])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or "login" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_another_user_gets_404(client, bob, job, name):
    client.force_login(bob)
    assert client.get(urls(job)[name]).status_code == 404


@pytest.mark.parametrize("name", ["cancel", "resume", "undo"])
def test_another_user_cannot_act_on_an_import(client, bob, job, name):
    client.force_login(bob)
    response = client.post(reverse(f"contacts:import_{name}", args=[job.pk]))
    assert response.status_code == 404
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("name", ["settings", "mapping", "preview"])
def test_another_user_cannot_see_a_draft(client, bob, draft, name):
    client.force_login(bob)
    assert client.get(reverse(f"contacts:import_{name}", args=[draft.pk])).status_code == 404


def test_the_owner_sees_the_report(alice_client, job):
    html = page_of(alice_client.get(urls(job)["detail"]))
    assert "Finished" in html
    assert f"/contacts/?import={job.pk}" in html
    assert "Invalid email address: “nope”." in html
    assert reverse("contacts:import_rejected", args=[job.pk]) in html
    # The report ended: the progress no longer polls.
    assert 'hx-trigger="every 1s"' not in html


def test_an_admin_sees_every_import(admin_client, job):
    assert "Finished" in page_of(admin_client.get(urls(job)["detail"]))
    assert job.file_name in page_of(admin_client.get(reverse("contacts:import_list")))
    response = admin_client.get(urls(job)["rejected"])
    assert response.status_code == 200


def test_past_imports_list_only_ones_own(client, alice, bob, job):
    client.force_login(bob)
    assert job.file_name not in page_of(client.get(reverse("contacts:import_list")))
    client.force_login(alice)
    html = page_of(client.get(reverse("contacts:import_list")))
    assert job.file_name in html and "Finished" in html


def test_the_rejected_rows_download(alice_client, job):
    response = alice_client.get(urls(job)["rejected"])
    assert response["Content-Disposition"] == 'attachment; filename="contacts-rejected.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == [
        "First name,Last name,Email,error",
        "Bad,Row,nope,Invalid email address: “nope”.",
    ]


def test_the_download_name_is_safe_whatever_the_upload_was_called(alice_client, job):
    ImportJob.objects.filter(pk=job.pk).update(file_name='évé\n"x".csv', error_file="")
    response = alice_client.get(urls(job)["rejected"])
    assert response.status_code == 200
    assert "\n" not in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment; filename")


def test_the_create_menu_offers_the_import(alice_client):
    html = page_of(alice_client.get(reverse("contacts:list")))
    assert reverse("contacts:import_new") in html
    assert "Import contacts" in html


def test_the_whole_wizard(alice_client, alice, bob, django_capture_on_commit_callbacks):
    html = page_of(alice_client.get(reverse("contacts:import_new")))
    assert "Up to 50 MB." in html
    with (DATA / "outlook-contacts.csv").open("rb") as file:
        response = alice_client.post(
            reverse("contacts:import_new"), {"file": file, "has_header": "on"}
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("contacts:import_settings", args=[job.pk])

    # Step 1: what was detected, a preview, and the settings.
    html = page_of(alice_client.get(response["Location"]))
    assert '<option value="cp1252" selected>' in html
    assert "Émile" in html  # the preview, decoded
    preview = alice_client.get(
        reverse("contacts:import_preview", args=[job.pk]),
        {"encoding": "utf-8", "delimiter": ",", "quotechar": '"', "skip_records": "0"},
    )
    assert "cannot be read as UTF-8" in page_of(preview)
    response = alice_client.post(
        reverse("contacts:import_settings", args=[job.pk]),
        {
            "encoding": "cp1252",
            "delimiter": ",",
            "quotechar": '"',
            "skip_records": "0",
            "has_header": "on",
            "duplicates": "skip",
            "match_on": "email",
            "access": "public_read",
            "responsible": [bob.pk],
            "tags": "Outlook, 2026",
        },
    )
    assert response["Location"] == reverse("contacts:import_mapping", args=[job.pk])

    # Step 2: a column per row with its value; browse to the next record.
    mapping_url = response["Location"]
    html = page_of(alice_client.get(mapping_url))
    assert "?ukasz" in html and "Values of record 1" in html
    html = page_of(alice_client.get(mapping_url, {"record": "1"}))
    assert "Søren" in html and "Previous record" in html
    job.refresh_from_db()
    data = {f"col_{n}": target for n, target in enumerate(job.mapping)}
    data["col_43"] = "notes"  # Job Title, as "Notes": refused, mapped twice
    html = page_of(alice_client.post(mapping_url, data))
    assert "is chosen for both “Notes” and “Job Title”" in html
    data["col_43"] = "job_title"
    data["col_13"] = ""  # leave the notes out
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(mapping_url, data)
    assert response["Location"] == reverse("contacts:import_detail", args=[job.pk])

    # Step 3: the report (the task ran at once in the tests).
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == ("done", 30, 0)
    html = page_of(alice_client.get(response["Location"]))
    assert "Open the imported contacts" in html
    contact = Contact.objects.get(first_name="Émile", last_name="Lefèvre")
    assert contact.description == ""
    assert contact.access == "public_read"
    assert sorted(contact.tags.values_list("name", flat=True)) == [
        "2026",
        "Newsletter",
        "Outlook",
        "Salon 2026",
    ]

    # The list filtered to this import.
    html = page_of(alice_client.get(reverse("contacts:list"), {"import": job.pk}))
    assert "Import: outlook-contacts.csv" in html
    assert "Lefèvre" in html
    assert re.search(r"\b(30|3\d) contacts\b", html), re.findall(r"\d+ contacts", html)


def test_a_file_that_is_not_csv_is_refused_in_step_1(alice_client):
    file = upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", name="photo.csv")
    html = page_of(alice_client.post(reverse("contacts:import_new"), {"file": file}))
    assert "This file is not a CSV text file" in html
    assert ImportJob.objects.count() == 0


def test_a_file_over_the_limit_is_refused(alice_client, settings):
    settings.IMPORT_MAX_BYTES = 10
    html = page_of(alice_client.post(reverse("contacts:import_new"), {"file": upload(CSV)}))
    assert "larger than" in html
    assert ImportJob.objects.count() == 0


def test_a_huge_upload_is_refused_before_it_is_read(alice_client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = "First name\r\n" + "Ada\r\n" * 30000
    response = alice_client.post(reverse("contacts:import_new"), {"file": upload(content)})
    assert response.status_code == 413
    assert "larger than 0 MB" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_mapping_needs_a_name(alice_client, alice):
    job = services.job_create(by=alice, upload=upload(CSV))
    url = reverse("contacts:import_mapping", args=[job.pk])
    html = page_of(alice_client.post(url, {"col_0": "", "col_1": "", "col_2": "email:work"}))
    assert "Map a column to “First name” or to “Company name”" in html
    assert Contact.objects.count() == 0


def test_cancel_resume_and_undo_by_the_owner(alice_client, job, run_import):
    page_of(alice_client.get(urls(job)["undo"]))
    response = alice_client.post(urls(job)["undo"])
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "undone"
    assert Contact.objects.count() == 0
    # Cancel and resume answer with the job's page, whatever its state.
    assert alice_client.post(reverse("contacts:import_cancel", args=[job.pk])).status_code == 302
    assert alice_client.post(reverse("contacts:import_resume", args=[job.pk])).status_code == 302


def test_the_import_filter_labels_others_imports_by_number(client, bob, job):
    client.force_login(bob)
    html = page_of(client.get(reverse("contacts:list"), {"import": job.pk}))
    assert f"Import #{job.pk}" in html
    assert job.file_name not in html
    assert "Lovelace" not in html


def test_the_notification_links_to_the_report(alice_client, job):
    html = page_of(alice_client.get(reverse("contacts:notifications")))
    assert f'The import of <a href="{job.get_absolute_url()}">contacts.csv</a> is finished.' in html


WIZARD = ["settings", "mapping", "preview"]


@pytest.mark.parametrize("name", WIZARD)
def test_anonymous_users_are_sent_to_log_in_from_the_wizard(client, draft, name):
    response = client.get(reverse(f"contacts:import_{name}", args=[draft.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("url", ["/contacts/imports/", "/contacts/imports/new/"])
def test_anonymous_users_are_sent_to_log_in_from_the_list_and_upload(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("name", WIZARD)
def test_the_owner_and_an_admin_open_the_wizard(client, alice, admin, draft, name):
    for user in (alice, admin):
        client.force_login(user)
        html = page_of(client.get(reverse(f"contacts:import_{name}", args=[draft.pk])))
        assert "Émile" in html or "Lefèvre" in html or "E-mail Address" in html


def test_a_started_import_leaves_the_wizard_for_its_page(alice_client, job):
    for name in WIZARD[:2]:
        response = alice_client.get(reverse(f"contacts:import_{name}", args=[job.pk]))
        assert response["Location"] == job.get_absolute_url()


def test_the_progress_polls_while_the_import_runs(alice_client, job):
    ImportJob.objects.filter(pk=job.pk).update(status="running", rows_done=1, total_rows=2)
    html = page_of(alice_client.get(reverse("contacts:import_progress", args=[job.pk])))
    assert 'hx-trigger="every 1s"' in html
    assert "1 of 2 rows" in html
    assert "Cancel the import" in html


def test_undo_names_no_contact_the_importer_can_no_longer_see(alice_client, job, bob, admin):
    """Someone renamed an imported contact and made it private: its new name stays hidden."""
    imported = Contact.objects.get(import_job=job)
    contact_update(
        by=admin,
        contact=imported,
        data=ContactData(
            kind="person",
            fields={"first_name": "Hidden", "last_name": "Renamed"},
            access=Contact.Access.PRIVATE,
            responsible=[bob],
        ),
    )
    html = page_of(alice_client.get(urls(job)["undo"]))
    assert "Renamed" not in html
    assert "A contact you cannot see" in html
    response = alice_client.post(urls(job)["undo"], follow=True)
    html = page_of(response)
    assert "Renamed" not in html
    assert "changed since (a contact you cannot see)" in html
    assert Contact.objects.filter(pk=imported.pk).exists()


def test_undo_links_the_changed_contacts_the_importer_still_sees(alice_client, job, alice):
    imported = Contact.objects.get(import_job=job)
    contact_update(
        by=alice,
        contact=imported,
        data=ContactData(
            kind="person", fields={"first_name": "Ada", "last_name": "King"}, responsible=[alice]
        ),
    )
    html = page_of(alice_client.get(urls(job)["undo"]))
    assert f'<a href="{imported.get_absolute_url()}">Ada King</a>' in html
