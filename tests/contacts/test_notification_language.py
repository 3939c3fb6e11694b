"""Each recipient is told, by e-mail and in the app, in his own language and time zone."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from accounts.models import Profile
from contacts.bulk import services as bulk
from contacts.models import BulkJob, Contact, Notification
from contacts.services import ContactData, contact_create, contact_update
from tests.support import page_of


@pytest.fixture
def french_bob(bob):
    Profile.objects.create(user=bob, language="fr", time_zone="Europe/Paris")
    return bob


@pytest.fixture
def english_carol(make_user):
    carol = make_user("carol", last_name="Jones")
    Profile.objects.create(user=carol, language="en", time_zone="America/New_York")
    return carol


def person(responsible, access="private"):
    return ContactData(
        kind="person",
        fields={"first_name": "Marie", "last_name": "Curie"},
        access=access,
        responsible=responsible,
    )


def test_an_assignment_is_mailed_to_each_recipient_in_his_own_language(
    alice, french_bob, english_carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contact_create(by=alice, data=person([alice, french_bob, english_carol]))

    sent = {m.to[0]: m for m in mail.outbox}
    french, english = sent["bob@example.com"], sent["carol@example.com"]
    assert french.subject == "Vous êtes désormais responsable de Marie Curie"
    assert french.body.startswith("Bonjour Bob Durand,")
    assert "Hello" not in french.body
    assert english.subject == "You are now responsible for Marie Curie"
    assert english.body.startswith("Hello Carol Jones,")
    assert "Bonjour" not in english.body


def test_the_bell_speaks_the_readers_language_and_time_zone(
    client, alice, french_bob, english_carol
):
    contact_create(by=alice, data=person([alice, french_bob, english_carol]))
    Notification.objects.update(created_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC))

    client.force_login(french_bob)
    french = page_of(client.get("/contacts/notifications/", HTTP_ACCEPT_LANGUAGE="en"))
    client.force_login(english_carol)
    english = page_of(client.get("/contacts/notifications/", HTTP_ACCEPT_LANGUAGE="fr"))

    assert "Alice Martin vous a désigné comme responsable de" in french
    assert "made you responsible" not in french
    assert "Alice Martin made you responsible for" in english
    assert "vous a désigné" not in english
    assert 'title="10 mars 2026 13:00"' in french
    assert 'title="10 Mar 2026, 08:00"' in english


def test_no_email_tells_of_an_assignment_undone_before_it_was_sent(
    alice, french_bob, english_carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as enqueue_on_commit:
        contact = contact_create(by=alice, data=person([alice, french_bob, english_carol]))
    # The e-mails wait for the worker while alice takes bob off the contact again.
    contact_update(by=alice, contact=contact, data=person([alice, english_carol]))

    for enqueue in enqueue_on_commit:
        enqueue()  # the immediate backend: the worker runs now, after the change

    assert [m.to for m in mail.outbox] == [["carol@example.com"]]


def test_the_end_of_a_bulk_job_is_told_in_each_readers_language(
    client, alice, french_bob, english_carol
):
    contacts = [contact_create(by=alice, data=person([alice])) for _ in range(2)]
    bulk.bulk_start(
        by=alice,
        action=BulkJob.Action.SET_RESPONSIBLE,
        params={"users": [french_bob.pk, english_carol.pk], "mode": "add"},
        contacts=Contact.objects.filter(pk__in=[c.pk for c in contacts]),
    )

    client.force_login(french_bob)
    french = page_of(client.get("/contacts/notifications/", HTTP_ACCEPT_LANGUAGE="en"))
    client.force_login(english_carol)
    english = page_of(client.get("/contacts/notifications/", HTTP_ACCEPT_LANGUAGE="fr"))

    assert "Alice Martin vous a désigné responsable de" in french
    assert ">2 contacts</a>" in french
    assert "Alice Martin made you responsible for" in english
    assert "vous a désigné" not in english
