"""Helpers for the import tests: run a whole import through the services."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from contacts.imports import services
from contacts.imports.models import ImportJob
from contacts.models import Contact
from tests.support import csv_text

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(autouse=True)
def _small_batches(settings):
    settings.IMPORT_BATCH_SIZE = 7


def upload(content, name="contacts.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return ContentFile(content, name=name)


def sample(name):
    return upload((DATA / name).read_bytes(), name=name)


@pytest.fixture
def run_import(alice):
    """Import content (bytes, text or a sample's name) as alice; return the finished job."""

    def run(content, *, by=None, mapping=None, **settings_):
        by = by or alice
        is_sample = isinstance(content, str) and "\n" not in content and (DATA / content).exists()
        file = sample(content) if is_sample else upload(content)
        job = services.job_create(by=by, upload=file)
        for name, value in settings_.items():
            setattr(job, name, value)
        if mapping is not None:
            job.mapping = mapping(job) if callable(mapping) else mapping
        job.responsible = list(dict.fromkeys([by.pk, *job.responsible]))
        job.save()
        services.job_start(job=job)
        job.refresh_from_db()
        return job

    return run


def assert_accounted(job):
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.created + job.updated + job.skipped + job.rejected == job.total_rows
    assert job.rows_done == job.total_rows


def people(n, start=0):
    rows = [["First name", "Last name", "Email", "Phone"]]
    for i in range(start, start + n):
        rows.append(
            [
                f"P{i}",
                f"Name{i}",
                f"p{i}@example.com",
                f"01 23 45 {i // 100 % 100:02d} {i % 100:02d}",
            ]
        )
    return csv_text(*rows)


def contacts_snapshot(primary=True):
    """Return what the database holds of every contact, in a stable order; primary: with
    which e-mail, phone and address is the primary one."""
    info_fields = ["kind", "category", "value", "normalized"] + ["is_primary"] * primary
    address_fields = ["category", "street", "city", "region", "postcode", "country"]
    address_fields += ["is_primary"] * primary
    return [
        (
            c.kind,
            c.first_name,
            c.last_name,
            c.company_name,
            c.company.display_name if c.company else None,
            c.job_title,
            c.contact_type_id,
            c.currency,
            c.description,
            c.access,
            sorted(c.responsible.values_list("username", flat=True)),
            sorted(c.tags.values_list("name", flat=True)),
            sorted(c.infos.values_list(*info_fields)),
            sorted(c.addresses.values_list(*address_fields)),
            c.custom,
            c.display_name,
            c.search_text,
        )
        for c in Contact.objects.order_by("kind", "display_name")
    ]
