"""How many contacts the list shows, kept exact by triggers instead of counted each time.

The list's first page tells how many contacts the user may see. Counting them reads an
index entry per contact: for an ordinary user of 100,000 contacts on PostgreSQL, 40,000
public ones and 4,000 of guardian's rows, 12 ms of a 25 ms page. contacts_contactcount
holds the answers instead, one row per key:

- "live": the contacts out of the trash, what an admin sees;
- "public": the live contacts every CRM user may see (public read, public read/write);
- "user:<id>": the live private contacts on which that user holds view_contact;
- "responsible:<id>": the live contacts that user is responsible for (Settings › Users);
- "unassigned": the live contacts no user is responsible for (the admins' overview).

Triggers on the contacts, on guardian's user rows and on the responsible users' rows add
to the keys a write concerns, in the writer's own statement: the count commits, or
rolls back, with the change. They add (an upsert, value + delta) and never recount, so
concurrent writers commute and none waits for a reader; a key with no row counts 0.
recount() writes every row from the tables: after a migrate that applied something and
after a flush (which empties the tables in any order, the triggers on). A bulk writer
sets the triggers aside (contacts.db.bulk.bulk_writes(), the import and the bench
population), which adds to the counts what it wrote (add()).
"""

from collections.abc import Callable, Mapping, Sequence

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from contacts.models import Contact, ContactCount

TABLE = "contacts_contactcount"
GRANTS = "contacts_contactuserobjectpermission"
RESPONSIBLE = "contacts_contact_responsible"  # Contact.responsible's table
TRIGGER = "contacts_count"
# Triggers of their own (below), rather than more statements in the list's.
RESPONSIBLE_TRIGGER = "contacts_responsible_count"
PUBLIC = (Contact.Access.PUBLIC_READ, Contact.Access.PUBLIC_RW)  # as access.PUBLIC
PUBLIC_SQL = "({})".format(", ".join(f"'{value}'" for value in PUBLIC))
VIEW = (
    "(SELECT p.id FROM auth_permission p JOIN django_content_type t "
    "ON t.id = p.content_type_id WHERE t.app_label = 'contacts' AND t.model = 'contact' "
    "AND p.codename = 'view_contact')"
)
ADD = f"ON CONFLICT (key) DO UPDATE SET value = {TABLE}.value + EXCLUDED.value"
# Outside bulk_writes() (contacts/freshness.py), whose flag the triggers read as its own
# do; on SQLite, also when a flush has taken the flag's row away.
SQLITE_UNLESS_BULK = "COALESCE((SELECT bulk FROM contacts_dataversion WHERE id = 1), 0) = 0"
POSTGRESQL_UNLESS_BULK = "current_setting('crm.bulk_writes', true) IS DISTINCT FROM 'on'"


def _contact_changes(row: str, sign: int) -> list[str]:
    """Return the statements adding sign times what contact row (NEW or OLD) counts for."""
    live = f"{row}.deleted_at IS NULL"
    private = f"{live} AND {row}.access NOT IN {PUBLIC_SQL}"
    return [
        # safe-sql: constants of this module, a row name and a sign (as below).
        f"INSERT INTO {TABLE} (key, value) VALUES "  # noqa: S608
        f"('live', CASE WHEN {live} THEN {sign} ELSE 0 END), "
        f"('public', CASE WHEN {live} AND {row}.access IN {PUBLIC_SQL} THEN {sign} ELSE 0 END) "
        f"{ADD};",
        # safe-sql: as above.
        f"INSERT INTO {TABLE} (key, value) SELECT 'user:' || g.user_id, {sign} "  # noqa: S608
        f"FROM {GRANTS} g WHERE g.content_object_id = {row}.id "
        f"AND g.permission_id = {VIEW} AND {private} {ADD};",
    ]


def _grant_changes(row: str, sign: int) -> list[str]:
    """Return the statement adding sign for guardian's row (NEW or OLD), if it counts."""
    return [
        # safe-sql: constants of this module, a row name and a sign.
        f"INSERT INTO {TABLE} (key, value) SELECT 'user:' || {row}.user_id, {sign} "  # noqa: S608
        f"FROM contacts_contact c WHERE c.id = {row}.content_object_id "
        f"AND {row}.permission_id = {VIEW} AND c.deleted_at IS NULL "
        f"AND c.access NOT IN {PUBLIC_SQL} {ADD};"
    ]


# table: (what a row counts for, which UPDATEs may change a count)
COUNTED: dict[str, tuple[Callable[[str, int], list[str]], str | None]] = {
    "contacts_contact": (
        _contact_changes,
        "(OLD.access IS DISTINCT FROM NEW.access "
        "OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)",
    ),
    GRANTS: (_grant_changes, None),
}


def install_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create (or replace) the triggers that keep the counts."""
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
                # safe-sql: the names and the statements are made of this module's constants.
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ {body} $$ "
                "LANGUAGE plpgsql"
            )
            for name, events, extra in (
                (TRIGGER, "INSERT OR DELETE", ""),
                (f"{TRIGGER}_update", "UPDATE", f" AND {updating}" if updating else ""),
            ):
                schema_editor.execute(
                    # safe-sql: as above.
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
                    # safe-sql: as above.
                    f"CREATE TRIGGER {TRIGGER}_{table}_{event} AFTER {event} ON {table} "
                    f"WHEN {SQLITE_UNLESS_BULK}{extra} BEGIN {' '.join(statements)} END"
                )
    install_responsible_triggers(schema_editor)


def remove_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table in COUNTED:
        if vendor == "postgresql":
            for name in (TRIGGER, f"{TRIGGER}_update"):
                # safe-sql: the names are constants of this module (as below).
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            # safe-sql: as above.
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}_{table}()")
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                # safe-sql: as above.
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{table}_{event}")
    remove_responsible_triggers(schema_editor)


# The responsible users' counts. On PostgreSQL a trigger runs once per statement, from its
# transition tables: a hand-over or a trash of thousands of one user's contacts then adds
# to his row once, where a row trigger would update that row once per contact in one
# transaction, each update walking past the versions the earlier ones left (quadratic in
# the contacts). SQLite updates a row in place: row triggers there.


def _responsible_rows(source: str, sign: int) -> str:
    """Return the query of sign times what the responsible rows in source count for."""
    return (
        # safe-sql: constants of this module, a table name and a sign (as below).
        f"SELECT 'responsible:' || x.user_id AS key, {sign} * COUNT(*) AS value "  # noqa: S608
        f"FROM {source} x JOIN contacts_contact c ON c.id = x.contact_id "
        "WHERE c.deleted_at IS NULL GROUP BY x.user_id"
    )


def _responsible_rows_of_contacts(source: str, sign: int) -> str:
    """Return the query of sign times what the contacts in source count for."""
    return (
        # safe-sql: as above.
        f"SELECT 'responsible:' || r.user_id AS key, {sign} * COUNT(*) AS value "  # noqa: S608
        f"FROM {source} x JOIN {RESPONSIBLE} r ON r.contact_id = x.id "
        "WHERE x.deleted_at IS NULL GROUP BY r.user_id"
    )


def _responsible_row(row: str, sign: int) -> list[str]:
    """Return the statement adding sign for responsible row (NEW or OLD), if its contact lives.

    A contact deleted for good takes its rows with it, before or after it (Django's
    cascade, or raw SQL against deferred constraints): whichever goes first finds the other
    row still there and subtracts, the second finds nothing to subtract.
    """
    return [
        # safe-sql: constants of this module, a row name and a sign.
        f"INSERT INTO {TABLE} (key, value) SELECT 'responsible:' || {row}.user_id, {sign} "  # noqa: S608
        f"FROM contacts_contact c WHERE c.id = {row}.contact_id AND c.deleted_at IS NULL {ADD};"
    ]


def _responsible_row_of_contact(row: str, sign: int) -> list[str]:
    """Return the statement adding sign for each responsible user of contact row, if live."""
    return [
        # safe-sql: constants of this module, a row name and a sign.
        f"INSERT INTO {TABLE} (key, value) SELECT 'responsible:' || r.user_id, {sign} "  # noqa: S608
        f"FROM {RESPONSIBLE} r WHERE r.contact_id = {row}.id AND {row}.deleted_at IS NULL {ADD};"
    ]


def _unassigned_of_contacts(sources: Sequence[tuple[str, int]]) -> str:
    """Return the query of what the contacts in each source (a statement's transition
    table) count, sign times, for "unassigned": those live without a responsible row."""
    return " UNION ALL ".join(
        # safe-sql: constants of this module, a table name and a sign.
        f"SELECT 'unassigned' AS key, {sign} * COUNT(*) AS value FROM {source} x "  # noqa: S608
        f"WHERE x.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM {RESPONSIBLE} r "
        "WHERE r.contact_id = x.id)"
        for source, sign in sources
    )


def _unassigned_of_responsible(sources: Sequence[tuple[str, int]]) -> str:
    """Return the query of what the responsible rows a statement wrote (its transition
    tables, sign 1 for the new rows and -1 for the old) change "unassigned" by.

    Each live contact they concern has now rows, had now - new + old before: it was
    unassigned, or is, when that is 0.
    """
    written = " UNION ALL ".join(
        # safe-sql: as above.
        f"SELECT contact_id, {int(sign > 0)} AS added, {int(sign < 0)} AS removed "  # noqa: S608
        f"FROM {source}"
        for source, sign in sources
    )
    return (
        # safe-sql: as above.
        "SELECT 'unassigned' AS key, SUM(CASE WHEN n.now = 0 THEN 1 ELSE 0 END "  # noqa: S608
        "- CASE WHEN n.now - n.added + n.removed = 0 THEN 1 ELSE 0 END) AS value FROM "
        "(SELECT w.contact_id, SUM(w.added) AS added, SUM(w.removed) AS removed, "
        f"(SELECT COUNT(*) FROM {RESPONSIBLE} r WHERE r.contact_id = w.contact_id) AS now "
        f"FROM ({written}) w JOIN contacts_contact c ON c.id = w.contact_id "
        "WHERE c.deleted_at IS NULL GROUP BY w.contact_id) n"
    )


def _unassigned_row_of_contact(row: str, sign: int) -> list[str]:
    """Return the statement adding sign to "unassigned" if contact row (NEW or OLD) lives
    without a responsible user."""
    return [
        # safe-sql: constants of this module, a row name and a sign.
        f"INSERT INTO {TABLE} (key, value) SELECT 'unassigned', {sign} "  # noqa: S608
        f"WHERE {row}.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM {RESPONSIBLE} r "
        f"WHERE r.contact_id = {row}.id) {ADD};"
    ]


def _unassigned_rows(event: str) -> list[str]:
    """Return the statements changing "unassigned" for a responsible row SQLite's trigger
    of event wrote: its contact, if live, became unassigned when its last row went, and
    stopped being when its first came (a row moved within a contact changes neither)."""
    live = "FROM contacts_contact c WHERE c.id = {}.contact_id AND c.deleted_at IS NULL"
    # safe-sql: constants of this module.
    rows = f"(SELECT COUNT(*) FROM {RESPONSIBLE} r WHERE r.contact_id = {{}}.contact_id)"  # noqa: S608
    went = (
        # safe-sql: constants of this module.
        f"INSERT INTO {TABLE} (key, value) SELECT 'unassigned', 1 {live.format('OLD')} "  # noqa: S608
        f"AND {rows.format('OLD')} = 0 {ADD};"
    )
    came = (
        # safe-sql: as above.
        f"INSERT INTO {TABLE} (key, value) SELECT 'unassigned', -1 {live.format('NEW')} "  # noqa: S608
        f"AND {rows.format('NEW')} = 1"
        + (" AND OLD.contact_id IS NOT NEW.contact_id" if event == "update" else "")
        + f" {ADD};"
    )
    return {"insert": [came], "delete": [went], "update": [went, came]}[event]


# table: (a statement's rows, a row), what they count for; which UPDATEs may change a
# count (for the row triggers)
RESPONSIBLE_COUNTED: dict[
    str, tuple[Callable[[str, int], str], Callable[[str, int], list[str]], str | None]
] = {
    "contacts_contact": (
        _responsible_rows_of_contacts,
        _responsible_row_of_contact,
        "OLD.deleted_at IS NOT NEW.deleted_at",
    ),
    RESPONSIBLE: (_responsible_rows, _responsible_row, None),
}
# table: what a statement's transition tables change "unassigned" by (PostgreSQL), and
# the statements of SQLite's row trigger of an event
UNASSIGNED: dict[
    str, tuple[Callable[[Sequence[tuple[str, int]]], str], Callable[..., list[str]]]
] = {
    "contacts_contact": (
        _unassigned_of_contacts,
        lambda event: {
            "insert": _unassigned_row_of_contact("NEW", 1),
            "delete": _unassigned_row_of_contact("OLD", -1),
            "update": [
                *_unassigned_row_of_contact("OLD", -1),
                *_unassigned_row_of_contact("NEW", 1),
            ],
        }[event],
    ),
    RESPONSIBLE: (_unassigned_of_responsible, _unassigned_rows),
}
# event: the transition tables its statement trigger reads, each with its sign
SOURCES = {
    "insert": [("new_rows", 1)],
    "delete": [("old_rows", -1)],
    "update": [("old_rows", -1), ("new_rows", 1)],
}
# event: the transition tables its statement trigger reads
TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def install_responsible_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the triggers that keep the responsible users' counts."""
    vendor = schema_editor.connection.vendor
    for table, (rows, row, updating) in RESPONSIBLE_COUNTED.items():
        unassigned, unassigned_rows = UNASSIGNED[table]
        if vendor == "postgresql":
            function = f"{RESPONSIBLE_TRIGGER}_{table}"
            # The keys in order, so that two statements lock the rows they share in the
            # same order; a key once, as ON CONFLICT may change a row once per statement.
            changed = {
                event: (
                    # safe-sql: as below.
                    f"INSERT INTO {TABLE} (key, value) SELECT key, SUM(value) FROM "  # noqa: S608
                    f"({' UNION ALL '.join(rows(*source) for source in sources)} "
                    f"UNION ALL {unassigned(sources)}) d "
                    f"GROUP BY key HAVING SUM(value) <> 0 ORDER BY key {ADD};"
                )
                for event, sources in SOURCES.items()
            }
            body = (
                f"BEGIN IF TG_OP = 'INSERT' THEN {changed['insert']} "
                f"ELSIF TG_OP = 'DELETE' THEN {changed['delete']} "
                f"ELSE {changed['update']} END IF; RETURN NULL; END"
            )
            schema_editor.execute(
                # safe-sql: the names and the statements are made of this module's constants.
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ {body} $$ "
                "LANGUAGE plpgsql"
            )
            for event, transitions in TRANSITIONS.items():
                schema_editor.execute(
                    # safe-sql: as above.
                    f"CREATE TRIGGER {RESPONSIBLE_TRIGGER}_{event} AFTER {event.upper()} "
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
                statements = [*statements, *unassigned_rows(event)]
                extra = f" AND {updating}" if event == "update" and updating else ""
                schema_editor.execute(
                    # safe-sql: as above.
                    f"CREATE TRIGGER {RESPONSIBLE_TRIGGER}_{table}_{event} AFTER {event} "
                    f"ON {table} WHEN {SQLITE_UNLESS_BULK}{extra} BEGIN {' '.join(statements)} END"
                )


def remove_responsible_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table in RESPONSIBLE_COUNTED:
        for event in TRANSITIONS:
            if vendor == "postgresql":
                # The names are constants of this module (as below).
                name = f"{RESPONSIBLE_TRIGGER}_{event} ON {table}"
            else:
                name = f"{RESPONSIBLE_TRIGGER}_{table}_{event}"
            # safe-sql: as above.
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if vendor == "postgresql":
            # safe-sql: as above.
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {RESPONSIBLE_TRIGGER}_{table}()")


UNASSIGNED_COUNT = (
    # safe-sql: constants of this module only.
    "SELECT 'unassigned', COUNT(*) FROM contacts_contact c WHERE c.deleted_at IS NULL "  # noqa: S608
    f"AND NOT EXISTS (SELECT 1 FROM {RESPONSIBLE} r WHERE r.contact_id = c.id)"
)


def recount(using: BaseDatabaseWrapper = connection) -> None:
    """Write every count from the tables, replacing what was kept."""
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (safe-sql: a constant name)
        # safe-sql: constants of this module only.
        cursor.execute(
            f"INSERT INTO {TABLE} (key, value) "  # noqa: S608
            "SELECT 'live', COUNT(*) FROM contacts_contact WHERE deleted_at IS NULL "
            "UNION ALL SELECT 'public', COUNT(*) FROM contacts_contact "
            f"WHERE deleted_at IS NULL AND access IN {PUBLIC_SQL} "
            f"UNION ALL SELECT 'user:' || g.user_id, COUNT(*) FROM {GRANTS} g "
            "JOIN contacts_contact c ON c.id = g.content_object_id "
            f"WHERE g.permission_id = {VIEW} AND c.deleted_at IS NULL "
            f"AND c.access NOT IN {PUBLIC_SQL} GROUP BY g.user_id "
            f"UNION ALL SELECT 'responsible:' || r.user_id, COUNT(*) FROM {RESPONSIBLE} r "
            "JOIN contacts_contact c ON c.id = r.contact_id WHERE c.deleted_at IS NULL "
            "GROUP BY r.user_id "
            f"UNION ALL {UNASSIGNED_COUNT}"
        )


def add(deltas: Mapping[str, int]) -> None:
    """Add {key: delta} to the counts: what a bulk writer wrote with the triggers aside."""
    changed = [(key, delta) for key, delta in deltas.items() if delta]
    if not changed:
        return
    values = ", ".join(["(%s, %s)"] * len(changed))
    with connection.cursor() as cursor:
        cursor.execute(
            # safe-sql: constants and placeholders; the keys and deltas go as parameters.
            f"INSERT INTO {TABLE} (key, value) VALUES {values} {ADD}",  # noqa: S608
            [part for pair in changed for part in pair],
        )


def total(*keys: str) -> int:
    """Return the sum of the counts kept under keys.

    Written as SQL: every list page and search reads a count, and the ORM's building of
    the statement cost more than the database took to answer it.
    """
    placeholders = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        # safe-sql: the table's name and placeholders; the keys go as parameters.
        cursor.execute(f"SELECT SUM(value) FROM {TABLE} WHERE key IN ({placeholders})", keys)  # noqa: S608
        (found,) = cursor.fetchone()
    return int(found or 0)


def user_key(pk: int) -> str:
    """Return the key of the private contacts the user with that id may see."""
    return f"user:{pk}"


def responsible_key(pk: int) -> str:
    """Return the key of the live contacts the user with that id is responsible for."""
    return f"responsible:{pk}"


def responsible_totals(user_ids: Sequence[int]) -> dict[int, int]:
    """Return {user id: live contacts he is responsible for}, as kept, in one query."""
    keys = {responsible_key(pk): pk for pk in user_ids}
    found = dict.fromkeys(user_ids, 0)
    for key, value in ContactCount.objects.filter(key__in=keys).values_list("key", "value"):
        found[keys[key]] = value
    return found
