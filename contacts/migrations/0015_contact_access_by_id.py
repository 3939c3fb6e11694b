"""On PostgreSQL, the access and the trash mark of a contact by id, in an index.

Counting the private contacts a user may see joins his permission rows to the contacts:
with (access, deleted_at) beside the id, each probe is an index-only lookup, and the
planner prefers these few thousand lookups to reading the whole table (50 ms → 9 ms for
100,000 contacts). SQLite finds a contact by its rowid; it needs no such index.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS contact_id_access ON contacts_contact (id) "
    "INCLUDE (access, deleted_at)"
)
DROP = "DROP INDEX IF EXISTS contact_id_access"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0014_search_trigrams")]

    operations = [migrations.RunPython(create_index, drop_index)]
