from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0022_user_field_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="bulkjob",
            name="skipped_ids",
            field=models.JSONField(default=list),
        ),
    ]
