"""The live contacts broken down by kind and type, by creation time and source, by tag.

The overview shows a reader how the contacts he may see divide: persons and companies of
each type, those created each week by source, the most used tags. Counting them reads
every contact he sees; contacts_contactbreakdown holds the answers instead, kept by
triggers as counts.py keeps the list's totals, for each part of what readers see (the
keys of counts.py): "live" (what an admin sees), "public" (what every CRM user sees) and
"user:<id>" (the private contacts that user was granted). A row is (part, family, name,
number): value, the families being

- "type": name the kind, number the contact type's id (0: not specified);
- "day": name the source, number the UTC day of creation (days since 1970-01-01);
- "quarter": name the source, number the UTC quarter of an hour of creation (quarters
  since 1970-01-01 00:00 UTC);
- "tag": number the tag's id (name empty).

Creation is kept by UTC day and quarter hour, not by local date: each user picks his own
time zone (accounts' preferences), so a week starts at a midnight that depends on the
reader. Every zone in use today is a whole number of quarter hours from UTC, so a reader's
midnight is the start of a UTC quarter: whole days from the days, the part of a day before
or after his midnight from its quarters.

Triggers add to the rows a write concerns, in the writer's own statement, on the
contacts (trash, restore, access, kind, type, source, creation moment), guardian's user
rows (grants come and go) and the taggings (taggit's through table, written without the
contact changing). On PostgreSQL they run once per statement, from its transition
tables, adding to a row once however many contacts the statement wrote (a row trigger
would update the same rows once per contact, each walking past the versions the earlier
left); SQLite updates a row in place: row triggers there. A bulk writer sets them aside
(contacts.db.bulk.bulk_writes()) and adds what it inserted (count_new(), add());
recount() writes every row from the tables (after a migrate that applied something, and
after a flush).
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from contacts.db import upsert

TABLE = "contacts_contactbreakdown"
GRANTS = "contacts_contactuserobjectpermission"
TAGGINGS = "contacts_taggedcontact"
TRIGGER = "contacts_breakdown"
PUBLIC = ("public_read", "public_rw")  # as contacts.access.PUBLIC
PUBLIC_SQL = "('public_read', 'public_rw')"  # as counts.PUBLIC_SQL
VIEW = (
    "(SELECT p.id FROM auth_permission p JOIN django_content_type t "
    "ON t.id = p.content_type_id WHERE t.app_label = 'contacts' AND t.model = 'contact' "
    "AND p.codename = 'view_contact')"
)
KEY = "part, family, number, name"
ADD = f"ON CONFLICT ({KEY}) DO UPDATE SET value = {TABLE}.value + EXCLUDED.value"
SQLITE_UNLESS_BULK = "COALESCE((SELECT bulk FROM contacts_dataversion WHERE id = 1), 0) = 0"
POSTGRESQL_UNLESS_BULK = "current_setting('crm.bulk_writes', true) IS DISTINCT FROM 'on'"
# A row's key: (part, family, name, number).
Key = tuple[str, str, str, int]
DAY_SECONDS = 86400
QUARTER_SECONDS = 900
# The columns of a contact that decide what it counts for.
COUNTED_COLUMNS = ("deleted_at", "access", "kind", "contact_type_id", "source", "created_at")
# table: (its alias in the queries below, the columns they read)
TRIGGERED = {
    "contacts_contact": ("x", ("id", *COUNTED_COLUMNS)),
    GRANTS: ("g", ("user_id", "content_object_id", "permission_id")),
    TAGGINGS: ("t", ("content_object_id", "tag_id")),
}


def _epoch(vendor: str, column: str, seconds: int) -> str:
    """Return the SQL of the number of whole periods of seconds from 1970 to column."""
    if vendor == "postgresql":
        # safe-sql: a column named by this module's code and a constant number (as below).
        return f"FLOOR(EXTRACT(EPOCH FROM {column}) / {seconds})::bigint"
    # Django stores an instant on SQLite as UTC text; strftime reads it to the second.
    # safe-sql: as above.
    return f"(CAST(strftime('%s', {column}) AS INTEGER) / {seconds})"


def _parted(contacts: str) -> str:
    """Return the query of (part, id, kind, contact_type_id, source, created_at) for each
    part each contact of contacts (a relation aliased x) counts in."""
    columns = "x.id, x.kind, x.contact_type_id, x.source, x.created_at"
    live = "x.deleted_at IS NULL"
    return (
        # safe-sql: constants of this module and relations named by its own code (as below).
        f"SELECT 'live' AS part, {columns} FROM {contacts} WHERE {live} "  # noqa: S608
        f"UNION ALL SELECT 'public', {columns} FROM {contacts} "
        f"WHERE {live} AND x.access IN {PUBLIC_SQL} "
        f"UNION ALL SELECT 'user:' || g.user_id, {columns} FROM {contacts} "
        f"JOIN {GRANTS} g ON g.content_object_id = x.id AND g.permission_id = {VIEW} "
        f"WHERE {live} AND x.access NOT IN {PUBLIC_SQL}"
    )


def _granted_parted(grants: str) -> str:
    """As _parted, for the contacts that guardian's rows in grants (aliased g) grant."""
    return (
        # safe-sql: as above.
        "SELECT 'user:' || g.user_id AS part, x.id, x.kind, x.contact_type_id, x.source, "  # noqa: S608
        f"x.created_at FROM {grants} JOIN contacts_contact x ON x.id = g.content_object_id "
        f"WHERE g.permission_id = {VIEW} AND x.deleted_at IS NULL "
        f"AND x.access NOT IN {PUBLIC_SQL}"
    )


def _families(vendor: str, parted: str, sign: int) -> list[str]:
    """Return the queries, a family each, of the rows (part, family, name, number, value)
    that the parted contacts (a relation) add sign times to."""
    day = _epoch(vendor, "p.created_at", DAY_SECONDS)
    quarter = _epoch(vendor, "p.created_at", QUARTER_SECONDS)
    return [
        # safe-sql: as above, and a sign.
        "SELECT p.part, 'type' AS family, p.kind AS name, "  # noqa: S608
        f"COALESCE(p.contact_type_id, 0) AS number, {sign} AS value FROM {parted} p",
        # safe-sql: as above.
        f"SELECT p.part, 'day' AS family, p.source AS name, {day} AS number, "  # noqa: S608
        f"{sign} AS value FROM {parted} p",
        # safe-sql: as above.
        f"SELECT p.part, 'quarter' AS family, p.source AS name, {quarter} AS number, "  # noqa: S608
        f"{sign} AS value FROM {parted} p",
        # safe-sql: as above.
        "SELECT p.part, 'tag' AS family, '' AS name, t.tag_id AS number, "  # noqa: S608
        f"{sign} AS value FROM {parted} p "
        f"JOIN {TAGGINGS} t ON t.content_object_id = p.id",
    ]


def _tagged(taggings: str, sign: int) -> str:
    """Return the query of the rows that the taggings (a relation aliased t) add sign times to."""
    # The contacts of the taggings first: a join on the parts of every contact would read
    # them all.
    contacts = (
        # safe-sql: as above.
        "(SELECT c.* FROM contacts_contact c WHERE c.id IN "  # noqa: S608
        f"(SELECT t.content_object_id FROM {taggings})) x"
    )
    return (
        # safe-sql: as above.
        f"SELECT p.part, 'tag' AS family, '' AS name, t.tag_id AS number, {sign} AS value "  # noqa: S608
        f"FROM {taggings} JOIN ({_parted(contacts)}) p ON p.id = t.content_object_id"
    )


def _added(rows: str, with_clause: str = "") -> str:
    """Return the statement adding rows (a query of the five columns), a key once."""
    # The keys in order, so that two statements lock the rows they share in the same
    # order; a key once, as ON CONFLICT may change a row once per statement.
    return (
        # safe-sql: as above.
        f"INSERT INTO {TABLE} (part, family, name, number, value) {with_clause}"  # noqa: S608
        f"SELECT part, family, name, number, SUM(value) FROM ({rows}) d WHERE TRUE "
        f"GROUP BY {KEY} HAVING SUM(value) <> 0 ORDER BY {KEY} {ADD};"
    )


def _sqlite_row(table: str, row: str) -> str:
    """Return a one-row relation of SQLite's trigger row (NEW or OLD) of table, aliased as
    the queries above expect it."""
    values = ", ".join(f"{row}.{column} AS {column}" for column in TRIGGERED[table][1])
    return f"(SELECT {values}) {TRIGGERED[table][0]}"


def _rows(vendor: str, table: str, relation: str, sign: int) -> str:
    """Return the query of what the rows of table in relation add sign times to."""
    if table == "contacts_contact":
        return " UNION ALL ".join(_families(vendor, f"({_parted(relation)})", sign))
    if table == GRANTS:
        return " UNION ALL ".join(_families(vendor, f"({_granted_parted(relation)})", sign))
    return _tagged(relation, sign)


def _changed_contacts(side: str) -> str:
    """Return the relation (aliased x) of the contacts of a statement's old (side "o") or
    new ("n") rows whose counted columns it changed, read from CHANGED."""
    columns = ", ".join(f"{side}_{column} AS {column}" for column in COUNTED_COLUMNS)
    # safe-sql: constants of this module and a side named by its own code.
    return f"(SELECT id, {columns} FROM changed) x"  # noqa: S608


# The contacts of an UPDATE whose counted columns it changed (an edit of a name changes no
# count), each with its old and new values, paired once for the statement: the queries
# of every part and family read it, where each pairing again would join the statement's
# old and new rows, a million each for an UPDATE of every contact. A contact's id never
# changes: the old and new rows pair by it.
CHANGED = (
    # safe-sql: constants of this module.
    "WITH changed AS MATERIALIZED (SELECT o.id, "  # noqa: S608
    + ", ".join(f"o.{c} AS o_{c}, n.{c} AS n_{c}" for c in COUNTED_COLUMNS)
    + " FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ("
    + ", ".join(f"o.{c}" for c in COUNTED_COLUMNS)
    + ") IS DISTINCT FROM ("
    + ", ".join(f"n.{c}" for c in COUNTED_COLUMNS)
    + ")) "
)


EVENTS = ("insert", "delete", "update")


def install_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create (or replace) the triggers that keep the breakdowns."""
    vendor = schema_editor.connection.vendor
    remove_triggers(schema_editor)
    for table, (alias, _columns) in TRIGGERED.items():
        if vendor == "postgresql":
            if table == "contacts_contact":
                old, new = _changed_contacts("o"), _changed_contacts("n")
            else:
                old, new = f"old_rows {alias}", f"new_rows {alias}"
            inserted = _rows(vendor, table, f"new_rows {alias}", 1)
            deleted = _rows(vendor, table, f"old_rows {alias}", -1)
            updated = f"{_rows(vendor, table, old, -1)} UNION ALL {_rows(vendor, table, new, 1)}"
            paired = CHANGED if table == "contacts_contact" else ""
            body = (
                f"BEGIN IF TG_OP = 'INSERT' THEN {_added(inserted)} "
                f"ELSIF TG_OP = 'DELETE' THEN {_added(deleted)} "
                f"ELSE {_added(updated, paired)} END IF; RETURN NULL; END"
            )
            function = f"{TRIGGER}_{table}"
            schema_editor.execute(
                # safe-sql: the names and the statements are made of this module's constants.
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ {body} $$ "
                "LANGUAGE plpgsql"
            )
            transitions = {
                "insert": "NEW TABLE AS new_rows",
                "delete": "OLD TABLE AS old_rows",
                "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }
            for event in EVENTS:
                schema_editor.execute(
                    # safe-sql: as above.
                    f"CREATE TRIGGER {TRIGGER}_{event} AFTER {event.upper()} ON {table} "
                    f"REFERENCING {transitions[event]} FOR EACH STATEMENT "
                    f"WHEN ({POSTGRESQL_UNLESS_BULK}) EXECUTE FUNCTION {function}()"
                )
        elif vendor == "sqlite":
            new = _sqlite_row(table, "NEW")
            old = _sqlite_row(table, "OLD")
            bodies = {
                "insert": [_added(_rows(vendor, table, new, 1))],
                "delete": [_added(_rows(vendor, table, old, -1))],
                "update": [
                    _added(_rows(vendor, table, old, -1)),
                    _added(_rows(vendor, table, new, 1)),
                ],
            }
            for event, statements in bodies.items():
                extra = ""
                if event == "update" and table == "contacts_contact":
                    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED_COLUMNS)
                    extra = f" AND ({changed})"
                trigger = (
                    # safe-sql: as above.
                    f"CREATE TRIGGER {TRIGGER}_{table}_{event} AFTER {event} ON {table} "
                    f"WHEN {SQLITE_UNLESS_BULK}{extra} BEGIN {' '.join(statements)} END"
                )
                # The schema editor passes parameters: strftime's % doubled.
                schema_editor.execute(trigger.replace("%", "%%"))


def remove_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TRIGGERED:
        for event in EVENTS:
            if vendor == "postgresql":
                # The names are constants of this module (as below).
                name = f"{TRIGGER}_{event} ON {table}"
            else:
                name = f"{TRIGGER}_{table}_{event}"
            # safe-sql: as above.
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if vendor == "postgresql":
            # safe-sql: as above.
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}_{table}()")


def _fill(vendor: str, contacts: str) -> list[str]:
    """Return the statements adding what the contacts of relation contacts (aliased x)
    count for, a statement per family, each one grouped query."""
    parted = f"({_parted(contacts)})"
    return [_added(rows) for rows in _families(vendor, parted, 1)]


def recount(using: BaseDatabaseWrapper = connection) -> None:
    """Write every row from the tables, replacing what was kept."""
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (safe-sql: a constant name)
        for statement in _fill(using.vendor, "contacts_contact x"):
            cursor.execute(statement)


def count_new(
    found: Counter[Key],
    *,
    access: str,
    kind: str,
    contact_type_id: int | None,
    source: str,
    created_at: datetime,
    viewers: Iterable[int],
    tags: Iterable[int],
) -> None:
    """Add to found what one new live contact counts for, as the triggers would count it;
    viewers: the users granted to view it, tags: its tags' ids."""
    if access in PUBLIC:
        parts = ["live", "public"]
    else:
        parts = ["live", *(f"user:{user}" for user in viewers)]
    seconds = math.floor(created_at.timestamp())
    day, quarter = seconds // DAY_SECONDS, seconds // QUARTER_SECONDS
    tags = list(tags)
    for part in parts:
        found[(part, "type", kind, contact_type_id or 0)] += 1
        found[(part, "day", source, day)] += 1
        found[(part, "quarter", source, quarter)] += 1
        for tag in tags:
            found[(part, "tag", "", tag)] += 1


def add(found: Mapping[Key, int]) -> None:
    """Add found (count_new's) to the rows: what a bulk writer inserted.

    Counted in Python from what the writer holds rather than read back: each family's
    statement read the batch's contacts, grants and tags again, a third of a batch's time.
    """
    rows = sorted((*key, n) for key, n in found.items() if n)
    columns = [("part", "text"), ("family", "text"), ("name", "text")]
    upsert.add_rows(TABLE, [*columns, ("number", "bigint"), ("value", "bigint")], rows, KEY, ADD)
