"""The list's counts of contacts, kept by triggers (contacts/db/counts.py).

The triggers and the first count are written out as this migration ran them, so that a
later change to counts.py cannot change what it does. A later migration that makes
SQLite rebuild contacts_contact or guardian's user rows takes these triggers off first and
puts them back after, as 0018 does for the list's.
"""

from django.db import migrations, models

TABLE = "contacts_contactcount"
GRANTS = "contacts_contactuserobjectpermission"
TRIGGER = "contacts_count"
PUBLIC_SQL = "('public_read', 'public_rw')"
VIEW = (
    "(SELECT p.id FROM auth_permission p JOIN django_content_type t "
    "ON t.id = p.content_type_id WHERE t.app_label = 'contacts' AND t.model = 'contact' "
    "AND p.codename = 'view_contact')"
)
ADD = f"ON CONFLICT (key) DO UPDATE SET value = {TABLE}.value + EXCLUDED.value"
SQLITE_UNLESS_BULK = "COALESCE((SELECT bulk FROM contacts_dataversion WHERE id = 1), 0) = 0"
POSTGRESQL_UNLESS_BULK = "current_setting('crm.bulk_writes', true) IS DISTINCT FROM 'on'"


def contact_changes(row, sign):
    """Return the statements adding sign times what contact row (NEW or OLD) counts for."""
    live = f"{row}.deleted_at IS NULL"
    private = f"{live} AND {row}.access NOT IN {PUBLIC_SQL}"
    return [
        f"INSERT INTO {TABLE} (key, value) VALUES "
        f"('live', CASE WHEN {live} THEN {sign} ELSE 0 END), "
        f"('public', CASE WHEN {live} AND {row}.access IN {PUBLIC_SQL} THEN {sign} ELSE 0 END) "
        f"{ADD};",
        f"INSERT INTO {TABLE} (key, value) SELECT 'user:' || g.user_id, {sign} "
        f"FROM {GRANTS} g WHERE g.content_object_id = {row}.id "
        f"AND g.permission_id = {VIEW} AND {private} {ADD};",
    ]


def grant_changes(row, sign):
    """Return the statement adding sign for guardian's row (NEW or OLD), if it counts."""
    return [
        f"INSERT INTO {TABLE} (key, value) SELECT 'user:' || {row}.user_id, {sign} "
        f"FROM contacts_contact c WHERE c.id = {row}.content_object_id "
        f"AND {row}.permission_id = {VIEW} AND c.deleted_at IS NULL "
        f"AND c.access NOT IN {PUBLIC_SQL} {ADD};"
    ]


# table: (what a row counts for, which UPDATEs may change a count)
COUNTED = {
    "contacts_contact": (
        contact_changes,
        "(OLD.access IS DISTINCT FROM NEW.access "
        "OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)",
    ),
    GRANTS: (grant_changes, None),
}

RECOUNT = (
    f"INSERT INTO {TABLE} (key, value) "
    "SELECT 'live', COUNT(*) FROM contacts_contact WHERE deleted_at IS NULL "
    "UNION ALL SELECT 'public', COUNT(*) FROM contacts_contact "
    f"WHERE deleted_at IS NULL AND access IN {PUBLIC_SQL} "
    f"UNION ALL SELECT 'user:' || g.user_id, COUNT(*) FROM {GRANTS} g "
    "JOIN contacts_contact c ON c.id = g.content_object_id "
    f"WHERE g.permission_id = {VIEW} AND c.deleted_at IS NULL "
    f"AND c.access NOT IN {PUBLIC_SQL} GROUP BY g.user_id"
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
    schema_editor.execute(f"DELETE FROM {TABLE}")
    schema_editor.execute(RECOUNT)


def remove(apps, schema_editor):
    remove_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0018_fewer_write_indexes")]

    operations = [
        migrations.CreateModel(
            name="ContactCount",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
