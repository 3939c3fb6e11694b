"""/api/v1/contacts: what the caller may see, as the list page finds it, page by page."""

import datetime
import json
import random
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tokens import token_create
from contacts.models import Contact
from contacts.positions import services as positions
from contacts.relations.models import RelationType
from contacts.relations.services import relation_add
from contacts.trash.services import contact_delete
from tests.api.test_api_auth import bearer


@pytest.fixture
def token(alice):
    return token_create(user=alice, name="Sync", scope="read")[1]


def ids_of(client, token, query=""):
    """Return the ids of every page of the API's list for query."""
    found, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/contacts?limit=3&{query}&cursor={cursor}", **bearer(token))
        assert page.status_code == 200, page.content
        found += [c["id"] for c in page.json()["results"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return found


def test_a_contact_as_the_api_gives_it(client, token, make_contact):
    contact = make_contact(
        first_name="Ada",
        last_name="Lovelace",
        job_title="Analyst",
        infos=[
            {"kind": "email", "category": "work", "value": "ada@example.com", "is_primary": True},
            {"kind": "phone", "category": "mobile", "value": "+33 1 23 45 67 89"},
        ],
        tags=["VIP"],
    )

    response = client.get(f"/api/v1/contacts/{contact.pk}", **bearer(token))

    assert response.status_code == 200
    assert response["ETag"] == f'"{contact.version}"'
    body = response.json()
    assert body["display_name"] == "Ada Lovelace"
    assert body["emails"] == [{"value": "ada@example.com", "category": "work", "primary": True}]
    assert body["phones"][0]["category"] == "mobile"
    assert body["tags"] == ["VIP"]
    assert [u["username"] for u in body["responsible"]] == ["alice"]
    assert body["access"] == "private"


def test_details_come_in_the_models_order_for_a_page_of_contacts_in_one_statement(
    client, token, make_contact, alice, bob
):
    """Each contact's e-mails, phones, web sites and addresses as its models order them
    (primary first), its tags A to Z and its responsible users by name: read for the
    whole page in one statement."""
    rng = random.Random(7)
    made = []
    for n in range(5):
        infos = [
            {
                "kind": kind,
                "category": rng.choice(["work", "home", "other"]),
                "value": f"{kind}{n}{i}@example.com"
                if kind == "email"
                else f"+33 1 23 45 6{n} {i}0",
                "is_primary": i == 1,
            }
            for kind in rng.sample(["email", "phone"], 2)
            for i in range(3)
        ]
        infos.append({"kind": "web", "category": "work", "value": f"https://ex{n}.example.com"})
        addresses = [
            {"category": "work", "street": f"{n} rue {i}", "city": "Lyon", "is_primary": i == 1}
            for i in range(2)
        ]
        tags = rng.sample(["vip", "Lead", "customer", "Zeta"], 3)
        made.append(
            make_contact(
                first_name=f"P{n}",
                infos=infos,
                addresses=addresses,
                tags=tags,
                responsible=[bob, alice],
            )
        )

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/contacts?limit=10", **bearer(token)).json()["results"]

    tables = ("contactinfo", "address", "taggedcontact", "contact_responsible")
    reading = [q["sql"] for q in queries.captured_queries if "contacts_contactinfo" in q["sql"]]
    assert len(reading) == 1 and all(f"contacts_{table}" in reading[0] for table in tables)
    by_id = {c["id"]: c for c in page}
    for contact in made:
        got = by_id[contact.pk]
        for kind, key in (("email", "emails"), ("phone", "phones"), ("web", "urls")):
            expected = [
                {"value": i.value, "category": i.category, "primary": i.is_primary}
                for i in contact.infos.all()
                if i.kind == kind
            ]
            assert got[key] == expected and expected[0]["primary"]
        assert [(a["street"], a["primary"]) for a in got["addresses"]] == [
            (a.street, a.is_primary) for a in contact.addresses.all()
        ]
        assert got["addresses"][0]["primary"]
        assert got["tags"] == sorted(contact.tags.names(), key=str.lower)
        # Made responsible Bob first: listed by name, Alice Martin first.
        assert [u["username"] for u in got["responsible"]] == ["alice", "bob"]


def test_a_contact_the_caller_may_not_see_is_a_404_problem(client, bob, make_contact):
    hidden = make_contact(first_name="Hidden")
    token = token_create(user=bob, name="B", scope="read")[1]

    response = client.get(f"/api/v1/contacts/{hidden.pk}", **bearer(token))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "Hidden" not in response.content.decode()
    assert hidden.pk not in ids_of(client, token)


def test_a_contact_in_the_trash_is_gone(client, alice, token, make_contact):
    gone = make_contact()
    contact_delete(by=alice, contact=gone)

    assert client.get(f"/api/v1/contacts/{gone.pk}", **bearer(token)).status_code == 404
    assert gone.pk not in ids_of(client, token)


def test_a_company_the_caller_may_not_see_is_not_named(client, alice, bob, make_contact):
    secret = make_contact(Contact.Kind.COMPANY, company_name="Secretive SA", by=bob)
    seen = make_contact(Contact.Kind.COMPANY, company_name="Open SARL", access="public_read")
    person = make_contact(first_name="Paul", company=secret, access="public_read", by=bob)
    positions.position_add(by=bob, person=person, company=seen, job_title="Advisor")
    token = token_create(user=alice, name="A", scope="read")[1]

    for url in (f"/api/v1/contacts/{person.pk}", "/api/v1/contacts?q=paul"):
        text = client.get(url, **bearer(token)).content.decode()
        assert "Secretive" not in text
        assert "Open SARL" in text
    body = client.get(f"/api/v1/contacts/{person.pk}", **bearer(token)).json()
    assert body["company"] is None
    assert [p["company"]["name"] for p in body["positions"]] == ["Open SARL"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "kind=person",
        "kind=company",
        "q=dupont",
        "tag=VIP",
        "tag=VIP&tag=Lead&tag_mode=any",
        "access=public_read",
        "responsible=me",
        "q=example.com&kind=person",
    ],
)
def test_the_api_finds_what_the_list_page_finds(client, alice, bob, population, query):
    for name, user in (("alice", alice), ("bob", bob)):
        client.force_login(user)
        page = client.get(f"/contacts/?per_page=100&{query}")
        listed = {c.pk for c in page.context["page"].object_list}

        assert set(ids_of(client, population[name], query)) == listed


@pytest.fixture
def population(alice, bob, admin, make_contact):
    """Twelve contacts of alice's and bob's, of every kind, access, tag and e-mail; a
    token for each reader."""
    rng = random.Random(7)
    for n in range(12):
        make_contact(
            Contact.Kind.PERSON if n % 3 else Contact.Kind.COMPANY,
            first_name=rng.choice(["Jean", "Anne", "Luc"]),
            last_name=rng.choice(["Dupont", "Martin"]),
            company_name=f"Firm {n}",
            access=rng.choice(["private", "public_read", "public_rw"]),
            by=rng.choice([alice, bob]),
            tags=rng.sample(["VIP", "Lead", "Cold"], k=rng.randint(0, 2)),
            infos=[{"kind": "email", "category": "work", "value": f"c{n}@example.com"}]
            if n % 2
            else [],
        )
    users = {"alice": alice, "bob": bob, "admin": admin}
    return {name: token_create(user=u, name="T", scope="read")[1] for name, u in users.items()}


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "q": st.sampled_from(["dup", "martin", "example", "jean an", "firm 1", "zz"]),
        "kind": st.sampled_from(["person", "company"]),
        "access": st.sampled_from(["private", "public_read", "public_rw"]),
        "tag": st.lists(st.sampled_from(["VIP", "Lead", "Cold"]), min_size=1, max_size=2),
        "tag_mode": st.just("any"),
        "responsible": st.sampled_from(["me", "none"]),
    },
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(filters=FILTERS, reader=st.sampled_from(["alice", "bob", "admin"]))
def test_random_filters_find_the_same_contacts_as_the_list_page(
    client, alice, bob, admin, population, filters, reader
):
    user = {"alice": alice, "bob": bob, "admin": admin}[reader]
    query = urlencode(filters, doseq=True)
    token = population[reader]
    client.force_login(user)
    page = client.get(f"/contacts/?per_page=100&{query}")
    listed = {c.pk for c in page.context["page"].object_list}

    assert set(ids_of(client, token, query)) == listed


def test_pages_neither_repeat_nor_skip_when_contacts_are_added_meanwhile(
    client, token, make_contact
):
    before = [make_contact(first_name=f"P{n}").pk for n in range(7)]
    first = client.get("/api/v1/contacts?limit=3&sort=-id", **bearer(token)).json()
    make_contact(first_name="Newcomer")  # a new id, above every other
    found = [c["id"] for c in first["results"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/contacts?limit=3&sort=-id&cursor={cursor}", **bearer(token))
        found += [c["id"] for c in page.json()["results"]]
        cursor = page.json()["next_cursor"]

    assert found == sorted(before, reverse=True)


@pytest.mark.parametrize("sort", ["id", "-id", "name", "-name", "created", "changed", "-changed"])
def test_every_sort_walks_all_the_contacts_once(client, token, make_contact, sort):
    made = [make_contact(first_name=name).pk for name in ("Bo", "Al", "Cy", "Al", "Di")]

    found = ids_of(client, token, f"sort={sort}")

    assert sorted(found) == sorted(made)


def test_changed_since_gives_the_contacts_changed_after_a_moment(client, token, make_contact):
    old = make_contact(first_name="Old")
    Contact.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=2))
    recent = make_contact(first_name="Recent")
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    found = ids_of(client, token, f"changed_since={since.replace('+', '%2B')}&sort=changed")

    assert found == [recent.pk]


def test_a_renamed_company_or_tag_brings_its_contacts_back_to_a_sync(
    client, token, alice, make_contact
):
    from contacts import tags
    from contacts.services import contact_data_of, contact_update

    acme = make_contact("company", company_name="Acme")
    worker = make_contact(first_name="Worker", company=acme)
    tagged = make_contact(first_name="Tagged", tags=["fair"])
    bystander = make_contact(first_name="Bystander")
    past = timezone.now() - datetime.timedelta(days=2)
    Contact.objects.update(updated_at=past)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat().replace("+", "%2B")
    assert ids_of(client, token, f"changed_since={since}") == []

    data = contact_data_of(acme)
    data.fields["company_name"] = "Acme Corp"
    contact_update(by=alice, contact=acme, data=data)
    tags.tag_rename(tag=Contact.objects.get(pk=tagged.pk).tags.get(), name="Trade fair", by=alice)

    changed = ids_of(client, token, f"changed_since={since}&sort=id")
    assert changed == sorted([acme.pk, worker.pk, tagged.pk]) and bystander.pk not in changed
    body = client.get(f"/api/v1/contacts/{worker.pk}", **bearer(token)).json()
    assert body["company"]["name"] == "Acme Corp"


def test_sparse_fields_give_what_is_asked(client, token, contact):
    body = client.get("/api/v1/contacts?fields=display_name,tags", **bearer(token)).json()

    assert body["results"] == [{"id": contact.pk, "display_name": "Jean Dupont", "tags": []}]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("fields=display_name,password", "invalid"),
        ("fields=display_name,,tags", "invalid"),
        ("cursor=not-a-cursor", "invalid_cursor"),
        ("cursor=WyJpZCIsbnVsbCwiMSJd", "invalid_cursor"),  # an id that is no number
        ("limit=1000", "invalid"),
        ("sort=search_text", "invalid"),
        ("kind=robot", "invalid"),
    ],
)
def test_bad_parameters_are_problems_with_a_stable_code(client, token, contact, query, code):
    response = client.get(f"/api/v1/contacts?{query}", **bearer(token))

    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["code"] == code


def test_relations_show_both_ways_where_the_caller_sees_the_other_end(
    client, alice, bob, make_contact
):
    assistant = RelationType.objects.get(label_en="assistant of")
    marie = make_contact(first_name="Marie", access="public_read")
    jean = make_contact(first_name="Jean", access="public_read")
    secret = make_contact(first_name="Secret", by=bob)
    relation_add(by=alice, contact=marie, other=jean, type=assistant)
    relation_add(by=bob, contact=secret, other=jean, type=assistant)
    token = token_create(user=alice, name="R", scope="read")[1]

    page = client.get("/api/v1/contacts?fields=relations&limit=10", **bearer(token)).json()
    by_id = {c["id"]: c["relations"] for c in page["results"]}
    one = client.get(f"/api/v1/contacts/{jean.pk}", **bearer(token)).json()["relations"]

    assert [(r["label"], r["other"]["name"]) for r in by_id[marie.pk]] == [
        ("assistant of", "Jean Dupont")
    ]
    assert [(r["label"], r["other"]["name"]) for r in by_id[jean.pk]] == [
        ("has assistant", "Marie Dupont")
    ]
    assert one == by_id[jean.pk]
    assert "Secret" not in json.dumps(page) + json.dumps(one)


def test_changed_since_with_an_offset_the_database_would_refuse(client, token, contact):
    since = "2000-01-01T00:00:00%2B18:01"  # beyond PostgreSQL's ±15:59

    response = client.get(f"/api/v1/contacts?changed_since={since}", **bearer(token))

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [contact.pk]
