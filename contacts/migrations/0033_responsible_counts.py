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
RECOUNT = (
    f"INSERT INTO {TABLE} (key, value) "
    f"SELECT 'responsible:' || r.user_id, COUNT(*) FROM {RESPONSIBLE} r "
    "JOIN contacts_contact c ON c.id = r.contact_id WHERE c.deleted_at IS NULL "
    "GROUP BY r.user_id"
)
# On PostgreSQL, statement triggers reading the transition tables: row triggers would
# update one user's row once per contact of a bulk statement.


def _responsible_rows(source, sign):
    """Return the query of sign times what the responsible rows in source count for."""
    return (
        f"SELECT 'responsible:' || x.user_id AS key, {sign} * COUNT(*) AS value "
        f"FROM {source} x JOIN contacts_contact c ON c.id = x.contact_id "
        "WHERE c.deleted_at IS NULL GROUP BY x.user_id"
    )


def _responsible_rows_of_contacts(source, sign):
    """Return the query of sign times what the contacts in source count for."""
    return (
        f"SELECT 'responsible:' || r.user_id AS key, {sign} * COUNT(*) AS value "
        f"FROM {source} x JOIN {RESPONSIBLE} r ON r.contact_id = x.id "
        "WHERE x.deleted_at IS NULL GROUP BY r.user_id"
    )


def _responsible_row(row, sign):
    """Return the statement adding sign for responsible row (NEW or OLD), if its contact lives.

    A contact deleted for good takes its rows with it, before or after it (Django's
    cascade, or raw SQL against deferred constraints): whichever goes first finds the other
    row still there and subtracts, the second finds nothing to subtract.
    """
    return [
        f"INSERT INTO {TABLE} (key, value) SELECT 'responsible:' || {row}.user_id, {sign} "
        f"FROM contacts_contact c WHERE c.id = {row}.contact_id AND c.deleted_at IS NULL {ADD};"
    ]


def _responsible_row_of_contact(row, sign):
    """Return the statement adding sign for each responsible user of contact row, if live."""
    return [
        f"INSERT INTO {TABLE} (key, value) SELECT 'responsible:' || r.user_id, {sign} "
        f"FROM {RESPONSIBLE} r WHERE r.contact_id = {row}.id AND {row}.deleted_at IS NULL {ADD};"
    ]


# table: (a statement's rows, a row), what they count for; which UPDATEs may change a
# count (for the row triggers)
RESPONSIBLE_COUNTED = {
    "contacts_contact": (
        _responsible_rows_of_contacts,
        _responsible_row_of_contact,
        "OLD.deleted_at IS NOT NEW.deleted_at",
    ),
    RESPONSIBLE: (_responsible_rows, _responsible_row, None),
}
# event: the transition tables its statement trigger reads
TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def install_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    remove_triggers(schema_editor)
    for table, (rows, row, updating) in RESPONSIBLE_COUNTED.items():
        if vendor == "postgresql":
            function = f"{TRIGGER}_{table}"
            # The keys in order, so that two statements lock the rows they share in the
            # same order; a key once, as ON CONFLICT may change a row once per statement.
            changed = (
                f"INSERT INTO {TABLE} (key, value) SELECT key, SUM(value) FROM "
                f"({rows('old_rows', -1)} UNION ALL {rows('new_rows', 1)}) d "
                f"GROUP BY key HAVING SUM(value) <> 0 ORDER BY key {ADD};"
            )
            body = (
                "BEGIN IF TG_OP = 'INSERT' THEN "
                f"INSERT INTO {TABLE} (key, value) {rows('new_rows', 1)} ORDER BY 1 {ADD}; "
                "ELSIF TG_OP = 'DELETE' THEN "
                f"INSERT INTO {TABLE} (key, value) {rows('old_rows', -1)} ORDER BY 1 {ADD}; "
                f"ELSE {changed} END IF; RETURN NULL; END"
            )
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ {body} $$ "
                "LANGUAGE plpgsql"
            )
            for event, transitions in TRANSITIONS.items():
                schema_editor.execute(
                    f"CREATE TRIGGER {TRIGGER}_{event} AFTER {event.upper()} "
                    f"ON {table} REFERENCING {transitions} FOR EACH STATEMENT "
                    f"WHEN ({POSTGRESQL_UNLESS_BULK}) EXECUTE FUNCTION {function}()"
                )
        elif vendor == "sqlite":
            bodies = {
                "insert": row("NEW", 1),
                "delete": row("OLD", -1),
                "update": [*row("OLD", -1), *row("NEW", 1)],
            }
            for event, statements in bodies.items():
                extra = f" AND {updating}" if event == "update" and updating else ""
                schema_editor.execute(
                    f"CREATE TRIGGER {TRIGGER}_{table}_{event} AFTER {event} "
                    f"ON {table} WHEN {SQLITE_UNLESS_BULK}{extra} BEGIN {' '.join(statements)} END"
                )


def remove_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    for table in RESPONSIBLE_COUNTED:
        for event in TRANSITIONS:
            if vendor == "postgresql":
                name = f"{TRIGGER}_{event} ON {table}"
            else:
                name = f"{TRIGGER}_{table}_{event}"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}_{table}()")


def install(apps, schema_editor):
    install_triggers(schema_editor)
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE SUBSTR(key, 1, 12) = 'responsible:'")
    schema_editor.execute(RECOUNT)


def remove(apps, schema_editor):
    remove_triggers(schema_editor)
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE SUBSTR(key, 1, 12) = 'responsible:'")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0032_last_activity")]

    operations = [migrations.RunPython(install, remove)]
