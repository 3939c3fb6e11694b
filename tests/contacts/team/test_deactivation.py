"""Deactivating, reactivating, and handing a user's contacts over to another."""

import random

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from guardian.shortcuts import get_perms

from accounts.audit import Action
from accounts.models import AuditEntry
from contacts.access import contacts_visible_to
from contacts.bulk.services import run_bulk_job
from contacts.models import CRM_ADMINS_GROUP, BulkJob, Contact, ContactEvent, Notification
from contacts.team import services as team
from contacts.trash.services import contact_delete


def signed_in(user):
    client = Client()
    client.force_login(user)
    assert client.get("/contacts/").status_code == 200
    return client


def is_signed_out(client):
    response = client.get("/contacts/")
    return response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_deactivating_signs_the_user_out_everywhere_and_refuses_his_login(admin, alice, bob):
    phone, laptop, other = signed_in(alice), signed_in(alice), signed_in(bob)

    team.user_deactivate(by=admin, user=alice)

    alice.refresh_from_db()
    assert not alice.is_active
    assert is_signed_out(phone) and is_signed_out(laptop)
    assert not is_signed_out(other)
    browser = Client()
    login = browser.post("/accounts/login/", {"login": "alice", "password": "pw"})
    assert login.url == "/accounts/inactive/"  # refused, told the account is deactivated
    assert browser.get("/contacts/").status_code == 302  # and not signed in
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target) == (admin, Action.USER_DEACTIVATED, alice)


def test_the_deactivation_counts_the_contacts_only_he_made_visible(
    admin, alice, bob, make_user, make_contact
):
    gone = make_user("gone", is_active=False)
    make_contact(first_name="Alone")
    make_contact(first_name="With a deactivated one", responsible=[alice, gone])
    make_contact(first_name="Shared", responsible=[alice, bob])
    make_contact(first_name="Public", access=Contact.Access.PUBLIC_RW)
    make_contact(by=bob, first_name="Not his")
    contact_delete(by=alice, contact=make_contact(first_name="Trashed"))

    responsibility = team.user_deactivate(by=admin, user=alice)

    assert responsibility == team.Responsibility(contacts=4, alone=2)
    assert AuditEntry.objects.get().details == {"contacts": 4, "alone": 2}


def test_nobody_deactivates_himself_or_a_superuser(admin, root):
    with pytest.raises(ValidationError, match="your own account"):
        team.user_deactivate(by=admin, user=admin)
    with pytest.raises(ValidationError, match="superuser"):
        team.user_deactivate(by=admin, user=root)

    assert admin.is_active and root.is_active
    assert not AuditEntry.objects.exists()


def test_two_admins_deactivating_each_other_leave_one(admin, alice):
    Group.objects.get(name=CRM_ADMINS_GROUP).user_set.add(alice)
    team.user_deactivate(by=admin, user=alice)

    with pytest.raises(ValidationError, match="Admin is the last CRM admin"):
        team.user_deactivate(by=alice, user=admin)

    admin.refresh_from_db()
    assert admin.is_active
    assert AuditEntry.objects.filter(action=Action.USER_DEACTIVATED).count() == 1


def test_an_active_superuser_counts_as_an_admin_left(admin, alice, root):
    Group.objects.get(name=CRM_ADMINS_GROUP).user_set.add(alice)
    team.user_deactivate(by=alice, user=admin)

    team.user_deactivate(by=root, user=alice)

    assert not type(alice).objects.filter(groups__name=CRM_ADMINS_GROUP, is_active=True).exists()


def test_reactivating_lets_him_log_in_again(admin, alice):
    team.user_deactivate(by=admin, user=alice)

    team.user_reactivate(by=admin, user=alice)

    login = Client().post("/accounts/login/", {"login": "alice", "password": "pw"})
    assert login.status_code == 302
    assert AuditEntry.objects.filter(action=Action.USER_REACTIVATED, target=alice).exists()
    with pytest.raises(ValidationError, match="active already"):
        team.user_reactivate(by=admin, user=alice)


def test_handing_over_makes_the_other_user_responsible_with_the_history_saying_so(
    admin, alice, bob, make_contact
):
    mine = make_contact(first_name="Mine")
    shared = make_contact(first_name="Shared", responsible=[alice, bob])
    bobs = make_contact(by=bob, first_name="Bob's")
    admin.first_name, admin.last_name = "Ada", "Admin"
    admin.save()

    job = team.contacts_hand_over(by=admin, giver=alice, taker=bob)

    assert (job.status, job.total, job.changed) == ("done", 2, 2)
    for contact in (mine, shared):
        assert list(contact.responsible.all()) == [bob]
        assert set(get_perms(bob, contact)) == {"view_contact", "change_contact", "delete_contact"}
        assert get_perms(alice, contact) == []
        event = contact.events.first()
        assert (event.verb, event.actor) == (ContactEvent.Verb.HANDED_OVER, admin)
        assert event.details == {"from_user": "Alice Martin", "to_user": "Bob Durand"}
    assert mine.events.first().changes[0]["old"] == "Alice Martin"
    assert mine.events.first().changes[0]["new"] == "Bob Durand"
    assert shared.events.first().changes[0]["old"] == "Alice Martin, Bob Durand"
    assert list(bobs.responsible.all()) == [bob]
    assert set(contacts_visible_to(bob).values_list("pk", flat=True)) >= {mine.pk, shared.pk}
    assert not contacts_visible_to(alice).exists()
    # Told once, for the contacts he was not responsible for yet.
    assert Notification.objects.get(recipient=bob, verb="assigned_many").count == 1
    entry = AuditEntry.objects.get(action=Action.CONTACTS_HANDED_OVER)
    assert entry.details == {"to": bob.pk, "to_name": "Bob Durand", "contacts": 2}


def test_the_card_history_says_who_handed_it_over(admin, alice, bob, make_contact, client):
    contact = make_contact(first_name="Mine")
    team.contacts_hand_over(by=admin, giver=alice, taker=bob)
    client.force_login(bob)

    page = client.get(f"/contacts/{contact.pk}/").content.decode()

    assert "handed it over from Alice Martin to Bob Durand:" in page


def test_a_big_hand_over_runs_in_the_background_and_tells_the_admin_when_done(
    admin, alice, bob, make_contact, settings, django_capture_on_commit_callbacks, client
):
    settings.BULK_SYNC_LIMIT = 2
    contacts = [make_contact(first_name=f"C{n}") for n in range(3)]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = team.contacts_hand_over(by=admin, giver=alice, taker=bob)
    assert job.status == BulkJob.Status.QUEUED
    assert all(list(c.responsible.all()) == [alice] for c in contacts)
    for callback in callbacks:
        callback()  # the worker runs the task

    job.refresh_from_db()
    assert (job.status, job.changed) == ("done", 3)
    assert all(list(c.responsible.all()) == [bob] for c in contacts)
    notice = Notification.objects.get(recipient=admin, verb="hand_over_ended")
    assert (notice.bulk_job, notice.count) == (job, 3)
    client.force_login(admin)
    page = client.get("/contacts/notifications/").content.decode()
    assert "3 contacts</a> of Alice Martin handed over to Bob Durand." in page


def test_the_task_skips_what_changed_meanwhile(admin, alice, bob, make_user, make_contact):
    carol = make_user("carol")
    kept = make_contact(first_name="Kept")
    moved = make_contact(first_name="Moved")
    job = BulkJob.objects.create(
        user=admin,
        action=BulkJob.Action.HAND_OVER,
        params={"from": alice.pk, "to": bob.pk, "from_name": "A", "to_name": "B"},
        contact_ids=[kept.pk, moved.pk],
        total=2,
    )
    moved.responsible.set([carol])  # alice is no longer responsible for it

    run_bulk_job.call(job_id=job.pk)

    assert list(kept.responsible.all()) == [bob]
    assert list(moved.responsible.all()) == [carol]
    assert not moved.events.filter(verb=ContactEvent.Verb.HANDED_OVER).exists()


def test_contacts_go_only_to_another_active_crm_user(admin, alice, make_user, make_contact):
    make_contact()
    gone = make_user("gone", is_active=False)

    for taker in (alice, gone):
        with pytest.raises(ValidationError, match="another active user"):
            team.contacts_hand_over(by=admin, giver=alice, taker=taker)

    assert not BulkJob.objects.exists()


def test_nothing_to_hand_over_is_no_job(admin, alice, bob):
    assert team.contacts_hand_over(by=admin, giver=alice, taker=bob) is None
    assert not BulkJob.objects.exists()


def test_the_counts_agree_with_the_contacts_on_a_random_population(
    admin, alice, bob, make_user, make_contact
):
    rng = random.Random(7)
    gone = make_user("gone", is_active=False)
    people = [alice, bob, gone]
    for n in range(40):
        contact = make_contact(
            by=admin,
            first_name=f"R{n}",
            access=rng.choice(list(Contact.Access)),
            responsible=rng.sample(people, rng.randint(0, 3)),
        )
        if rng.random() < 0.2:
            contact_delete(by=admin, contact=contact)

    for user in (alice, bob):
        mine = [c for c in Contact.objects.all() if user in c.responsible.all()]
        alone = [
            c
            for c in mine
            if c.access == Contact.Access.PRIVATE
            and not any(o.is_active and o != user for o in c.responsible.all())
        ]
        assert team.responsibility_of(user) == team.Responsibility(len(mine), len(alone))
        assert team.responsible_counts([user.pk])[user.pk] == len(mine)
