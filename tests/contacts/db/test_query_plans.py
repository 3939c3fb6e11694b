"""The list's filters and sorts use indexes, on SQLite and on PostgreSQL.

The plans are read with EXPLAIN on the test database, without the statistics of its few
rows (SQLite) or with sequential scans and sorts discouraged (PostgreSQL), so that a full
scan or a sort left in a plan means no index could serve.
"""

import re

import pytest
from django.db import connection
from django.http import QueryDict

from contacts import selectors
from contacts.access import contacts_visible_to
from contacts.models import Contact

# Sorts that read an index in order; "type" sorts on the joined contact type.
INDEXED_SORTS = [
    f"{sign}{key}"
    for key in ("name", "first_name", "last_name", "created", "changed")
    for sign in ("", "-")
]
FILTERS = [
    "tag=VIP",
    "tag=VIP&tag=Lead&tag_mode=all",
    "tag=VIP&tag=Lead&tag_mode=any",
    "type=1",
    "responsible=me",
    "responsible=nobody",
    "kind=company",
    "access=public",
    "source=import",
    "created=today",
    "currency=EUR",
    "tag=VIP&type=1&responsible=me",
]


def plan(queryset, sorted_by_index=False):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Statistics of the few rows of a test would favour reading them all: plan
            # as SQLite does for a table it knows nothing of (undone with the test).
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
                cursor.execute("ANALYZE sqlite_master")
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(row[-1] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        if sorted_by_index:
            # On a few rows, sorting them is cheapest: ask whether an index *can* give
            # the order. Without one, the plan keeps its Sort.
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def full_scans(text):
    """Return the plan's lines that read a whole table without an index."""
    if connection.vendor == "sqlite":
        return re.findall(r"^SCAN \S+$", text, re.MULTILINE)
    return re.findall(r"Seq Scan on \S+", text)


def sorts_after_reading(text):
    """Return the plan's lines that sort rows instead of reading them in order."""
    if connection.vendor == "sqlite":
        return re.findall(r"USE TEMP B-TREE FOR ORDER BY", text)
    # An incremental sort only orders ties of the index's leading column.
    return re.findall(r"(?<!Incremental )\bSort  \(", text)


@pytest.fixture
def users(alice, admin, make_contact):
    make_contact(tags=["VIP", "Lead"])
    return {"ordinary": alice, "admin": admin}


@pytest.mark.parametrize("role", ["ordinary", "admin"])
@pytest.mark.parametrize("sort", INDEXED_SORTS)
def test_a_page_in_each_sort_order_reads_an_index_in_order(users, role, sort):
    contacts = contacts_visible_to(users[role])
    text = plan(selectors.contact_sort(contacts, sort)[0][:25], sorted_by_index=True)

    assert not full_scans(text), text
    assert not sorts_after_reading(text), text


@pytest.mark.parametrize("role", ["ordinary", "admin"])
@pytest.mark.parametrize("params", FILTERS)
def test_each_filter_is_answered_from_indexes(users, role, params):
    user = users[role]
    contacts, _ = selectors.contact_filter(contacts_visible_to(user), QueryDict(params), user=user)
    text = plan(selectors.contact_sort(contacts, "last_name")[0][:25])

    assert not full_scans(text), text


@pytest.mark.parametrize("role", ["ordinary", "admin"])
def test_a_page_of_the_list_newest_first_reads_the_narrow_index(users, role):
    """The newest-first index the search walks carries the search text; a page of the
    list, which needs the access alone, reads the narrow one (PostgreSQL), however long
    the contacts' search texts."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no included columns: one newest-first index serves both")
    Contact.objects.bulk_create(
        Contact(kind="person", last_name=f"Long{n}", search_text=f"long{n} " + "x" * 400)
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_contact")
    contacts = contacts_visible_to(users[role])
    page = selectors.contact_sort(contacts, "")[0].values_list("pk")[1500:1525]

    text = plan(page, sorted_by_index=True)

    assert "Index Only Scan using contact_newest_list on contacts_contact" in text, text


@pytest.mark.parametrize("params", ["tag=VIP&responsible=me", "tag=VIP&tag=Lead&tag_mode=any"])
def test_a_tag_filter_names_its_tags_ids(users, params):
    """The tags' ids are in the list's query, not a subquery on the tags: a contact holds
    a tag once, so its contacts come once each and PostgreSQL may merge them with another
    filter's along their indexes (a tag's and a responsible user's contacts at a million:
    tens of thousands each), where a subquery made it hash and deduplicate them first."""
    user = users["ordinary"]
    contacts, _ = selectors.contact_filter(contacts_visible_to(user), QueryDict(params), user=user)
    sql, _params = contacts.query.sql_with_params()

    assert "taggit_tag" not in sql
    found = list(contacts)
    assert found and found == list(contacts_visible_to(user).filter(tags__name="VIP"))
