"""The database goes away: a clear 503 "try again" page, never a 500, nothing half-written.

First in this process, for every kind of page (a view, the middleware that reads the
session's user, the public website form). Then for real: a private PostgreSQL instance
(initdb in a temporary directory, a free port) behind gunicorn, restarted in the middle
of a burst of website-form submissions.
"""

import http.client
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from contacts.models import Contact
from tests.reliability.support import (
    PYTHON,
    environment,
    free_port,
    manage,
    probe,
    processes,
    wait_for,
)
from tests.support import make_web_form, posted, submit_url

UNAVAILABLE = {"en": "Temporarily unavailable", "fr": "Momentanément indisponible"}
TRY_AGAIN = {
    "en": "Please try again in a few moments.",
    "fr": "Veuillez réessayer dans quelques instants.",
}


def assert_unavailable_page(response, language):
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert UNAVAILABLE[language] in html and TRY_AGAIN[language] in html
    assert "Traceback" not in html and "OperationalError" not in html


# Every page, in this process


@pytest.fixture
def visitor(db):
    # A real server does not re-raise what a view raised: it answers.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_whose_database_is_down_answers_503_in_the_users_language(
    visitor, alice, monkeypatch, language, error
):
    visitor.force_login(alice)

    def down(*args, **kwargs):
        raise error("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr("contacts.selectors.contacts_listed", down)

    response = visitor.get("/contacts/", HTTP_ACCEPT_LANGUAGE=language)

    assert_unavailable_page(response, language)


def test_the_session_user_unreadable_before_the_view_answers_503_too(visitor, alice, monkeypatch):
    visitor.force_login(alice)

    def down(request):
        raise OperationalError("server closed the connection unexpectedly")

    # Read by LoginRequiredMiddleware, before any view: handler500 answers.
    monkeypatch.setattr("django.contrib.auth.middleware.auth.get_user", down)

    response = visitor.get("/contacts/", HTTP_ACCEPT_LANGUAGE="fr")

    assert_unavailable_page(response, "fr")


def test_other_errors_are_still_a_500(visitor, alice, monkeypatch):
    visitor.force_login(alice)

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("contacts.selectors.contacts_listed", broken)

    assert visitor.get("/contacts/").status_code == 500


def test_a_website_form_sent_while_the_database_is_down_answers_503_and_saves_nothing(
    visitor, alice, monkeypatch, settings
):
    settings.WEBFORM_RATE_LIMIT = 100
    web_form = make_web_form(responsible=[alice])
    data = posted(web_form, first_name="Ann", last_name="Lee", email="ann@example.com")

    def down(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    # After the contact is written: its transaction must take it back.
    monkeypatch.setattr("contacts.webforms.services._notify", down)

    response = visitor.post(submit_url(web_form), data, HTTP_ACCEPT_LANGUAGE="fr")

    assert_unavailable_page(response, "fr")
    assert Contact.all_objects.count() == 0


# A real restart of a private PostgreSQL


def postgres_bindir():
    for candidate in (os.environ.get("PG_BINDIR"), "/usr/lib/postgresql/15/bin"):
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb") or shutil.which("pg_config")
    if found and found.endswith("pg_config"):
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, timeout=10)
        return Path(out.stdout.strip()) if (Path(out.stdout.strip()) / "initdb").exists() else None
    return Path(found).parent if found else None


class PrivatePostgres:
    """A PostgreSQL instance of the test's own: its own directory, port and process.

    PostgreSQL refuses to run as root: as root (CI), it runs as the postgres user.
    """

    def __init__(self, bindir, root):
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                pytest.skip("running as root without runuser: cannot start PostgreSQL")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, "postgres")

    def run(self, program, *args, timeout=60):
        return subprocess.run(
            [*self.as_user, str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def init(self):
        done = self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-N")
        if done.returncode != 0:
            pytest.skip(f"initdb cannot run on this machine: {done.stderr.strip()[-300:]}")

    def pg_ctl(self, *args):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=off -c max_connections=50"
        )
        done = self.run(
            "pg_ctl", *args, "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w"
        )
        assert done.returncode == 0, done.stdout + done.stderr + self.log()
        return done

    def log(self):
        path = self.root / "log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", timeout=30)

    def url(self, dbname):
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"


@pytest.fixture
def private_postgres():
    bindir = postgres_bindir()
    if bindir is None:
        pytest.skip("initdb is not installed on this machine")
    root = Path(tempfile.mkdtemp(prefix="crm-faults-pg-"))
    server = PrivatePostgres(bindir, root)
    try:
        server.init()
        server.pg_ctl("start")
        with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE crm")
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def post(port, path, data, language):
    """POST the form as a visitor's browser would; return (status, Retry-After, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=urlencode(data),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept-Language": language,
            },
        )
        response = connection.getresponse()
        return response.status, response.getheader("Retry-After"), response.read().decode()
    except (ConnectionError, http.client.HTTPException) as error:
        return 0, None, repr(error)
    finally:
        connection.close()


def test_a_burst_of_website_forms_through_a_postgresql_restart_loses_and_doubles_nothing(
    private_postgres, tmp_path
):
    env = environment(
        private_postgres.url("crm"),
        tmp_path,
        DEBUG=1,
        WEBFORM_RATE_LIMIT=100000,
        WEBFORM_MIN_SECONDS=0,
    )
    manage(env, "migrate", "--noinput", "-v0")
    form = probe(env, "setup_webform")
    port = free_port()
    with processes(tmp_path) as started:
        server = started.start(
            "gunicorn",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "crm.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "30",
            ],
            env,
        )
        wait_for(
            lambda: (
                server.poll() is not None or post(port, "/f/none/", {}, "en")[0] in (404, 200, 400)
            ),
            timeout=30,
            interval=0.2,
            message="gunicorn",
        )
        assert server.poll() is None, started.log("gunicorn")

        results = {}

        def send(n):
            language = "fr" if n % 2 else "en"
            data = {
                **form["data"],
                "first_name": "Ann",
                "last_name": f"Visitor{n}",
                "email": f"v{n}@example.com",
            }
            results[n] = (language, *post(port, form["url"], data, language))

        restarted = {}

        def restart():
            restarted["done"] = private_postgres.pg_ctl("restart", "-m", "fast")

        with ThreadPoolExecutor(max_workers=6) as pool:
            n = 0
            # Submissions before, during and after the restart.
            burst_end = None
            while burst_end is None or time.monotonic() < burst_end:
                futures = [pool.submit(send, n + i) for i in range(6)]
                n += 6
                if n == 60:
                    restarted["at"] = time.monotonic()
                    pool.submit(restart)
                if "done" in restarted and burst_end is None:
                    burst_end = time.monotonic() + 1.5
                for future in futures:
                    future.result(timeout=60)
                assert n < 3000, "the restart never finished"
        # The server recovered by itself: every submission now goes through.
        after = {}
        for m in range(n, n + 12):
            send(m)
            after[m] = results[m]

        statuses = [status for _language, status, *_ in results.values()]
        assert 500 not in statuses and set(statuses) <= {303, 503}, sorted(set(statuses))
        assert statuses.count(503) >= 1, "the restart was not noticed: no submission hit it"
        assert all(status == 303 for _language, status, *_ in after.values()), after
        for language, status, retry_after, body in results.values():
            if status == 503:
                assert retry_after == "10"
                assert UNAVAILABLE[language] in body and TRY_AGAIN[language] in body

        state = probe(env, "webform_state", str(form["form"]))
        accepted = {f"v{m}@example.com" for m, r in results.items() if r[1] == 303}
        emails = [email for contact in state["contacts"] for email in contact["emails"]]
        assert len(emails) == len(set(emails)), "a submission was saved twice"
        assert accepted <= set(emails), "an accepted submission was lost"
        # Whole contacts: each with its e-mail, its tag and its responsible user.
        for contact in state["contacts"]:
            number = contact["name"].removeprefix("Visitor")
            assert contact["emails"] == [f"v{number}@example.com"], contact
            assert (contact["tags"], contact["responsible"]) == (["Web lead"], ["alice"])
        assert state["created_count"] == len(state["contacts"])
