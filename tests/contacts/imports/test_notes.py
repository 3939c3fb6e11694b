"""A file's "Notes" column becomes a note on each contact's timeline."""

import csv

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from activities.models import Event, EventCategory
from contacts.imports import mapping
from contacts.imports import services as imports
from contacts.models import Contact
from tests.contacts.imports.conftest import DATA, assert_accounted, upload
from tests.support import csv_text, page_of

pytestmark = pytest.mark.django_db


def notes_in_file(name):
    with open(DATA / name, encoding="utf-8") as file:
        return sorted(
            (row["First Name"], row["Last Name"], row["Notes"])
            for row in csv.DictReader(file)
            if row["Notes"]
        )


def test_the_google_files_notes_are_notes_on_the_timelines_by_the_importer(run_import, alice):
    job = run_import("google-contacts.csv")
    assert_accounted(job)

    expected = notes_in_file("google-contacts.csv")
    events = Event.objects.select_related("contact", "category", "author")
    found = sorted((e.contact.first_name, e.contact.last_name, e.text) for e in events)
    assert found == expected
    assert {(e.category.code, e.author) for e in events} == {("note", alice)}
    # Each contact with a note has it as its last activity; the others have none.
    for contact in Contact.objects.all():
        newest = events.filter(contact=contact).first()
        assert contact.last_activity_at == (newest.happened_at if newest else None)
    # Derived and bulk: no description was written from them.
    assert not Contact.objects.exclude(description="").exists()


def test_importing_the_file_again_to_update_adds_no_second_note(run_import):
    run_import("google-contacts.csv")
    count = Event.objects.count()

    job = run_import("google-contacts.csv", duplicates="update", match_on="name")

    assert job.updated > 0
    assert Event.objects.count() == count


def test_a_new_note_for_an_existing_contact_is_added_to_its_timeline(run_import, make_contact):
    ada = make_contact(first_name="Ada", last_name="Lovelace")
    content = csv_text(["First name", "Last name", "Notes"], ["Ada", "Lovelace", "Met at a fair"])

    job = run_import(content, duplicates="update", match_on="name")

    assert job.updated == 1
    assert list(Event.objects.filter(contact=ada).values_list("text", flat=True)) == [
        "Met at a fair"
    ]
    ada.refresh_from_db()
    assert ada.last_activity_at == Event.objects.get(contact=ada).happened_at


@pytest.mark.parametrize(
    "header", ["Notes", "Note", "Remarques", "Commentaires", "Commentaire", "Comments"]
)
def test_common_notes_headers_map_to_the_notes(header):
    assert mapping.auto_mapping(["First name", header]) == ["first_name", "notes"]


def test_a_description_header_still_maps_to_the_description():
    assert mapping.auto_mapping(["First name", "Description"]) == ["first_name", "description"]


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Notes (a note on the timeline)"), ("fr", "Notes (une note sur le fil d’activité)")],
)
def test_the_mapping_step_offers_the_notes(client, alice, language, label):
    Profile.objects.create(user=alice, language=language)
    client.force_login(alice)
    content = csv_text(["First name", "Remarques"], ["Ada", "Hello"])
    job = imports.job_create(by=alice, upload=upload(content))

    html = page_of(client.get(reverse("contacts:import_mapping", args=[job.pk])))

    assert f'<option value="notes" selected>{label}</option>' in html


def test_notes_longer_than_an_event_holds_reject_their_row(run_import):
    content = csv_text(["First name", "Notes"], ["Ada", "x" * 20001], ["Grace", "Short"])
    job = run_import(content)
    assert (job.created, job.rejected) == (1, 1)
    assert "longer than 20000 characters" in job.issues.get().reason
    assert list(Event.objects.values_list("text", flat=True)) == ["Short"]


def test_without_the_note_category_the_first_category_takes_the_notes(run_import):
    EventCategory.objects.filter(code="note").delete()
    run_import(csv_text(["First name", "Notes"], ["Ada", "Hello"]))
    assert Event.objects.get().category == EventCategory.objects.order_by("position").first()


def test_without_any_category_the_notes_are_left_out_and_give_no_last_activity(run_import):
    EventCategory.objects.all().delete()
    job = run_import(csv_text(["First name", "Notes"], ["Ada", "Hello"], ["Grace", ""]))
    assert job.created == 2
    assert not Event.objects.exists()
    assert list(Contact.objects.values_list("last_activity_at", flat=True)) == [None, None]


def test_the_notes_are_written_in_bulk_a_few_queries_per_batch(run_import, settings):
    settings.IMPORT_BATCH_SIZE = 2000

    def queries(rows, last_name):
        content = csv_text(
            ["First name", "Last name", "Notes"],
            *([f"P{n}", last_name, f"Note {n}"] for n in range(rows)),
        )
        with CaptureQueriesContext(connection) as captured:
            job = run_import(content)
        assert job.created == rows
        return len(captured)

    queries(1, "Warm")  # what the cache keeps between imports is read once
    few = queries(5, "Few")
    many = queries(60, "Many")
    assert many == few
    assert Event.objects.count() == 66
