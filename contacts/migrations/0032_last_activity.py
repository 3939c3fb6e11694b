"""The contacts' last activity: the newest event of the timeline, kept for the list.

Adding a nullable column without a default is an ALTER TABLE on SQLite too: the table is
not rebuilt, its triggers stay. The events' app fills the column (activities 0006).
"""

import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0031_notification_object"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="last_activity_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="last activity"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                django.db.models.lookups.IsNull(models.F("last_activity_at"), True),
                models.F("last_activity_at"),
                models.F("id"),
                condition=models.Q(("deleted_at__isnull", True)),
                include=("access",),
                name="contact_last_activity",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                django.db.models.lookups.IsNull(models.F("last_activity_at"), True),
                models.OrderBy(models.F("last_activity_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("deleted_at__isnull", True)),
                include=("access",),
                name="contact_last_activity_desc",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(
                    ("deleted_at__isnull", True), ("last_activity_at__isnull", False)
                ),
                fields=["last_activity_at"],
                include=("access",),
                name="contact_active",
            ),
        ),
    ]
