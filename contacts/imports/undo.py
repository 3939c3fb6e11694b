"""Undo an import: its contacts to the trash, the contacts it updated given their values back.

An import that updated a contact saved first what the contact held (snapshot, in an
ImportUpdate). Undo is refused while a contact changed since the import: giving back
the import's values would lose that change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from contacts import services
from contacts.access import contacts_visible_to
from contacts.imports.models import ImportJob, ImportUpdate
from contacts.models import Contact, ContactType
from contacts.services import ConsentData, ContactData
from contacts.trash import services as trash

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Status = ImportJob.Status
UNDO_CHUNK = 500
ENDED = (Status.DONE, Status.CANCELLED, Status.FAILED)


def snapshot(contact: Contact) -> dict[str, Any]:
    """Return what undo needs to give contact back its values."""
    fields = {
        name: getattr(contact, name) for name in services.CONTACT_FIELDS if name != "contact_type"
    }
    return {
        "fields": fields,
        "contact_type": contact.contact_type_id,
        "company": contact.company_id,
        "infos": [
            {"kind": i.kind, "category": i.category, "value": i.value, "is_primary": i.is_primary}
            for i in contact.infos.all()
        ],
        "addresses": [
            {
                "category": a.category,
                "street": a.street,
                "city": a.city,
                "region": a.region,
                "postcode": a.postcode,
                "country": a.country,
                "is_primary": a.is_primary,
            }
            for a in contact.addresses.all()
        ],
        "tags": sorted(t.name for t in contact.tags.all()),
        "custom": dict(contact.custom),
        "consent": {
            "status": contact.consent,
            "source": contact.consent_source,
            "wording": contact.consent_wording,
            "at": contact.consent_at.isoformat() if contact.consent_at else None,
        },
    }


def undo_blockers(job: ImportJob) -> list[Contact] | None:
    """Return the contacts that changed since the import, which keep it from being undone.

    None when the import has not ended: there is nothing to undo yet.
    """
    if job.status not in ENDED:
        return None
    changed = list(Contact.objects.filter(import_job=job, version__gt=1).order_by("pk")[:10])
    last = {}
    for update in ImportUpdate.objects.filter(job=job).order_by("pk"):
        last[update.contact_id] = update.version_after
    if last:
        versions = dict(Contact.objects.filter(pk__in=last).values_list("pk", "version"))
        changed_ids = [pk for pk, v in versions.items() if v != last[pk]][:10]
        changed += list(Contact.objects.filter(pk__in=changed_ids))
    return changed


def blockers_seen_by(user: User, blockers: list[Contact]) -> list[Contact | None]:
    """Return each blocker, or None where user may no longer see it.

    Someone else may have renamed it and made it private since the import: its new name
    is not the importer's to read.
    """
    visible = set(
        contacts_visible_to(
            user, Contact.objects.filter(pk__in=[c.pk for c in blockers])
        ).values_list("pk", flat=True)
    )
    return [c if c.pk in visible else None for c in blockers]


def can_undo(job: ImportJob) -> bool:
    return bool(job.status in ENDED and (job.created or job.updated) and not undo_blockers(job))


@transaction.atomic
def job_undo(*, by: User, job: ImportJob) -> ImportJob:
    """Delete what the import created and give what it updated its values back."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    blockers = undo_blockers(job)
    if blockers is None:
        raise ValidationError(_("Only a finished, cancelled or stopped import can be undone."))
    if blockers:
        names = ", ".join(
            c.display_name if c else _("a contact you cannot see")
            for c in blockers_seen_by(by, blockers[:5])
        )
        raise ValidationError(
            _(
                "Some contacts of this import changed since (%(names)s): undoing it would "
                "lose those changes."
            )
            % {"names": names}
        )
    first: dict[int, ImportUpdate] = {}
    for update in ImportUpdate.objects.filter(job=job).select_related("contact").order_by("pk"):
        first.setdefault(update.contact_id, update)
    for update in first.values():
        _restore(by, update.contact, update.before, update.job_id)
    created = Contact.objects.filter(import_job=job)
    while ids := list(created.values_list("pk", flat=True)[:UNDO_CHUNK]):
        # To the trash, as every deletion: the undo can be undone for TRASH_DAYS.
        trash.contacts_trash(by=by, ids=ids)
    ImportUpdate.objects.filter(job=job).delete()
    job.status = Status.UNDONE
    job.save(update_fields=["status"])
    return job


def _restore(by: User, contact: Contact, before: dict[str, Any], job_id: int) -> None:
    """Give contact back the values snapshot saved before the import updated it."""
    fields = dict(before["fields"])
    fields["contact_type"] = ContactType.objects.filter(pk=before["contact_type"]).first()
    company = Contact.objects.filter(pk=before["company"]).first() if before["company"] else None
    services.contact_update(
        by=by,
        source=Contact.Source.IMPORT,
        details={"import": job_id, "undo": True},
        contact=contact,
        data=ContactData(
            kind=contact.kind,
            fields=fields,
            access=contact.access,
            responsible=list(contact.responsible.all()),
            tags=before["tags"],
            infos=before["infos"],
            addresses=before["addresses"],
            company=company,
            custom=before["custom"],
            consent=_consent_before(before),
        ),
    )


def _consent_before(before: dict[str, Any]) -> ConsentData | None:
    """Return the consent the contact held before the import, dated as it was; None for a
    snapshot taken before contacts held one."""
    consent = before.get("consent")
    if consent is None:
        return None
    at = parse_datetime(consent["at"]) if consent["at"] else None
    return ConsentData(
        status=consent["status"], source=consent["source"], wording=consent["wording"], at=at
    )
