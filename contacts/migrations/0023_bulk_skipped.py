from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0021_import_issue_contact"),
    ]

    operations = [
        migrations.AddField(
            model_name="bulkjob",
            name="skipped_ids",
            field=models.JSONField(default=list),
        ),
    ]
