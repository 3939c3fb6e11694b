"""Cursor pagination: each page continues after the last row of the one before.

A cursor holds the sort and the last row's sort key and id, so a page never shifts when
contacts are added or changed meanwhile (an offset would repeat or skip rows). It is
opaque to clients: base64 of a small JSON list.
"""

import base64
import binascii
import datetime
import json
from typing import Any

from django.db.models import F, Q, QuerySet

from api.moments import utc
from api.problems import Problem

# Each sort's column (the id breaks ties); "-sort" reverses both.
SORTS = {"id": None, "created": "created_at", "changed": "updated_at", "name": "sort_name"}
DATES = {"created_at", "updated_at"}


def sort_choices() -> list[str]:
    return [prefix + name for name in SORTS for prefix in ("", "-")]


def ordered(queryset: QuerySet[Any], sort: str) -> QuerySet[Any]:
    column = SORTS[sort.removeprefix("-")]
    terms = [F(c) for c in (column, "id") if c]
    if sort.startswith("-"):
        return queryset.order_by(*(t.desc() for t in terms))
    return queryset.order_by(*(t.asc() for t in terms))


def encode(sort: str, row: dict[str, Any]) -> str:
    """Return the cursor of the page after row, a contact read with values()."""
    column = SORTS[sort.removeprefix("-")]
    value = row[column] if column else None
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    raw = json.dumps([sort, value, row["id"]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def after(queryset: QuerySet[Any], sort: str, cursor: str) -> QuerySet[Any]:
    """Return the rows of queryset that come after cursor, in sort's order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, pk = json.loads(raw)
        if cursor_sort != sort or not isinstance(pk, int):
            raise ValueError(cursor_sort)
        column = SORTS[sort.removeprefix("-")]
        if column in DATES:
            value = utc(datetime.datetime.fromisoformat(value))
        elif column and not isinstance(value, str):
            raise ValueError(value)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise Problem(
            400, "invalid_cursor", "This cursor is not one the API gave for this sort."
        ) from exc
    beyond = "lt" if sort.startswith("-") else "gt"
    if column is None:
        return queryset.filter(**{f"pk__{beyond}": pk})
    return queryset.filter(
        Q(**{f"{column}__{beyond}": value}) | Q(**{column: value, f"pk__{beyond}": pk})
    )
