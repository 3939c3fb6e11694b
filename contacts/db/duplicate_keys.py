"""The keys possible duplicates share, kept in a table instead of grouped on each request.

The duplicates page groups the contacts a user may see that share an e-mail, a phone, or
a name (with the kind and the company). Grouping every contact by them on each request
read all the contacts and their e-mails and phones. contacts_duplicatekey holds instead
one row per contact and key:

- reason "email" or "phone", value the ContactInfo's normalized (when not empty); a
  contact with the same e-mail twice holds its key once;
- reason "name", value the kind, the company's id and the sort name (when not empty).

Each row copies the contact's is_live (out of the trash) and is_public (every CRM user
may see it), so that who may see a key's contacts is read from the key's own rows.
contacts_duplicatecount holds per key how many live contacts share it (n_live) and how
many live public ones (n_public); its partial indexes list the candidate keys (n_live of
2 or more) and those every CRM user sees twice, without a GROUP BY.

Row triggers on contacts_contact and contacts_contactinfo keep the keys in step, and
triggers on the keys keep the counts: every writer goes through them (services, merge,
trash, purge, raw SQL). Inside bulk_writes() the insert triggers stand aside, as the
search index's does (search_index.py): the block adds the keys and counts of the
contacts it inserted, computed from what it holds (keys_of_new(), add_counts()).
Updates and deletes keep their triggers there, since no bulk writer makes them.

SQLite drops a table's triggers with the table: a migration that makes SQLite rebuild
contacts_contact or contacts_contactinfo takes these off and puts them back, with the SQL
of 0030_duplicate_keys (migrations carry their own). The test of the triggers a fresh
migrate installs (tests/contacts/db/test_trigger_migrations.py) holds them equal to
install_triggers()'s.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from contacts.db import freshness, upsert

KEYS = "contacts_duplicatekey"
COUNTS = "contacts_duplicatecount"
TRIGGER = "contacts_duplicates"
INFO_REASONS = "('email', 'phone')"
PUBLIC = ("public_read", "public_rw")  # as access.PUBLIC
PUBLIC_SQL = "('public_read', 'public_rw')"  # as access.PUBLIC
SQLITE_UNLESS_BULK = "COALESCE((SELECT bulk FROM contacts_dataversion WHERE id = 1), 0) = 0"
POSTGRESQL_UNLESS_BULK = "current_setting('crm.bulk_writes', true) IS DISTINCT FROM 'on'"
COLUMNS = "(reason, value, contact_id, is_live, is_public)"
# A key's row: (reason, value, contact_id, is_live, is_public).
Key = tuple[str, str, int, bool, bool]
# table: the columns whose update may change a key
UPDATED = {
    "contacts_contact": "kind, sort_name, company_id, access, deleted_at",
    "contacts_contactinfo": "contact_id, kind, normalized",
    KEYS: "is_live, is_public",
}


def name_key(row: str) -> str:
    """Return the SQL of the name key of contact row (NEW, OLD or an alias)."""
    return (
        f"{row}.kind || '|' || COALESCE(CAST({row}.company_id AS TEXT), '') || '|' "
        f"|| {row}.sort_name"
    )


def _flags(row: str) -> str:
    return f"{row}.deleted_at IS NULL, {row}.access IN {PUBLIC_SQL}"


def _as_int(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _count_changes(row: str, sign: int) -> str:
    """Return n_live and n_public's changes for key row (NEW or OLD) counted sign times."""
    return (
        f"{sign} * {_as_int(f'{row}.is_live')}, "
        f"{sign} * {_as_int(f'{row}.is_live AND {row}.is_public')}"
    )


def _statements(vendor: str) -> dict[str, dict[str, tuple[str | None, list[str]]]]:
    """Return {table: {event: (the condition it runs on, its statements)}}."""
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    unless_bulk = POSTGRESQL_UNLESS_BULK if vendor == "postgresql" else SQLITE_UNLESS_BULK
    add_count = (
        f"ON CONFLICT (reason, value) DO UPDATE SET n_live = {COUNTS}.n_live + EXCLUDED.n_live, "
        f"n_public = {COUNTS}.n_public + EXCLUDED.n_public"
    )
    remove_name = (
        # safe-sql: this module's constants; values go as parameters.
        f"DELETE FROM {KEYS} WHERE reason = 'name' AND value = {name_key('OLD')} "  # noqa: S608
        f"AND contact_id = OLD.id"
    )
    add_name = (
        # safe-sql: this module's constants; values go as parameters.
        f"INSERT INTO {KEYS} {COLUMNS} SELECT 'name', {name_key('NEW')}, NEW.id, "  # noqa: S608
        f"{_flags('NEW')} WHERE NEW.sort_name <> ''"
    )
    # A contact may hold the same e-mail twice: its key goes with the last of them.
    remove_info = (
        f"DELETE FROM {KEYS} WHERE reason = OLD.kind AND value = OLD.normalized "  # noqa: S608
        "AND contact_id = OLD.contact_id AND NOT EXISTS (SELECT 1 FROM contacts_contactinfo i "
        "WHERE i.contact_id = OLD.contact_id AND i.kind = OLD.kind "
        "AND i.normalized = OLD.normalized)"
    )
    add_info = (
        # safe-sql: this module's constants; values go as parameters.
        f"INSERT INTO {KEYS} {COLUMNS} SELECT NEW.kind, NEW.normalized, NEW.contact_id, "  # noqa: S608
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
                    # safe-sql: as above.
                    f"UPDATE {KEYS} SET is_live = NEW.deleted_at IS NULL, "  # noqa: S608
                    f"is_public = NEW.access IN {PUBLIC_SQL} WHERE contact_id = NEW.id "
                    f"AND ({flags_changed})",
                    f"{add_name} AND {name_changed}",
                ],
            ),
            # safe-sql: as above.
            "delete": (None, [f"DELETE FROM {KEYS} WHERE contact_id = OLD.id"]),  # noqa: S608
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
                    # safe-sql: as above.
                    f"INSERT INTO {COUNTS} (reason, value, n_live, n_public) "  # noqa: S608
                    f"VALUES (NEW.reason, NEW.value, {_count_changes('NEW', 1)}) {add_count}"
                ],
            ),
            "update": (
                f"OLD.is_live {distinct} NEW.is_live OR OLD.is_public {distinct} NEW.is_public",
                [
                    # safe-sql: as above.
                    f"UPDATE {COUNTS} SET n_live = n_live - {_as_int('OLD.is_live')} "  # noqa: S608
                    f"+ {_as_int('NEW.is_live')}, n_public = n_public "
                    f"- {_as_int('OLD.is_live AND OLD.is_public')} "
                    f"+ {_as_int('NEW.is_live AND NEW.is_public')} "
                    f"WHERE {key_of.format(row='NEW')}"
                ],
            ),
            "delete": (
                None,
                [
                    # safe-sql: as above.
                    f"UPDATE {COUNTS} SET n_live = n_live - {_as_int('OLD.is_live')}, "  # noqa: S608
                    f"n_public = n_public - {_as_int('OLD.is_live AND OLD.is_public')} "
                    f"WHERE {key_of.format(row='OLD')}",
                    # A key nobody holds any more goes, so that the counts do not grow.
                    # safe-sql: as above.
                    f"DELETE FROM {COUNTS} WHERE {key_of.format(row='OLD')} "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {KEYS} k WHERE k.reason = OLD.reason "
                    "AND k.value = OLD.value)",
                ],
            ),
        },
    }


def install_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
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
                    # safe-sql: the names and statements are this module's constants.
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ "
                    f"BEGIN {body} RETURN NULL; END $$ LANGUAGE plpgsql"
                )
                when = f" WHEN ({condition})" if condition else ""
                schema_editor.execute(
                    # safe-sql: as above.
                    f"CREATE TRIGGER {name} AFTER {event.upper()}{columns} ON {table} "
                    f"FOR EACH ROW{when} EXECUTE FUNCTION {name}()"
                )
            elif vendor == "sqlite":
                when = f" WHEN {condition}" if condition else ""
                schema_editor.execute(
                    # safe-sql: as above.
                    f"CREATE TRIGGER {name} AFTER {event.upper()}{columns} ON {table}{when} "
                    f"BEGIN {body} END"
                )


def remove_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table, events in _statements(vendor).items():
        for event in events:
            name = f"{TRIGGER}_{table}_{event}"
            if vendor == "postgresql":
                # safe-sql: the names are constants of this module (as below).
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                # safe-sql: this module's constants; values go as parameters.
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            elif vendor == "sqlite":
                # safe-sql: this module's constants; values go as parameters.
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _fill_statements() -> list[str]:
    """Return the statements adding the keys and counts of every contact."""
    names = (
        # safe-sql: this module's constants.
        f"SELECT 'name' AS reason, {name_key('c')} AS value, c.id AS contact_id, "  # noqa: S608
        f"c.deleted_at IS NULL AS is_live, c.access IN {PUBLIC_SQL} AS is_public "
        "FROM contacts_contact c WHERE c.sort_name <> ''"
    )
    details = (
        # safe-sql: this module's constants.
        "SELECT i.kind, i.normalized, i.contact_id, "  # noqa: S608
        f"{_flags('c')} FROM contacts_contactinfo i JOIN contacts_contact c "
        f"ON c.id = i.contact_id WHERE i.kind IN {INFO_REASONS} AND i.normalized <> ''"
    )
    return [
        # safe-sql: this module's constants.
        f"INSERT INTO {KEYS} {COLUMNS} {names}",  # noqa: S608
        # A contact holding the same e-mail twice holds its key once.
        # safe-sql: this module's constants.
        f"INSERT INTO {KEYS} {COLUMNS} {details} ON CONFLICT DO NOTHING",  # noqa: S608
        # safe-sql: this module's constants.
        f"INSERT INTO {COUNTS} (reason, value, n_live, n_public) "  # noqa: S608
        f"SELECT reason, value, SUM({_as_int('is_live')}), "
        f"SUM({_as_int('is_live AND is_public')}) FROM {KEYS} "
        "GROUP BY reason, value ON CONFLICT (reason, value) DO UPDATE SET "
        f"n_live = {COUNTS}.n_live + EXCLUDED.n_live, "
        f"n_public = {COUNTS}.n_public + EXCLUDED.n_public",
    ]


def rebuild(using: BaseDatabaseWrapper = connection) -> None:
    """Write every key and count again from the contacts, replacing what was kept."""
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        # The counts first: deleting a key then finds no count to change.
        cursor.execute(f"DELETE FROM {COUNTS}")  # noqa: S608 (safe-sql: a constant name)
        cursor.execute(f"DELETE FROM {KEYS}")  # noqa: S608 (safe-sql: as above)
        # Its insert triggers aside, as for any bulk writer: the counts come in one GROUP BY.
        with freshness.bulk_writes():
            for statement in _fill_statements():
                cursor.execute(statement)


def name_value(kind: str, company_id: int | None, sort_name: str) -> str:
    """Return the value of a contact's name key, as name_key() writes it."""
    return f"{kind}|{'' if company_id is None else company_id}|{sort_name}"


def keys_of_new(pk: int, row: Mapping[str, Any], infos: Iterable[tuple[str, str]]) -> list[Key]:
    """Return the keys of a new contact, its row's columns and its (kind, normalized)
    details, as the triggers would write them; a key once."""
    live, public = row["deleted_at"] is None, row["access"] in PUBLIC
    keys: dict[tuple[str, str], None] = {}
    if row["sort_name"]:
        value = name_value(row["kind"], row["company_id"], row["sort_name"])
        keys[("name", value)] = None
    for kind, normalized in infos:
        if kind in ("email", "phone") and normalized:
            keys[(kind, normalized)] = None
    return [(reason, value, pk, live, public) for reason, value in keys]


def add_counts(keys: Iterable[Key]) -> None:
    """Add to the counts the keys a bulk writer inserted (keys_of_new's)."""
    found: dict[tuple[str, str], list[int]] = {}
    for reason, value, _pk, live, public in keys:
        n = found.setdefault((reason, value), [0, 0])
        n[0] += live
        n[1] += live and public
    rows = sorted((*key, *n) for key, n in found.items())
    columns = [("reason", "text"), ("value", "text"), ("n_live", "int"), ("n_public", "int")]
    add = (
        "ON CONFLICT (reason, value) DO UPDATE SET "
        f"n_live = {COUNTS}.n_live + EXCLUDED.n_live, "
        f"n_public = {COUNTS}.n_public + EXCLUDED.n_public"
    )
    upsert.add_rows(COUNTS, columns, rows, "reason, value", add)
