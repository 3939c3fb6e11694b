"""Each sample file imports with the expected counts and values (SPEC I1–I5)."""

from contacts.models import Contact
from tests.contacts.imports.conftest import assert_accounted


def test_google_contacts(run_import):
    job = run_import("google-contacts.csv", duplicates="create")
    assert_accounted(job)
    print(job.created, job.skipped, job.rejected, job.companies_created)
    for i in job.issues.all():
        print(i.line, i.outcome, i.reason)
    assert 0


def test_all_samples_debug(run_import):
    for name in ["outlook-contacts.csv", "linkedin-connections.csv", "excel-fr-semicolon-cp1252.csv", "companies-utf16-tab.txt"]:
        job = run_import(name, duplicates="create")
        print(name, job.status, job.error, job.encoding, repr(job.delimiter), job.skip_records, job.total_rows, job.created, job.skipped, job.rejected, job.companies_created)
        print(list(zip(job.header, job.mapping)))
        for i in job.issues.all():
            print(i.line, i.outcome, i.reason)
    assert 0
