"""django-tasks-db's worker, which also resumes the imports of workers that died.

django-tasks-db marks a task RUNNING when a worker takes it and never looks at it
again: a worker killed in the middle (OOM killer, deploy, lost machine) leaves its import
RUNNING forever. Every worker therefore checks, at start and then every few seconds in
a thread of its own, for imports whose heartbeat went silent, and queues them again
(contacts.imports.services.jobs_requeue_stalled); they resume after their last
committed batch. The same threads run the checks other apps registered in
contacts.worker (the tasks' reminders, for one). This command replaces django-tasks-db's
of the same name (contacts comes before it in INSTALLED_APPS), so `manage.py db_worker`
stays the one to run.
"""

import os

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from contacts import worker
from contacts.imports.services import jobs_requeue_stalled


def check_interval():
    # Several checks per stall period, but never more than one a second.
    return max(1.0, min(settings.IMPORT_STALLED_SECONDS / 3, 30.0))


def requeue_stalled_imports():
    for job_id in jobs_requeue_stalled():
        worker.logger.warning("Import %s: its worker went silent, queued again", job_id)


worker.register("stalled-imports", check_interval, requeue_stalled_imports)


class Command(db_worker.Command):
    help = db_worker.Command.help + ", resuming interrupted imports and running the apps' checks"

    def handle(self, *args, **options):
        # With --reload the parent process only watches the files: the child works.
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            worker.start_checks()
        return super().handle(*args, **options)
