"""On PostgreSQL, a trigram index answers the list's search (LIKE '%word%') on search_text.

SQLite has no such index: there the search reads the table (about 60 ms for 100,000
contacts on the benchmark machine, see bench/README.md).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS contact_search_trgm ON contacts_contact "
    "USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL"
)
DROP = "DROP INDEX IF EXISTS contact_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0013_live_sort_indexes")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
