"""Row triggers that stand aside while a transaction writes in bulk (freshness.bulk_writes)."""

from django.db import migrations, models

from contacts.db import freshness


def remove(apps, schema_editor):
    # SQLite rebuilds the table to add the column; its rename refuses triggers naming it.
    freshness.remove_triggers(schema_editor)


def install(apps, schema_editor):
    freshness.install_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0016_data_version")]

    # One way: the triggers of 0016 and after read the column this adds.
    operations = [
        migrations.RunPython(remove),
        migrations.AddField(
            model_name="dataversion", name="bulk", field=models.BooleanField(default=False)
        ),
        migrations.RunPython(install),
    ]
