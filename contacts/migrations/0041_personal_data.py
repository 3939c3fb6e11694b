"""Personal data: consent to marketing e-mail, the retention review, the suppression list."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0040_user_field_personal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The contacts' three new text columns are added with a constant default, an
        # ALTER TABLE on both databases: Django's own AddField would rebuild the table on
        # SQLite, whose triggers (the counts, the search index) name it. The default stays
        # in the database, where it does no harm: every writer names these columns.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE contacts_contact ADD COLUMN consent varchar(10) "
                    "DEFAULT 'unknown' NOT NULL",
                    "ALTER TABLE contacts_contact DROP COLUMN consent",
                ),
                migrations.RunSQL(
                    "ALTER TABLE contacts_contact ADD COLUMN consent_source varchar(10) "
                    "DEFAULT '' NOT NULL",
                    "ALTER TABLE contacts_contact DROP COLUMN consent_source",
                ),
                migrations.RunSQL(
                    "ALTER TABLE contacts_contact ADD COLUMN consent_wording text "
                    "DEFAULT '' NOT NULL",
                    "ALTER TABLE contacts_contact DROP COLUMN consent_wording",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="contact",
                    name="consent",
                    field=models.CharField(
                        choices=[
                            ("unknown", "Unknown"),
                            ("given", "Given"),
                            ("refused", "Refused"),
                        ],
                        default="unknown",
                        max_length=10,
                        verbose_name="marketing email consent",
                    ),
                ),
                migrations.AddField(
                    model_name="contact",
                    name="consent_source",
                    field=models.CharField(
                        blank=True,
                        choices=[
                            ("form", "Contact form"),
                            ("import", "Import"),
                            ("web_form", "Website form"),
                            ("api", "API"),
                        ],
                        max_length=10,
                        verbose_name="consent source",
                    ),
                ),
                migrations.AddField(
                    model_name="contact",
                    name="consent_wording",
                    field=models.TextField(blank=True, verbose_name="consent wording"),
                ),
            ],
        ),
        migrations.AddField(
            model_name="contact",
            name="consent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="consent date"),
        ),
        migrations.AddField(
            model_name="contact",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="crmsettings",
            name="review_after_months",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="review contacts with no activity for (months)"
            ),
        ),
        migrations.AddField(
            model_name="webform",
            name="consent_wording",
            field=models.TextField(blank=True, verbose_name="consent checkbox wording"),
        ),
        migrations.CreateModel(
            name="Suppression",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("email", "Email"), ("phone", "Phone")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("digest", models.CharField(max_length=64)),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="added"),
                ),
                ("created_by_name", models.CharField(blank=True, max_length=300)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "suppression",
                "verbose_name_plural": "suppression list",
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "digest"), name="suppression_once")
                ],
            },
        ),
    ]
