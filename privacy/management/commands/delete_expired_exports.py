from django.core.management.base import BaseCommand

from privacy.exports import exports_delete_expired


class Command(BaseCommand):
    help = "Delete the copies of personal data past their days (the worker does it hourly)."

    def handle(self, *args, **options):
        count = exports_delete_expired()
        self.stdout.write(f"{count} expired export(s) deleted.")
