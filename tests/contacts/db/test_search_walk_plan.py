"""A search's page newest first walks the index that holds the search text (PostgreSQL).

A test of its own file: it commits (VACUUM runs outside a transaction), so pytest-django
empties the database after it, and with the suite's `--dist loadfile` a file of such
tests runs after the others of its worker (which need the rows the migrations wrote).
"""

import pytest
from django.db import connection, transaction
from django.http import QueryDict

from contacts import selectors
from tests.contacts.db.test_query_plans import plan, sorts_after_reading

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite checks the ids its own search index found (test_search_index.py)",
)


@pytest.fixture
def users(alice, admin, make_contact):
    make_contact(tags=["VIP", "Lead"])
    return {"ordinary": alice, "admin": admin}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["ordinary", "admin"])
def test_a_search_page_newest_first_reads_the_words_from_the_index(users, role):
    """PostgreSQL walks the newest-first index for a common word's page: the search text
    is in the index with the access, so the walk reads no row of the table (rather than
    the narrow newest-first index, whose entries send it to the table's rows)."""
    contacts, _ = selectors.contacts_listed(users[role], QueryDict("q=dupont"))
    with connection.cursor() as cursor:
        # As autovacuum leaves a table: its pages known to be all visible, which is what
        # lets an index answer without the table.
        cursor.execute("VACUUM ANALYZE contacts_contact")
    with transaction.atomic(), connection.cursor() as cursor:
        # The walk, rather than the trigram index: as a word found in many contacts.
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        page = selectors.contact_sort(contacts, "")[0].values_list("pk")[:25]
        text = plan(page, sorted_by_index=True)

    assert "Index Only Scan using contact_newest on contacts_contact" in text, text
    assert not sorts_after_reading(text), text
