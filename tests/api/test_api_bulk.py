"""Bulk actions through the API: the list's form and service, a job to follow."""

import json

import pytest
from django.test import Client

from accounts.tokens import token_create
from contacts.models import BulkJob, Contact, ContactEvent

BULK = "/api/v1/bulk"


@pytest.fixture
def writer(alice):
    token = token_create(user=alice, name="Zapier", scope="write")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def three(make_contact, bob):
    """Three contacts alice can see: hers, bob's public read/write, bob's public read."""
    return [
        make_contact(first_name="Mine", last_name="Alpha"),
        make_contact(first_name="Shared", last_name="Beta", by=bob, access="public_rw"),
        make_contact(first_name="Readonly", last_name="Gamma", by=bob, access="public_read"),
    ]


def start(client, action, contacts, **params):
    body = {"action": action, "ids": [c.pk for c in contacts], "params": params}
    return client.post(BULK, json.dumps(body), content_type="application/json")


def tag_names(contact):
    return sorted(contact.tags.names())


def test_a_tag_is_added_to_what_the_caller_may_change_and_the_rest_is_skipped(writer, three):
    response = start(writer, "add_tag", three, tag="  Salon  2026 ")

    assert response.status_code == 202
    job = BulkJob.objects.get()
    assert response["Location"] == f"/api/v1/bulk/{job.pk}"
    body = response.json()
    assert (body["id"], body["action"], body["status"]) == (job.pk, "add_tag", "done")
    assert (body["total"], body["changed"], body["skipped"]) == (2, 2, 1)
    assert body["skipped_ids"] == [three[2].pk]
    assert [tag_names(Contact.objects.get(pk=c.pk)) for c in three] == [
        ["Salon 2026"],
        ["Salon 2026"],
        [],
    ]
    changes = ContactEvent.objects.filter(verb="changed", contact__in=three[:2])
    assert {(e.source, e.details["token"]) for e in changes} == {("api", "Zapier")}
    assert changes.count() == 2


def test_the_history_says_which_token_changed_them(writer, alice_client, three, bob):
    mine = three[0]
    for action, params in [
        ("add_tag", {"tag": "VIP"}),
        ("remove_tag", {"tag": "VIP"}),
        ("set_access", {"access": "public_read"}),
        ("set_responsible", {"users": [bob.pk]}),
    ]:
        assert start(writer, action, [mine], **params).status_code == 202
    changes = ContactEvent.objects.filter(contact=mine, verb="changed")
    assert [e.changes[0]["field"] for e in changes.order_by("pk")] == [
        "tags",
        "tags",
        "access",
        "responsible",
    ]
    assert {(e.source, e.details["token"]) for e in changes} == {("api", "Zapier")}
    page = alice_client.get(f"/contacts/{mine.pk}/history/").content.decode()
    assert page.count("changed it through the API (token “Zapier”)") == 4


def test_ids_the_caller_cannot_see_are_neither_changed_nor_counted(
    writer, three, make_contact, bob
):
    hidden = make_contact(first_name="Secret", by=bob)

    response = start(writer, "add_tag", [*three, hidden], tag="VIP")
    body = response.json()

    assert (body["total"], body["skipped"]) == (2, 1)
    assert hidden.pk not in body["skipped_ids"]
    assert not hidden.tags.exists()
    only_hidden = start(writer, "delete", [hidden])
    assert (only_hidden.status_code, only_hidden.json()["code"]) == (422, "no_contacts")
    nothing = writer.post(
        BULK, json.dumps({"action": "delete", "ids": [2**62]}), content_type="application/json"
    )
    assert nothing.json() == only_hidden.json()
    assert Contact.objects.filter(pk=hidden.pk).exists()


def test_delete_moves_to_the_trash(writer, three):
    response = start(writer, "delete", three[:2])

    assert response.status_code == 202
    assert response.json()["changed"] == 2
    assert not Contact.objects.filter(pk__in=[c.pk for c in three[:2]]).exists()
    assert Contact.all_objects.filter(pk=three[0].pk, deleted_at__isnull=False).exists()


def test_responsible_users_and_access_are_set(writer, three, bob, alice):
    mine = three[0]

    added = start(writer, "set_responsible", [mine], users=[bob.pk])
    opened = start(writer, "set_access", [mine], access="public_read")

    assert (added.status_code, opened.status_code) == (202, 202)
    mine.refresh_from_db()
    assert set(mine.responsible.all()) == {alice, bob}
    assert mine.access == "public_read"
    replaced = start(writer, "set_responsible", [mine], users=[bob.pk], mode="replace")
    assert replaced.status_code == 202
    assert list(mine.responsible.all()) == [bob]


def test_parameters_are_checked_by_the_lists_form(writer, three, bob):
    cases = [
        ({"action": "add_tag", "params": {}}, "params.tag", "required"),
        ({"action": "add_tag", "params": {"tag": "x" * 200}}, "params.tag", "max_length"),
        ({"action": "set_responsible", "params": {"users": [2**62]}}, "params.users", None),
        ({"action": "delete", "params": {"tag": "VIP"}}, "params.tag", "unexpected"),
        ({"action": "hand_over", "params": {}}, "action", None),
    ]
    for body, field, code in cases:
        body["ids"] = [three[0].pk]
        response = writer.post(BULK, json.dumps(body), content_type="application/json")
        assert response.status_code == 422, body
        errors = {e["field"]: e["code"] for e in response.json()["errors"]}
        assert field in errors, (body, errors)
        assert code is None or errors[field] == code, (body, errors)
    too_many = {"action": "delete", "ids": list(range(1, 10_002))}
    response = writer.post(BULK, json.dumps(too_many), content_type="application/json")
    assert response.status_code == 422
    assert not BulkJob.objects.exists()
    assert Contact.objects.count() == 3


def test_a_read_only_token_may_not_start_one(alice, three):
    token = token_create(user=alice, name="Reports", scope="read")[1]
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = start(reader, "delete", three)

    assert (response.status_code, response.json()["code"]) == (403, "read_only_token")
    assert not BulkJob.objects.exists()


def test_a_big_job_runs_in_the_worker_and_its_progress_is_followed(
    writer, make_contact, settings, django_capture_on_commit_callbacks
):
    settings.BULK_SYNC_LIMIT = 2
    contacts = [make_contact(first_name=f"Big{n}") for n in range(3)]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = start(writer, "add_tag", contacts, tag="Later")
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["done"]) == ("queued", 0)
    location = response["Location"]
    assert writer.get(location).json()["status"] == "queued"

    for callback in callbacks:
        callback()  # the worker picks the task up

    body = writer.get(location).json()
    assert (body["status"], body["done"], body["changed"]) == ("done", 3, 3)
    assert body["finished_at"] is not None
    assert Contact.objects.filter(tags__name="Later").count() == 3


def test_a_job_is_its_owners_only(writer, three, bob):
    job_url = start(writer, "add_tag", three[:1], tag="VIP")["Location"]
    token = token_create(user=bob, name="Bob's", scope="read")[1]
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert writer.get(job_url).status_code == 200
    response = other.get(job_url)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert writer.get("/api/v1/bulk/999999").status_code == 404
