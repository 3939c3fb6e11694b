"""An import's pages say what it is doing now, and name the contacts a row was skipped for."""

import pytest
from django.urls import reverse

from contacts.imports.models import ImportJob
from contacts.models import Notification
from contacts.services import ContactData, contact_update
from contacts.signals import import_finished
from tests.support import csv_text, page_of

Status = ImportJob.Status
ENDED = [Status.DONE, Status.FAILED, Status.CANCELLED, Status.UNDONE]
STILL_RUNNING = "the import goes on"
SOREN = csv_text(
    ["First name", "Last name", "Email"],
    ["Søren", "Lambert", "soren@example.com"],
    ["Ada", "Lovelace", "ada@example.com"],
)


@pytest.fixture
def soren(make_contact):
    return make_contact(
        first_name="Søren",
        last_name="Lambert",
        infos=[{"kind": "email", "category": "work", "value": "soren@example.com"}],
    )


@pytest.fixture
def job(run_import):
    return run_import(SOREN.replace("Søren,Lambert", "Ann,Lee"))


@pytest.mark.parametrize("status", ENDED)
def test_an_ended_import_never_says_it_goes_on(alice_client, job, status):
    ImportJob.objects.filter(pk=job.pk).update(status=status)

    for url in (job.get_absolute_url(), reverse("contacts:import_progress", args=[job.pk])):
        page = page_of(alice_client.get(url))
        assert STILL_RUNNING not in page
        assert "Cancel the import" not in page
        assert "Ended on" in page


@pytest.mark.parametrize("status", [Status.QUEUED, Status.RUNNING])
def test_the_polled_progress_says_the_import_goes_on_until_it_ends(alice_client, job, status):
    """The sentence is in the part the page polls: it goes away when the import ends."""
    ImportJob.objects.filter(pk=job.pk).update(status=status)

    page = page_of(alice_client.get(reverse("contacts:import_progress", args=[job.pk])))

    assert STILL_RUNNING in page
    assert "Ended on" not in page


@pytest.mark.parametrize("status", ENDED)
def test_cancelling_an_ended_import_says_it_had_ended(alice_client, job, status):
    """A page opened while the import ran, its cancel button pressed after it ended."""
    ImportJob.objects.filter(pk=job.pk).update(status=status)

    response = alice_client.post(reverse("contacts:import_cancel", args=[job.pk]), follow=True)

    page = page_of(response)
    assert "The import had already ended: there was nothing to cancel." in page
    assert "The import stops after the rows it is writing now." not in page
    job.refresh_from_db()
    assert job.status == status


def test_cancelling_a_queued_import_says_it_was_cancelled(alice_client, job):
    ImportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED)
    told = Notification.objects.filter(import_job=job, verb="import_ended").count()
    finished = []

    def heard(**kwargs):
        finished.append(kwargs)

    import_finished.connect(heard)
    try:
        response = alice_client.post(reverse("contacts:import_cancel", args=[job.pk]), follow=True)
    finally:
        import_finished.disconnect(heard)

    assert "The import was cancelled." in page_of(response)
    assert ImportJob.objects.get(pk=job.pk).status == Status.CANCELLED
    # Ended as the worker ends one: its importer is told, and the webhooks hear it.
    assert Notification.objects.filter(import_job=job, verb="import_ended").count() == told + 1
    assert [kw["job_id"] for kw in finished] == [job.pk]


def test_a_skipped_row_links_to_the_contact_already_in_the_crm(alice_client, run_import, soren):
    job = run_import(SOREN, duplicates="skip")

    page = page_of(alice_client.get(job.get_absolute_url()))

    assert (job.created, job.skipped) == (1, 1)
    assert "Already in the CRM." in page
    assert f'<a href="{soren.get_absolute_url()}">Søren Lambert</a>' in page


def test_a_skipped_row_names_the_contact_as_it_is_now(alice_client, alice, run_import, soren):
    job = run_import(SOREN, duplicates="skip")
    soren.refresh_from_db()
    data = soren_data(soren, last_name="Lambert-Holm")
    contact_update(by=alice, contact=soren, data=data)

    page = page_of(alice_client.get(job.get_absolute_url()))

    assert f'<a href="{soren.get_absolute_url()}">Søren Lambert-Holm</a>' in page


def test_a_skipped_row_does_not_name_a_contact_the_viewer_cannot_see(
    client, alice, bob, admin, run_import, soren
):
    job = run_import(SOREN, duplicates="skip")
    # Made private to bob since: alice, who imported the file, may no longer see it.
    contact_update(by=admin, contact=soren, data=soren_data(soren, responsible=[bob]))

    client.force_login(alice)
    page = page_of(client.get(job.get_absolute_url()))

    assert "Lambert" not in page
    assert "a contact you cannot see" in page
    client.force_login(admin)
    assert "Søren Lambert" in page_of(client.get(job.get_absolute_url()))


def soren_data(contact, **changes):
    fields = {"first_name": contact.first_name, "last_name": contact.last_name}
    fields.update({k: v for k, v in changes.items() if k in fields})
    return ContactData(
        kind=contact.kind,
        fields=fields,
        access=contact.access,
        responsible=changes.get("responsible", list(contact.responsible.all())),
        infos=[{"kind": "email", "category": "work", "value": "soren@example.com"}],
    )
