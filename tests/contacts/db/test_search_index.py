"""The search's index finds what the LIKE finds, in the same order, whatever writes.

On SQLite an FTS5 trigram index narrows the search before its LIKE (contacts/db/
search_index.py); on PostgreSQL pg_trgm's index serves the LIKE itself, and the same
comparisons hold there too.
"""

import random
import re
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from contacts import selectors
from contacts.access import contacts_visible_to
from contacts.bulk.services import bulk_start
from contacts.custom_fields import services as custom_fields
from contacts.db import search_index
from contacts.imports import services as imports
from contacts.merging.merge import contacts_merge
from contacts.models import Contact
from contacts.services import contact_data_of, contact_update
from contacts.trash.services import contact_delete, contact_restore, contacts_purge
from tests.contacts.db.test_query_plans import full_scans, plan
from tests.support import csv_text

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's trigram index is its own"
)

FIRST = ["Hélène", "Łukasz", "Søren", "Zoé", "Jean", "Ana", "Li", "Ο", "Ἀθηνᾶ", "李明", "O'Neil"]
LAST = ["Dupont", "Dupuis", "Straße", "Curie", "Joliot-Curie", "Ng", "Ø", "Δημητρίου", "Ab"]
COMPANIES = ['Acme "Best" Ltd', "Institut du Radium", "AND OR NOT", "Ça & Là", "Dup (50%)"]
# What people type, and what they should not but might: quotes, FTS5's operators and
# syntax, LIKE's wildcards and escape, a NUL, words of one or two letters.
ODD = ['"', '""', 'a"b', "'", "NOT", "AND", "or", "NEAR(a b)", "*", "^dup", "col:val", "(x)"]
ODD += ["-", "%", "_", "50%", "\\", "\x00dup", "d\x00up", "a", "ab", "Ø", "李", "é", "  ", "+"]


def like_only(contacts, query):
    """Return contact_search's answer from its LIKEs alone, the index left out."""
    real = search_index.narrow
    search_index.narrow = lambda contacts, words: contacts
    try:
        return selectors.contact_search(contacts, query)
    finally:
        search_index.narrow = real


def answers(contacts):
    """Return what the list shows of contacts: their count, and their ids in three sorts,
    all of them and in pages of 4 (a page is read apart from the rest)."""
    found = [contacts.count()]
    for sort in ("", "name", "-type"):
        ids = selectors.contact_sort(contacts, sort)[0].values_list("pk", flat=True)
        # Each from the database: a queryset once read would be sliced in memory.
        found += [list(ids.all()), list(ids.all()[:4]), list(ids.all()[4:8])]
    return found


def found_as(found, live=10**9):
    """Return a stand-in for found_among: the index finds found of live contacts."""
    return lambda expression, using=None: (found, live)


# How narrow() goes, whatever the index really finds: through it, with a page read along
# its sort's index (walk), or not.
THROUGH_INDEX = found_as(1)
WALKING = found_as(10**8)


def assert_found_as_by_like(user, queries, monkeypatch):
    """The search answers each query as its LIKEs alone do, through the index or not."""
    visible = contacts_visible_to(user)
    for query in queries:
        expected = answers(like_only(visible, query))
        assert answers(selectors.contact_search(visible, query)) == expected, repr(query)
        for way in (THROUGH_INDEX, WALKING):
            with monkeypatch.context() as forced:
                forced.setattr(search_index, "found_among", way)
                assert answers(selectors.contact_search(visible, query)) == expected, query


def random_queries(rng, texts, n):
    """Return n queries: pieces of stored texts as typed, phones, odd input, mixed."""
    queries = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.4 and texts:
            text = rng.choice(texts)
            start = rng.randrange(len(text))
            piece = text[start : start + rng.randint(1, 14)]
            queries.append(piece.upper() if rng.random() < 0.2 else piece)
        elif kind < 0.55:
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(2, 9)))
            spaced = " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
            queries.append(rng.choice([digits, spaced, "+" + digits, f"({digits[:2]}) {digits}"]))
        elif kind < 0.7:
            queries.append(rng.choice(ODD))
        else:
            words = [rng.choice(ODD + FIRST + LAST + COMPANIES) for _ in range(rng.randint(2, 3))]
            if texts:
                words.append(rng.choice(rng.choice(texts).split() or ["x"]))
            queries.append(" ".join(words))
    return queries


def phone(rng):
    digits = "".join(rng.choice("0123456789") for _ in range(8))
    french = f"06 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}"
    return rng.choice([french, f"+1 555{digits}"])


def random_population(rng, make_contact, users, n=50):
    companies = [
        make_contact("company", company_name=name, by=rng.choice(users), access="public_read")
        for name in COMPANIES
    ]
    contacts = list(companies)
    for number in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        infos = [{"kind": "email", "category": "work", "value": f"{last[:3]}{number}@ex.org"}]
        infos += [{"kind": "phone", "category": "mobile", "value": phone(rng)}]
        contacts.append(
            make_contact(
                first_name=first,
                last_name=f"{last} {rng.choice(['', 'Dup', 'du'])}".strip(),
                job_title=rng.choice(["", "Chef d'équipe", '"Boss"', "CEO & co"]),
                company=rng.choice([None, *companies]),
                infos=infos,
                by=rng.choice(users),
                access=rng.choice(Contact.Access.values),
                responsible=rng.sample(users, rng.randint(0, len(users))),
            )
        )
    for contact in rng.sample(contacts, 8):
        contact_delete(by=contact.created_by, contact=Contact.objects.get(pk=contact.pk))
    return contacts


@pytest.mark.parametrize("seed", [1, *(pytest.param(n, marks=pytest.mark.slow) for n in (2, 3))])
def test_the_search_answers_as_its_likes_in_the_same_order(
    alice, bob, admin, make_contact, monkeypatch, seed
):
    rng = random.Random(seed)
    random_population(rng, make_contact, [alice, bob])
    texts = list(Contact.all_objects.values_list("search_text", flat=True))
    queries = random_queries(rng, texts, 80)

    for user in (alice, admin):
        assert_found_as_by_like(user, queries, monkeypatch)
    # The comparison is of something: many queries find contacts, and on SQLite many go
    # through the index.
    found = [q for q in queries if like_only(contacts_visible_to(admin), q).exists()]
    assert len(found) > len(queries) // 4
    if connection.vendor == "sqlite":
        sql = [str(selectors.contact_search(Contact.objects.all(), q).query) for q in found]
        assert sum(search_index.TABLE in s for s in sql) > len(found) // 4


@pytest.mark.parametrize("query", [*ODD, '"dup" OR "x"', "dup*", "a" * 300, "é" * 200])
def test_any_query_is_a_search_and_never_an_error(alice_client, make_contact, query):
    make_contact(first_name="Jean", last_name="Dupont")

    response = alice_client.get("/contacts/", {"q": query})

    assert response.status_code == 200


@pytest.mark.usefixtures("always_indexed")
def test_the_name_type_ahead_searches_through_the_index(alice, make_contact):
    make_contact(first_name="Hélène", last_name="Langevin")
    make_contact(first_name="Paul", last_name="Langevin")

    assert selectors.name_suggestions(alice, "person", "langev") == [
        "Hélène Langevin",
        "Paul Langevin",
    ]
    assert selectors.name_suggestions(alice, "person", "hélène lan") == ["Hélène Langevin"]


# The index kept in step with every writer (SQLite).


def integrity_check():
    """Fail unless the index holds exactly the trigrams of every contact's search text."""
    with connection.cursor() as cursor:
        table = search_index.TABLE
        cursor.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")  # noqa: S608


@pytest.fixture
def always_indexed(monkeypatch):
    """The index narrows every search, however many contacts it finds."""
    monkeypatch.setattr(search_index, "found_among", THROUGH_INDEX)


def assert_in_step():
    """The index agrees with the table, and finds what the LIKE finds for words of each text."""
    integrity_check()
    texts = list(Contact.all_objects.values_list("search_text", flat=True))
    words = sorted({word for text in texts for word in text.split() if len(word) >= 3})
    everything = Contact.all_objects.all()
    for word in words:
        like = set(everything.filter(search_text__contains=word).values_list("pk", flat=True))
        found = search_index.narrow(everything, [word]).values_list("pk", flat=True)
        assert like <= set(found), word


@sqlite_only
@pytest.mark.usefixtures("always_indexed")
def test_every_writer_keeps_the_index_in_step(alice, make_contact, settings):
    settings.BULK_SYNC_LIMIT = 100
    acme = make_contact("company", company_name="Acme")
    marie = make_contact(first_name="Marie", last_name="Curie", company=acme)
    maria = make_contact(first_name="Maria", last_name="Curie")
    pierre = make_contact(first_name="Pierre", last_name="Curie", company=acme)
    assert_in_step()
    found = search_index.narrow(Contact.objects.all(), ["acme"])
    assert set(found) == {acme, marie, pierre}

    # A change of name, and a company renamed: its persons' texts change too.
    data = contact_data_of(marie)
    data.fields["last_name"] = "Skłodowska"
    contact_update(by=alice, contact=marie, data=data)
    data = contact_data_of(acme)
    data.fields["company_name"] = "Radium Institute"
    contact_update(by=alice, contact=Contact.objects.get(pk=acme.pk), data=data)
    assert_in_step()
    assert set(search_index.narrow(Contact.objects.all(), ["radium"])) >= {marie, pierre}

    # The trash, its undoing and purging, one by one and in bulk.
    contact_delete(by=alice, contact=Contact.objects.get(pk=acme.pk))
    assert_in_step()
    contact_restore(by=alice, contact=Contact.all_objects.get(pk=acme.pk))
    bulk_start(by=alice, action="delete", params={}, contacts=Contact.objects.filter(pk=pierre.pk))
    assert_in_step()
    contacts_purge(Contact.all_objects.filter(pk=pierre.pk))
    assert_in_step()

    # A merge, a user field's values and its deletion, raw SQL.
    contacts_merge(by=alice, keep=Contact.objects.get(pk=marie.pk), other=maria)
    field = custom_fields.custom_field_create(label="Code", field_type="text")
    data = contact_data_of(Contact.objects.get(pk=marie.pk))
    data.custom = {field.key: "XK-4242"}
    contact_update(by=alice, contact=Contact.objects.get(pk=marie.pk), data=data)
    assert_in_step()
    assert list(search_index.narrow(Contact.objects.all(), ["xk-4242"])) == [marie]
    custom_fields.custom_field_delete(field=field, by=alice)
    Contact.objects.filter(pk=acme.pk).update(search_text="changed behind the services")
    assert_in_step()
    assert list(search_index.narrow(Contact.objects.all(), ["xk-4242"])) == []


@sqlite_only
@pytest.mark.usefixtures("always_indexed")
def test_the_import_and_the_bench_population_add_to_the_index_in_bulk(
    alice, make_contact, settings
):
    settings.IMPORT_BATCH_SIZE = 3
    make_contact(first_name="Before", last_name="Import")
    rows = [["First name", "Last name", "Company", "Email"]]
    rows += [[f"Zoë{n}", "Ørsted", "Dupré SA", f"z{n}@ørsted.example"] for n in range(8)]
    job = imports.job_create(by=alice, upload=ContentFile(csv_text(*rows).encode(), "c.csv"))
    job.responsible = [alice.pk]
    job.save()
    imports.job_start(job=job)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 8), job.error
    assert_in_step()
    visible = contacts_visible_to(alice)
    assert selectors.contact_search(visible, "orsted").count() == 8
    assert selectors.contact_search(visible, "dupre").count() == 9  # and the company

    call_command("seed_demo", "--contacts", "60", "--users", "3", "--seed", "5", stdout=StringIO())
    assert_in_step()


@sqlite_only
@pytest.mark.usefixtures("always_indexed")
def test_a_rebuild_mends_an_index_written_round(make_contact):
    contact = make_contact(first_name="Ada", last_name="Lovelace")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_index.TRIGGER}_update")
        cursor.execute(
            "UPDATE contacts_contact SET search_text = 'grace hopper' WHERE id = %s", [contact.pk]
        )
    with pytest.raises(Exception, match="malformed"):
        integrity_check()

    search_index.rebuild()
    # Not entered: SQLite's editor refuses to open inside the test's transaction, and
    # executing statements needs nothing it would set up.
    search_index.install_triggers(connection.schema_editor())

    assert_in_step()
    assert list(search_index.narrow(Contact.objects.all(), ["hopper"])) == [contact]


@sqlite_only
@pytest.mark.django_db
def test_the_migrations_leave_the_index_and_its_triggers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for name, table in cursor.fetchall() if table == "contacts_contact"}
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [search_index.TABLE])
        [table] = cursor.fetchone()
    names = {f"{search_index.TRIGGER}_{event}" for event in ("insert", "update", "delete")}
    assert names <= triggers
    assert "trigram" in table and "content='contacts_contact'" in table


# What the index is asked, and how the search is planned (SQLite).


def test_words_become_their_trigrams_quoted_as_strings():
    # Whatever was typed stays inside FTS5 strings: no operator, column or star is read.
    assert search_index.match_expression(["dupont"]) == '"dup" AND "upo" AND "pon" AND "ont"'
    assert search_index.match_expression(["ab", "dup", "dupe"]) == '"dup" AND "upe"'
    assert search_index.match_expression(['a"b', "o'n"]) == '"a""b" AND "o\'n"'
    assert search_index.match_expression(["ab", "é"]) == ""


@sqlite_only
def test_how_many_contacts_the_index_finds_decides_how_it_is_used(
    alice, make_contact, django_assert_num_queries
):
    for n in range(10):
        make_contact(first_name=f"Jean{n}", last_name="Dupont" if n else "Rare")
    visible = contacts_visible_to(alice)

    def through_index(query):
        sql, _params = selectors.contact_search(visible, query).query.sql_with_params()
        return search_index.TABLE in sql

    # Nine of the ten live contacts hold "dupont": more than one in COMMON, where the
    # index stops counting.
    assert search_index.found_among('"dup" AND "ont"') == (10 // search_index.COMMON + 1, 10)
    assert search_index.found_among('"rar"') == (1, 10)
    assert not through_index("dupont")
    assert through_index("rare")
    assert not through_index("du")  # no trigram
    assert selectors.contact_search(visible, "dupont").count() == 9
    # Found nowhere: nothing to ask for the page or its count.
    nothing = selectors.contact_search(visible, "zzz")
    with django_assert_num_queries(0):
        assert (nothing.count(), list(nothing)) == (0, [])


def plans_of(contacts, sorts):
    """Return the plans of a page in each sort and of the count."""
    pages = [selectors.contact_sort(contacts, sort)[0][:25] for sort in sorts]
    return [plan(page) for page in pages], plan(contacts.order_by().values("pk"))


@sqlite_only
@pytest.mark.parametrize("role", ["ordinary", "admin"])
def test_a_page_of_search_results_and_its_count_start_from_the_index(
    alice, admin, make_contact, monkeypatch, role
):
    monkeypatch.setattr(search_index, "found_among", THROUGH_INDEX)
    make_contact(first_name="Jean", last_name="Dupont")
    user = alice if role == "ordinary" else admin
    contacts, _ = selectors.contacts_listed(user, QueryDict("q=dupont jean"))

    # The contacts the index finds, then their rows by id.
    pages, count = plans_of(contacts, ["", "name", "type"])
    for text in [*pages, count]:
        assert re.search(r"SCAN \S+ VIRTUAL TABLE INDEX \d+:M", text), text
        assert "USING INTEGER PRIMARY KEY (rowid=?)" in text, text
        assert not full_scans(text), text


@sqlite_only
@pytest.mark.parametrize("role", ["ordinary", "admin"])
def test_a_page_of_words_found_in_many_contacts_is_read_along_its_sort(
    alice, admin, make_contact, monkeypatch, role
):
    monkeypatch.setattr(search_index, "found_among", WALKING)
    make_contact(first_name="Jean", last_name="Dupont")
    user = alice if role == "ordinary" else admin
    contacts, _ = selectors.contacts_listed(user, QueryDict("q=dupont"))

    (newest, by_name, by_type), count = plans_of(contacts, ["", "name", "type"])
    # The sort's index in order, each id checked against the list the index gave.
    for text, index in ((newest, "contact_newest"), (by_name, "contact_name")):
        assert f"SCAN contacts_contact USING INDEX {index}" in text, text
        assert "USE TEMP B-TREE" not in text, text
        assert "LIST SUBQUERY" in text, text
    # The count, and the sort by type (through a join, no index), start from the index.
    for text in (count, by_type):
        assert "USING INTEGER PRIMARY KEY (rowid=?)" in text, text
        assert not full_scans(text), text
