"""The list's counts of contacts, kept by triggers (contacts/counts.py).

A later migration that makes SQLite rebuild contacts_contact or guardian's user rows
takes these triggers off first and puts them back after, as 0018 does for the list's.
"""

from django.db import migrations, models

from contacts.db import counts


def install(apps, schema_editor):
    counts.install_triggers(schema_editor)
    counts.recount(schema_editor.connection)


def remove(apps, schema_editor):
    counts.remove_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0018_fewer_write_indexes")]

    operations = [
        migrations.CreateModel(
            name="ContactCount",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
