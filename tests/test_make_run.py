"""`make run PORT=…`: the port served, the address printed, the address e-mails link to.

These run make, honcho and the Procfile for real, with this interpreter standing in for
the project's .venv (`-o` tells make the venv is installed already).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

from tests.reliability.support import (
    ROOT,
    environment,
    free_port,
    own_database,
    processes,
    wait_for,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
]

VENV_BIN = str(Path(sys.executable).parent)


def make_run(port, **variables):
    """Return the command line of `make run PORT=port` on this interpreter."""
    assigned = [f"{name}={value}" for name, value in variables.items()]
    return ["make", "-o", ".venv/.installed", "run", f"PORT={port}", *assigned]


def run_environment(env, **extra):
    # Under `make test`, the outer make's flags would reach this one.
    left_out = ("PORT", "SITE_URL", "PROCFILE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {k: v for k, v in env.items() if k not in left_out}
    # honcho, and the Procfile's `python`, from this interpreter's environment.
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def login_page(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as response:
            return response.read().decode()
    except urllib.error.HTTPError:
        raise
    except urllib.error.URLError:  # not listening yet
        return None


def interrupt(make):
    """Press Ctrl+C: honcho stops its processes, each of which runs in a session of its own."""
    os.killpg(make.pid, signal.SIGINT)
    make.wait(timeout=30)


def listening(port):
    with closing(socket.socket()) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_make_run_serves_on_the_chosen_port_and_prints_that_address(tmp_path):
    port = free_port()
    with own_database(tmp_path, "make_run") as database_url, processes(tmp_path) as started:
        env = run_environment(environment(database_url, tmp_path))
        make = started.start("make", make_run(port, PY=sys.executable), env)
        starting = "Starting development server at "
        try:

            def ready():
                assert make.poll() is None, started.log("make")[-3000:]
                return starting in started.log("make")

            wait_for(ready, timeout=180, interval=0.2, message="the web server")
            assert f"{starting}http://127.0.0.1:{port}/" in started.log("make")
            # The message comes just before the server listens.
            page = wait_for(lambda: login_page(port), timeout=30, message="the login page")
            assert 'name="password"' in page
            log = started.log("make")
            # seed_demo's closing message names that same address, and the demo logins.
            assert f"Open http://127.0.0.1:{port}/ and log in with password demo1234" in log
            assert "http://127.0.0.1:8000" not in log
        finally:
            interrupt(make)
        # Ctrl+C stops the server too, not only make.
        wait_for(lambda: not listening(port), timeout=30, message="the server to stop")


def processes_environment(tmp_path, port, site_url=None):
    """Start make run with a Procfile whose processes print their PORT and SITE_URL."""
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        'web: echo "web PORT=$PORT SITE_URL=$SITE_URL" && sleep 60\n'
        'worker: echo "worker PORT=$PORT SITE_URL=$SITE_URL" && sleep 60\n'
    )
    extra = {"PROCFILE": procfile, **({"SITE_URL": site_url} if site_url else {})}
    # `true` for the interpreter: migrate and seed_demo are not what is looked at here.
    return run_environment(dict(os.environ), **{k: str(v) for k, v in extra.items()})


@pytest.mark.parametrize(
    "site_url, expected",
    [(None, "http://127.0.0.1:{port}"), ("https://crm.example.com", "https://crm.example.com")],
)
def test_make_run_gives_the_worker_the_web_servers_address_unless_site_url_is_set(
    tmp_path, site_url, expected
):
    port = free_port()
    env = processes_environment(tmp_path, port, site_url)
    with processes(tmp_path) as started:
        make = started.start("make", make_run(port, PY="true"), env)
        lines = ("web PORT=", "worker PORT=")
        try:
            wait_for(
                lambda: all(line in started.log("make") for line in lines),
                timeout=60,
                interval=0.1,
                message="both processes",
            )
        finally:
            interrupt(make)
        log = started.log("make")
    site = expected.format(port=port)
    assert f"web PORT={port} SITE_URL={site}" in log
    # Honcho numbers the worker's PORT after the web's; its e-mails link to the web's.
    assert f"worker PORT={port + 100} SITE_URL={site}" in log


@pytest.mark.parametrize(
    "variables, expected",
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8001"}, "http://127.0.0.1:8001"),
        ({"PORT": "8001", "SITE_URL": "https://crm.example.com"}, "https://crm.example.com"),
    ],
)
def test_site_url_follows_port_unless_set(variables, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL")}
    env.update(variables, DJANGO_SETTINGS_MODULE="crm.settings", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == expected
