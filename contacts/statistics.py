"""The query planner's statistics, which SQLite keeps only when asked.

Without them SQLite reads, for a count over a search, a partial index row by row instead
of the table in order: 170 ms instead of 40 over 100,000 contacts. PostgreSQL's
autovacuum keeps its own; on SQLite, refresh_statistics() runs ANALYZE (half a second for
100,000 contacts; a sampled one misjudged the partial indexes): after migrations, after an
import or the demo data, and daily.
"""

from django.db import connection


def refresh_statistics():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
