"""The keys possible duplicates share, kept by triggers (contacts/db/duplicate_keys.py).

Creates the keys and their counts, fills them from every contact in a few set-based
statements (a GROUP BY for the counts), then installs the triggers and the indexes. The
SQL is written out as this migration ran it, so that a later change to
duplicate_keys.py cannot change what it does. A later migration that makes SQLite
rebuild contacts_contact or contacts_contactinfo takes these triggers off first and puts
them back after (remove_triggers() and install_triggers() below, copied).
"""

import django.db.models.deletion
from django.db import migrations, models

KEYS = "contacts_duplicatekey"
COUNTS = "contacts_duplicatecount"
TRIGGER = "contacts_duplicates"
INFO_REASONS = "('email', 'phone')"
PUBLIC_SQL = "('public_read', 'public_rw')"  # as access.PUBLIC
SQLITE_UNLESS_BULK = "COALESCE((SELECT bulk FROM contacts_dataversion WHERE id = 1), 0) = 0"
POSTGRESQL_UNLESS_BULK = "current_setting('crm.bulk_writes', true) IS DISTINCT FROM 'on'"
COLUMNS = "(reason, value, contact_id, is_live, is_public)"
# table: the columns whose update may change a key
UPDATED = {
    "contacts_contact": "kind, sort_name, company_id, access, deleted_at",
    "contacts_contactinfo": "contact_id, kind, normalized",
    KEYS: "is_live, is_public",
}


def name_key(row):
    """Return the SQL of the name key of contact row (NEW, OLD or an alias)."""
    return (
        f"{row}.kind || '|' || COALESCE(CAST({row}.company_id AS TEXT), '') || '|' "
        f"|| {row}.sort_name"
    )


def _flags(row):
    return f"{row}.deleted_at IS NULL, {row}.access IN {PUBLIC_SQL}"


def _as_int(condition):
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _count_changes(row, sign):
    """Return n_live and n_public's changes for key row (NEW or OLD) counted sign times."""
    return (
        f"{sign} * {_as_int(f'{row}.is_live')}, "
        f"{sign} * {_as_int(f'{row}.is_live AND {row}.is_public')}"
    )


def _statements(vendor):
    """Return {table: {event: (the condition it runs on, its statements)}}."""
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    unless_bulk = POSTGRESQL_UNLESS_BULK if vendor == "postgresql" else SQLITE_UNLESS_BULK
    add_count = (
        f"ON CONFLICT (reason, value) DO UPDATE SET n_live = {COUNTS}.n_live + EXCLUDED.n_live, "
        f"n_public = {COUNTS}.n_public + EXCLUDED.n_public"
    )
    remove_name = (
        f"DELETE FROM {KEYS} WHERE reason = 'name' AND value = {name_key('OLD')} "
        f"AND contact_id = OLD.id"
    )
    add_name = (
        f"INSERT INTO {KEYS} {COLUMNS} SELECT 'name', {name_key('NEW')}, NEW.id, "
        f"{_flags('NEW')} WHERE NEW.sort_name <> ''"
    )
    # A contact may hold the same e-mail twice: its key goes with the last of them.
    remove_info = (
        f"DELETE FROM {KEYS} WHERE reason = OLD.kind AND value = OLD.normalized "
        "AND contact_id = OLD.contact_id AND NOT EXISTS (SELECT 1 FROM contacts_contactinfo i "
        "WHERE i.contact_id = OLD.contact_id AND i.kind = OLD.kind "
        "AND i.normalized = OLD.normalized)"
    )
    add_info = (
        f"INSERT INTO {KEYS} {COLUMNS} SELECT NEW.kind, NEW.normalized, NEW.contact_id, "
        f"{_flags('c')} FROM contacts_contact c WHERE c.id = NEW.contact_id "
        f"AND NEW.kind IN {INFO_REASONS} AND NEW.normalized <> '' ON CONFLICT DO NOTHING"
    )
    info_key = f"{{row}}.kind IN {INFO_REASONS} AND {{row}}.normalized <> ''"
    name_changed = f"{name_key('OLD')} <> {name_key('NEW')}"
    flags_changed = (
        f"(OLD.deleted_at IS NULL) {distinct} (NEW.deleted_at IS NULL) "
        f"OR (OLD.access IN {PUBLIC_SQL}) {distinct} (NEW.access IN {PUBLIC_SQL})"
    )
    key_of = "reason = {row}.reason AND value = {row}.value"
    return {
        "contacts_contact": {
            "insert": (unless_bulk, [add_name]),
            "update": (
                f"{name_changed} OR {flags_changed}",
                [
                    f"{remove_name} AND {name_changed}",
                    f"UPDATE {KEYS} SET is_live = NEW.deleted_at IS NULL, "
                    f"is_public = NEW.access IN {PUBLIC_SQL} WHERE contact_id = NEW.id "
                    f"AND ({flags_changed})",
                    f"{add_name} AND {name_changed}",
                ],
            ),
            "delete": (None, [f"DELETE FROM {KEYS} WHERE contact_id = OLD.id"]),
        },
        "contacts_contactinfo": {
            "insert": (f"{unless_bulk} AND {info_key.format(row='NEW')}", [add_info]),
            "update": (
                "OLD.contact_id <> NEW.contact_id OR OLD.kind <> NEW.kind "
                "OR OLD.normalized <> NEW.normalized",
                [remove_info, add_info],
            ),
            "delete": (info_key.format(row="OLD"), [remove_info]),
        },
        KEYS: {
            "insert": (
                unless_bulk,
                [
                    f"INSERT INTO {COUNTS} (reason, value, n_live, n_public) "
                    f"VALUES (NEW.reason, NEW.value, {_count_changes('NEW', 1)}) {add_count}"
                ],
            ),
            "update": (
                f"OLD.is_live {distinct} NEW.is_live OR OLD.is_public {distinct} NEW.is_public",
                [
                    f"UPDATE {COUNTS} SET n_live = n_live - {_as_int('OLD.is_live')} "
                    f"+ {_as_int('NEW.is_live')}, n_public = n_public "
                    f"- {_as_int('OLD.is_live AND OLD.is_public')} "
                    f"+ {_as_int('NEW.is_live AND NEW.is_public')} "
                    f"WHERE {key_of.format(row='NEW')}"
                ],
            ),
            "delete": (
                None,
                [
                    f"UPDATE {COUNTS} SET n_live = n_live - {_as_int('OLD.is_live')}, "
                    f"n_public = n_public - {_as_int('OLD.is_live AND OLD.is_public')} "
                    f"WHERE {key_of.format(row='OLD')}",
                    # A key nobody holds any more goes, so that the counts do not grow.
                    f"DELETE FROM {COUNTS} WHERE {key_of.format(row='OLD')} "
                    f"AND NOT EXISTS (SELECT 1 FROM {KEYS} k WHERE k.reason = OLD.reason "
                    "AND k.value = OLD.value)",
                ],
            ),
        },
    }


def install_triggers(schema_editor):
    """Create (or replace) the triggers that keep the keys and their counts."""
    vendor = schema_editor.connection.vendor
    remove_triggers(schema_editor)
    for table, events in _statements(vendor).items():
        for event, (condition, statements) in events.items():
            name = f"{TRIGGER}_{table}_{event}"
            body = " ".join(f"{statement};" for statement in statements)
            columns = f" OF {UPDATED[table]}" if event == "update" else ""
            if vendor == "postgresql":
                schema_editor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ "
                    f"BEGIN {body} RETURN NULL; END $$ LANGUAGE plpgsql"
                )
                when = f" WHEN ({condition})" if condition else ""
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {event.upper()}{columns} ON {table} "
                    f"FOR EACH ROW{when} EXECUTE FUNCTION {name}()"
                )
            elif vendor == "sqlite":
                when = f" WHEN {condition}" if condition else ""
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {event.upper()}{columns} ON {table}{when} "
                    f"BEGIN {body} END"
                )


def remove_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    for table, events in _statements(vendor).items():
        for event in events:
            name = f"{TRIGGER}_{table}_{event}"
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            elif vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _fill_statements(ids: str, infos_after: str = "0"):
    """Return the statements adding the keys and counts of the contacts whose ids match.

    ids is a condition on a column, "{}" in it: "TRUE", or "{} IN (...)"; every e-mail
    and phone of these contacts has an id above infos_after.
    """
    contacts, infos, keys = (
        ids.format(column) for column in ("c.id", "i.contact_id", "k.contact_id")
    )
    names = (
        f"SELECT 'name' AS reason, {name_key('c')} AS value, c.id AS contact_id, "
        f"c.deleted_at IS NULL AS is_live, c.access IN {PUBLIC_SQL} AS is_public "
        f"FROM contacts_contact c WHERE {contacts} AND c.sort_name <> ''"
    )
    # Along the ids above infos_after rather than the contact's index, which a bulk writer
    # may have dropped for its load (population.py).
    details = (
        "SELECT i.kind, i.normalized, i.contact_id, "
        f"{_flags('c')} FROM contacts_contactinfo i JOIN contacts_contact c "
        f"ON c.id = i.contact_id WHERE i.id > {infos_after} AND {infos} "
        f"AND i.kind IN {INFO_REASONS} AND i.normalized <> ''"
    )
    return [
        f"INSERT INTO {KEYS} {COLUMNS} {names}",
        # A contact holding the same e-mail twice holds its key once.
        f"INSERT INTO {KEYS} {COLUMNS} {details} ON CONFLICT DO NOTHING",
        f"INSERT INTO {COUNTS} (reason, value, n_live, n_public) "
        f"SELECT reason, value, SUM({_as_int('is_live')}), "
        f"SUM({_as_int('is_live AND is_public')}) FROM {KEYS} k WHERE {keys} "
        "GROUP BY reason, value ON CONFLICT (reason, value) DO UPDATE SET "
        f"n_live = {COUNTS}.n_live + EXCLUDED.n_live, "
        f"n_public = {COUNTS}.n_public + EXCLUDED.n_public",
    ]


def install(apps, schema_editor):
    for statement in _fill_statements("TRUE"):
        schema_editor.execute(statement)
    install_triggers(schema_editor)


def remove(apps, schema_editor):
    remove_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0029_list_indexes")]

    operations = [
        migrations.CreateModel(
            name="DuplicateCount",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "reason",
                        "value",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("reason", models.CharField(max_length=5)),
                ("value", models.TextField()),
                ("n_live", models.IntegerField()),
                ("n_public", models.IntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="DuplicateKey",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "reason",
                        "value",
                        "contact",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("reason", models.CharField(max_length=5)),
                ("value", models.TextField()),
                ("is_live", models.BooleanField()),
                ("is_public", models.BooleanField()),
                (
                    "contact",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contacts.contact",
                    ),
                ),
            ],
        ),
        # Filled before its indexes are made: one sort each rather than a million inserts.
        migrations.RunPython(install, remove),
        migrations.AddIndex(
            model_name="duplicatekey",
            index=models.Index(
                fields=["contact", "is_live", "is_public", "reason", "value"],
                name="duplicate_key_contact",
            ),
        ),
        migrations.AddIndex(
            model_name="duplicatecount",
            index=models.Index(
                condition=models.Q(("n_live__gte", 2)),
                fields=["reason", "value"],
                name="duplicate_candidates",
            ),
        ),
        migrations.AddIndex(
            model_name="duplicatecount",
            index=models.Index(
                condition=models.Q(("n_public__gte", 2)),
                fields=["reason", "value"],
                name="duplicate_shared",
            ),
        ),
        migrations.AddIndex(
            model_name="duplicatecount",
            index=models.Index(
                condition=models.Q(("n_live__gte", 2), ("n_public__lt", 2)),
                fields=["reason", "value", "n_public"],
                name="duplicate_mixed",
            ),
        ),
    ]
