"""The responsible users' counts, kept by triggers (contacts/db/counts.py).

Settings › Users shows how many live contacts each user is responsible for. The triggers
and the first count are written out as this migration ran them, so that a later change
to counts.py cannot change what it does. A later migration that makes SQLite rebuild
contacts_contact or the responsible users' table takes these triggers off first and puts
them back after (remove_triggers() and install_triggers() below, copied).
"""

from django.db import migrations

TABLE = "contacts_contactcount"
RESPONSIBLE = "contacts_contact_responsible"
TRIGGER = "contacts_responsible_count"
ADD = f"ON CONFLICT (key) DO UPDATE SET value = {TABLE}.value + EXCLUDED.value"
SQLITE_UNLESS_BULK = "COALESCE((SELECT bulk FROM contacts_dataversion WHERE id = 1), 0) = 0"
POSTGRESQL_UNLESS_BULK = "current_setting('crm.bulk_writes', true) IS DISTINCT FROM 'on'"


def responsible_of_contact(row, sign):
    """Return the statement adding sign for each responsible user of contact row, if live."""
    return [
        f"INSERT INTO {TABLE} (key, value) SELECT 'responsible:' || r.user_id, {sign} "
        f"FROM {RESPONSIBLE} r WHERE r.contact_id = {row}.id AND {row}.deleted_at IS NULL {ADD};"
    ]


def responsible_changes(row, sign):
    """Return the statement adding sign for responsible row (NEW or OLD), if its contact lives."""
    return [
        f"INSERT INTO {TABLE} (key, value) SELECT 'responsible:' || {row}.user_id, {sign} "
        f"FROM contacts_contact c WHERE c.id = {row}.contact_id AND c.deleted_at IS NULL {ADD};"
    ]


# table: (what a row counts for, which UPDATEs may change a count)
COUNTED = {
    "contacts_contact": (
        responsible_of_contact,
        "(OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)",
    ),
    RESPONSIBLE: (responsible_changes, None),
}

RECOUNT = (
    f"INSERT INTO {TABLE} (key, value) "
    f"SELECT 'responsible:' || r.user_id, COUNT(*) FROM {RESPONSIBLE} r "
    "JOIN contacts_contact c ON c.id = r.contact_id WHERE c.deleted_at IS NULL "
    "GROUP BY r.user_id"
)


def install_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    remove_triggers(schema_editor)
    for table, (changes, updating) in COUNTED.items():
        if vendor == "postgresql":
            function = f"{TRIGGER}_{table}"
            body = " ".join(
                [
                    "BEGIN IF TG_OP <> 'INSERT' THEN",
                    *changes("OLD", -1),
                    "END IF; IF TG_OP <> 'DELETE' THEN",
                    *changes("NEW", 1),
                    "END IF; RETURN NULL; END",
                ]
            )
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ {body} $$ "
                "LANGUAGE plpgsql"
            )
            for name, events, extra in (
                (TRIGGER, "INSERT OR DELETE", ""),
                (f"{TRIGGER}_update", "UPDATE", f" AND {updating}" if updating else ""),
            ):
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW "
                    f"WHEN ({POSTGRESQL_UNLESS_BULK}{extra}) EXECUTE FUNCTION {function}()"
                )
        elif vendor == "sqlite":
            bodies = {
                "insert": changes("NEW", 1),
                "delete": changes("OLD", -1),
                "update": [*changes("OLD", -1), *changes("NEW", 1)],
            }
            for event, statements in bodies.items():
                extra = ""
                if event == "update" and updating:
                    extra = " AND " + updating.replace("IS DISTINCT FROM", "IS NOT")
                schema_editor.execute(
                    f"CREATE TRIGGER {TRIGGER}_{table}_{event} AFTER {event} ON {table} "
                    f"WHEN {SQLITE_UNLESS_BULK}{extra} BEGIN {' '.join(statements)} END"
                )


def remove_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    for table in COUNTED:
        if vendor == "postgresql":
            for name in (TRIGGER, f"{TRIGGER}_update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}_{table}()")
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{table}_{event}")


def install(apps, schema_editor):
    install_triggers(schema_editor)
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE SUBSTR(key, 1, 12) = 'responsible:'")
    schema_editor.execute(RECOUNT)


def remove(apps, schema_editor):
    remove_triggers(schema_editor)
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE SUBSTR(key, 1, 12) = 'responsible:'")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0031_notification_object")]

    operations = [migrations.RunPython(install, remove)]
