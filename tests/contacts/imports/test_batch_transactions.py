"""Each batch of an import plans its queries without parallel workers (PostgreSQL).

A test of its own file: it commits, so pytest-django empties the database after it, and
with the suite's `--dist loadfile` a file of such tests runs after the others of its
worker (which need the rows the migrations wrote).
"""

import pytest
from django.db import connection

from contacts.imports import runner
from tests.contacts.imports.conftest import assert_accounted, people


# Outside a test's transaction, so that each batch's transaction is the outermost.
@pytest.mark.django_db(transaction=True)
def test_batches_are_planned_without_parallel_workers_on_postgresql(run_import, monkeypatch):
    """runner.no_parallel_workers: for the batch's transaction only (SET LOCAL)."""
    seen = []
    process = runner.Importer._process

    def recording(importer, outcomes, phones):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW max_parallel_workers_per_gather")
                seen.append(cursor.fetchone()[0])
        return process(importer, outcomes, phones)

    monkeypatch.setattr(runner.Importer, "_process", recording)
    job = run_import(people(10), duplicates="skip", match_on="email")
    assert_accounted(job)
    if connection.vendor != "postgresql":
        return
    assert set(seen) == {"0"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] != "0"
