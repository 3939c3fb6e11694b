"""/api/v1/imports: CSV imports made as the wizard makes them, followed, and announced to
webhooks; the files are real address books' exports (tests/data, /work/shared/data)."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.tokens import token_create
from api.webhooks import services as webhooks
from api.webhooks.models import Delivery, Event
from contacts.access import grant_access
from contacts.imports.models import ImportJob
from contacts.models import Contact, ContactEvent
from tests.support import csv_text
from tests.webhook_receiver import Receiver

DATA = Path(__file__).resolve().parents[1] / "data"
ENDED = ("done", "cancelled", "failed", "undone")


def client_of(user, scope="write"):
    token = token_create(user=user, name="Importer", scope=scope)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def upload(name, content=None):
    content = (DATA / name).read_bytes() if content is None else content
    if isinstance(content, str):
        content = content.encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def post_import(client, name, content=None, **fields):
    if isinstance(fields.get("mapping"), dict):
        fields["mapping"] = json.dumps(fields["mapping"])
    return client.post("/api/v1/imports", {"file": upload(name, content), **fields})


def poll(client, location, tries=50):
    """Return the job as the API gives it once it has ended."""
    for _ in range(tries):
        body = client.get(location).json()
        if body["status"] in ENDED:
            return body
    raise AssertionError(f"{location} did not end: {body['status']}")


def test_a_google_export_is_imported_with_the_automatic_mapping(alice):
    client = client_of(alice)
    response = post_import(client, "google-contacts.csv", tags="Api import")

    assert response.status_code == 202
    job = poll(client, response["Location"])
    assert response["Location"] == f"/api/v1/imports/{job['id']}"
    assert job["status"] == "done"
    assert job["progress"] == {"rows_done": 30, "total_rows": 30, "percent": 100}
    counts = job["counts"]
    assert (counts["created"], counts["updated"], counts["skipped"], counts["errors"]) == (
        30,
        0,
        0,
        0,
    )
    persons = Contact.objects.filter(kind="person", source=Contact.Source.IMPORT)
    assert persons.count() == counts["created"]
    companies = Contact.objects.filter(kind="company")
    assert companies.count() == counts["companies_created"] > 0
    assert persons.filter(tags__name="Api import").count() == 30
    assert set(persons.values_list("responsible", flat=True)) == {alice.pk}
    # The wizard's automatic mapping, as the job keeps it.
    columns = {c["header"]: c["target"] for c in job["mapping"]}
    assert (columns["First Name"], columns["Organization Name"]) == ("first_name", "company_name")
    assert job["settings"]["encoding"] == "utf-8"
    assert ImportJob.objects.get(pk=job["id"]).created_by == alice


def test_an_explicit_mapping_imports_only_the_columns_it_names(alice):
    client = client_of(alice)
    mapping = {
        "Prénom": "first_name",
        "Nom": "last_name",
        "E-mail": "email:work",
        "5": "phone:home",
    }
    response = post_import(
        client,
        "excel-fr-semicolon-cp1252.csv",
        mapping=mapping,
        access="public_read",
        duplicates="create",
    )

    assert response.status_code == 202, response.json()
    job = poll(client, response["Location"])
    assert (job["settings"]["encoding"], job["settings"]["delimiter"]) == ("cp1252", ";")
    assert (job["settings"]["access"], job["settings"]["duplicates"]) == ("public_read", "create")
    targets = [c["target"] for c in job["mapping"]]
    assert targets == ["first_name", "last_name", "", "", "email:work", "phone:home"] + [""] * 7
    assert job["counts"]["created"] == 25
    assert Contact.objects.count() == 25  # no company: its column was left out
    emile = Contact.objects.get(first_name="Émile", last_name="Lefèvre")
    assert (emile.access, emile.job_title, emile.company) == ("public_read", "", None)
    infos = sorted(emile.infos.values_list("kind", "category", "value"))
    assert infos == [
        ("email", "work", "mile.lefvre3@example.fr"),
        ("phone", "home", "+41 22 555 01 03"),
    ]
    assert not emile.tags.exists()


def test_the_history_says_the_import_came_through_the_api_and_which_token(alice, alice_client):
    content = csv_text(["First name", "Email"], ["Ada", "ada@example.com"])
    job = post_import(client_of(alice), "ada.csv", content).json()
    again = csv_text(["First name", "Email", "Job title"], ["Ada", "ada@example.com", "CEO"])
    post_import(client_of(alice), "again.csv", again, duplicates="update")

    ada = Contact.objects.get()
    created = ContactEvent.objects.get(contact=ada, verb="created")
    assert (created.source, created.details) == (
        "import",
        {"import": job["id"], "token": "Importer"},
    )
    history = alice_client.get(f"/contacts/{ada.pk}/history/").content.decode()
    assert "an import</a> through the API (token “Importer”)" in history
    assert "changed it by <a" in history
    french = alice_client.get(f"/contacts/{ada.pk}/history/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "via l’API (jeton « Importer »)" in french.content.decode()


def test_the_settings_the_wizard_offers_are_taken(alice, bob):
    client = client_of(alice)
    content = csv_text(["Name", "Mail"], ["Ada", "ada@example.com"])
    response = post_import(
        client,
        "plain.csv",
        content,
        mapping={"0": "first_name", "1": "email:home"},
        responsible=[bob.pk],
        tags="One, Two",
    )

    assert response.status_code == 202, response.json()
    ada = Contact.objects.get(first_name="Ada")
    assert sorted(ada.responsible.values_list("username", flat=True)) == ["alice", "bob"]
    assert sorted(ada.tags.values_list("name", flat=True)) == ["One", "Two"]
    assert response.json()["settings"]["responsible"] == [alice.pk, bob.pk]


def test_the_report_gives_rejected_and_skipped_rows_and_no_hidden_contact(alice, bob, make_contact):
    shared = make_contact(
        by=bob,
        first_name="Secretive",
        access=Contact.Access.PUBLIC_READ,
        infos=[{"kind": "email", "category": "work", "value": "shared@example.com"}],
    )
    content = csv_text(
        ["First name", "Email", "Responsible"],
        ["New", "new@example.com", ""],
        ["Copy", "shared@example.com", ""],
        ["Orphan", "orphan@example.com", "nobody-such"],
    )
    client = client_of(alice)
    response = post_import(client, "report.csv", content)
    assert response.status_code == 202, response.json()
    # Made private since: the report no longer names it to alice.
    Contact.objects.filter(pk=shared.pk).update(access=Contact.Access.PRIVATE)
    grant_access(shared, Contact.Access.PRIVATE, [bob.pk])

    job = poll(client, response["Location"])
    assert (job["counts"]["created"], job["counts"]["skipped"], job["counts"]["errors"]) == (
        1,
        1,
        1,
    )
    assert job["rejected_rows"] == [{"line": 4, "messages": ["Unknown user: “nobody-such”."]}]
    assert job["skipped_rows"] == [
        {"line": 3, "reason": "Already in the CRM.", "contact": None, "contact_hidden": True}
    ]
    assert "Secretive" not in client.get(response["Location"]).content.decode()
    assert Contact.objects.filter(first_name__in=["Copy", "Orphan"]).count() == 0
    assert Contact.objects.filter(first_name="New", responsible=alice).count() == 1


def test_a_skipped_row_names_the_contact_the_caller_may_see(alice, make_contact):
    ada = make_contact(
        first_name="Ada", infos=[{"kind": "email", "category": "work", "value": "ada@example.com"}]
    )
    content = csv_text(["First name", "Email"], ["Ada", "ada@example.com"])
    job = post_import(client_of(alice), "again.csv", content).json()

    assert job["skipped_rows"] == [
        {"line": 2, "reason": "Already in the CRM.", "contact": ada.pk, "contact_hidden": False}
    ]


@pytest.mark.parametrize(
    ("name", "content", "fields", "field", "code"),
    [
        ("empty.csv", b"", {}, "file", "empty_file"),
        ("header.csv", "First name,Email\r\n", {}, "file", "no_rows"),
        ("one.csv", "Whatever\r\nsomething\r\n", {}, "file", "one_column"),
        ("binary.csv", b"PK\x03\x04\x00\x00\x00\x14\x00\x08", {}, "file", "not_text"),
        ("google-contacts.csv", None, {"encoding": "utf-16-le"}, "file", "wrong_encoding"),
        ("google-contacts.csv", None, {"encoding": "klingon"}, "encoding", "invalid_choice"),
        ("google-contacts.csv", None, {"responsible": [2**70]}, "responsible", "invalid_choice"),
        ("google-contacts.csv", None, {"access": "everyone"}, "access", "invalid_choice"),
        ("google-contacts.csv", None, {"responsible": ["²"]}, "responsible", "invalid_pk_value"),
        (
            "google-contacts.csv",
            None,
            {"mapping": {"²": "first_name"}},
            "mapping.²",
            "unknown_column",
        ),
        ("google-contacts.csv", None, {"tags": "a\x00b"}, "tags", "null_characters_not_allowed"),
        ("google-contacts.csv", None, {"mapping": "[1, 2]"}, "mapping", "invalid_json"),
        ("google-contacts.csv", None, {"mapping": "{nope"}, "mapping", "invalid_json"),
        (
            "google-contacts.csv",
            None,
            {"mapping": {"First Name": "favourite_colour"}},
            "mapping.First Name",
            "unknown_target",
        ),
        (
            "google-contacts.csv",
            None,
            {"mapping": {"Shoe size": "first_name"}},
            "mapping.Shoe size",
            "unknown_column",
        ),
        (
            "google-contacts.csv",
            None,
            {"mapping": {"E-mail 1 - Value": "email:work"}},
            "mapping",
            "invalid_mapping",
        ),
        (
            "google-contacts.csv",
            None,
            {"mapping": {"First Name": "first_name", "Last Name": "first_name"}},
            "mapping",
            "invalid_mapping",
        ),
    ],
)
def test_a_file_or_setting_the_wizard_refuses_is_a_422_problem_and_leaves_nothing(
    alice, settings, name, content, fields, field, code
):
    response = post_import(client_of(alice), name, content, **fields)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid"
    assert (problem["errors"][0]["field"], problem["errors"][0]["code"]) == (field, code)
    assert problem["detail"] == problem["errors"][0]["message"]
    assert not ImportJob.objects.exists()
    assert not Contact.objects.exists()
    media = Path(settings.MEDIA_ROOT) / "imports"
    assert not media.exists() or not any(media.iterdir())


def test_a_body_that_is_no_multipart_form_is_a_400_problem(alice):
    response = client_of(alice).post(
        "/api/v1/imports", data=b"garbage", content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unreadable_body"


def test_no_file_is_a_422_problem(alice):
    response = client_of(alice).post("/api/v1/imports", {"tags": "x"})

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "file",
        "code": "required",
        "message": "This field is required.",
    }


def test_a_file_over_the_limit_is_refused_as_the_wizard_refuses_it(alice, settings):
    settings.IMPORT_MAX_BYTES = 9000
    client = client_of(alice)
    response = post_import(client, "google-contacts.csv")  # 9.5 kB

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "file_too_large"
    # Far over: refused before its body is read.
    big = csv_text(["First name"], *[[f"Person {n}"] for n in range(10_000)])
    response = post_import(client, "big.csv", big)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert not ImportJob.objects.exists()


def test_a_read_only_token_may_not_import(alice):
    response = post_import(client_of(alice, scope="read"), "google-contacts.csv")

    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert not ImportJob.objects.exists()
    assert not Contact.objects.exists()


def test_a_session_caller_imports_with_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    refused = client.post("/api/v1/imports", {"file": upload("google-contacts.csv")})
    assert refused.status_code == 403
    assert not ImportJob.objects.exists()
    token = "k" * 32  # the cookie's secret, sent back in the header as a page's script does
    client.cookies["csrftoken"] = token
    response = client.post(
        "/api/v1/imports", {"file": upload("google-contacts.csv")}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 202
    assert ImportJob.objects.get().created_by == alice


def test_another_users_import_is_a_404_and_not_listed_but_an_admin_sees_it(alice, bob, admin):
    job = post_import(client_of(alice), "google-contacts.csv").json()

    bobs = client_of(bob)
    assert bobs.get(f"/api/v1/imports/{job['id']}").status_code == 404
    assert bobs.get(f"/api/v1/imports/{job['id']}").json()["code"] == "not_found"
    assert bobs.get("/api/v1/imports").json()["results"] == []
    admins = client_of(admin)
    assert admins.get(f"/api/v1/imports/{job['id']}").json()["counts"]["created"] == 30
    assert [j["id"] for j in admins.get("/api/v1/imports").json()["results"]] == [job["id"]]


def test_the_list_pages_the_newest_first(alice):
    client = client_of(alice)
    content = csv_text(["First name", "Email"], ["Ada", "ada@example.com"])
    ids = [
        post_import(client, f"file{n}.csv", content, duplicates="create").json()["id"]
        for n in range(3)
    ]

    first = client.get("/api/v1/imports?limit=2").json()
    assert [j["id"] for j in first["results"]] == ids[::-1][:2]
    second = client.get(f"/api/v1/imports?limit=2&cursor={first['next_cursor']}").json()
    assert [j["id"] for j in second["results"]] == ids[:1]
    assert second["next_cursor"] is None
    assert [j["file_name"] for j in first["results"]] == ["file2.csv", "file1.csv"]
    bad = client.get("/api/v1/imports?cursor=nonsense")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_cursor")


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = Receiver()
    yield server
    server.stop()


def test_import_finished_is_sent_to_whoever_may_see_the_import(
    alice, bob, admin, receiver, django_capture_on_commit_callbacks
):
    admins = webhooks.subscription_save(
        owner=admin, url=receiver.url, events=[Event.IMPORT_FINISHED]
    )
    bobs = webhooks.subscription_save(owner=bob, url=receiver.url, events=[Event.IMPORT_FINISHED])
    with django_capture_on_commit_callbacks(execute=True):
        job = post_import(client_of(alice), "linkedin-connections.csv").json()

    [message] = receiver.messages(admins.secret)
    assert message["type"] == "import.finished"
    data = message["data"]
    assert (data["id"], data["status"]) == (job["id"], "done")
    assert data["counts"] == job["counts"]
    assert data["counts"]["created"] == Contact.objects.filter(kind="person").count() == 30
    # bob may not see alice's import: nothing is sent to his address.
    skipped = Delivery.objects.get(subscription=bobs)
    assert (skipped.event, skipped.object_id, skipped.status) == (
        "import.finished",
        job["id"],
        "skipped",
    )


def test_the_new_routes_are_in_the_schema(client):
    paths = client.get("/api/v1/schema/").json()["paths"]

    assert set(paths["/api/v1/imports"]) == {"get", "post"}
    assert "get" in paths["/api/v1/imports/{import_id}"]
    body = paths["/api/v1/imports"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["required"] == ["file"]
    assert "import.finished" in Event.values
