"""A person's copy of his data: a zip built by the worker, kept for settings.PRIVACY_EXPORT_DAYS.

The zip holds personal-data.json (every place the finders list, with the stored values:
docs/personal-data-export.md), one vCard per contact found (the export's own writer),
timeline.csv and the attachments. The worker deletes the zips past their days every
hour (exports_delete_expired, a check of contacts.worker), and a zip past its days is
refused even before that; `manage.py delete_expired_exports` does the same by hand.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import tempfile
import zipfile
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from contacts.csv_columns import escape_cell
from contacts.exports.services import exported_contacts, vcard
from contacts.models import Contact
from privacy import register
from privacy.finders import Hit, Place, find_everywhere
from privacy.models import PersonalDataExport, PrivacyRequest
from privacy.subjects import Subject, subject_for

logger = logging.getLogger(__name__)

FORMAT = "crm-personal-data"
FORMAT_VERSION = 1


def export_days() -> int:
    return int(settings.PRIVACY_EXPORT_DAYS)


def cleanup_interval() -> float:
    return 3600.0


@transaction.atomic
def export_start(*, by: User, lookup: str, value: str) -> PersonalDataExport:
    """Record the request and queue the building of the person's copy."""
    subject_value = subject_for(lookup, value).value
    request = register.request_log(
        by=by, kind=PrivacyRequest.Kind.EXPORT, lookup=lookup, value=subject_value
    )
    export = PersonalDataExport.objects.create(
        request=request,
        created_by=by,
        lookup=lookup,
        value=value,
        expires_at=timezone.now() + timedelta(days=export_days()),
    )
    transaction.on_commit(partial(export_build.enqueue, export_id=export.pk))
    return export


@task()
def export_build(*, export_id: int) -> None:
    """Build the zip of one export, unless another worker took it or it is done."""
    claimed = PersonalDataExport.objects.filter(
        pk=export_id, status=PersonalDataExport.Status.QUEUED
    ).update(status=PersonalDataExport.Status.RUNNING)
    if not claimed:
        return
    export = PersonalDataExport.objects.select_related("request").get(pk=export_id)
    try:
        export_write(export)
    except Exception:
        logger.exception("Personal data export %s failed", export_id)
        PersonalDataExport.objects.filter(pk=export_id).update(
            status=PersonalDataExport.Status.FAILED, value="", finished_at=timezone.now()
        )
        register.request_finish(
            request=export.request, records=None, outcome=PrivacyRequest.Outcome.FAILED
        )


def export_write(export: PersonalDataExport) -> None:
    """Find the person everywhere, write the zip to storage and mark the export ready."""
    subject = subject_for(export.lookup, export.value)
    places = find_everywhere(subject, limit=None)
    records = sum(len(p.hits) for p in places)
    with tempfile.TemporaryFile() as out:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            write_archive(archive, subject, places)
        out.seek(0)
        name = default_storage.save(f"privacy/export-{export.pk}.zip", File(out))
        size = default_storage.size(name)
    # The value is in the zip now, for its days: the row forgets it.
    PersonalDataExport.objects.filter(pk=export.pk).update(
        status=PersonalDataExport.Status.DONE,
        file=name,
        size=size,
        records=records,
        value="",
        finished_at=timezone.now(),
    )
    outcome = PrivacyRequest.Outcome.DONE if records else PrivacyRequest.Outcome.NOTHING
    register.request_finish(request=export.request, records=records, outcome=outcome)


def document(subject: Subject, places: list[Place]) -> dict[str, Any]:
    """Return the JSON document of the copy (its structure: docs/personal-data-export.md)."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "looked_up_by": {"kind": subject.lookup, "value": subject.value},
        "contacts": list(subject.contact_ids),
        "places": [
            {
                "place": p.finder.key,
                "label": str(p.finder.label),
                "count": len(p.hits),
                "records": [_record(hit) for hit in p.hits],
            }
            for p in places
        ],
    }


def _record(hit: Hit) -> dict[str, Any]:
    return {
        "model": hit.model,
        "id": list(hit.pk) if isinstance(hit.pk, tuple) else hit.pk,
        "title": hit.title,
        "date": hit.date,
        "link": hit.url,
        "data": hit.data,
    }


def write_archive(archive: zipfile.ZipFile, subject: Subject, places: list[Place]) -> None:
    data = json.dumps(
        document(subject, places), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    archive.writestr("personal-data.json", data)
    contacts = Contact.all_objects.filter(pk__in=subject.contact_ids).order_by("pk")
    for contact in exported_contacts(contacts):
        slug = slugify(contact.display_name) or "contact"
        archive.writestr(f"vcards/{contact.pk}-{slug}.vcf", vcard(contact))
    by_key = {p.finder.key: p for p in places}
    archive.writestr(
        "timeline.csv", timeline_csv(by_key["timeline"].hits if "timeline" in by_key else [])
    )
    for place in places:
        for hit in place.hits:
            for stored, inside in hit.files:
                _add_file(archive, stored, inside)


def timeline_csv(hits: list[Hit]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "contact_id", "contact", "category", "by", "text", "attachments"])
    for hit in hits:
        d = hit.data
        writer.writerow(
            [
                d["happened_at"].isoformat(),
                d["contact"],
                escape_cell(hit.title),
                escape_cell(d["category"]),
                escape_cell(d["by"]),
                escape_cell(d["text"]),
                escape_cell(", ".join(d["attachments"])),
            ]
        )
    return "\ufeff" + out.getvalue()


def _add_file(archive: zipfile.ZipFile, stored: str, inside: str) -> None:
    try:
        with default_storage.open(stored, "rb") as source, archive.open(inside, "w") as target:
            while chunk := source.read(1 << 20):
                target.write(chunk)
    except OSError:
        logger.warning("Attachment %s missing from the export", stored)


def export_downloadable(export: PersonalDataExport) -> bool:
    return (
        export.status == PersonalDataExport.Status.DONE
        and bool(export.file)
        and export.expires_at > timezone.now()
    )


def exports_delete_expired() -> int:
    """Delete the zips past their days, and their rows; return how many went.

    A copy still unbuilt a day after it was asked for (its worker killed midway) is
    marked failed, in the register too: an admin asks for another.
    """
    stale = PersonalDataExport.objects.filter(
        status__in=[PersonalDataExport.Status.QUEUED, PersonalDataExport.Status.RUNNING],
        created_at__lt=timezone.now() - timedelta(days=1),
    )
    for export in stale.select_related("request"):
        stale.filter(pk=export.pk).update(status=PersonalDataExport.Status.FAILED, value="")
        register.request_finish(
            request=export.request, records=None, outcome=PrivacyRequest.Outcome.FAILED
        )
    expired = PersonalDataExport.objects.filter(expires_at__lte=timezone.now())
    count = 0
    for export in expired.iterator():
        if export.file.name:
            default_storage.delete(export.file.name)
        export.delete()
        count += 1
    return count
