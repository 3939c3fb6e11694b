"""The planner's statistics: the search text sampled widely, the import's refreshes quick."""

import pytest
from django.db import connection

from contacts.db.statistics import refresh_grown_tables

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's ANALYZE reads every row"
)


def sampled_columns():
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = 'contacts_contact'")
        return {name for (name,) in cursor.fetchall()}


def test_the_search_text_is_sampled_ten_times_more_widely(db):
    """A word's expected matches rest on the column's histogram: a thousand values."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'contacts_contact'::regclass AND attname = 'search_text'"
        )
        assert cursor.fetchone()[0] == 1000


def test_the_import_s_refresh_samples_the_columns_it_looks_up_not_the_search_text(
    make_contact,
):
    for n in range(5):
        make_contact(first_name=f"Sampled{n}", last_name="Person")

    refresh_grown_tables()

    columns = sampled_columns()
    assert {"sort_name", "display_name", "kind", "access"} <= columns
    assert "search_text" not in columns
