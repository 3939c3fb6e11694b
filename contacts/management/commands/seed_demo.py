"""Load demo data for a first run, or a large reproducible population for benchmarks."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contacts.db.statistics import refresh_statistics
from contacts.demo.address_book import DEMO_USERS, PASSWORD
from contacts.demo.demo import seed_demo
from contacts.demo.population import seed_population


class Command(BaseCommand):
    help = "Load demo data, or with --contacts a large reproducible population for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any user exists."
        )
        parser.add_argument("--contacts", type=int, help="Bulk-create this many contacts.")
        parser.add_argument("--users", type=int, default=50, help="Users for --contacts.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed for --contacts.")

    def handle(self, *args, **options):
        if options["contacts"] is not None:
            self.seed_population(options["contacts"], options["users"], options["seed"])
            return
        User = get_user_model()
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Users exist already: no demo data loaded.")
        else:
            if User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).exists():
                raise CommandError("The demo users exist already: use an empty database.")
            count = seed_demo()
            self.stdout.write(f"Loaded {count} demo contacts.")
        self.print_logins([(name, role) for name, _, _, role in DEMO_USERS])

    def seed_population(self, contacts, users, seed):
        started = time.perf_counter()
        seed_population(contacts, users, seed)
        refresh_statistics()
        self.stdout.write(
            f"Seeded {contacts} contacts and {users} users "
            f"in {time.perf_counter() - started:.1f} s."
        )
        self.print_logins([(f"user1 … user{users}", "ordinary users")])

    def print_logins(self, logins):
        # SITE_URL: the address the e-mails link to, which make run's server answers on.
        url = settings.SITE_URL.rstrip("/") + "/"
        self.stdout.write(f"\nOpen {url} and log in with password {PASSWORD} as:")
        for name, role in logins:
            self.stdout.write(f"  {name:<20} {role}")
