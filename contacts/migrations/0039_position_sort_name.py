"""Positions carry their person's sort name, kept by triggers (contacts/db/position_names.py).

Adds the column, fills it from the persons in one statement, installs the triggers,
then builds the index of a company's current people in name order. The SQL is written
out as this migration ran it, so that a later change to position_names.py cannot change
what it does; a later migration that makes SQLite rebuild contacts_contact or
contacts_position takes these triggers off first and puts them back after
(remove_triggers() and install_triggers() below, copied).
"""

from django.db import migrations, models

TRIGGER = "contacts_position_names"
PERSONS_NAME = "(SELECT c.sort_name FROM contacts_contact c WHERE c.id = NEW.person_id)"
HAND_DOWN = "UPDATE contacts_position SET sort_name = NEW.sort_name WHERE person_id = NEW.id"
CORRECT = (
    f"UPDATE contacts_position SET sort_name = COALESCE({PERSONS_NAME}, '') "
    "WHERE id = NEW.id"
)


def _sqlite():
    wrong = f"NEW.sort_name IS NOT COALESCE({PERSONS_NAME}, '')"
    return {
        f"{TRIGGER}_person": (
            "AFTER UPDATE OF sort_name ON contacts_contact "
            f"WHEN OLD.sort_name IS NOT NEW.sort_name BEGIN {HAND_DOWN}; END"
        ),
        f"{TRIGGER}_insert": f"AFTER INSERT ON contacts_position WHEN {wrong} BEGIN {CORRECT}; END",
        f"{TRIGGER}_update": (
            "AFTER UPDATE OF person_id, sort_name ON contacts_position "
            f"WHEN {wrong} BEGIN {CORRECT}; END"
        ),
    }


def _postgresql():
    return {
        f"{TRIGGER}_person": (
            f"BEGIN {HAND_DOWN}; RETURN NULL; END",
            "AFTER UPDATE OF sort_name ON contacts_contact FOR EACH ROW "
            "WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name)",
        ),
        f"{TRIGGER}_position": (
            f"BEGIN NEW.sort_name := COALESCE({PERSONS_NAME}, ''); RETURN NEW; END",
            "BEFORE INSERT OR UPDATE OF person_id, sort_name ON contacts_position FOR EACH ROW",
        ),
    }


def install_triggers(schema_editor):
    remove_triggers(schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, (body, trigger) in _postgresql().items():
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ {body} $$ "
                "LANGUAGE plpgsql"
            )
            schema_editor.execute(f"CREATE TRIGGER {name} {trigger} EXECUTE FUNCTION {name}()")
    elif vendor == "sqlite":
        for name, trigger in _sqlite().items():
            schema_editor.execute(f"CREATE TRIGGER {name} {trigger}")


def remove_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, (_body, trigger) in _postgresql().items():
            table = trigger.split(" ON ")[1].split()[0]
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    elif vendor == "sqlite":
        for name in _sqlite():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install(apps, schema_editor):
    schema_editor.execute(
        "UPDATE contacts_position SET sort_name = COALESCE((SELECT c.sort_name "
        "FROM contacts_contact c WHERE c.id = contacts_position.person_id), '')"
    )
    install_triggers(schema_editor)


def remove(apps, schema_editor):
    remove_triggers(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0038_import_api_token'),
    ]

    operations = [
        migrations.AddField(
            model_name='position',
            name='sort_name',
            field=models.CharField(blank=True, db_default='', editable=False, max_length=300),
        ),
        migrations.RunPython(install, remove),
        migrations.AddIndex(
            model_name='position',
            index=models.Index(condition=models.Q(('end_date__isnull', True)), fields=['company', 'sort_name', 'person'], name='position_company_people'),
        ),
    ]
