"""Bulk actions from the list: the selection, each action, the access skips."""

import pytest
from django.urls import reverse

from contacts.access import can_change, contacts_visible_to
from contacts.bulk.services import bulk_start, run_bulk_job
from contacts.models import BulkJob, Contact, Notification
from contacts.services import ContactData, contact_update
from tests.support import page_of

BULK = reverse("contacts:bulk")


def tag_names(contact):
    return sorted(contact.tags.names())


@pytest.fixture
def three(make_contact, bob):
    """Three contacts alice can see: hers, bob's public read/write, bob's public read."""
    return [
        make_contact(first_name="Mine", last_name="Alpha"),
        make_contact(first_name="Shared", last_name="Beta", by=bob, access="public_rw"),
        make_contact(first_name="Readonly", last_name="Gamma", by=bob, access="public_read"),
    ]


def post(client, action, contacts=(), *, confirm=True, follow=True, **fields):
    data = {"action": action, "selected": [c.pk for c in contacts], **fields}
    if confirm:
        data["confirm"] = "1"
    return client.post(BULK, data, follow=follow)


def test_the_confirmation_says_how_many_and_how_many_are_skipped(alice_client, three):
    page = page_of(post(alice_client, "add_tag", three, confirm=False))

    assert "You selected 3 contacts:" in page
    assert "You may not change 1 of them: it will be skipped." in page
    assert "Apply to 2 contacts" in page
    assert not any(c.tags.exists() for c in three)


def test_add_tag_changes_only_what_the_user_may_change(alice_client, three):
    versions = [c.version for c in three]

    page = page_of(post(alice_client, "add_tag", three, tag="  Salon  2026 "))

    assert "Tag “Salon 2026” added to 2 contacts." in page
    assert "1 contact was skipped because you may not change it." in page
    for contact in three:
        contact.refresh_from_db()
    assert [tag_names(c) for c in three] == [["Salon 2026"], ["Salon 2026"], []]
    assert [c.version for c in three] == [versions[0] + 1, versions[1] + 1, versions[2]]


def test_add_tag_reuses_a_tag_of_another_case_and_keeps_one_each(alice_client, make_contact):
    tagged = make_contact(tags=["VIP"])
    other = make_contact(first_name="Other")

    post(alice_client, "add_tag", [tagged, other], tag="vip")

    assert tag_names(tagged) == tag_names(other) == ["VIP"]


def test_remove_tag(alice_client, make_contact, bob):
    mine = make_contact(tags=["VIP", "Lead"])
    theirs = make_contact(by=bob, access="public_read", tags=["VIP"])

    page = page_of(post(alice_client, "remove_tag", [mine, theirs], tag="vip"))

    assert "Tag “vip” removed from 1 contact." in page
    assert tag_names(mine) == ["Lead"]
    assert tag_names(theirs) == ["VIP"]


def test_an_invalid_tag_is_asked_again_and_nothing_changes(alice_client, three):
    page = page_of(post(alice_client, "add_tag", three, tag="x" * 60))

    assert "A tag name has at most 50 characters; this one has 60." in page
    assert not any(c.tags.exists() for c in three)


def test_add_responsible_users_gives_them_access_and_tells_them(
    alice_client, alice, bob, make_user, make_contact
):
    carol = make_user("carol")
    contacts = [make_contact(first_name=f"P{n}") for n in range(3)]

    page = page_of(
        post(alice_client, "set_responsible", contacts, users=[bob.pk, carol.pk], mode="add")
    )

    assert "Responsible users set on 3 contacts." in page
    for contact in contacts:
        assert set(contact.responsible.all()) == {alice, bob, carol}
        assert can_change(carol, Contact.objects.get(pk=contact.pk))
    note = Notification.objects.get(recipient=bob)
    assert (note.verb, note.count, note.actor) == ("assigned_many", 3, alice)
    assert not Notification.objects.filter(recipient=alice).exists()
    alice_client.force_login(bob)
    notifications = page_of(alice_client.get(reverse("contacts:notifications")))
    assert "made you responsible for" in notifications
    assert "3 contacts" in notifications


def test_replace_responsible_users_takes_access_from_the_others(
    alice_client, alice, bob, make_contact
):
    contact = make_contact()

    post(alice_client, "set_responsible", [contact], users=[bob.pk], mode="replace")

    assert list(contact.responsible.all()) == [bob]
    assert not contacts_visible_to(alice).filter(pk=contact.pk).exists()
    assert can_change(bob, Contact.objects.get(pk=contact.pk))


def test_set_responsible_asks_for_users(alice_client, three):
    page = page_of(post(alice_client, "set_responsible", three, mode="replace"))

    assert "This field is required." in page
    assert three[0].responsible.count() == 1


def test_set_access(alice_client, bob, three):
    mine = three[0]

    page = page_of(post(alice_client, "set_access", three, access="public_read"))

    assert "Access set on 2 contacts." in page
    assert "1 contact was skipped" in page
    accesses = list(Contact.objects.order_by("pk").values_list("access", flat=True))
    assert accesses == ["public_read", "public_read", "public_read"]
    assert contacts_visible_to(bob).filter(pk=mine.pk).exists()
    assert not can_change(bob, Contact.objects.get(pk=mine.pk))


def test_delete_asks_first_then_trashes_and_keeps_a_companys_persons(
    alice_client, make_contact, bob
):
    company = make_contact("company", company_name="Globex")
    person = make_contact(first_name="Worker", company=company, by=bob, access="public_read")
    assert "globex" in person.search_text

    confirm = page_of(post(alice_client, "delete", [company, person], confirm=False))
    assert "Delete 1 contact?" in confirm
    assert "You may not change 1 of them" in confirm

    page = page_of(post(alice_client, "delete", [company, person]))

    assert "1 contact moved to the trash." in page
    assert not Contact.objects.filter(pk=company.pk).exists()
    assert Contact.all_objects.get(pk=company.pk).deleted_at is not None  # in the trash
    person.refresh_from_db()
    assert person.company_id == company.pk  # for a restore
    assert "globex" not in person.search_text


def test_select_all_matching_reaches_every_page(alice_client, make_contact):
    for n in range(30):
        make_contact(first_name=f"Fair{n}", tags=["Fair"])
    outsider = make_contact(first_name="Outsider")
    listing = page_of(alice_client.get(reverse("contacts:list"), {"tag": "Fair"}))
    assert "Select all 30 matching contacts" in listing

    page = page_of(post(alice_client, "add_tag", all="1", query="tag=Fair&page=2", tag="Met"))

    assert "Tag “Met” added to 30 contacts." in page
    assert Contact.objects.filter(tags__name="Met").count() == 30
    assert not outsider.tags.exists()


def test_the_selection_leaves_out_contacts_the_user_may_not_see(client, bob, make_contact):
    hidden = make_contact()
    client.force_login(bob)

    response = post(client, "add_tag", [hidden], tag="Mine")

    assert "None of the selected contacts can be found any more." in page_of(response)
    assert not hidden.tags.exists()


def test_nothing_selected_says_so(alice_client, three):
    response = post(alice_client, "delete", [])

    assert "Select at least one contact first." in page_of(response)
    assert Contact.objects.count() == 3


def test_an_unknown_action_changes_nothing(alice_client, three):
    response = post(alice_client, "drop_table", three)

    assert response.redirect_chain[0][0] == reverse("contacts:list")
    assert Contact.objects.count() == 3


def test_exports_of_the_selection_and_of_all_matching(alice_client, three):
    ids = post(alice_client, "export_csv", three[:2], follow=False, query="sort=name")
    assert ids.url == reverse("contacts:export_csv") + (
        f"?ids={three[0].pk}%2C{three[1].pk}&sort=name"
    )
    csv = alice_client.get(ids.url).getvalue().decode("utf-8-sig")
    assert "Alpha" in csv and "Beta" in csv and "Gamma" not in csv

    every = post(alice_client, "export_vcard", all="1", query="kind=person", follow=False)
    assert every.url == reverse("contacts:export_vcard") + "?kind=person"


def test_the_admin_changes_everything(admin_client, three):
    page = page_of(post(admin_client, "add_tag", three, tag="Audit"))

    assert "Tag “Audit” added to 3 contacts." in page
    assert "skipped" not in page


def test_anonymous_is_sent_to_log_in(client, three):
    response = client.post(BULK, {"action": "delete", "selected": [three[0].pk], "confirm": "1"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Contact.objects.count() == 3


def test_a_big_action_runs_in_the_background_with_progress(
    alice_client, make_contact, settings, django_capture_on_commit_callbacks
):
    settings.BULK_SYNC_LIMIT = 2
    contacts = [make_contact(first_name=f"Big{n}") for n in range(3)]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(alice_client, "add_tag", contacts, tag="Later", follow=False)
    job = BulkJob.objects.get()
    assert response.url == reverse("contacts:bulk_job", args=[job.pk])
    waiting = page_of(alice_client.get(response.url))
    assert "0 of 3 contacts · Waiting to start" in waiting
    assert 'hx-trigger="every 1s"' in waiting
    assert not Contact.objects.filter(tags__name="Later").exists()

    for callback in callbacks:
        callback()  # the worker picks the task up

    done = page_of(alice_client.get(response.url, headers={"HX-Request": "true"}))
    assert "3 of 3 contacts · Done" in done
    assert "Tag “Later” added to 3 contacts." in done
    assert "hx-trigger" not in done
    assert Contact.objects.filter(tags__name="Later").count() == 3


def test_each_batch_asks_the_access_again(alice, bob, make_contact, settings):
    settings.BULK_SYNC_LIMIT = 0
    contacts = [make_contact(first_name=f"C{n}") for n in range(3)]
    job = bulk_start(
        by=alice,
        action="add_tag",
        params={"tag": "Late"},
        contacts=Contact.objects.filter(pk__in=[c.pk for c in contacts]),
    )
    # Before the worker runs, bob takes the first contact away from alice.
    contact_update(
        by=bob,
        contact=contacts[0],
        data=ContactData(kind="person", fields={"first_name": "C0"}, responsible=[bob]),
    )
    run_bulk_job.call(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.changed, job.skipped, job.done) == ("done", 2, 1, 3)
    assert not contacts[0].tags.exists()


def test_another_users_job_is_not_found(client, alice, bob, three):
    job = BulkJob.objects.create(user=alice, action="add_tag", params={"tag": "x"}, total=1)
    client.force_login(bob)

    assert client.get(reverse("contacts:bulk_job", args=[job.pk])).status_code == 404


def test_a_job_page_is_its_owners_only(client, alice, admin):
    job = BulkJob.objects.create(user=alice, action="add_tag", params={"tag": "x"}, total=1)
    url = reverse("contacts:bulk_job", args=[job.pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    client.force_login(admin)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    assert "0 of 1 contacts · Waiting to start" in page_of(client.get(url))


def test_the_bulk_page_answers_only_post(alice_client):
    assert alice_client.get(BULK).status_code == 405


def test_the_result_names_the_skipped_contacts_with_links(alice_client, three):
    readonly = three[2]

    page = page_of(post(alice_client, "add_tag", three, tag="Salon"))

    assert "Skipped contacts" in page
    assert f'<a href="{readonly.get_absolute_url()}">Readonly Gamma</a>' in page
    assert "Mine Alpha" not in page
    job = BulkJob.objects.get()
    assert job.skipped_ids == [readonly.pk]


def test_a_skipped_contact_the_user_no_longer_sees_is_not_named(
    client, alice, bob, make_contact, settings
):
    settings.BULK_SYNC_LIMIT = 0
    secret = make_contact(first_name="Secretive", last_name="Person")
    other = make_contact(first_name="Plain", last_name="Person")
    job = bulk_start(
        by=alice,
        action="add_tag",
        params={"tag": "Late", "query": ""},
        contacts=Contact.objects.filter(pk__in=[secret.pk, other.pk]),
    )
    # Before the worker runs, bob takes the contact for himself, private.
    contact_update(
        by=bob,
        contact=secret,
        data=ContactData(kind="person", fields={"first_name": "Secretive"}, responsible=[bob]),
    )
    run_bulk_job.call(job_id=job.pk)
    client.force_login(alice)

    page = page_of(client.get(reverse("contacts:bulk_job", args=[job.pk])))

    job.refresh_from_db()
    assert job.skipped_ids == [secret.pk]
    assert "a contact you cannot see" in page
    assert "Secretive" not in page


def test_more_than_ten_skipped_link_to_the_list_of_them_all(alice_client, make_contact, bob):
    readonly = [
        make_contact(first_name=f"Readonly{n:02}", by=bob, access="public_read") for n in range(12)
    ]
    mine = make_contact(first_name="Mine")

    page = page_of(post(alice_client, "add_tag", [mine, *readonly], tag="Salon"))

    job = BulkJob.objects.get()
    assert len(job.skipped_ids) == 12
    named = [c for c in readonly if f">{c.display_name}</a>" in page]
    assert len(named) == 10
    skipped_url = f"/contacts/bulk/{job.pk}/skipped/"
    assert f'<a href="{skipped_url}">and 2 more</a>' in page
    everyone = page_of(alice_client.get(skipped_url))
    assert "The action left 12 contacts as they were" in everyone
    assert all(f">{c.display_name}</a>" in everyone for c in readonly)
    assert "Mine Dupont" not in everyone


def test_the_skipped_contacts_are_named_in_french_too(alice_client, three):
    data = {"action": "delete", "selected": [c.pk for c in three], "confirm": "1"}

    page = page_of(alice_client.post(BULK, data, follow=True, HTTP_ACCEPT_LANGUAGE="fr"))

    assert '<html lang="fr"' in page
    assert "2 contacts mis à la corbeille." in page
    assert f'<a href="{three[2].get_absolute_url()}">Readonly Gamma</a>' in page


def test_the_skipped_list_is_its_owners_only(client, alice, bob, three):
    job = BulkJob.objects.create(user=alice, action="add_tag", skipped_ids=[three[0].pk])
    client.force_login(bob)

    assert client.get(f"/contacts/bulk/{job.pk}/skipped/").status_code == 404
