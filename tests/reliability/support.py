"""Real processes on a database of their own, for the fault tests: start, probe, clean up."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_suffix():
    # pytest-xdist runs tests in parallel processes: each gets databases of its own.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'gw')}_{os.getpid()}"


@contextmanager
def own_database(tmp_path, name):
    """Yield the DATABASE_URL of a new, empty database of the kind the suite runs on.

    SQLite: a file in tmp_path. PostgreSQL: a database on the suite's server, named
    after the test and the xdist worker, dropped afterwards.
    """
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        return
    dbname = f"crm_{name}_{worker_suffix()}"
    server = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        auth = server["user"] + (f":{server['password']}" if server["password"] else "")
        yield f"postgres://{auth}@{server['host']}:{server['port']}/{dbname}"
    finally:
        with psycopg.connect(**server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def environment(database_url, tmp_path, **extra):
    """Return the environment of a process of the CRM on database_url."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="crm.settings",
        MEDIA_ROOT=str(tmp_path / "media"),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def python(env, args, timeout):
    """Run this interpreter with args in the project; return what it printed."""
    done = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def manage(env, *args, timeout=120):
    return python(env, ["manage.py", *args], timeout)


def probe(env, *args, timeout=60):
    """Run tests/reliability/probe.py with args; return what it printed, read as JSON."""
    out = python(env, ["-m", "tests.reliability.probe", *args], timeout)
    return json.loads(out.strip().splitlines()[-1])


class Processes:
    """The processes a test started: killed (the whole group) when the test ends."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.started = []

    def start(self, name, args, env):
        log = open(self.log_dir / f"{name}.log", "wb")  # closed by stop_all
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((process, log))
        return process

    def log(self, name):
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def stop_all(self):
        for process, log in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()


@contextmanager
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def wait_for(condition, timeout, interval=0.05, message="condition"):
    """Call condition until it returns something true; return that, or fail at timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def sql_reader(database_url):
    """Return query(sql, params) → rows, reading database_url directly (no Django)."""
    parts = urlsplit(database_url)
    if parts.scheme == "sqlite":
        import sqlite3

        path = database_url.removeprefix("sqlite:///")

        def query(sql, params=()):
            with closing(sqlite3.connect(path, timeout=20)) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()

        return query

    def query(sql, params=()):
        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
            return conn.execute(sql, params).fetchall()

    return query
