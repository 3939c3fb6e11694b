from datetime import timedelta

from django.core.management.base import BaseCommand
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contacts.trash.services import purge_trash, schedule_purge_trash


class Command(BaseCommand):
    help = "Delete for good the contacts in the trash for longer than TRASH_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Instead, make sure the worker runs the purge every day.",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            if not purge_trash.get_backend().supports_defer:
                self.stderr.write("The task backend cannot run tasks later: use cron.")
                return
            waiting = DBTaskResult.objects.filter(
                status=TaskResultStatus.READY, task_path=purge_trash.module_path
            )
            if not waiting.exists():
                schedule_purge_trash(delay=timedelta(0))
                self.stdout.write("The daily purge of the trash is scheduled.")
            return
        purged = purge_trash.call()
        self.stdout.write(f"{purged} contacts purged from the trash.")
