"""The deployment's topology under load, through bench/load.py.

Two gunicorn servers and two task workers on PostgreSQL and Redis for 12 seconds, in a
database of the test's own (the suite's database name + "_throwaway_loadtest", created and
dropped by the script). PostgreSQL only: several servers on SQLite is not a deployment.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings

from tests.support import CACHE_URL, redis_reachable

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("login", "list", "search", "card", "edit_form", "edit_save", "webform_ts", "webform")

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the load test runs on PostgreSQL only (DATABASE_URL=postgres://…)",
)


@pytest.fixture
def load_database():
    url = os.environ["DATABASE_URL"]
    name = urlsplit(url).path.lstrip("/") + "_throwaway_loadtest"
    yield url, name
    server = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as db:
        found = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    assert found is None, f"the load script left its database {name} behind"


def run_load(url, name, report, seconds=12):
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--seconds", str(seconds)]
    command += ["--database", name, "--json", str(report)]
    env = {**os.environ, "DATABASE_URL": url, "CACHE_URL": CACHE_URL}
    # Fixed arguments and this interpreter.
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # the script stops its servers and workers
        output, _ = process.communicate(timeout=40)
        pytest.fail(f"the load script ran over 90 s:\n{output}")
    return process.returncode, output


def test_two_servers_and_two_workers_keep_every_invariant_under_load(load_database, tmp_path):
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis cannot be reached at {CACHE_URL}")
        pytest.skip(f"Redis cannot be reached at {CACHE_URL}")
    url, name = load_database
    report = tmp_path / "load.json"

    status, output = run_load(url, name, report)

    assert status == 0, output
    result = json.loads(report.read_text())
    assert result["ok"], output
    failed = [c["what"] for c in result["checks"] if not c["holds"]]
    assert failed == [], output
    requests = {row["kind"]: row["requests"] for row in result["figures"]}
    assert all(requests[kind] > 0 for kind in KINDS), requests
    statuses = {s for row in result["figures"] for s in row["statuses"]}
    assert all(s.isdigit() and int(s) < 500 for s in statuses), statuses
    # The submissions: some through, and from each address one refused by the shared limit.
    assert result["accepted_submissions"] >= 3
    assert result["refused_submissions"] == result["addresses"] > 0
    # The edits of the one contact: several saves, each a version and a history entry.
    assert result["saves_accepted"] >= 2
    assert result["version"] == 1 + result["saves_accepted"]
    assert result["history_entries"] == result["version"]
    # One e-mail task per submission (the form notifies one user), run by the workers.
    assert result["tasks"] == result["accepted_submissions"]
    assert set(result["tasks_by_worker"]) <= {"load-worker-1", "load-worker-2"}
    for group in result["process_groups"]:
        with pytest.raises(ProcessLookupError):
            os.killpg(group, 0)
