"""Time the contact list, search and card over 100,000 contacts on SQLite and PostgreSQL.

Without --database, runs itself once per database (SQLite always, PostgreSQL when
DATABASE_URL points at one), because each process must set DATABASE_URL before Django
reads its settings; then prints a table and writes bench/results.json.
"""

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
import warnings
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results.json"
PG_DATABASE = "crm_bench"
WARMUPS = 2
COLUMNS = ["database", "case", "user", "median_ms", "p95_ms", "queries", "rows_seen_total"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per case")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database:
        bench_one(args)
    else:
        bench_all(args)


def bench_all(args):
    databases = ["sqlite"]
    if urlsplit(os.environ.get("DATABASE_URL", "")).scheme.startswith("postgres"):
        databases.append("postgresql")
    results = []
    for database in databases:
        command = [sys.executable, __file__, "--database", database]
        for name in ("contacts", "users", "seed", "requests"):
            command += [f"--{name}", str(getattr(args, name))]
        # This very script, with arguments it parsed itself.
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:  # noqa: S603
            for line in child.stdout:
                print(line, end="", flush=True)
                if line.startswith("{"):
                    results.append(json.loads(line))
        if child.returncode:
            sys.exit(child.returncode)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print_table(results)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


def print_table(results):
    rows = [COLUMNS] + [[str(r[c]) for c in COLUMNS] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for n, row in enumerate(rows):
        # Text columns to the left, figures to the right.
        cells = [
            cell.ljust(w) if i < 3 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def bench_one(args):
    """Prepare the database (seeding it unless cached), then time every case on it."""
    spec = f"contacts={args.contacts} users={args.users} seed={args.seed}"
    if args.database == "sqlite":
        path = BENCH / f"bench-{args.seed}.sqlite3"
        url = f"sqlite:///{path}"
        cached = sqlite_marker(path) == spec
        if not cached:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{PG_DATABASE}").geturl()
        cached = postgresql_marker(url) == spec
        if not cached:
            recreate_postgresql(url)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if cached:
        print(f"[{args.database}] reusing the seeded database ({spec})", flush=True)
    else:
        print(f"[{args.database}] seeding {spec} …", flush=True)
        started = time.perf_counter()
        call_command(
            "seed_demo", contacts=args.contacts, users=args.users, seed=args.seed, verbosity=0
        )
        print(f"[{args.database}] seeding took {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # What autovacuum would do within a minute on a live server.
                cursor.execute("VACUUM ANALYZE")
            cursor.execute("CREATE TABLE bench_marker (spec varchar(200))")
            cursor.execute("INSERT INTO bench_marker VALUES (%s)", [spec])
    for result in run_cases(args.database, args.requests):
        print(json.dumps(result), flush=True)


def sqlite_marker(path):
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(path)) as db:
            return db.execute("SELECT spec FROM bench_marker").fetchone()[0]
    except sqlite3.Error:
        return None


def postgresql_marker(url):
    import psycopg

    try:
        with psycopg.connect(url) as db:
            return db.execute("SELECT spec FROM bench_marker").fetchone()[0]
    except psycopg.Error:
        return None


def recreate_postgresql(url):
    import psycopg
    from psycopg import sql

    # Any database on the server will do to create another; "postgres" always exists.
    server = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as db:
        name = sql.Identifier(PG_DATABASE)
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        db.execute(sql.SQL("CREATE DATABASE {}").format(name))


def setup_django(url):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="crm.settings",
        DATABASE_URL=url,
        # Production settings, as timed; the test client speaks plain HTTP to "testserver".
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
    )
    sys.path.insert(0, str(ROOT))
    # whitenoise warns that collectstatic has not filled STATIC_ROOT: no static file is served here.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Pages link static files through the manifest that collectstatic writes; a plain
    # storage spares running it, and a manifest lookup is a dict access anyway.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


def run_cases(database, requests):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.http import QueryDict
    from django.test import Client

    from contacts.access import contacts_visible_to
    from contacts.models import CRM_ADMINS_GROUP, ContactType, TaggedContact
    from contacts.selectors import contact_search, contacts_listed

    User = get_user_model()
    ordinary = User.objects.get(username="user1")
    admin = User.objects.filter(groups__name=CRM_ADMINS_GROUP).order_by("pk").first()
    if admin is None:
        admin = User.objects.create_user("bench-admin")
        admin.groups.add(Group.objects.get(name=CRM_ADMINS_GROUP))
    card = (
        contacts_visible_to(ordinary)
        .filter(kind="person", company__isnull=False)
        .annotate(n_infos=Count("infos"))
        .filter(n_infos__gte=5)
        .order_by("pk")
        .first()
    )
    # The most common tag and type: the filters that narrow the list the least.
    tag = TaggedContact.objects.values("tag__name").annotate(n=Count("id")).order_by("-n").first()
    contact_type = ContactType.objects.annotate(n=Count("contacts")).order_by("-n").first()
    filtered = QueryDict(mutable=True)
    filtered.update(
        {"tag": tag["tag__name"], "type": str(contact_type.pk), "responsible": str(ordinary.pk)}
    )
    filtered["sort"] = "last_name"
    for role, user in (("ordinary", ordinary), ("admin", admin)):
        visible = contacts_visible_to(user)
        cases = [
            ("list_first_page", "/contacts/", visible.count()),
            (
                "list_filtered_sorted",
                f"/contacts/?{filtered.urlencode()}",
                contacts_listed(user, filtered)[0].count(),
            ),
            ("list_sorted_last_name", "/contacts/?sort=last_name", visible.count()),
            ("search", "/contacts/?q=dup", contact_search(visible, "dup").count()),
            ("card", f"/contacts/{card.pk}/", 1),
        ]
        client = Client()
        client.force_login(user)
        for case, url, rows_seen in cases:
            times, queries = measure(client, url, requests)
            yield {
                "case": case,
                "database": database,
                "user": role,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95(times), 1),
                "queries": queries,
                "rows_seen_total": rows_seen,
            }


def p95(times):
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def measure(client, url, requests):
    """Return the times of requests GETs of url, in ms, and the queries one of them runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        # Counted on a warm-up, so that recording queries never slows a timed request.
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        # Read now: the next request empties the log that captured points into.
        queries = len(captured)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times, queries


if __name__ == "__main__":
    main()
