"""The load test: the deployment's topology under concurrent use.

On loopback only, for a bounded time (--seconds, 60 at most), against a throwaway
PostgreSQL database it creates, migrates, seeds and drops again:

- two gunicorn app servers (2 sync workers each, free ports) and two `db_worker` task
  workers, all sharing PostgreSQL and Redis (CACHE_URL: the list's cache, the website
  forms' rate limit and the sessions);
- readers (logged in) walking the list, the search and cards; editors (logged in) all
  editing the same contact, each a GET of the edit form then a POST of the version it
  read; visitors (anonymous) posting the website form, each submission with a unique
  marker, from their own addresses (X-Forwarded-For, read through CLIENT_IP_HEADER),
  one submission more than the rate limit from each. Every client alternates between
  the two servers: a session made on one is used on the other.

Then it checks, and exits 1 when anything fails: no 5xx, no connection error, no
unexpected answer; each accepted website form submission is in the database exactly once
and each refused one is not; each address got exactly WEBFORM_RATE_LIMIT submissions
through across both servers (with caches per process it would get more); the shared
contact's version is 1 + the accepted saves, with one history entry per accepted save,
and no two accepted saves started from the same version; the list's cache is shared (a
page rendered by one server is served by the other); every task the run enqueued was
run, by the two workers, without failing. Every process it started is stopped on the way
out, also on an error or Ctrl-C.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm .venv/bin/python bench/load.py
"""

import argparse
import io
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPException
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from run import recreate_postgresql
from throughput import ROOT, running, serve

MAX_SECONDS = 60
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/3"  # a Redis database of its own, not an app's 0
CONTACTS = 300
USERS = 8  # user1 … user8, seed_demo's password
READERS = 2
EDITORS = 4
VISITORS = 3
RATE_LIMIT = 3  # submissions per address; each visitor address sends one more
MIN_SECONDS = 1
CONFLICT_MESSAGE = "This contact was changed while you were editing it"
LIST_PAGES = ["/contacts/", "/contacts/?page=2", "/contacts/?sort=-created"]
KINDS = ("login", "list", "search", "card", "edit_form", "edit_save", "webform_ts", "webform")


class Failed(Exception):
    """A request got no answer (refused or broken connection)."""


class Stats:
    """Every answer of the run, by kind: status and latency."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers = defaultdict(list)  # kind: [(status or None, ms)]
        self.problems = []  # what went wrong, in words

    def record(self, kind, status, ms):
        with self.lock:
            self.answers[kind].append((status, ms))

    def problem(self, text):
        with self.lock:
            if len(self.problems) < 1000:
                self.problems.append(text)


class Browser:
    """One person's browser: its cookies and a connection to each server, used in turn."""

    def __init__(self, ports, stats, headers=None):
        self.ports = ports
        self.stats = stats
        self.headers = headers or {}
        self.cookies = {}
        self.connections = {}
        self.turn = random.randrange(len(ports))

    def next_port(self):
        self.turn = (self.turn + 1) % len(self.ports)
        return self.ports[self.turn]

    def request(self, kind, method, path, data=None, headers=None, port=None):
        """Return (status, Location, body text); record the answer under kind."""
        port = port or self.next_port()
        connection = self.connections.get(port)
        if connection is None:
            connection = self.connections[port] = HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": "127.0.0.1", **self.headers, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, HTTPException) as error:
            connection.close()
            self.stats.record(kind, None, (time.perf_counter() - started) * 1000)
            self.stats.problem(f"{kind}: {method} {path} on port {port}: {error!r}")
            raise Failed from error
        self.stats.record(kind, response.status, (time.perf_counter() - started) * 1000)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status >= 500:
            self.stats.problem(f"{kind}: {method} {path} on port {port}: {response.status}")
        return response.status, response.headers.get("Location", ""), content.decode()

    def close(self):
        for connection in self.connections.values():
            connection.close()


class Forms(HTMLParser):
    """The fields a browser posts from each <form> of a page: [[(name, value)], …]."""

    def __init__(self, html):
        super().__init__()
        self.forms, self.current, self.select, self.textarea = [], None, None, None
        self.feed(html)

    def form_with(self, name):
        """Return the fields of the first form that posts name."""
        for fields in self.forms:
            if any(n == name for n, _ in fields):
                return list(fields)
        raise LookupError(name)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        elif tag == "option" and self.select:
            value = attrs.get("value") or ""
            self.select[2].append(value)
            if "selected" in attrs:
                self.select[3].append(value)
        elif self.current is None or not name or "__prefix__" in name:
            return  # __prefix__: the empty row a script copies, inside a <template>
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            value = attrs.get("value")
            if value is None:
                value = "on" if kind in ("checkbox", "radio") else ""
            self.current.append((name, value))
        elif tag == "select":
            self.select = (name, "multiple" in attrs, [], [])
        elif tag == "textarea":
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select:
            name, multiple, options, selected = self.select
            # A single choice with nothing selected posts its first option.
            chosen = selected if multiple else selected[-1:] or options[:1]
            self.current.extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea:
            # A browser drops the one line break that follows <textarea>.
            name, value = self.textarea
            self.current.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None


def login(browser, username, password):
    status, _, page = browser.request("login", "GET", "/accounts/login/")
    fields = dict(Forms(page).form_with("login"))
    fields.update(login=username, password=password)
    status, location, _ = browser.request("login", "POST", "/accounts/login/", fields)
    if status != 302:
        raise SystemExit(f"{username} could not log in: {status}")


# The clients. Each runs until the deadline; an answer other than the expected one is
# counted (Stats.problem) and the client goes on.


def reader(browser, plan, deadline, stats, rng):
    while time.monotonic() < deadline:
        try:
            for kind, path in (
                (
                    "list",
                    rng.choice(["/contacts/", "/contacts/?page=2", "/contacts/?sort=-created"]),
                ),
                ("search", "/contacts/?" + urlencode({"q": rng.choice(plan["terms"])})),
                ("card", f"/contacts/{rng.choice(plan['cards'])}/"),
            ):
                status, _, _ = browser.request(kind, "GET", path)
                if status != 200:
                    stats.problem(f"{kind}: GET {path} answered {status}")
        except Failed:
            time.sleep(0.1)


def editor(browser, plan, deadline, stats, outcomes, number):
    """Open the shared contact's form, change its description, save the version read."""
    url = f"/contacts/{plan['shared']}/edit/"
    saves = 0
    while time.monotonic() < deadline:
        try:
            status, _, page = browser.request("edit_form", "GET", url)
            if status != 200:
                stats.problem(f"edit_form: GET {url} answered {status}")
                continue
            fields = Forms(page).form_with("version")
            read = int(dict(fields)["version"])
            saves += 1
            description = f"Saved by editor {number}, save {saves}, from version {read}"
            fields = [(n, v) for n, v in fields if n != "description"]
            fields.append(("description", description))
            status, location, page = browser.request("edit_save", "POST", url, fields)
        except Failed:
            time.sleep(0.1)
            continue
        if status == 302 and urlsplit(location).path == f"/contacts/{plan['shared']}/":
            outcomes.append(("accepted", read, description))
        elif status == 200 and CONFLICT_MESSAGE in page:
            outcomes.append(("conflict", read, description))
        else:
            stats.problem(f"edit_save: POST {url} from version {read} answered {status}")
            outcomes.append(("unexpected", read, description))


def visitor(ports, plan, deadline, stats, outcomes, number, run):
    """From one new address after another, post the website form RATE_LIMIT + 1 times."""
    url = f"/f/{plan['web_form']}/"
    address_number = 0
    while time.monotonic() < deadline:
        address_number += 1
        # An IPv6 documentation address (never routed), only ever written in a header.
        address = f"2001:db8::{number:x}:{address_number:x}"
        browser = Browser(ports, stats, headers={"X-Forwarded-For": address})
        try:
            status, _, stamp = browser.request("webform_ts", "GET", f"{url}ts/")
            # A person spends at least WEBFORM_MIN_SECONDS on the page before sending it.
            time.sleep(MIN_SECONDS + 0.1)
            for submission in range(RATE_LIMIT + 1):
                marker = f"Visitor {run} {number}-{address_number}-{submission}"
                email = f"v{number}.{address_number}.{submission}.{run}@example.com"
                data = dict(plan["web_form_fields"])
                data.update(_ts=stamp, first_name="Web", last_name=marker, email=email)
                status, location, _ = browser.request("webform", "POST", url, data)
                if status == 303 and location.endswith("/thanks/"):
                    outcomes.append(("accepted", address, marker))
                elif status == 429:
                    outcomes.append(("refused", address, marker))
                else:
                    stats.problem(f"webform: POST {url} answered {status}")
                    outcomes.append(("unexpected", address, marker))
        except Failed:
            time.sleep(0.1)
        finally:
            browser.close()


# Setup, in this process (Django on the load database), before any server starts.


def prepare(run):
    """Migrate and seed the load database; return what the clients need."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from contacts.access import contacts_visible_to
    from contacts.models import Contact
    from contacts.services import ContactData, contact_create
    from contacts.webforms.html import form_html
    from contacts.webforms.services import WebFormData, web_form_save

    quiet = io.StringIO()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", contacts=CONTACTS, users=USERS, seed=1, stdout=quiet)
    # The worker's daily purge, as the Procfile schedules it.
    call_command("purge_trash", schedule=True, stdout=quiet)
    users = list(get_user_model().objects.filter(username__startswith="user").order_by("pk"))
    editors = users[:EDITORS]
    shared = contact_create(
        by=editors[0],
        data=ContactData(
            kind=Contact.Kind.PERSON,
            fields={"first_name": "Shared", "last_name": f"Contact {run}"},
            responsible=editors,
            infos=[{"kind": "email", "category": "work", "value": "shared@example.com"}],
        ),
        notify=False,
    )
    web_form = web_form_save(
        data=WebFormData(
            name="Load form",
            kind=Contact.Kind.PERSON,
            language="en",
            fields=[
                {"name": "first_name", "required": True, "label": ""},
                {"name": "last_name", "required": True, "label": ""},
                {"name": "email", "required": True, "label": ""},
                {"name": "description", "required": False, "label": ""},
            ],
            notify=[users[0]],
        )
    )
    readers = users[EDITORS : EDITORS + READERS]
    # The contacts every reader may see: a card none of them may open would answer 404.
    visible = Contact.objects.all()
    for user in readers:
        visible = visible.filter(pk__in=contacts_visible_to(user).values("pk"))
    words = [name.split()[-1] for name in visible.values_list("display_name", flat=True)[:60]]
    return {
        "editors": [u.username for u in editors],
        "readers": [u.username for u in readers],
        "shared": shared.pk,
        "web_form": str(web_form.public_id),
        "web_form_fields": Forms(form_html(web_form, "http://127.0.0.1/")).form_with("_token"),
        "cards": list(visible.values_list("pk", flat=True)[:80]),
        "terms": sorted({w[:4] for w in words if len(w) >= 4}) or ["a"],
    }


def check(plan, stats, edits, submissions, run, started_at, workers):
    """Return the invariants as [(holds, what)]."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from contacts.models import Contact, ContactEvent

    results = []
    statuses = Counter(s for answers in stats.answers.values() for s, _ in answers)
    server_errors = sum(n for s, n in statuses.items() if s is not None and s >= 500)
    results.append((server_errors == 0, f"no 5xx: {server_errors}"))
    results.append((statuses[None] == 0, f"no connection errors: {statuses[None]}"))
    results.append((not stats.problems, f"no unexpected answers: {len(stats.problems)}"))
    missing = [k for k in KINDS if not stats.answers[k]]
    results.append((not missing, f"requests of every kind: {', '.join(missing) or 'yes'}"))

    # Website forms: exactly once each accepted, never a refused one.
    stored = Counter(
        Contact.all_objects.filter(last_name__startswith=f"Visitor {run} ").values_list(
            "last_name", flat=True
        )
    )
    accepted = [m for outcome, _, m in submissions if outcome == "accepted"]
    refused = [m for outcome, _, m in submissions if outcome == "refused"]
    results.append((len(accepted) > 0, f"web-form submissions accepted: {len(accepted)}"))
    twice = [m for m in accepted if stored[m] != 1]
    results.append((not twice, f"each accepted submission stored exactly once: {len(twice)} not"))
    kept = [m for m in refused if stored[m]]
    results.append((not kept, f"no refused submission stored: {len(kept)} stored"))
    unknown = set(stored) - set(accepted) - set(refused)
    unexpected = [m for outcome, _, m in submissions if outcome == "unexpected"]
    unknown -= set(unexpected)
    results.append((not unknown, f"nothing stored that was not sent: {len(unknown)}"))
    by_address = defaultdict(Counter)
    for outcome, address, _ in submissions:
        by_address[address][outcome] += 1
    wrong = [a for a, c in by_address.items() if c != Counter(accepted=RATE_LIMIT, refused=1)]
    results.append(
        (
            not wrong and len(by_address) > 0,
            f"rate limit shared by both servers: {len(by_address)} addresses, each "
            f"{RATE_LIMIT} accepted then refused ({len(wrong)} not)",
        )
    )

    # The shared contact: one version and one history entry per accepted save.
    shared = Contact.all_objects.get(pk=plan["shared"])
    saved = [(read, text) for outcome, read, text in edits if outcome == "accepted"]
    conflicts = sum(1 for outcome, _, _ in edits if outcome == "conflict")
    changed = ContactEvent.objects.filter(
        contact_id=shared.pk, verb=ContactEvent.Verb.CHANGED
    ).count()
    events = ContactEvent.objects.filter(contact_id=shared.pk).count()
    results.append(
        (
            shared.version == 1 + len(saved),
            f"version {shared.version} = 1 + {len(saved)} accepted saves "
            f"({conflicts} refused as conflicts)",
        )
    )
    results.append(
        (
            changed == len(saved) and events == 1 + len(saved),
            f"history: {changed} changes, {events} entries with the creation",
        )
    )
    reads = sorted(read for read, _ in saved)
    results.append(
        (
            reads == list(range(1, shared.version)),
            "each accepted save started from the version before it (no lost update)",
        )
    )
    last = max(saved, default=(0, ""))[1]
    results.append((shared.description == last, "the stored description is the last save's"))
    results.append((len(saved) >= 2, f"several saves accepted: {len(saved)}"))

    # The task workers: everything the run enqueued ran, without failing, on both.
    run_tasks = DBTaskResult.objects.filter(enqueued_at__gte=started_at)
    deadline = time.monotonic() + 20
    while run_tasks.filter(status__in=["READY", "RUNNING"]).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    by_status = Counter(run_tasks.values_list("status", flat=True))
    pending = by_status["READY"] + by_status["RUNNING"]
    failed = by_status[TaskResultStatus.FAILED]
    successful = by_status[TaskResultStatus.SUCCESSFUL]
    results.append(
        (
            pending == 0 and failed == 0 and successful > 0,
            f"tasks run: {successful} successful, {failed} failed, {pending} left",
        )
    )
    by_worker = Counter(w for ids in run_tasks.values_list("worker_ids", flat=True) for w in ids)
    results.append(
        (
            set(by_worker) <= set(workers),
            "tasks by worker: " + ", ".join(f"{w} {by_worker[w]}" for w in workers),
        )
    )
    return results, {
        "accepted_submissions": len(accepted),
        "refused_submissions": len(refused),
        "addresses": len(by_address),
        "saves_accepted": len(saved),
        "saves_refused": conflicts,
        "version": shared.version,
        "history_entries": events,
        "tasks": successful,
        "tasks_by_worker": dict(by_worker),
    }


def list_cache_probe(browser, redis, prefix):
    """Return whether a list page one server rendered is served by the other from Redis."""
    pattern = f"{prefix}:*contact-list:*"
    before = len(list(redis.scan_iter(match=pattern)))
    first, second = browser.ports
    browser.request("list", "GET", "/contacts/?probe=1", port=first)
    rendered = len(list(redis.scan_iter(match=pattern)))
    browser.request("list", "GET", "/contacts/?probe=1", port=second)
    after = len(list(redis.scan_iter(match=pattern)))
    return rendered == before + 1 and after == rendered


def figures(stats, seconds):
    rows = []
    for kind in KINDS:
        answers = stats.answers[kind]
        times = sorted(ms for _, ms in answers)
        statuses = Counter(s for s, _ in answers)
        rows.append(
            {
                "kind": kind,
                "requests": len(answers),
                "rps": round(len(answers) / seconds, 1),
                "p50_ms": round(statistics.median(times), 1) if times else None,
                "p95_ms": round(statistics.quantiles(times, n=20)[-1], 1)
                if len(times) > 1
                else (round(times[0], 1) if times else None),
                "statuses": {str(s): n for s, n in sorted(statuses.items(), key=str)},
            }
        )
    return rows


def print_figures(rows, seconds):
    print(f"\n{'kind':<12} {'requests':>8} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for row in rows:
        statuses = " ".join(f"{s}×{n}" for s, n in row["statuses"].items())
        p50 = "" if row["p50_ms"] is None else row["p50_ms"]
        p95 = "" if row["p95_ms"] is None else row["p95_ms"]
        print(
            f"{row['kind']:<12} {row['requests']:>8} {row['rps']:>7} {p50:>8} {p95:>8}  {statuses}"
        )
    total = sum(row["requests"] for row in rows)
    print(f"{'all':<12} {total:>8} {round(total / seconds, 1):>7}   (load phase {seconds:.1f} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="load phase (60 at most)")
    parser.add_argument(
        "--database",
        help="the throwaway database, created and dropped on DATABASE_URL's server "
        "(default: its name + _throwaway_load)",
    )
    parser.add_argument("--cache-url", default=os.environ.get("CACHE_URL", DEFAULT_CACHE_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", type=Path, help="write the figures and checks there")
    args = parser.parse_args()
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be more than 0 and at most {MAX_SECONDS}")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL must name a PostgreSQL database (the load runs beside it)")
    own = urlsplit(url).path.lstrip("/")
    name = args.database or f"{own}_throwaway_load"
    if name == own:
        parser.error("--database must name another database than DATABASE_URL's: it is dropped")
    load_url = urlsplit(url)._replace(path=f"/{name}").geturl()
    # A stop from outside (pytest's timeout, kill) unwinds like Ctrl-C: everything is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return run_load(args, url, name, load_url)


def run_load(args, url, name, load_url):
    import redis as redis_client

    run = secrets.token_hex(4)
    prefix = f"crm-load-{run}"
    logs = Path(tempfile.mkdtemp(prefix="crm-load-"))
    environment = {
        "DATABASE_URL": load_url,
        "CACHE_URL": args.cache_url,
        "CACHE_KEY_PREFIX": prefix,
        "APP_SERVERS": "2",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(logs / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "WEBFORM_RATE_LIMIT": str(RATE_LIMIT),
        "WEBFORM_MIN_SECONDS": str(MIN_SECONDS),
        "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    os.environ.update(environment, DJANGO_SETTINGS_MODULE="crm.settings")
    sys.path.insert(0, str(ROOT))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    redis = redis_client.Redis.from_url(args.cache_url)
    redis.ping()
    print(f"Database {name}, Redis {args.cache_url} (keys {prefix}:*), logs in {logs}", flush=True)
    recreate_postgresql(url, name)
    status = 1
    try:
        status = _run(args, run, prefix, logs, redis)
        return status
    finally:
        from django.db import connections

        connections.close_all()
        for key in redis.scan_iter(match=f"{prefix}:*"):
            redis.delete(key)
        if not args.keep:
            drop_postgresql(url, name)
            if status == 0:
                shutil.rmtree(logs)  # kept when something failed, for its log


def _run(args, run, prefix, logs, redis):
    import django

    django.setup()
    from django.db import connections
    from django.utils import timezone

    setup_started = time.monotonic()
    plan = prepare(run)
    connections.close_all()
    stats = Stats()
    workers = [f"load-worker-{n}" for n in (1, 2)]
    with ExitStack() as stack:
        log = stack.enter_context(open(logs / "processes.log", "w"))  # noqa: SIM115
        processes = []
        ports = [stack.enter_context(serve(2, log, started=processes)) for _ in range(2)]
        for worker_id in workers:
            command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2"]
            command += ["--no-startup-delay", "--worker-id", worker_id]
            processes.append(stack.enter_context(running(command, log=log)))
        print(f"Servers on ports {ports[0]} and {ports[1]}, workers {', '.join(workers)}")

        # Every person logs in first (on either server), so that no login, which writes
        # the user's last_login, changes the data between the cache probe's two visits.
        readers = [Browser(ports, stats) for _ in plan["readers"]]
        editors = [Browser(ports, stats) for _ in plan["editors"]]
        logins = [
            threading.Thread(target=login, args=(b, u, "demo1234"))
            for b, u in [
                *zip(readers, plan["readers"], strict=True),
                *zip(editors, plan["editors"], strict=True),
            ]
        ]
        for thread in logins:
            thread.start()
        for thread in logins:
            thread.join()
        shared_cache = list_cache_probe(readers[0], redis, prefix)
        print(f"Ready in {time.monotonic() - setup_started:.1f} s; load for {args.seconds:g} s …")

        started_at = timezone.now()
        edits, submissions = [], []
        deadline = time.monotonic() + args.seconds
        rng = random.Random(0)
        clients = [
            *(
                threading.Thread(
                    target=reader, args=(b, plan, deadline, stats, random.Random(rng.random()))
                )
                for b in readers
            ),
            *(
                threading.Thread(target=editor, args=(b, plan, deadline, stats, edits, n))
                for n, b in enumerate(editors, 1)
            ),
            *(
                threading.Thread(
                    target=visitor, args=(ports, plan, deadline, stats, submissions, n, run)
                )
                for n in range(1, VISITORS + 1)
            ),
        ]
        began = time.monotonic()
        for thread in clients:
            thread.daemon = True
            thread.start()
        for thread in clients:
            thread.join()
        elapsed = time.monotonic() - began
        for browser in [*readers, *editors]:
            browser.close()

        results, summary = check(plan, stats, edits, submissions, run, started_at, workers)
        results.insert(0, (shared_cache, "list page rendered by one server served by the other"))
        connections.close_all()
    # The processes are stopped (each with its process group): what they logged is complete.
    left = [p.pid for p in processes if _group_alive(p.pid)]
    results.append((not left, f"every process stopped: {len(left)} process groups left"))
    text = (logs / "processes.log").read_text(errors="replace")
    tracebacks = text.count("Traceback")
    results.append((tracebacks == 0, f"no traceback in the processes' logs: {tracebacks}"))

    rows = figures(stats, elapsed)
    print_figures(rows, elapsed)
    print()
    for holds, what in results:
        print(f"{'✓' if holds else '✗'} {what}")
    for problem in stats.problems[:20]:
        print(f"  {problem}")
    ok = all(holds for holds, _ in results)
    if not ok and text.strip():
        print(f"\nThe processes' log ({logs / 'processes.log'}), last lines:")
        print("\n".join(text.splitlines()[-40:]))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "ok": ok,
                    "seconds": round(elapsed, 1),
                    "figures": rows,
                    "checks": [{"holds": h, "what": w} for h, w in results],
                    "process_groups": [p.pid for p in processes],
                    **summary,
                },
                indent=1,
            )
        )
    print("\nAll checks hold." if ok else "\nSome checks failed.")
    return 0 if ok else 1


def _group_alive(group, wait=3.0):
    """Return whether a process of the group is still there after wait seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.1)  # killed workers are reaped by init in a moment


def drop_postgresql(url, name):
    import psycopg
    from psycopg import sql

    server = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    sys.exit(main())
