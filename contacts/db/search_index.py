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
from typing import cast

from django.db import connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import BooleanField, Expression, F, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.sql.compiler import SQLCompiler

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
# Words the index finds in more than one live contact in COMMON are left to the LIKE
# (narrow()). A page read along its sort's index reads about its last row's position
# times live / found entries of it: when that is under WALK, it is read so (FoundByIndex).
COMMON = 5
WALK = 2500


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
    on each word then keeps exactly those. How many the index finds decides how:

    - none: no contact, and no query is made for them;
    - more than one live contact in COMMON: contacts as they are, the LIKE alone. Through
      the index, the count looks up each contact found by its id; the LIKE alone reads
      the table in order, which costs less past that share;
    - otherwise FoundByIndex, which reads a page along its sort's index when that reads
      fewer rows than looking up every contact found (see there).

    Elsewhere than on SQLite, contacts are returned as they are.
    """
    using = connections[contacts.db]
    if using.vendor != "sqlite":
        return contacts
    expression = match_expression(words)
    if not expression:
        return contacts
    found, live = found_among(expression, using)
    if not found:
        return contacts.none()
    if found * COMMON > live:
        return contacts
    return contacts.filter(FoundByIndex(expression, found=found, live=live))


def found_among(expression: str, using: BaseDatabaseWrapper = connection) -> tuple[int, int]:
    """Return how many contacts the index finds for expression, and how many are live.

    The index stops counting past a COMMON-th of the live contacts, where narrow() has
    its answer: asking costs little however common the words.
    """
    with using.cursor() as cursor:
        cursor.execute(
            # safe-sql: constants of this module and of counts; the expression is a parameter.
            f"WITH live (n) AS (SELECT COALESCE((SELECT value FROM {counts.TABLE} "  # noqa: S608
            "WHERE key = 'live'), 0)) "
            f"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s "
            f"LIMIT (SELECT n FROM live) / {COMMON} + 1)), (SELECT n FROM live)",
            [expression],
        )
        found, live = cursor.fetchone()
    return found, live


class FoundByIndex(Expression):
    """Whether a contact is among those the index finds for an FTS5 expression.

    It is `id IN (SELECT rowid FROM the index WHERE it MATCHes)`: SQLite starts from the
    contacts found, looks each up by id, and sorts a page's. When the words are found in
    so many contacts that a page ordered by the contact's own columns is reached sooner
    along its sort's index (found of live contacts, the page ending at its high mark:
    WALK), it reads `+id IN (...)` instead: the unary plus keeps SQLite from looking
    contacts up by id, so it reads the sort's index in order (every such sort has one,
    tests/contacts/db/test_query_plans.py) and stops at the page's last row, checking
    each id against the list it made once. Counts, long slices such as a search's first
    matches, and pages sorted through a join (by type), still start from the index.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, expression: str, found: int, live: int) -> None:
        super().__init__()
        self.expression, self.found, self.live = expression, found, live
        # The contact's id: resolved to its column, named as the query names the table.
        self.column: Combinable | Expression = F("pk")

    def get_source_expressions(self) -> list[Combinable | Expression]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Combinable | Expression]) -> None:
        (self.column,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        column, params = compiler.compile(cast(Expression, self.column))
        query = compiler.query
        walk = query.order_by and query.is_sliced and len(query.alias_map) == 1
        if walk and (query.high_mark or self.live) * self.live < self.found * WALK:
            column = f"+{column}"
        # safe-sql: a column the compiler quoted and constants; the expression is a parameter.
        sql = f"{column} IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)"  # noqa: S608
        return sql, (*params, self.expression)
