"""Writing through the API: the form's rules and messages, the services, If-Match."""

import json

import pytest
from django.test import Client

from accounts.services import profile_for
from accounts.tokens import token_create
from contacts.models import Contact, ContactEvent


@pytest.fixture
def writer(alice):
    token = token_create(user=alice, name="Zapier", scope="write")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def send(client, method, url, body=None, version=None):
    headers = {"HTTP_IF_MATCH": f'"{version}"'} if version is not None else {}
    call = getattr(client, method)
    return call(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_a_person_is_created_as_the_form_creates_one(writer, alice):
    response = send(
        writer,
        "post",
        "/api/v1/contacts",
        {
            "kind": "person",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "Analytical Engines",
            "emails": [{"value": "ada@example.com"}],
            "phones": [{"value": "+44 20 7946 0000", "category": "mobile"}],
            "tags": ["VIP"],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"/api/v1/contacts/{body['id']}"
    assert response["ETag"] == '"1"'
    person = Contact.objects.get(pk=body["id"])
    assert person.source == "api"
    assert person.company.display_name == "Analytical Engines"  # created, as the form does
    assert list(person.responsible.all()) == [alice]  # the caller, by default
    assert person.infos.get(kind="email").category == "work"  # the first category
    assert body["emails"] == [{"value": "ada@example.com", "category": "work", "primary": True}]
    event = ContactEvent.objects.get(contact=person)
    assert (event.verb, event.source, event.details) == ("created", "api", {"token": "Zapier"})


def test_the_history_says_which_token_wrote(writer, alice_client):
    pk = send(writer, "post", "/api/v1/contacts", {"kind": "company", "company_name": "Acme"})
    pk = pk.json()["id"]
    send(writer, "patch", f"/api/v1/contacts/{pk}", {"description": "Big"}, version=1)

    english = alice_client.get(f"/contacts/{pk}/history/").content.decode()
    french = alice_client.get(f"/contacts/{pk}/history/", HTTP_ACCEPT_LANGUAGE="fr")

    assert "created this contact through the API (token “Zapier”)" in english
    assert "changed it through the API (token “Zapier”)" in english
    assert "via l’API (jeton « Zapier »)" in french.content.decode()


def test_a_change_replaces_only_what_it_names(writer, make_contact):
    contact = make_contact(job_title="Buyer", tags=["VIP"])

    response = send(
        writer, "patch", f"/api/v1/contacts/{contact.pk}", {"job_title": "CEO"}, version=1
    )

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    contact.refresh_from_db()
    assert (contact.job_title, contact.first_name, contact.version) == ("CEO", "Jean", 2)
    assert [t.name for t in contact.tags.all()] == ["VIP"]


def test_a_change_keeps_the_details_it_does_not_name(writer, make_contact):
    infos = [{"kind": "email", "category": "work", "value": "jean@example.com", "is_primary": 1}]
    contact = make_contact(infos=infos)

    response = send(
        writer, "patch", f"/api/v1/contacts/{contact.pk}", {"job_title": "CEO"}, version=1
    )

    assert response.status_code == 200
    assert [i.value for i in contact.infos.all()] == ["jean@example.com"]


def test_a_replacement_empties_what_it_leaves_out(writer, alice, bob, make_contact):
    contact = make_contact(job_title="Buyer", tags=["VIP"], description="Met at a fair")
    contact.infos.create(kind="email", category="work", value="jean@example.com")
    contact.responsible.add(bob)

    response = send(
        writer,
        "put",
        f"/api/v1/contacts/{contact.pk}",
        {"kind": "person", "first_name": "Jeanne", "last_name": "Dupont"},
        version=1,
    )

    assert response.status_code == 200
    assert response.json()["emails"] == []
    contact.refresh_from_db()
    assert (contact.first_name, contact.job_title, contact.description) == ("Jeanne", "", "")
    assert (contact.version, contact.infos.count(), contact.tags.count()) == (2, 0, 0)
    assert list(contact.responsible.all()) == [alice]  # as on a new contact: the caller
    event = ContactEvent.objects.filter(contact=contact).latest("pk")
    assert (event.verb, event.source) == ("changed", "api")


def test_a_replacement_keeps_its_kind_and_names_its_version(writer, make_contact):
    contact = make_contact(job_title="Buyer")
    url = f"/api/v1/contacts/{contact.pk}"

    other_kind = send(writer, "put", url, {"kind": "company", "company_name": "X"}, version=1)
    stale = send(writer, "put", url, {"first_name": "X", "last_name": "Y"}, version=0)
    missing = send(writer, "put", url, {"first_name": "X", "last_name": "Y"})
    invalid = send(writer, "put", url, {"first_name": "", "last_name": ""}, version=1)

    assert (other_kind.status_code, other_kind.json()["code"]) == (422, "kind_mismatch")
    assert (stale.status_code, missing.status_code, invalid.status_code) == (412, 428, 422)
    contact.refresh_from_db()
    assert (contact.job_title, contact.version) == ("Buyer", 1)


def test_a_change_without_if_match_or_over_a_newer_version_writes_nothing(writer, make_contact):
    contact = make_contact(job_title="Buyer")
    url = f"/api/v1/contacts/{contact.pk}"

    missing = send(writer, "patch", url, {"job_title": "CEO"})
    stale = send(writer, "patch", url, {"job_title": "CEO"}, version=0)
    garbled = writer.patch(url, "{}", content_type="application/json", HTTP_IF_MATCH="*")

    assert (missing.status_code, missing.json()["code"]) == (428, "if_match_required")
    assert (stale.status_code, stale.json()["code"]) == (412, "version_mismatch")
    assert stale.json()["version"] == 1
    assert garbled.status_code == 412
    contact.refresh_from_db()
    assert (contact.job_title, contact.version) == ("Buyer", 1)


def test_invalid_values_get_the_forms_messages_in_english_with_codes(writer, alice, contact):
    profile = profile_for(alice)
    profile.language = "fr"
    profile.save()

    response = writer.patch(
        f"/api/v1/contacts/{contact.pk}",
        json.dumps({"first_name": "", "emails": [{"value": "not an address"}]}),
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "first_name", "code": "required", "message": "This field is required."},
        {
            "field": "emails.0.value",
            "code": "invalid",
            "message": "Enter a valid email address, like name@example.com.",
        },
    ]
    contact.refresh_from_db()
    assert contact.first_name == "Jean"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"company_name": "X"}, "company_name"), ({"nickname": "Al"}, "nickname")],
)
def test_a_field_the_contact_has_not_is_refused(writer, contact, body, field):
    response = send(writer, "patch", f"/api/v1/contacts/{contact.pk}", body, version=1)

    assert response.status_code == 422
    assert field in response.content.decode()


def test_a_read_only_token_may_not_write(client, alice, contact):
    token = token_create(user=alice, name="Reader", scope="read")[1]

    response = client.patch(
        f"/api/v1/contacts/{contact.pk}",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IF_MATCH='"1"',
    )

    assert (response.status_code, response.json()["code"]) == (403, "read_only_token")


def test_a_contact_to_read_only_or_unseen_cannot_be_changed(bob, make_contact):
    shared = make_contact(access="public_read")
    hidden = make_contact()
    writer = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(user=bob, name='B', scope='write')[1]}"
    )

    read_only = send(writer, "patch", f"/api/v1/contacts/{shared.pk}", {"job_title": "X"}, 1)
    unseen = send(writer, "patch", f"/api/v1/contacts/{hidden.pk}", {"job_title": "X"}, 1)
    replaced = send(writer, "put", f"/api/v1/contacts/{shared.pk}", {"job_title": "X"}, 1)
    replaced_unseen = send(writer, "put", f"/api/v1/contacts/{hidden.pk}", {"job_title": "X"}, 1)
    gone = writer.delete(f"/api/v1/contacts/{shared.pk}", HTTP_IF_MATCH='"1"')

    assert (read_only.status_code, read_only.json()["code"]) == (403, "not_allowed")
    assert unseen.status_code == 404
    assert (replaced.status_code, replaced_unseen.status_code) == (403, 404)
    assert gone.status_code == 403
    assert Contact.objects.filter(job_title="X").count() == 0


def test_delete_moves_to_the_trash_at_the_version_read(writer, contact):
    url = f"/api/v1/contacts/{contact.pk}"

    stale = writer.delete(url, HTTP_IF_MATCH='"7"')
    done = writer.delete(url, HTTP_IF_MATCH='"1"')

    assert stale.status_code == 412
    assert done.status_code == 204
    assert Contact.all_objects.get(pk=contact.pk).deleted_at is not None
    assert writer.get(url).status_code == 404


def test_a_browser_session_must_send_the_csrf_token_to_write(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)

    refused = browser.post(
        "/api/v1/contacts",
        json.dumps({"kind": "company", "company_name": "Acme"}),
        content_type="application/json",
    )

    assert refused.status_code == 403
    assert not Contact.objects.exists()
