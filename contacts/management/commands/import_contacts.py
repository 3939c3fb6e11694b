"""Import contacts from a CSV file, as the wizard does, for big files and scripts."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contacts.forms import parse_tags
from contacts.imports import files, mapping, services
from contacts.imports.models import ImportJob
from contacts.models import Contact

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "colon": ":", "space": " "}


class Command(BaseCommand):
    help = "Import contacts from a CSV file (the columns are mapped by their names)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--user", required=True, help="the user name of the importer")
        parser.add_argument(
            "--delimiter",
            help="one character, or comma, semicolon, tab, colon, space (default: detected)",
        )
        parser.add_argument(
            "--encoding",
            choices=[code for code, _label in files.ENCODINGS],
            help="default: detected",
        )
        parser.add_argument("--quote", choices=['"', "'"], help="default: detected")
        parser.add_argument("--no-header", action="store_true", help="the first row is data")
        parser.add_argument(
            "--duplicates", choices=ImportJob.Duplicates.values, default=ImportJob.Duplicates.SKIP
        )
        parser.add_argument("--match", choices=ImportJob.MatchOn.values, default="email")
        parser.add_argument("--tags", default="", help="comma-separated tags for every contact")
        parser.add_argument("--access", choices=Contact.Access.values, default="private")
        parser.add_argument(
            "--responsible", default="", help="comma-separated user names, besides --user"
        )
        parser.add_argument(
            "--mapping",
            help="a JSON file: a list of targets, one per column, or {column name: target}",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        User = get_user_model()
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['user']!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            # No size limit here: the command is the way for files too big to upload.
            job = services.job_create_from_path(
                by=user, path=path, has_header=not options["no_header"], max_bytes=0
            )
            self._configure(job, options)
        except files.ImportFileError as error:
            raise CommandError(str(error)) from None
        targets = job.mapping
        if options["mapping"]:
            targets = self._mapping(Path(options["mapping"]), job)
        errors = mapping.mapping_errors(targets, job.header)
        if errors:
            raise CommandError(" ".join(errors))
        job.mapping = targets
        job.save(update_fields=["mapping"])
        if not options["json"] and options["verbosity"]:
            for name, target in zip(job.header, targets, strict=True):
                shown = mapping.target_label(target) if target else "-"
                self.stdout.write(f"  {name} → {shown}")
        job = services.job_run_here(job=job)
        self._report(job, options)
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.error)

    def _configure(self, job, options):
        """Store the command's settings on the job, as the wizard's first step does."""
        dialect = files.dialect_of(job)
        if options["encoding"]:
            dialect.encoding = options["encoding"]
        if options["delimiter"]:
            delimiter = DELIMITERS.get(options["delimiter"], options["delimiter"])
            if len(delimiter) != 1:
                raise CommandError("--delimiter must be one character or a name.")
            dialect.delimiter = delimiter
        if options["quote"]:
            dialect.quotechar = options["quote"]
        names = [n.strip() for n in options["responsible"].split(",") if n.strip()]
        responsible = list(get_user_model().objects.filter(username__in=names, is_active=True))
        if len(responsible) != len(set(names)):
            raise CommandError("Unknown user in --responsible.")
        services.job_configure(
            job=job,
            dialect=dialect,
            duplicates=options["duplicates"],
            match_on=options["match"],
            access=options["access"],
            responsible=responsible,
            tags=parse_tags(options["tags"]),
        )

    def _report(self, job, options):
        result = {
            "import": job.pk,
            "status": job.status,
            "rows": job.total_rows,
            "created": job.created,
            "updated": job.updated,
            "skipped": job.skipped,
            "rejected": job.rejected,
            "rejects": job.error_file.path if job.error_file else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            "{status}: {rows} rows, {created} created, {updated} updated, "
            "{skipped} skipped, {rejected} rejected.".format(**result)
        )
        if result["rejects"]:
            self.stdout.write(f"Rejected rows: {result['rejects']}")

    def _mapping(self, path, job):
        try:
            given = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        if isinstance(given, list):
            targets = [str(t or "") for t in given]
            return (targets + [""] * len(job.header))[: len(job.header)]
        if isinstance(given, dict):
            return [str(given.get(name, "") or "") for name in job.header]
        raise CommandError("--mapping must hold a JSON list or object.")
