"""Sort persons by their name as the list shows it, "First Last", no longer "Last First".

The rows are read in batches by id, and only those whose sort name changes are written:
a list of 100,000 contacts never sits in memory at once. The index on (sort_name, id)
stays as it is.
"""

from django.db import migrations

BATCH = 1000
FIELDS = ["kind", "first_name", "last_name", "company_name"]


def rebuild(apps, schema_editor):
    # Today's code, loaded when the migration runs rather than whenever the migration
    # graph is read: the sort name must be what a new contact gets.
    from contacts.models import Contact as CurrentContact

    alias = schema_editor.connection.alias
    Contact = apps.get_model("contacts", "Contact")
    persons = Contact._base_manager.using(alias).filter(kind="person")
    table = schema_editor.connection.ops.quote_name(Contact._meta.db_table)
    # safe-sql: table is the Contact model's table name, quoted by the backend.
    update = f"UPDATE {table} SET sort_name = %s WHERE id = %s"  # noqa: S608
    scratch = CurrentContact()
    last = 0
    while True:
        batch = list(
            persons.filter(pk__gt=last).order_by("pk").only("sort_name", *FIELDS)[:BATCH]
        )
        if not batch:
            return
        last = batch[-1].pk
        changed = []
        for contact in batch:
            for name in FIELDS:
                setattr(scratch, name, getattr(contact, name))
            scratch.compute_names()
            if scratch.sort_name != contact.sort_name:
                changed.append((scratch.sort_name, contact.pk))
        # One statement per row: bulk_update's CASE over a thousand ids costs more.
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(update, changed)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0023_bulk_skipped")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
