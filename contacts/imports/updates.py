"""Complete a contact already in the CRM with a row of the file, keeping what it holds.

The update goes through contact_update, as any change does, after saving what the
contact held (ImportUpdate), so that undo can give it back while nobody changed it since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contacts import services
from contacts.imports.models import ImportJob, ImportUpdate
from contacts.imports.rows import Row
from contacts.imports.undo import snapshot
from contacts.models import Contact, ContactType
from contacts.search_text import ParsedPhones, normalized
from contacts.services import ConsentData, ContactData

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")


def contact_update_from_row(
    *,
    by: User,
    job: ImportJob,
    row: Row,
    contact: Contact,
    type_id: int | None,
    tags: list[str],
    company_id: int | None,
    phones: ParsedPhones,
) -> None:
    """Add what the row holds to contact: empty fields filled, details and tags added.

    type_id and company_id: the row's contact type and company, found or created.
    """
    before = snapshot(contact)
    fields = dict(before["fields"])
    fields.update({n: v for n, v in row.fields.items() if v and n in services.CONTACT_FIELDS})
    fields["contact_type"] = ContactType.objects.filter(
        pk=type_id or before["contact_type"]
    ).first()
    company = None
    if contact.kind == Contact.Kind.PERSON:
        company_id = company_id or before["company"]
        company = Contact.objects.filter(pk=company_id).first() if company_id else None
    data = ContactData(
        kind=contact.kind,
        fields=fields,
        access=contact.access,
        responsible=list(contact.responsible.all()),
        tags=list(dict.fromkeys(before["tags"] + tags)),
        infos=_infos_added(before["infos"], row.infos, phones),
        addresses=_addresses_added(before["addresses"], row.addresses),
        company=company,
        new_company_name=row.company_name if company is None else "",
        company_moved=job.company_moved,
        custom={**before["custom"], **row.custom},
        consent=ConsentData(status=row.consent, source=Contact.ConsentSource.IMPORT)
        if row.consent
        else None,
    )
    services.contact_update(
        by=by,
        contact=contact,
        data=data,
        source=Contact.Source.IMPORT,
        details=job.history_details(),
    )
    ImportUpdate.objects.create(
        job=job, contact=contact, before=before, version_after=contact.version
    )


def _infos_added(
    had: list[dict[str, Any]], new: list[dict[str, Any]], phones: ParsedPhones
) -> list[dict[str, Any]]:
    """Return had, then the e-mails, phones and web sites of new it lacks (not primary)."""

    def key(info: dict[str, Any]) -> tuple[str, str]:
        return info["kind"], normalized(info["kind"], info["value"], phones) or info["value"]

    have = {key(i) for i in had}
    return [*had, *(dict(i, is_primary=False) for i in new if key(i) not in have)]


def _addresses_added(had: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return had, then the addresses of new it lacks (not primary)."""
    known = {tuple(a[p] for p in ADDRESS_PARTS) for a in had}
    added = [a for a in new if tuple(a[p] for p in ADDRESS_PARTS) not in known]
    return [*had, *(dict(a, is_primary=False) for a in added)]
