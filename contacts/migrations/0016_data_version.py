"""The data version that the contact list's cache is keyed on (see contacts/freshness.py)."""

from django.db import migrations, models

from contacts.db import freshness


def install(apps, schema_editor):
    apps.get_model("contacts", "DataVersion").objects.create(pk=1, value=0)
    freshness.install_triggers(schema_editor)


def remove(apps, schema_editor):
    freshness.remove_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0015_contact_access_by_id")]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
