"""Imports write history too: created by an import, changed by an import, undone."""

from django.urls import reverse

from contacts.imports import undo
from contacts.models import Contact, ContactEvent
from tests.support import page_of

CSV = "First Name,Last Name,E-mail Address,Job Title\nAda,Lovelace,ada@example.com,Analyst\n"
AGAIN = "First Name,Last Name,E-mail Address,Job Title\nAda,Lovelace,ada@example.com,Countess\n"


def test_an_import_records_each_creation_with_a_link_to_it(run_import, alice, alice_client):
    job = run_import(CSV)

    contact = Contact.objects.get()
    [event] = ContactEvent.objects.filter(contact=contact)
    assert (event.verb, event.actor, event.source, event.details) == (
        "created",
        alice,
        "import",
        {"import": job.pk},
    )
    card = page_of(alice_client.get(contact.get_absolute_url()))
    assert f'href="{reverse("contacts:list")}?import={job.pk}">an import</a>' in card


def test_an_update_by_import_and_its_undo_are_recorded(run_import, alice):
    run_import(CSV)
    job = run_import(AGAIN, duplicates="update", match_on="email")
    contact = Contact.objects.get()
    assert contact.job_title == "Countess"

    undo.job_undo(by=alice, job=job)

    changes = [
        (e.source, e.details, e.changes[0]["old"], e.changes[0]["new"])
        for e in ContactEvent.objects.filter(contact=contact, verb="changed").order_by("id")
    ]
    assert changes == [
        ("import", {"import": job.pk}, "Analyst", "Countess"),
        ("import", {"import": job.pk, "undo": True}, "Countess", "Analyst"),
    ]


def test_undoing_an_import_moves_its_contacts_to_the_trash(run_import, alice):
    job = run_import(CSV)

    undo.job_undo(by=alice, job=job)

    assert not Contact.objects.exists()
    trashed = Contact.all_objects.get()
    assert trashed.deleted_by == alice
    assert ContactEvent.objects.filter(contact=trashed, verb="deleted").exists()
