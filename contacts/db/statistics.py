"""The query planner's statistics, refreshed when the tables have changed a lot.

Without them SQLite reads, for a count over a search, a partial index row by row instead
of the table in order: 170 ms instead of 40 over 100,000 contacts. refresh_statistics()
runs ANALYZE (half a second for 100,000 contacts on SQLite; a sampled one misjudged the
partial indexes): after migrations, after an import or the demo data, and daily.

PostgreSQL's autovacuum samples a table only after it has changed by a fifth, and it may
be off. During an import that is too late: planned for the nearly empty tables last
sampled, the duplicate check of each batch read every contact in a loop (60 ms a batch at
20,000 contacts and growing, 15 ms once sampled). refresh_grown_tables() samples the
tables an import fills; the import calls it whenever it has doubled them, and so does
the seeding of a population, which writes all its batches in one transaction from empty
tables: whatever a batch reads back is not planned for the tables it started from (the
breakdowns, when they were read back from each batch, scanned every contact written so
far).
"""

from django.db import connection

CONTACT_TABLES = (
    "contacts_contact, contacts_contactinfo, contacts_contactuserobjectpermission, "
    "contacts_taggedcontact"
)


def refresh_statistics() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        refresh_grown_tables()


def refresh_grown_tables() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CONTACT_TABLES}")
