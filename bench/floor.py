"""The floor of a request: the SQL it ran, run again directly on a cursor.

Recorder sits on the connection while one request runs and keeps every statement with
its parameters exactly as Django hands them to the database driver; replay() then times
those statements alone, without the view, the ORM, the templates or the middleware. The
ratio of a request's time to its floor is what the framework and our code add.
"""

import statistics
import time

# Statements a transaction of ours already issues: the one a request opened itself (SQLite's
# BEGIN IMMEDIATE) cannot be nested inside the one the replay opens.
TRANSACTION_START = ("BEGIN",)


class Recorder:
    """An execute wrapper (connection.execute_wrapper) keeping (sql, params, many)."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        if many:
            # executemany may be given an iterator: keep a list that can be replayed.
            params = list(params)
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def writes(statements):
    """Whether any statement is more than a read."""
    return any(not sql.lstrip().upper().startswith("SELECT") for sql, _, _ in statements)


def _run(cursor, statements):
    for sql, params, many in statements:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
            if cursor.description is not None:
                # The page reads every row it asks for; so does the floor.
                cursor.fetchall()


def replay(statements, repetitions, warmups=1):
    """Return the median time in ms of running the statements, repetitions times.

    Reads run as the request ran them (autocommit). A request that writes is replayed
    inside one transaction rolled back at the end, so that the database is left as it
    was and the same INSERTs can run again; the rows it created itself are deleted
    before (the caller's job), so no unique constraint trips, and the foreign keys
    (deferred on SQLite and PostgreSQL under Django) are never checked.
    """
    from django.db import connection, transaction

    if writes(statements):
        body = [s for s in statements if not s[0].lstrip().upper().startswith(TRANSACTION_START)]

        def once():
            with transaction.atomic(), connection.cursor() as cursor:
                _run(cursor, body)
                transaction.set_rollback(True)

    else:

        def once():
            with connection.cursor() as cursor:
                _run(cursor, statements)

    for _ in range(warmups):
        once()
    times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        once()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
