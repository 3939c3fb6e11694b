"""A narrow newest-first index for the list's pages (PostgreSQL).

The newest-first index carries each contact's search text, so that a search's page walks
it without reading the table; that makes its entries several times wider than the other
sorts'. A page of the list in that order, which needs the access alone, reads this one:
a deep page walks tens of thousands of entries. SQLite has no included columns: there the
two would be the same index, so it gets none.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS contact_newest_list ON contacts_contact "
    "(created_at DESC, id DESC) INCLUDE (access) WHERE deleted_at IS NULL"
)
DROP = "DROP INDEX IF EXISTS contact_newest_list"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0046_search_in_newest_index")]

    operations = [migrations.RunPython(create, drop)]
