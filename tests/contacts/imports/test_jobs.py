"""Duplicates, failure safety, cancel and resume, undo,
rejected rows and the accounting under random content (hypothesis)."""

import csv
import gc
import io
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import EmailKind, Profile
from accounts.services import email_preferences_update
from activities.models import Event
from contacts.access import contacts_visible_to, count_visible_to
from contacts.db import counts
from contacts.imports import files, report, runner, services, undo
from contacts.imports.files import ImportFileError
from contacts.imports.models import ImportJob
from contacts.models import Contact, ContactCount, Notification
from contacts.services import ContactData, contact_update
from tests.contacts.imports.conftest import assert_accounted, people, upload
from tests.support import csv_text

# Duplicates


@pytest.fixture
def ada(make_contact):
    return make_contact(
        first_name="Ada",
        last_name="Lovelace",
        description="Old note",
        infos=[
            {"kind": "email", "category": "work", "value": "Ada@Example.com"},
            {"kind": "phone", "category": "work", "value": "01 23 45 67 89"},
        ],
        tags=["Old"],
    )


ROW = csv_text(
    ["First name", "Last name", "Email", "Phone", "Notes", "Tags"],
    ["Ada", "Lovelace", "ada@example.COM", "+33 1 23 45 67 89", "New note", "New"],
)


def test_skip_matches_the_email_case_insensitively(run_import, ada):
    job = run_import(ROW, duplicates="skip", match_on="email")
    assert (job.created, job.skipped) == (0, 1)
    issue = job.issues.get()
    assert (issue.reason, issue.contact) == ("Already in the CRM.", ada)
    assert Contact.objects.count() == 1


def test_create_makes_a_duplicate(run_import, ada):
    job = run_import(ROW, duplicates="create")
    assert job.created == 1
    assert Contact.objects.filter(first_name="Ada").count() == 2


def test_update_completes_the_existing_contact(run_import, ada):
    job = run_import(ROW, duplicates="update", match_on="phone")
    assert (job.created, job.updated, job.skipped) == (0, 1, 0)
    ada.refresh_from_db()
    # The file's notes are a note on the timeline, by the importer; the description stays.
    assert ada.description == "Old note"
    notes = Event.objects.filter(contact=ada).values_list("text", "category__code", "author")
    assert list(notes) == [("New note", "note", ada.created_by_id)]
    assert ada.version == 2
    # The email is the same address: not added twice; the tags add up.
    assert ada.infos.filter(kind="email").count() == 1
    assert sorted(ada.tags.values_list("name", flat=True)) == ["New", "Old"]


def test_match_on_exact_name_and_company(run_import, make_contact):
    acme = make_contact("company", company_name="Acme")
    jean = make_contact(first_name="Jean", last_name="Dupont", company=acme)
    make_contact(first_name="Jean", last_name="Dupont")
    content = csv_text(
        ["First name", "Last name", "Company"],
        ["Jean", "Dupont", "Acme"],
        ["Jean", "Dupont", "Beta"],
        ["Acme", "", ""],
    )
    job = run_import(content, duplicates="skip", match_on="name")
    assert (job.created, job.skipped) == (2, 1)
    issue = job.issues.get()
    assert (issue.reason, issue.contact) == ("Already in the CRM.", jean)


def test_the_same_contact_twice_in_the_file_is_imported_once(run_import):
    content = csv_text(["First name", "Email"], ["Ada", "a@x.org"], ["Ada L.", "A@X.org"])
    job = run_import(content, duplicates="skip")
    assert (job.created, job.skipped) == (1, 1)
    assert job.issues.get().reason == "Same contact as line 2 of this file."


def test_a_duplicate_in_a_later_batch_names_the_line_of_the_first(run_import):
    # Batches of 7 rows (conftest): line 2 is in the first batch, line 12 in the second.
    others = [[f"P{n}", f"p{n}@x.org"] for n in range(9)]
    content = csv_text(["First name", "Email"], ["Ada", "a@x.org"], *others, ["Ada L.", "A@X.org"])
    job = run_import(content, duplicates="skip")
    assert (job.created, job.skipped) == (10, 1)
    assert job.issues.get().line == 12
    assert job.issues.get().reason == "Same contact as line 2 of this file."


def test_a_duplicate_of_a_row_written_before_a_restart_still_says_so(alice, make_contact):
    # The contact an interrupted run of this job created: its line died with that run.
    job = services.job_create(
        by=alice, upload=upload(csv_text(["First name", "Email"], ["Ada", "a@x.org"]))
    )
    job.duplicates = "skip"
    job.save()
    earlier = make_contact(
        first_name="Ada", infos=[{"kind": "email", "category": "work", "value": "a@x.org"}]
    )
    Contact.objects.filter(pk=earlier.pk).update(import_job=job)
    services.job_start(job=job)
    job.refresh_from_db()
    assert (job.created, job.skipped) == (0, 1)
    assert job.issues.get().reason == "Same contact as an earlier row of this file."


def test_contacts_others_cannot_see_are_never_matched(run_import, make_contact, bob):
    make_contact(
        by=bob,
        first_name="Ada",
        infos=[{"kind": "email", "category": "work", "value": "ada@example.com"}],
    )
    job = run_import(ROW, duplicates="skip")
    assert job.created == 1


def test_a_contact_one_may_only_read_is_skipped_not_updated(run_import, make_contact, bob):
    make_contact(
        by=bob,
        first_name="Ada",
        access="public_read",
        infos=[{"kind": "email", "category": "work", "value": "ada@example.com"}],
    )
    job = run_import(ROW, duplicates="update")
    assert (job.updated, job.skipped) == (0, 1)
    assert job.issues.get().reason == "Matches a contact you may not change."


# Failure safety, cancel, resume


def test_a_crash_leaves_whole_batches_and_resume_finishes_without_duplicates(run_import, alice):
    original = runner.Importer._process
    calls = []

    def crash_in_second_batch(self, outcomes, phones):
        if outcomes:
            calls.append(len(outcomes))
        result = original(self, outcomes, phones)
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return result

    with mock.patch.object(runner.Importer, "_process", crash_in_second_batch):
        job = run_import(people(20))
    assert calls[:2] == [7, 7]
    assert job.status == ImportJob.Status.FAILED
    assert "The import stopped after 7 rows" in job.error
    # The first batch (7 rows) is there, the second was rolled back whole.
    assert (job.rows_done, job.created) == (7, 7)
    assert Contact.objects.count() == 7
    assert services.can_resume(job)
    services.job_resume(job=job)
    job.refresh_from_db()
    assert_accounted(job)
    assert (job.created, job.skipped) == (20, 0)
    assert sorted(Contact.objects.values_list("first_name", flat=True)) == sorted(
        f"P{i}" for i in range(20)
    )


def test_a_worker_that_stopped_answering_shows_as_interrupted_and_can_resume(alice):
    job = services.job_create(by=alice, upload=upload(people(3)))
    # As if a worker had taken the job and died before its first batch.
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", run_token="dead", heartbeat_at="2020-01-01T00:00:00Z"
    )
    job.refresh_from_db()
    assert services.is_stalled(job) and services.can_resume(job)
    services.job_resume(job=job)
    job.refresh_from_db()
    assert_accounted(job)
    assert Contact.objects.count() == 3


def test_cancel_stops_after_the_current_batch_and_resume_does_the_rest(run_import):
    original = runner.Importer._commit

    def cancel_during_first(self, parsed, batch):
        if batch.records:
            ImportJob.objects.filter(pk=self.job.pk).update(cancel_requested=True)
        return original(self, parsed, batch)

    with mock.patch.object(runner.Importer, "_commit", cancel_during_first):
        job = run_import(people(20))
    assert job.status == ImportJob.Status.CANCELLED
    assert Contact.objects.count() == job.created == job.rows_done == 7
    services.job_resume(job=job)
    job.refresh_from_db()
    assert_accounted(job)
    assert Contact.objects.count() == 20


def test_a_stale_run_cannot_write_after_another_took_over(run_import, alice):
    job = services.job_create(by=alice, upload=upload(people(3)))
    ImportJob.objects.filter(pk=job.pk).update(status="queued", run_token="new")
    runner.run_job(job.pk, "old")
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("queued", 0)
    assert Contact.objects.count() == 0


def test_the_end_is_notified_in_the_app_and_by_email(
    run_import, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(people(2), responsible=[bob.pk])
    verbs = sorted(
        Notification.objects.filter(import_job=job).values_list("recipient__username", "verb")
    )
    assert verbs == [("alice", "import_ended"), ("bob", "import_assigned")]
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == [
        "Alice Martin imported contacts for you",
        "Import of contacts.csv: Finished",
    ]


def test_the_end_is_mailed_to_each_user_in_his_own_language(
    run_import, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=alice, language="fr", time_zone="Europe/Paris")
    Profile.objects.create(user=bob, language="en", time_zone="Asia/Tokyo")

    with django_capture_on_commit_callbacks(execute=True):
        run_import(people(2), responsible=[bob.pk])

    sent = {m.to[0]: m for m in mailoutbox}
    importer, responsible = sent["alice@example.com"], sent["bob@example.com"]
    assert importer.subject == "Import de contacts.csv : Terminé"
    assert importer.body.startswith("Bonjour Alice Martin,")
    assert responsible.subject == "Alice Martin imported contacts for you"
    assert responsible.body.startswith("Hello Bob Durand,")


def test_a_user_who_turned_import_emails_off_is_told_in_the_app_only(
    run_import, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    email_preferences_update(user=bob, wanted=[EmailKind.ASSIGNMENT])

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(people(2), responsible=[bob.pk])

    assert Notification.objects.filter(import_job=job, recipient=bob).exists()
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]


def test_no_email_tells_of_contacts_imported_for_a_user_when_the_import_was_undone_since(
    run_import, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as enqueue_on_commit:
        job = run_import(people(2), responsible=[bob.pk])
    undo.job_undo(by=alice, job=job)  # before the worker got to the e-mails

    for enqueue in enqueue_on_commit:
        enqueue()

    assert [m.to for m in mailoutbox] == [["alice@example.com"]]


# Undo


def test_undo_deletes_what_was_created_and_restores_what_was_updated(run_import, alice, ada):
    content = csv_text(
        ["First name", "Last name", "Email", "Notes", "Company"],
        ["Ada", "Lovelace", "ada@example.com", "New note", "Acme"],
        ["Bob", "New", "bob@example.com", "", "Acme"],
    )
    job = run_import(content, duplicates="update")
    assert (job.created, job.updated, job.companies_created) == (1, 1, 1)
    ada.refresh_from_db()
    assert ada.company.company_name == "Acme"
    assert undo.can_undo(job)
    undo.job_undo(by=alice, job=job)
    job.refresh_from_db()
    assert job.status == "undone"
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Ada"]
    ada.refresh_from_db()
    assert (ada.description, ada.company) == ("Old note", None)
    assert ada.infos.get(kind="email").value == "Ada@Example.com"
    assert list(ada.tags.values_list("name", flat=True)) == ["Old"]


def test_undo_is_refused_once_an_imported_contact_changed(run_import, alice):
    job = run_import(people(2))
    contact = Contact.objects.first()
    contact_update(
        by=alice,
        contact=contact,
        data=ContactData(kind="person", fields={"first_name": "Changed"}, responsible=[alice]),
    )
    assert not undo.can_undo(job)
    with pytest.raises(ValidationError, match="changed since"):
        undo.job_undo(by=alice, job=job)
    assert Contact.objects.count() == 2


# Rejected rows


def test_rejected_rows_download_in_the_original_columns_with_an_error_column(run_import):
    content = (
        "Prénom;E-mail;Téléphone\r\nAda;bad;+33 1 23 45 67 89\r\nBob;b@x.org;\r\n=Eve;;abc\r\n"
    )
    job = run_import(content.encode("cp1252"))
    assert (job.created, job.rejected) == (1, 2)
    text = "".join(report.rejects_lines(job))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        ["Prénom", "E-mail", "Téléphone", "error"],
        ["Ada", "bad", "'+33 1 23 45 67 89", "Invalid email address: “bad”."],
        ["'=Eve", "", "abc", "Invalid phone number: “abc”."],
    ]
    # The file is kept too, and importing it again (fixed or not) reads the same values.
    with open(job.error_file.path, encoding="utf-8", newline="") as stored:
        assert stored.read() == text
    again = run_import(text.encode("utf-8"))
    assert again.mapping[-1] == ""
    assert [i.reason for i in again.issues.all()] == [
        "Invalid email address: “bad”.",
        "Invalid phone number: “abc”.",
    ]


# The accounting holds, whatever the content (hypothesis)

CELL = st.text(alphabet="ab é,;\"'\n\r\t:@+=-0123456789.x", max_size=12)
HEADERS = ["First name", "Last name", "Company", "Email", "Phone", "Tags", "Notes", "Kind", "Other"]


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
    rows=st.lists(st.lists(CELL, max_size=8), min_size=1, max_size=12),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
@pytest.mark.django_db
def test_every_row_ends_as_exactly_one_outcome(alice, header, rows, delimiter):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([header, *rows])
    content = out.getvalue()
    try:
        job = services.job_create(by=alice, upload=upload(content))
    except ImportFileError as error:
        event(f"refused: {error}")
        return
    event("imported")
    expected = sum(1 for _ in files.data_records(job.file.path, files.dialect_of(job)))
    job.duplicates = "skip"
    job.save()
    services.job_start(job=job)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.total_rows == expected
    assert job.created + job.updated + job.skipped + job.rejected == expected
    assert job.issues.count() == job.skipped + job.rejected
    # Every row accounted for, the upload is no longer kept.
    assert not job.file
    assert Contact.objects.filter(import_job=job, kind="person").count() <= job.created


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=300))
@pytest.mark.django_db
def test_any_bytes_either_import_or_say_why(alice, content):
    try:
        job = services.job_create(by=alice, upload=upload(content))
    except ImportFileError as error:
        assert str(error)
        return
    services.job_start(job=job)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.created + job.updated + job.skipped + job.rejected == job.total_rows


def test_a_file_without_a_header_row(alice):
    content = upload("Ada,ada@x.org\r\nBob,nope\r\n")
    job = services.job_create(by=alice, upload=content, has_header=False)
    assert (job.header, job.mapping) == (["Column 1", "Column 2"], ["", ""])
    services.job_set_mapping(job=job, targets=["first_name", "email:work"])
    services.job_start(job=job)
    job.refresh_from_db()
    assert (job.total_rows, job.created, job.rejected) == (2, 1, 1)
    rejects = "".join(report.rejects_lines(job))
    assert rejects == "\ufeffBob,nope,Invalid email address: “nope”.\r\n"


def test_a_big_file_is_parsed_in_a_second_process_with_the_same_result(run_import, settings):
    settings.IMPORT_PARALLEL_MIN_BYTES = 1
    settings.IMPORT_BATCH_SIZE = 50
    content = people(120) + "Bad,Row,nope,\r\n"
    job = run_import(content, duplicates="skip")
    assert_accounted(job)
    assert (job.created, job.rejected) == (120, 1)
    assert job.issues.get().reason == "Invalid email address: “nope”."
    contact = Contact.objects.get(first_name="P101")
    phone = contact.infos.get(kind="phone")
    assert (phone.value, phone.normalized) == ("01 23 45 01 01", "+33123450101")
    assert "0123450101" in contact.search_text and "33123450101" in contact.search_text


def test_no_cell_of_the_rejected_rows_starts_as_a_formula(run_import):
    content = csv_text(
        ["=First name", "+Last name", "Email", "@Notes"],
        ["=cmd", "-2+3", "=bad", "\t=1"],
        ["@x", "+33 1 23", "\r=mail", "-"],
    )
    job = run_import(content)
    assert job.rejected == 2

    text = "".join(report.rejects_lines(job)).lstrip("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]

    assert cells[:5] == ["'=First name", "'+Last name", "Email", "'@Notes", "error"]
    assert "'=cmd" in cells
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []


def test_the_heap_is_frozen_while_the_import_runs_and_only_then(run_import, monkeypatch):
    """parsing.frozen_heap: the collector skips what existed before, and only meanwhile."""
    frozen, thresholds = [], []
    commit = runner.Importer._commit

    def recording(importer, *args, **kwargs):
        frozen.append(gc.get_freeze_count())
        thresholds.append(gc.get_threshold())
        return commit(importer, *args, **kwargs)

    monkeypatch.setattr(runner.Importer, "_commit", recording)
    before, threshold_before = gc.get_freeze_count(), gc.get_threshold()
    job = run_import(people(10))
    assert_accounted(job)
    assert frozen and all(count > before for count in frozen)
    assert {t[0] for t in thresholds} == {20_000}
    assert gc.get_freeze_count() == before
    assert gc.get_threshold() == threshold_before


@pytest.mark.parametrize("access", ["private", "public_read"])
def test_an_import_adds_to_the_lists_counts(run_import, alice, bob, admin, access):
    job = run_import("google-contacts.csv", access=access, responsible=[bob.pk])
    assert_accounted(job)
    assert job.created > 10
    for user in (alice, bob, admin):
        assert count_visible_to(user) == contacts_visible_to(user).count() > 0
    kept = dict(ContactCount.objects.filter(value__gt=0).values_list("key", "value"))
    counts.recount()
    assert dict(ContactCount.objects.filter(value__gt=0).values_list("key", "value")) == kept


@pytest.mark.parametrize("there, refreshed", [(0, 3), (40, 0)], ids=["empty", "forty"])
def test_an_import_refreshes_the_planner_s_statistics_as_the_contacts_double(
    run_import, monkeypatch, there, refreshed
):
    """In batches of seven, thirty rows into an empty database double the contacts at 7,
    14 and 28; into forty contacts they never do, and no refresh reads the tables for
    rows that change no plan (the end of the import refreshes them once, either way)."""
    Contact.objects.bulk_create(
        Contact(kind="person", first_name=f"There{n}", display_name=f"There{n}")
        for n in range(there)
    )
    refreshes = []
    monkeypatch.setattr(runner, "refresh_grown_tables", lambda: refreshes.append(1))

    job = run_import(people(30))

    assert_accounted(job)
    assert job.created == 30
    assert len(refreshes) == refreshed
