"""The version of the data the contact list shows, and the list's cache keyed on it.

Triggers in the database give `contacts_dataversion.value` a new, never reused value in
every transaction that writes to a table the list reads (contacts, their e-mails and
phones, tags, responsible users, permissions, types, users and their groups, user
fields). Being in the database, they see every write: the ORM's, bulk updates, raw SQL,
another process, psql. A rendered list kept under the version it was read at is
therefore never shown after a change: the next request reads another version.

- SQLite has one writer at a time; a row trigger sets a random 64-bit value.
- PostgreSQL: a constraint trigger deferred to the commit takes the next value of a
  sequence (not transactional, so never given twice), once per transaction. Deferred,
  the version row is locked only while committing, so two writers cannot wait on each
  other through it. Tests make it immediate (each statement), since their transactions
  never commit.
- A writer of many rows at once (the import, the bench population) sets them aside
  inside its transaction with bulk_writes() and changes the version once itself, rather
  than once per row of a batch's thousands (one UPDATE each on SQLite, one queued event
  each on PostgreSQL). Bulk writers go through contacts.db.bulk.bulk_writes(), which
  also keeps the list's counts.

A request reads the version before the data, so what it keeps is at least as new as
the version it is filed under.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from secrets import randbits

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from contacts.models import DataVersion

TABLES = (
    "contacts_contact",
    "contacts_contactinfo",
    "contacts_contact_responsible",
    "contacts_taggedcontact",
    "taggit_tag",
    "contacts_contactuserobjectpermission",
    "contacts_contactgroupobjectpermission",
    "contacts_contacttype",
    "contacts_customfield",
    "auth_user",
    "auth_user_groups",
)
TRIGGER = "contacts_data_version"
SQLITE_BUMP = "UPDATE contacts_dataversion SET value = random() WHERE id = 1;"
# Row triggers stand aside while a transaction says it writes in bulk (bulk_writes()).
SQLITE_UNLESS_BULK = "WHEN (SELECT bulk FROM contacts_dataversion WHERE id = 1) = 0"
POSTGRESQL_UNLESS_BULK = "WHEN (current_setting('crm.bulk_writes', true) IS DISTINCT FROM 'on')"

POSTGRESQL_FUNCTION = """
CREATE SEQUENCE IF NOT EXISTS contacts_data_version_seq;
CREATE OR REPLACE FUNCTION contacts_bump_data_version() RETURNS trigger AS $$
DECLARE
    -- Once per transaction at its commit; once per statement when made immediate.
    mark text := txid_current()::text || ' ' || statement_timestamp()::text;
BEGIN
    IF current_setting('crm.data_version_mark', true) IS DISTINCT FROM mark THEN
        PERFORM set_config('crm.data_version_mark', mark, true);
        UPDATE contacts_dataversion SET value = nextval('contacts_data_version_seq')
        WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def install_triggers(schema_editor: BaseDatabaseSchemaEditor, initially: str = "DEFERRED") -> None:
    """Create (or replace) the triggers that give the data a new version on each write."""
    if initially not in ("DEFERRED", "IMMEDIATE"):
        raise ValueError(f"initially must be DEFERRED or IMMEDIATE, not {initially!r}")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
    for table in TABLES:
        if vendor == "postgresql":
            # safe-sql: table is one of TABLES, initially one of two keywords (checked above).
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
            schema_editor.execute(  # safe-sql: as above.
                f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY {initially} FOR EACH ROW "
                f"{POSTGRESQL_UNLESS_BULK} EXECUTE FUNCTION contacts_bump_data_version()"
            )
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                name = f"{TRIGGER}_{table}_{event}"
                # safe-sql: name is made of TRIGGER, one of TABLES and a literal event.
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
                # safe-sql: the names are TABLES', written above; the clauses are constants.
                create = f"CREATE TRIGGER {name} AFTER {event} ON {table} {SQLITE_UNLESS_BULK} "  # noqa: S608
                schema_editor.execute(f"{create}BEGIN {SQLITE_BUMP} END")


def remove_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            # safe-sql: table is one of TABLES.
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                # safe-sql: table is one of TABLES, event a literal.
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{table}_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS contacts_bump_data_version()")
        schema_editor.execute("DROP SEQUENCE IF EXISTS contacts_data_version_seq")


# The insert triggers that stand aside while the version row's bulk flag is set.
SQLITE_INSERTS_SET_ASIDE = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
    "AND sql LIKE '%AFTER INSERT ON%' AND sql LIKE '%SELECT bulk FROM contacts_dataversion%'"
)


@contextmanager
def bulk_writes() -> Iterator[None]:
    """Within a transaction, write many rows with the version changed once, not per row.

    The row triggers stand aside until the block ends, then the version changes once,
    in the same transaction, so that the writes and the new version commit together; an
    error rolls both back. Only this transaction is concerned: on PostgreSQL through a
    setting local to it; on SQLite through the version row's bulk flag, which no other
    connection can see set (it is back to 0 before the commit) nor write meanwhile (one
    writer at a time). Writers use contacts.db.bulk.bulk_writes(), which wraps this one
    and adds what they wrote to the list's counts, which the triggers no longer do.

    On SQLite the insert triggers that the flag sets aside are also dropped for the block
    and created again at its end: SQLite runs a row trigger's program for each row even
    when its condition is false, which on the wide contact rows cost twice the writing of
    the row and its indexes. Schema changes are transactional there: no other connection
    sees the triggers gone, and a rollback brings them back.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("bulk_writes() belongs inside transaction.atomic()")
    postgresql = connection.vendor == "postgresql"
    set_aside: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SELECT set_config('crm.bulk_writes', 'on', true)")
        else:
            # The row made if a flush took it away: without it the triggers would not
            # stand aside, and the block would add what they had added already.
            cursor.execute(
                "INSERT INTO contacts_dataversion (id, value, bulk) VALUES (1, random(), 1) "
                "ON CONFLICT (id) DO UPDATE SET bulk = 1"
            )
            cursor.execute(SQLITE_INSERTS_SET_ASIDE)
            set_aside = cursor.fetchall()
            for name, _sql in set_aside:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SELECT set_config('crm.bulk_writes', 'off', true)")
            cursor.execute(
                "UPDATE contacts_dataversion SET value = nextval('contacts_data_version_seq') "
                "WHERE id = 1"
            )
        else:
            for _name, sql in set_aside:
                cursor.execute(sql)
            cursor.execute(
                "UPDATE contacts_dataversion SET value = random(), bulk = 0 WHERE id = 1"
            )


def data_version() -> int:
    """Return the current version of the data the list shows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM contacts_dataversion WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        # Emptied without its triggers (a flush, TRUNCATE): start again from a new value.
        return DataVersion.objects.get_or_create(pk=1, defaults={"value": randbits(62)})[0].value
    return row[0]


def cached_list(request: HttpRequest, render: Callable[[], str]) -> str:
    """Return render() as kept for this user, page and data version, rendering it once.

    What the list shows depends on the user, the page's address, the language, the time
    zone and the day (filters such as "created this week"); the page's form carries a CSRF
    token made from the browser's own secret, so that is part of the key too.
    """
    seconds = settings.LIST_CACHE_SECONDS
    version = data_version() if seconds else None
    if version is None:
        return render()
    get_token(request)  # the browser's CSRF secret, set now if it had none
    parts = (
        version,
        request.user.pk,
        get_language(),
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        request.get_full_path(),
        request.META["CSRF_COOKIE"],
    )
    key = "contact-list:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    pages = caches["lists"]
    html = pages.get(key)
    if html is None:
        html = render()
        pages.set(key, html, seconds)
    return html
