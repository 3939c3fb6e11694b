"""The list's indexes at a million contacts.

The sort indexes carry the access (PostgreSQL: an index-only scan for an ordinary user's
deep page). The responsible users' table gets (user_id, contact_id): the filter "my
contacts" joined with a tag read only the index instead of probing each tagged contact.
"""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0028_hand_over"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX contact_responsible_user "
            "ON contacts_contact_responsible (user_id, contact_id)",
            "DROP INDEX contact_responsible_user",
        ),
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_newest",
        ),
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_name",
        ),
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_changed",
        ),
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_first_name",
        ),
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_last_name",
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["-created_at", "-id"],
                include=("access",),
                name="contact_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["sort_name", "id"],
                include=("access",),
                name="contact_name",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["updated_at", "id"],
                include=("access",),
                name="contact_changed",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                django.db.models.functions.text.Lower("first_name"),
                models.F("sort_name"),
                models.F("id"),
                condition=models.Q(("deleted_at__isnull", True)),
                include=("access",),
                name="contact_first_name",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                django.db.models.functions.text.Lower("last_name"),
                models.F("sort_name"),
                models.F("id"),
                condition=models.Q(("deleted_at__isnull", True)),
                include=("access",),
                name="contact_last_name",
            ),
        ),
    ]
