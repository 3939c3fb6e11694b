"""A worker killed in the middle of an import: whole contacts only, a clear status, and
the import resumes by itself, once, after its last committed batch.

Real processes: `manage.py db_worker` on a database of the test's own (SQLite file or
PostgreSQL database, like the rest of the suite), killed with SIGKILL as the OOM killer
or a lost machine would; then two new workers, which must not both resume it.
"""

import csv
import signal
import time

from tests.reliability.support import (
    PYTHON,
    environment,
    manage,
    own_database,
    probe,
    processes,
    sql_reader,
    wait_for,
)

ROWS = 3000
BATCH = 150
STALLED_SECONDS = 2
TAGS = ["Lead", "Customer", "Partner"]


def write_csv(path):
    """Write ROWS persons, each with a unique email, a phone and one or two tags."""
    expected = {}
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["First name", "Last name", "Email", "Mobile phone", "Tags"])
        for n in range(ROWS):
            email = f"person{n:05d}@example.com"
            phone = f"+336{n:08d}"
            tags = sorted({TAGS[n % 3], TAGS[(n // 3) % 3]})
            writer.writerow([f"First{n}", f"Last{n}", email, phone, ", ".join(tags)])
            expected[email] = {
                "name": [f"First{n}", f"Last{n}"],
                "emails": [email],
                "phones": [phone],
                "tags": tags,
                "responsible": ["alice"],
            }
    return expected


def assert_whole_contacts(state, expected):
    """Every imported contact is a row of the file, whole, and each row is there once."""
    contacts = state["contacts"]
    assert all(len(found) == 1 for found in contacts.values()), "a row was imported twice"
    assert {email: found[0] for email, found in contacts.items()} == {
        email: expected[email] for email in contacts
    }


def worker(started, env, name):
    args = [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    return started.start(name, [*args, "--interval", "0.1", "--worker-id", name], env)


def test_an_import_whose_worker_is_killed_keeps_whole_batches_and_resumes_once(tmp_path):
    expected = write_csv(tmp_path / "people.csv")
    with own_database(tmp_path, "faults_import") as url, processes(tmp_path) as started:
        env = environment(
            url,
            tmp_path,
            IMPORT_BATCH_SIZE=BATCH,
            IMPORT_STALLED_SECONDS=STALLED_SECONDS,
            DEBUG=1,
        )
        manage(env, "migrate", "--noinput", "-v0")
        job = probe(env, "setup_import", str(tmp_path / "people.csv"))["job"]
        query = sql_reader(url)

        def progress():
            return query("SELECT status, rows_done FROM contacts_importjob WHERE id = %s", [job])[0]

        first = worker(started, env, "worker-1")
        # Some batches committed, far from the end: kill it as the OOM killer would.
        wait_for(lambda: progress()[1] >= 3 * BATCH, timeout=60, message="3 batches")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

        state = probe(env, "import_state", str(job))
        status, rows_done = state["status"], state["rows_done"]
        assert status == "running", "the killed worker could not say anything"
        assert BATCH * 3 <= rows_done < ROWS
        assert rows_done % BATCH == 0, "only whole batches are committed"
        assert len(state["contacts"]) == rows_done == state["created"]
        assert_whole_contacts(state, expected)
        # Exactly the first rows of the file: the batches are committed in order.
        assert sorted(state["contacts"]) == sorted(expected)[:rows_done]

        # Once the worker has been silent long enough, the page says what happened.
        time.sleep(STALLED_SECONDS + 0.5)
        url_of_job = f"/contacts/imports/{job}/"
        english = probe(env, "page", url_of_job, "en")
        assert english["status"] == 200
        assert "Interrupted: will resume" in english["html"]
        assert "resumes from there by itself as soon as a worker runs again" in english["html"]
        french = probe(env, "page", url_of_job, "fr")
        assert "Interrompu : reprise automatique" in french["html"]

        # Two new workers: one of them takes the import over, from the last batch.
        worker(started, env, "worker-2")
        worker(started, env, "worker-3")
        wait_for(
            lambda: progress()[0] in ("done", "failed"), timeout=90, message="the import's end"
        )

        state = probe(env, "import_state", str(job))
        assert state["status"] == "done", started.log("worker-2") + started.log("worker-3")
        assert state["run_start_rows"] == rows_done, "it resumed, not from zero"
        assert state["rows_done"] == state["created"] == ROWS
        assert_whole_contacts(state, expected)
        assert sorted(state["contacts"]) == sorted(expected)
        # The first task stays RUNNING (its worker died); one new task, run once.
        statuses = probe(env, "tasks", "contacts.imports.services.run_import")["statuses"]
        assert sorted(statuses) == ["RUNNING", "SUCCESSFUL"]


# The recovery itself, in this process (the tasks run at once here)


def _job_left_running(alice, heartbeat_seconds_ago):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from contacts.imports import services
    from contacts.imports.models import ImportJob

    csv_text = "First name,Email\r\n" + "".join(f"P{i},p{i}@example.com\r\n" for i in range(5))
    job = services.job_create(by=alice, upload=ContentFile(csv_text.encode(), name="p.csv"))
    beat = timezone.now() - timedelta(seconds=heartbeat_seconds_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", run_token="dead", heartbeat_at=beat, run_started_at=beat
    )
    return job


def test_a_silent_import_is_queued_again_once_and_finishes(alice, settings):
    from contacts.imports import services
    from contacts.models import Contact

    settings.IMPORT_STALLED_SECONDS = 60
    job = _job_left_running(alice, heartbeat_seconds_ago=61)

    assert services.jobs_requeue_stalled() == [job.pk]
    assert services.jobs_requeue_stalled() == []

    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 5)
    assert Contact.objects.count() == 5


def test_an_import_whose_worker_beat_recently_is_left_to_it(alice, settings):
    from contacts.imports import services

    settings.IMPORT_STALLED_SECONDS = 60
    job = _job_left_running(alice, heartbeat_seconds_ago=30)

    assert services.jobs_requeue_stalled() == []
    job.refresh_from_db()
    assert (job.status, job.run_token) == ("running", "dead")


def _job_queued_behind_a_task(alice, settings, *, claimed_seconds_ago):
    """A queued job whose task a worker took claimed_seconds_ago (None: nobody took it)."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from contacts.imports import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    csv_text = "First name,Email\r\n" + "".join(f"P{i},p{i}@example.com\r\n" for i in range(5))
    job = services.job_create(by=alice, upload=ContentFile(csv_text.encode(), name="p.csv"))
    job = services.job_start(job=job)
    if claimed_seconds_ago is not None:
        started = timezone.now() - timedelta(seconds=claimed_seconds_ago)
        task = DBTaskResult.objects.filter(args_kwargs__kwargs__job_id=job.pk)
        task.update(status="RUNNING", started_at=started, worker_ids=["dead"])
    return job


def test_a_job_whose_worker_died_before_marking_it_running_is_queued_again(alice, settings):
    from django_tasks_db.models import DBTaskResult

    from contacts.imports import services

    settings.IMPORT_STALLED_SECONDS = 60
    job = _job_queued_behind_a_task(alice, settings, claimed_seconds_ago=61)

    assert services.jobs_requeue_stalled() == [job.pk]
    assert services.jobs_requeue_stalled() == []

    old = job.run_token
    job.refresh_from_db()
    assert (job.status, job.run_token != old) == ("queued", True)
    ready = DBTaskResult.objects.filter(status="READY").values_list("args_kwargs", flat=True)
    assert [a["kwargs"] for a in ready] == [{"job_id": job.pk, "token": job.run_token}]


def test_a_job_waiting_for_a_worker_or_just_taken_is_left_alone(alice, settings):
    from contacts.imports import services

    settings.IMPORT_STALLED_SECONDS = 60
    waiting = _job_queued_behind_a_task(alice, settings, claimed_seconds_ago=None)
    assert services.jobs_requeue_stalled() == []
    taken = _job_queued_behind_a_task(alice, settings, claimed_seconds_ago=5)
    assert services.jobs_requeue_stalled() == []
    for job in (waiting, taken):
        token = job.run_token
        job.refresh_from_db()
        assert (job.status, job.run_token) == ("queued", token)


def test_db_worker_is_the_one_that_resumes_imports():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "contacts"
