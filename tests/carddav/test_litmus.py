"""litmus, the WebDAV compliance suite (Debian's package), against an address book on a
live server: its basic and props suites, each result held to what the README says.

The address books are not a file store: what litmus does to one that the CRM refuses on
purpose is in EXPECTED with the reason the README gives. Both suites begin by making a
collection of their own inside the book (MKCOL), where every other test works; an
address book holds the cards of contacts and nothing else, so the CRM refuses it, and
litmus stops there. Should a suite get further, this test fails and says what it saw.
"""

import os
import re
import shutil
import subprocess

import pytest

from accounts.app_passwords import app_password_create

pytestmark = pytest.mark.slow

LITMUS = shutil.which("litmus")


def run_litmus(url, password, suite, folder):
    """Return {test name: "pass" | "FAIL" | "SKIPPED" | "WARNING"} of one litmus suite,
    run in folder (litmus writes its debug.log and child.log where it runs)."""
    result = subprocess.run(  # noqa: S603 - Debian's litmus, arguments of our own
        [LITMUS, "--keep-going", url, "alice", password],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TESTS": suite},
        cwd=folder,
        check=False,
    )
    outcomes = {}
    for match in re.finditer(
        r"^\s*\d+\.\s+(\w+)\.+\s*(pass|FAIL|SKIPPED|WARNING)", result.stdout, re.M
    ):
        outcomes[match[1]] = match[2]
    assert outcomes, result.stdout + result.stderr
    return outcomes, result.stdout


@pytest.fixture
def litmus_target(live_server, transactional_db, alice, make_contact):
    if LITMUS is None:
        if os.environ.get("CI"):
            pytest.fail("litmus is not installed: .ci/run installs Debian's package")
        pytest.skip("litmus is not installed (apt-get install litmus)")
    make_contact(first_name="Ada", last_name="Lovelace")
    password = app_password_create(user=alice, name="litmus")[1]
    return f"{live_server.url}/dav/addressbooks/alice/all/", password


# What each suite does, and why it ends where it does (README, "CardDAV", litmus).
EXPECTED = {"init": "pass", "begin": "FAIL"}


@pytest.mark.parametrize("suite", ["basic", "props"])
def test_litmus_suites_end_where_the_readme_says(litmus_target, suite, tmp_path):
    url, password = litmus_target

    outcomes, output = run_litmus(url, password, suite, tmp_path)

    assert outcomes == EXPECTED, output
    assert f"MKCOL {url.removeprefix(url.split('/dav/')[0])}litmus/" in output.replace("`", "")
