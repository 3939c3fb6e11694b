"""Reminders with real workers: two at once send each reminder once, and one started
after the others were killed sends what fell due meanwhile, and nothing twice.

Real `manage.py db_worker` processes on a database of the test's own; the e-mails go
to files (one message each), counted by subject.
"""

import signal
from pathlib import Path

from tests.reliability.support import environment, manage, own_database, probe, processes, wait_for
from tests.reliability.test_faults_import import worker


def emails_by_subject(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in folder.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("Subject: Reminder: "):
                subject = line.removeprefix("Subject: Reminder: ")
                counts[subject] = counts.get(subject, 0) + 1
    return counts


def all_sent(env, count):
    state = probe(env, "reminders_state")
    return len(state) == count and all(s["claimed"] for s in state.values()) and state


def test_two_workers_send_each_reminder_once_and_a_restart_loses_none(tmp_path):
    mails = tmp_path / "mails"
    mails.mkdir()
    with own_database(tmp_path, "reminders") as url, processes(tmp_path) as started:
        env = environment(
            url,
            tmp_path,
            REMINDER_CHECK_SECONDS=1,
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(mails),
        )
        manage(env, "migrate", "--noinput", "-v0")
        probe(env, "setup_reminders", "30", "-1")
        probe(env, "setup_reminders", "30", "3")  # due while both workers run
        first, second = worker(started, env, "worker-1"), worker(started, env, "worker-2")
        state = wait_for(lambda: all_sent(env, 60), timeout=90, message="60 reminders")
        assert {s["notifications"] for s in state.values()} == {1}
        wait_for(lambda: sum(emails_by_subject(mails).values()) >= 60, timeout=60, message="mails")

        # Both killed as a lost machine would be; reminders fall due meanwhile.
        for process in (first, second):
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        probe(env, "setup_reminders", "20", "-30")
        worker(started, env, "worker-3")
        state = wait_for(lambda: all_sent(env, 80), timeout=90, message="80 reminders")
        wait_for(lambda: sum(emails_by_subject(mails).values()) >= 80, timeout=60, message="mails")

        assert {s["notifications"] for s in state.values()} == {1}
        emails = emails_by_subject(mails)
        assert sorted(emails) == sorted(f"Task {n}" for n in range(80))
        assert set(emails.values()) == {1}, started.log("worker-3")
