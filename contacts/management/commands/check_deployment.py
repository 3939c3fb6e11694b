from django.core.management.base import BaseCommand

from crm.deployment import ERROR, WARNING, check_all


class Command(BaseCommand):
    help = (
        "Check a deployment's configuration and what it points to (database, Redis, media "
        "folder, e-mail, task worker, static files); exit 1 on any error."
    )

    def handle(self, *args, **options):
        results = check_all()
        styles = {ERROR: self.style.ERROR, WARNING: self.style.WARNING}
        for result in results:
            style = styles.get(result.level, self.style.SUCCESS)
            self.stdout.write(f"{style(f'{result.level:<8}')} {result.topic:<13} {result.message}")
        errors = sum(r.level == ERROR for r in results)
        warnings = sum(r.level == WARNING for r in results)
        self.stdout.write(f"\n{errors} errors, {warnings} warnings.")
        if errors:
            raise SystemExit(1)
