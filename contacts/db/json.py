"""SQL functions on JSON columns, written for both SQLite and PostgreSQL.

The user fields' values live in one JSON column; these read one key as text or as a
number, remove a key, or set one, in the database rather than row by row in Python.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    FloatField,
    Func,
    JSONField,
    TextField,
)
from django.db.models.expressions import Combinable
from django.db.models.sql.compiler import SQLCompiler

# What an expression compiles to: its SQL and its params.
SQL = tuple[str, tuple[str | int, ...]]

# JSON expressions that work on SQLite and PostgreSQL.
#
# Django's key transforms (custom__5, KT("custom__5")) read a numeric key as an array
# index, so "$[5]" on SQLite and "-> 5" on PostgreSQL would never find member "5".


def _member_path(key: str | int) -> str:
    return "$." + json.dumps(str(key))


class _JSONKeyFunc(Func):
    def __init__(
        self, expression: str | Combinable, key: str | int, *values: Combinable, **extra: Any
    ) -> None:
        self.key = str(key)
        super().__init__(expression, *values, **extra)

    def _compiled(self, compiler: SQLCompiler) -> list[SQL]:
        """Return the SQL and the params of each source expression."""
        return [compiler.compile(e) for e in self.get_source_expressions()]

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        *args: Any,
        **extra_context: Any,
    ) -> NoReturn:
        raise NotSupportedError(f"{type(self).__name__} supports SQLite and PostgreSQL only.")


class JSONKeyText(_JSONKeyFunc):
    """The value of one member of a JSON object, as text."""

    output_field = TextField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQL:
        [(column, params)] = self._compiled(compiler)
        return f"JSON_EXTRACT({column}, %s)", (*params, _member_path(self.key))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQL:
        [(column, params)] = self._compiled(compiler)
        return f"({column} ->> %s::text)", (*params, self.key)


class JSONKeyNumber(_JSONKeyFunc):
    """The value of one member of a JSON object when it is a number, else NULL.

    SQLite's JSON_EXTRACT returns a number as a number but a string as text, which SQLite
    sorts after every number; PostgreSQL cannot cast text that is not a number. Both
    compare only members whose JSON type is a number.
    """

    output_field = FloatField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQL:
        [(column, params)] = self._compiled(compiler)
        path = _member_path(self.key)
        sql = (
            f"CASE WHEN JSON_TYPE({column}, %s) IN ('integer', 'real') "
            f"THEN JSON_EXTRACT({column}, %s) END"
        )
        return sql, (*params, path, *params, path)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQL:
        [(column, params)] = self._compiled(compiler)
        sql = (
            f"CASE WHEN jsonb_typeof({column} -> %s::text) = 'number' "
            f"THEN ({column} ->> %s::text)::double precision END"
        )
        return sql, (*params, self.key, *params, self.key)


class JSONWithoutKey(_JSONKeyFunc):
    """The JSON object without one member."""

    output_field = JSONField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQL:
        [(column, params)] = self._compiled(compiler)
        return f"JSON_REMOVE({column}, %s)", (*params, _member_path(self.key))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQL:
        [(column, params)] = self._compiled(compiler)
        return f"({column} - %s::text)", (*params, self.key)


class JSONWithText(_JSONKeyFunc):
    """The JSON object with one member set to a text (an expression)."""

    output_field = JSONField()

    def __init__(self, expression: str | Combinable, key: str | int, value: Combinable) -> None:
        super().__init__(expression, key, value)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQL:
        (column, column_params), (value, value_params) = self._compiled(compiler)
        sql = f"JSON_SET({column}, %s, {value})"
        return sql, (*column_params, _member_path(self.key), *value_params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQL:
        (column, column_params), (value, value_params) = self._compiled(compiler)
        sql = f"jsonb_set({column}, ARRAY[%s::text], to_jsonb(({value})::text))"
        return sql, (*column_params, self.key, *value_params)
