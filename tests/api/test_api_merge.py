"""Merging two contacts through the API: the merge page's checks and service, both
versions named."""

import json

import pytest
from django.test import Client

from accounts.tokens import token_create
from contacts.models import Contact, ContactEvent

MERGE = "/api/v1/contacts/merge"


@pytest.fixture
def writer(alice):
    token = token_create(user=alice, name="Zapier", scope="write")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def reader(alice):
    token = token_create(user=alice, name="Reports", scope="read")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def pair(make_contact):
    keep = make_contact(
        job_title="Buyer",
        tags=["VIP"],
        infos=[{"kind": "email", "category": "work", "value": "jean@acme.test"}],
    )
    other = make_contact(
        last_name="Dupond",
        job_title="CEO",
        tags=["Gold"],
        infos=[{"kind": "email", "category": "home", "value": "jd@home.test"}],
    )
    return keep, other


def merge(client, keep, other, take=(), keep_version=None, other_version=None):
    body = {
        "keep": keep.pk,
        "other": other.pk,
        "take": list(take),
        "keep_version": keep.version if keep_version is None else keep_version,
        "other_version": other.version if other_version is None else other_version,
    }
    return client.post(MERGE, json.dumps(body), content_type="application/json")


def test_the_kept_contact_takes_the_chosen_values_and_the_other_goes_to_the_trash(writer, pair):
    keep, other = pair

    response = merge(writer, keep, other, take=["job_title"])

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == keep.pk
    assert (body["job_title"], body["last_name"]) == ("CEO", "Dupont")
    assert sorted(body["tags"]) == ["Gold", "VIP"]
    assert {e["value"] for e in body["emails"]} == {"jean@acme.test", "jd@home.test"}
    keep.refresh_from_db()
    assert response["ETag"] == f'"{keep.version}"'
    assert (keep.job_title, keep.last_name) == ("CEO", "Dupont")
    assert Contact.all_objects.get(pk=other.pk).deleted_at is not None
    assert not Contact.objects.filter(pk=other.pk).exists()
    event = ContactEvent.objects.get(contact=keep, verb="merged")
    assert event.source == "api"
    assert event.details["token"] == "Zapier"
    assert event.details["other_id"] == other.pk


def test_the_history_says_the_merge_came_through_the_api(writer, alice_client, pair):
    keep, other = pair
    assert merge(writer, keep, other).status_code == 200

    english = alice_client.get(f"/contacts/{keep.pk}/history/").content.decode()
    french = alice_client.get(f"/contacts/{keep.pk}/history/", HTTP_ACCEPT_LANGUAGE="fr")

    assert "merged “Jean Dupond” into it through the API (token “Zapier”)" in english
    assert "y a fusionné « Jean Dupond » via l’API (jeton « Zapier »)" in french.content.decode()


def test_the_merge_page_still_records_a_merge_of_its_own(alice_client, pair):
    keep, other = pair

    alice_client.post("/contacts/merge/", {"keep": keep.pk, "other": other.pk})

    event = ContactEvent.objects.get(contact=keep, verb="merged")
    assert (event.source, event.details.get("token")) == ("manual", None)


@pytest.mark.parametrize("stale", ["keep", "other"])
def test_a_contact_changed_since_it_was_read_is_a_412_and_nothing_is_merged(writer, pair, stale):
    keep, other = pair
    versions = {"keep_version": keep.version, "other_version": other.version}
    versions[f"{stale}_version"] -= 1

    response = merge(writer, keep, other, take=["job_title"], **versions)

    assert response.status_code == 412
    problem = response.json()
    assert problem["code"] == "version_mismatch"
    assert (problem["keep_version"], problem["other_version"]) == (keep.version, other.version)
    assert Contact.objects.filter(pk=other.pk).exists()
    keep.refresh_from_db()
    assert keep.job_title == "Buyer"
    assert not ContactEvent.objects.filter(verb="merged").exists()


def test_both_versions_must_be_named(writer, pair):
    keep, other = pair
    body = {"keep": keep.pk, "other": other.pk}

    response = writer.post(MERGE, json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"keep_version", "other_version"}


def test_a_contact_the_caller_cannot_see_is_a_404_that_names_nothing(
    writer, make_contact, bob, contact
):
    hidden = make_contact(first_name="Secret", by=bob)

    for keep, other in ((contact, hidden), (hidden, contact)):
        response = merge(writer, keep, other)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "Secret" not in response.content.decode()
    assert Contact.objects.filter(pk=hidden.pk).exists()
    assert not ContactEvent.objects.filter(verb="merged").exists()


def test_a_contact_the_caller_may_only_read_is_a_403(writer, make_contact, bob, contact):
    readable = make_contact(first_name="Shared", by=bob, access=Contact.Access.PUBLIC_READ)

    response = merge(writer, contact, readable)

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert Contact.objects.filter(pk=readable.pk).exists()


def test_a_read_only_token_may_not_merge(reader, pair):
    keep, other = pair

    response = merge(reader, keep, other)

    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert Contact.objects.filter(pk=other.pk).exists()


def test_a_person_and_a_company_or_one_contact_twice_cannot_be_merged(
    writer, contact, make_contact
):
    company = make_contact(Contact.Kind.COMPANY)

    mixed = merge(writer, contact, company)
    same = merge(writer, contact, contact)

    assert (mixed.status_code, mixed.json()["code"]) == (422, "kind_mismatch")
    assert (same.status_code, same.json()["code"]) == (422, "same_contact")
    assert Contact.objects.filter(pk__in=[contact.pk, company.pk]).count() == 2


def test_a_field_the_kind_has_not_is_refused(writer, pair):
    keep, other = pair

    response = merge(writer, keep, other, take=["job_title", "company_name", "custom:999"])

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "unknown_field"
    assert [e["message"] for e in problem["errors"]] == ["company_name", "custom:999"]
    assert Contact.objects.filter(pk=other.pk).exists()


def test_a_company_with_persons_the_caller_cannot_see_is_left_to_an_admin(
    writer, make_contact, bob
):
    keep = make_contact(Contact.Kind.COMPANY, company_name="Acme")
    other = make_contact(Contact.Kind.COMPANY, company_name="ACME Ltd")
    make_contact(first_name="Hidden", by=bob, company=other)

    response = merge(writer, keep, other)

    assert (response.status_code, response.json()["code"]) == (422, "hidden_persons")
    assert "Hidden" not in response.content.decode()
    assert Contact.objects.filter(pk=other.pk).exists()


def test_the_choices_are_the_values_that_differ(writer, pair, make_contact, bob):
    keep, other = pair

    response = writer.get(f"/api/v1/contacts/{keep.pk}/merge/{other.pk}")

    assert response.status_code == 200
    choices = {c["field"]: (c["keep"], c["other"]) for c in response.json()["choices"]}
    assert choices == {"last_name": ("Dupont", "Dupond"), "job_title": ("Buyer", "CEO")}
    hidden = make_contact(by=bob)
    assert writer.get(f"/api/v1/contacts/{keep.pk}/merge/{hidden.pk}").status_code == 404
