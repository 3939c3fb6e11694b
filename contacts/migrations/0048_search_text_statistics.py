"""A larger sample of the search text for PostgreSQL's planner.

A search's plan, and the list's choice between reading its matches in order and walking
the sort's index, rest on how many contacts PostgreSQL expects a word to match. It
judges a LIKE by the values of the column's histogram: a hundred by default, among which
a surname borne by one contact in a hundred appears no time or three, so its estimate
swung between 70 and 7,000 at a million contacts. A thousand values hold it within a
third. The import's own refreshes leave this column out (contacts/db/statistics.py).
"""

from django.db import migrations

SAMPLE = 1000


def enlarge(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE contacts_contact ALTER COLUMN search_text SET STATISTICS {SAMPLE}"
        )
        schema_editor.execute("ANALYZE contacts_contact (search_text)")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE contacts_contact ALTER COLUMN search_text SET STATISTICS -1"
        )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0047_newest_list_index")]

    operations = [migrations.RunPython(enlarge, restore)]
