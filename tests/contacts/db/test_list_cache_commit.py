"""On PostgreSQL the data version changes when the writer commits, once per transaction.

A test of its own file: it commits, so pytest-django empties the database after it, and
with the suite's `--dist loadfile` a file of such tests runs after the others of its
worker (test_seed_demo, for one, needs the rows the migrations wrote).
"""

import pytest
from django.db import connection, transaction

from contacts.db import freshness
from contacts.models import Contact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL defers the version")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_version_changes_when_the_writer_commits(contact):
    before = freshness.data_version()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {freshness.TRIGGER} DEFERRED")
        Contact.objects.filter(pk=contact.pk).update(display_name="Jean Later")
        Contact.objects.filter(pk=contact.pk).update(display_name="Jean Later still")
        assert freshness.data_version() == before
    after = freshness.data_version()
    assert after != before
    # Once per transaction, not once per row or statement: the sequence moved by one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM contacts_data_version_seq")
        assert cursor.fetchone()[0] == after
