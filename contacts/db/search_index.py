"""The index that answers the list's search on SQLite: the trigrams of every search text.

The search keeps the contacts whose search_text contains each word of the query (LIKE
'%word%'). No B-tree serves that, so SQLite read every row of contacts_contact, for the
page and again for its count. PostgreSQL has pg_trgm's GIN index for it (migration 0014)
and needs nothing here.

contacts_search_index is an FTS5 table with the trigram tokenizer, over
contacts_contact.search_text, under the contact's id (its rowid):

- external content: it keeps no copy of the text, which stays in contacts_contact;
- detail=none and columnsize=0: it records which contacts hold each trigram, not where,
  nor any length for ranking. A search asks for every trigram of each word of 3
  characters or more: the contacts holding them all include those holding the word, and
  the LIKE that follows keeps exactly those, so results, counts and order are LIKE's.
  Shorter words have no trigram: a query made only of them is LIKE's alone.

Row triggers on contacts_contact keep it in step: an insert adds the text, a delete
removes it, an update that changes it does both. Told what to remove, an external-content
index trusts what it is told: the triggers pass the row's old text, and rebuild() reads
every text again, should a write ever have gone round them. Inside bulk_writes() the
insert trigger stands aside, as the list's version and counts do (freshness.py,
counts.py): the block adds the contacts it inserted in one INSERT ... SELECT per batch
(add()). Deletes and updates keep their triggers there, since no bulk writer makes them.

SQLite drops a table's triggers with the table: a migration that makes SQLite rebuild
contacts_contact takes these off and puts them back, as 0018 does for the list's, with
the SQL of 0026_search_index (migrations carry their own). The test of the triggers a
fresh migrate installs (tests/contacts/db/test_trigger_migrations.py) holds them equal
to install_triggers()'s.
"""

import json
from collections.abc import Iterable, Sequence

from django.db import connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from contacts.db import counts
from contacts.models import Contact

TABLE = "contacts_search_index"
TRIGGER = "contacts_search_index"
CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(search_text, "
    "content='contacts_contact', content_rowid='id', tokenize='trigram', "
    "detail='none', columnsize=0)"
)
# Outside bulk_writes(), whose flag the other triggers read; also when a flush has taken
# the flag's row away.
UNLESS_BULK = "COALESCE((SELECT bulk FROM contacts_dataversion WHERE id = 1), 0) = 0"
# safe-sql: constants of this module (as in every statement below).
ADD_NEW = f"INSERT INTO {TABLE} (rowid, search_text) VALUES (NEW.id, NEW.search_text);"  # noqa: S608
# An external-content index is told the text to remove: the row's, before the change.
REMOVE_OLD = (
    f"INSERT INTO {TABLE} ({TABLE}, rowid, search_text) "  # noqa: S608
    "VALUES ('delete', OLD.id, OLD.search_text);"
)
TRIGGERS = {
    "insert": f"AFTER INSERT ON contacts_contact WHEN {UNLESS_BULK} BEGIN {ADD_NEW} END",
    "delete": f"AFTER DELETE ON contacts_contact BEGIN {REMOVE_OLD} END",
    "update": (
        "AFTER UPDATE OF id, search_text ON contacts_contact "
        "WHEN OLD.id IS NOT NEW.id OR OLD.search_text IS NOT NEW.search_text "
        f"BEGIN {REMOVE_OLD} {ADD_NEW} END"
    ),
}
# The trigram tokenizer finds no word shorter than this.
TRIGRAM = 3
# Words the index finds in more than one contact in COMMON are left to the LIKE (common()).
COMMON = 5


def install(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the index if need be, fill it from every contact and install its triggers."""
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(CREATE)
    install_triggers(schema_editor)
    rebuild(schema_editor.connection)


def remove(schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    remove_triggers(schema_editor)
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def install_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create (or replace) the triggers that keep the index in step with the contacts."""
    if schema_editor.connection.vendor != "sqlite":
        return
    remove_triggers(schema_editor)
    for event, body in TRIGGERS.items():
        # safe-sql: the name and the body are constants of this module.
        schema_editor.execute(f"CREATE TRIGGER {TRIGGER}_{event} {body}")


def remove_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for event in TRIGGERS:
        # safe-sql: as above.
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{event}")


def rebuild(using: BaseDatabaseWrapper = connection) -> None:
    """Index every contact's search text again, replacing what the index held."""
    if using.vendor != "sqlite":
        return
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        # safe-sql: constants of this module.
        cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")  # noqa: S608


def add(ids: Sequence[int]) -> None:
    """Index the contacts with these ids: what a bulk writer inserted, its trigger aside."""
    if connection.vendor != "sqlite" or not ids:
        return
    with connection.cursor() as cursor:
        # One statement whatever the batch's size: the ids go as one JSON parameter.
        cursor.execute(
            # safe-sql: constants of this module; the ids go as a parameter.
            f"INSERT INTO {TABLE} (rowid, search_text) SELECT id, search_text "  # noqa: S608
            "FROM contacts_contact WHERE id IN (SELECT value FROM json_each(%s))",
            [json.dumps(list(ids))],
        )


def match_expression(words: Iterable[str]) -> str:
    """Return the FTS5 query asking for every trigram of each word ("" when none has one).

    Each trigram is an FTS5 string, its double quotes doubled: whatever the user typed
    (quotes, operators, parentheses, stars) is text to find, never query syntax.
    """
    trigrams = dict.fromkeys(
        word[start : start + TRIGRAM] for word in words for start in range(len(word) - 2)
    )
    return " AND ".join('"{}"'.format(trigram.replace('"', '""')) for trigram in trigrams)


def narrow(contacts: QuerySet[Contact], words: Sequence[str]) -> QuerySet[Contact]:
    """Narrow contacts, on SQLite, to those the index finds holding the trigrams of words.

    These include every contact whose search text contains the words: the caller's LIKE
    on each word then keeps exactly those. Elsewhere, and for words common() to many
    contacts, contacts are returned as they are.
    """
    using = connections[contacts.db]
    if using.vendor != "sqlite":
        return contacts
    expression = match_expression(words)
    if not expression or common(expression, using):
        return contacts
    # safe-sql: constants of this module; the expression goes as a parameter.
    sql = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"  # noqa: S608
    found = RawSQL(sql, [expression])  # noqa: S611 (a constant statement, as above)
    return contacts.filter(pk__in=found)


def common(expression: str, using: BaseDatabaseWrapper = connection) -> bool:
    """Return whether the index finds expression in more than a COMMON-th of the contacts.

    Through the index, the page and its count look up each contact found by its id; the
    LIKE alone reads the table in order for the count, and its page stops at the 25th
    row found along the sort's index. Past that share of the contacts, the LIKE alone is
    faster. Counting stops there: asking costs little however common the words.
    """
    with using.cursor() as cursor:
        cursor.execute(
            # safe-sql: constants of this module and of counts; the expression is a parameter.
            f"WITH share (n) AS (SELECT COALESCE((SELECT value FROM {counts.TABLE} "  # noqa: S608
            f"WHERE key = 'live'), 0) / {COMMON}) "
            f"SELECT COUNT(*) > (SELECT n FROM share) FROM (SELECT 1 FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s LIMIT (SELECT n FROM share) + 1)",
            [expression],
        )
        return bool(cursor.fetchone()[0])
