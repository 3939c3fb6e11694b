"""Add many rows to a table of kept counts in one statement: what a bulk writer counted."""

from collections.abc import Sequence
from typing import Any

from django.db import connection


def add_rows(
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    order: str,
    on_conflict: str,
) -> None:
    """Insert rows, (name, PostgreSQL type) columns each, in the order of the columns
    named by order, resolving a conflict with on_conflict (ON CONFLICT ...).

    Table, columns, order and on_conflict are the caller's constants; the rows go as
    parameters. On PostgreSQL one statement whatever the number of rows, in order (as the
    triggers lock the same rows), its arrays in binary (%b): as text, each value would be
    quoted, then parsed again by the server, which cost more than the upsert itself.
    """
    if not rows:
        return
    names = ", ".join(name for name, _type in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%b::{type_}[]" for _name, type_ in columns)
            cursor.execute(
                # safe-sql: the caller's constants (above); the rows go as parameters.
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "  # noqa: S608
                f"AS d({names}) ORDER BY {order} {on_conflict}",
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                # safe-sql: as above.
                f"INSERT INTO {table} ({names}) VALUES ({placeholders}) {on_conflict}",  # noqa: S608
                rows,
            )
