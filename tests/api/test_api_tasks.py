"""/api/v1/tasks: the tasks the caller may see, made and changed as My tasks does."""

import datetime
import json

import pytest
from django.test import Client

from accounts.tokens import token_create
from activities.models import Task, TaskCategory
from activities.tasks import services

DAY = datetime.date(2027, 3, 1)


def client_of(user, scope="write"):
    token = token_create(user=user, name="T", scope=scope)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def call(db):
    return TaskCategory.objects.get(code="call")


def test_a_task_made_through_the_api_is_the_callers_by_default(alice, contact):
    response = post(
        client_of(alice),
        "/api/v1/tasks",
        {
            "title": "Call back",
            "due_date": "2027-03-01",
            "due_time": "14:30",
            "contact": contact.pk,
        },
    )

    assert response.status_code == 201
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert (task.title, task.responsible, task.author, task.contact) == (
        "Call back",
        alice,
        alice,
        contact,
    )
    assert body["contact"] == {"id": contact.pk, "name": "Jean Dupont"}
    assert body["due_time"] == "14:30:00"
    assert body["done"] is False


def test_a_responsible_user_who_cannot_see_the_contact_is_refused_with_the_forms_message(
    alice, bob, contact
):
    response = post(
        client_of(alice),
        "/api/v1/tasks",
        {"title": "Visit", "due_date": "2027-03-01", "contact": contact.pk, "responsible": bob.pk},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "responsible"
    assert "cannot see this contact" in response.json()["errors"][0]["message"]
    assert not Task.objects.exists()


def test_a_task_on_a_contact_the_caller_may_not_change_is_refused(bob, make_contact):
    shared = make_contact(access="public_read")

    response = post(
        client_of(bob),
        "/api/v1/tasks",
        {"title": "X", "due_date": "2027-03-01", "contact": shared.pk},
    )

    assert response.status_code == 403
    assert not Task.objects.exists()


def test_the_list_gives_the_callers_open_tasks_and_hides_the_contacts_he_may_not_see(
    alice, bob, call, make_contact
):
    hidden = make_contact(first_name="Hidden")
    mine = services.task_create(by=alice, title="Mine", due_date=DAY, category=call)
    done = services.task_create(by=alice, title="Done", due_date=DAY, category=call)
    services.task_set_done(by=alice, task=done)
    secret = services.task_create(
        by=alice, title="Secret", due_date=DAY, category=call, contact=hidden
    )
    api = client_of(alice, "read")

    assert [t["id"] for t in api.get("/api/v1/tasks").json()["results"]] == [mine.pk, secret.pk]
    assert [t["id"] for t in api.get("/api/v1/tasks?status=done").json()["results"]] == [done.pk]
    stranger = client_of(bob, "read")
    assert stranger.get("/api/v1/tasks?responsible=any").json()["results"] == []
    assert stranger.get(f"/api/v1/tasks/{secret.pk}").status_code == 404


def test_pages_follow_each_other(alice, call):
    made = [
        services.task_create(by=alice, title=f"T{n}", due_date=DAY, category=call).pk
        for n in range(5)
    ]
    api, found, cursor = client_of(alice, "read"), [], ""
    while True:
        page = api.get(f"/api/v1/tasks?limit=2&cursor={cursor}").json()
        found += [t["id"] for t in page["results"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert found == made


def test_a_change_and_done_and_delete(alice, call):
    task = services.task_create(by=alice, title="Old", due_date=DAY, category=call)
    api = client_of(alice)

    changed = patch(api, f"/api/v1/tasks/{task.pk}", {"title": "New", "done": True})
    invalid = patch(api, f"/api/v1/tasks/{task.pk}", {"title": ""})

    assert changed.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.done_at is not None) == ("New", True)
    assert invalid.status_code == 422
    assert api.delete(f"/api/v1/tasks/{task.pk}").status_code == 204
    assert not Task.objects.exists()


def test_a_read_only_token_may_not_make_tasks(alice):
    response = post(
        client_of(alice, "read"), "/api/v1/tasks", {"title": "X", "due_date": "2027-03-01"}
    )

    assert response.json()["code"] == "read_only_token"


def test_pages_leave_out_the_tasks_of_contacts_the_caller_may_not_see(
    alice, bob, call, make_contact
):
    hidden = make_contact(first_name="Hidden", by=bob)
    seen = make_contact(first_name="Seen", by=bob, access="public_read")
    made = []
    for n in range(9):
        contact = hidden if n % 3 else seen  # two hidden ones out of three
        task = services.task_create(
            by=bob, title=f"T{n}", due_date=DAY, category=call, contact=contact
        )
        made.append((task.pk, contact == seen))
    api, found, cursor = client_of(alice, "read"), [], ""
    for _ in range(10):
        page = api.get(f"/api/v1/tasks?responsible=any&limit=1&cursor={cursor}").json()
        found += [t["id"] for t in page["results"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert found == [pk for pk, visible in made if visible]
