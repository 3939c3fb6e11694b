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
