"""User fields may be marked as personal data.

The column is added with a constant default, an ALTER TABLE on both databases: Django's
own AddField would rebuild contacts_customfield on SQLite, dropping the trigger that
moves the list's data version when a user field changes. The default stays in the
database, where it does no harm: every writer names the column.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0039_position_sort_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE contacts_customfield ADD COLUMN is_personal boolean "
                    "DEFAULT false NOT NULL",
                    "ALTER TABLE contacts_customfield DROP COLUMN is_personal",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name='customfield',
                    name='is_personal',
                    field=models.BooleanField(default=False, verbose_name='personal data'),
                ),
            ],
        ),
    ]
