"""Merging two contacts: one is kept, the other goes to the trash (so a merge can be undone).

The user chooses, field by field, which value wins; contact information, addresses, tags,
responsible users, user-field values, a company's persons, the relations and the history
are combined.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from contacts import history, services
from contacts.access import contacts_visible_to, is_crm_admin
from contacts.custom_fields import values as custom_fields
from contacts.models import Contact, ContactEvent, CustomField, Position
from contacts.positions.primary import persons_at
from contacts.relations import services as relations
from contacts.search_text import normalized
from contacts.trash import services as trash

FIELDS: dict[str, dict[str, StrOrPromise]] = {
    Contact.Kind.PERSON: {
        "first_name": gettext_lazy("First name"),
        "last_name": gettext_lazy("Last name"),
        "job_title": gettext_lazy("Job title"),
        "company": gettext_lazy("Company"),
    },
    Contact.Kind.COMPANY: {"company_name": gettext_lazy("Company name")},
}
COMMON_FIELDS = {
    "contact_type": gettext_lazy("Contact type"),
    "currency": gettext_lazy("Currency"),
    "description": gettext_lazy("Description"),
    "access": gettext_lazy("Access"),
}

# A value that differs: (name, label, value kept, value of the other), as read.
Choice = tuple[str, StrOrPromise, str, str]
# An e-mail, phone or web site, or an address, as ContactData takes them.
Row = dict[str, Any]
T = TypeVar("T")


def choices(keep: Contact, other: Contact) -> list[Choice]:
    """Return [(name, label, value kept, value of the other)] for the values that differ."""
    rows: list[Choice] = []
    for name, label in {**FIELDS[keep.kind], **COMMON_FIELDS}.items():
        mine, theirs = _shown(keep, name), _shown(other, name)
        if mine != theirs and theirs:
            rows.append((name, label, mine, theirs))
    for field in custom_fields.fields_for(keep.kind):
        if field.field_type == CustomField.Type.HEADING:
            continue
        mine, theirs = keep.custom.get(field.key), other.custom.get(field.key)
        if theirs is not None and mine is not None and mine != theirs:
            rows.append(
                (
                    f"custom:{field.pk}",
                    field.label,
                    custom_fields.shown_value(field, mine),
                    custom_fields.shown_value(field, theirs),
                )
            )
    return rows


def takeable(kind: str) -> set[str]:
    """Return the names take may hold for contacts of kind: its fields and user fields."""
    names = {*FIELDS[kind], *COMMON_FIELDS}
    fields = custom_fields.fields_for(kind)
    return names | {f"custom:{f.pk}" for f in fields if f.field_type != CustomField.Type.HEADING}


def _shown(contact: Contact, name: str) -> str:
    if name == "company":
        if contact.live_company and not contact.shown_company:
            return _("a company you cannot see")
        return contact.live_company.display_name if contact.live_company else ""
    if name == "contact_type":
        return contact.contact_type.title if contact.contact_type else ""
    if name == "access":
        return contact.get_access_display()
    return getattr(contact, name)


def persons_hidden_from(user: User, company: Contact) -> int:
    """Return how many persons of company user may not see: a merge would move them too."""
    persons = Contact.objects.filter(company=company)
    return persons.count() - contacts_visible_to(user, persons).count()


@transaction.atomic
def contacts_merge(
    *,
    by: User,
    keep: Contact,
    other: Contact,
    take: Iterable[str] = (),
    source: str | None = None,
    details: Mapping[str, object] | None = None,
) -> Contact:
    """Merge other into keep, taking other's value for each field named in take.

    source and details say in the kept contact's history how the merge came (the API, and
    which token); each refusal's code names it for programs.
    """
    if keep.pk == other.pk:
        raise ValidationError(_("Choose two different contacts."), code="same_contact")
    if keep.kind != other.kind:
        raise ValidationError(_("A person and a company cannot be merged."), code="kind_mismatch")
    # Moving persons one cannot see changes contacts one has no right to: a CRM admin's.
    if not is_crm_admin(by) and persons_hidden_from(by, other):
        raise ValidationError(
            _(
                "“%(other)s” has persons you cannot see, which the merge would move: "
                "only a CRM admin can merge it."
            )
            % {"other": other},
            code="hidden_persons",
        )
    take = set(take)
    fields: dict[str, object] = {}
    for name in [*FIELDS[keep.kind], *COMMON_FIELDS]:
        if name in ("company", "access"):
            continue
        winner = other if name in take else keep
        fields[name] = getattr(winner, name)
    custom: dict[str, object] = {}
    for field in custom_fields.fields_for(keep.kind):
        mine, theirs = keep.custom.get(field.key), other.custom.get(field.key)
        wanted = theirs if (f"custom:{field.pk}" in take or mine is None) else mine
        if wanted is not None:
            custom[field.key] = wanted
    data = services.ContactData(
        kind=keep.kind,
        fields=fields,
        access=(other if "access" in take else keep).access,
        responsible=_union(keep.responsible.all(), other.responsible.all()),
        tags=_tag_names(keep, other),
        infos=_union(_infos(keep), _infos(other), key=lambda i: (i["kind"], _norm(i))),
        addresses=_union(_addresses(keep), _addresses(other), key=_address_key),
        company=(other if "company" in take else keep).live_company,
        custom=custom,
        consent=_consent(keep, other),
    )
    persons = list(Contact.objects.filter(company=other).values_list("pk", flat=True))
    _merge_positions(keep, other)
    # One event says what the merge changed: the kept contact was not created again.
    services.contact_update(
        by=by,
        contact=keep,
        data=data,
        verb=history.Verb.MERGED,
        source=source,
        details={
            **(details or {}),
            "other": other.display_name,
            "other_id": other.pk,
            "persons": len(persons),
        },
    )
    # A company's persons, and the other's history, now belong to the one kept; the
    # other's creation is told by the merge event, so its history starts after it.
    Contact.objects.filter(pk__in=persons).update(company=keep)
    relations.relations_move(keep=keep, other=other)
    if keep.kind == Contact.Kind.COMPANY:
        services.contacts_refresh_search_text(persons_at([keep.pk]))
    ContactEvent.objects.bulk_create(
        ContactEvent(
            contact=keep,
            actor_id=e.actor_id,
            verb=e.verb,
            source=e.source,
            changes=e.changes,
            details={**e.details, "from": other.display_name},
            created_at=e.created_at,
        )
        for e in other.events.exclude(verb=history.Verb.CREATED)
    )
    trash.contacts_trash(by=by, ids=[other.pk])
    return keep


def _consent(keep: Contact, other: Contact) -> services.ConsentData | None:
    """Return the other's consent, as it was stated, when keep's is unknown: a recorded
    given or refused consent is not lost to a merge. None keeps keep's."""
    if keep.consent != Contact.Consent.UNKNOWN or other.consent == Contact.Consent.UNKNOWN:
        return None
    return services.ConsentData(
        status=other.consent,
        source=other.consent_source,
        wording=other.consent_wording,
        at=other.consent_at,
    )


def _merge_positions(keep: Contact, other: Contact) -> None:
    """Give keep the other's positions (a person's), or its staff's (a company's).

    A position that would repeat a current one at the same company is left out; the
    primary position stays keep's, and the contact service then makes the chosen
    company's primary.
    """
    side = "person" if keep.kind == Contact.Kind.PERSON else "company"
    current = {
        (p.person_id, p.company_id)
        for p in Position.objects.filter(**{side: keep}, end_date__isnull=True)
    }
    moved = Position.objects.filter(**{side: other})
    repeated = [
        p
        for p in moved
        if p.end_date is None
        and ((keep.pk, p.company_id) if side == "person" else (p.person_id, keep.pk)) in current
    ]
    Position.objects.filter(pk__in=[p.pk for p in repeated]).delete()
    if side == "person":
        moved.update(person=keep, is_primary=False)
        return
    moved.update(company=keep)
    # A person primary at the other company and also at keep: keep's is his primary now.
    leaders = [p.person_id for p in repeated if p.is_primary]
    Position.objects.filter(person__in=leaders, company=keep, end_date__isnull=True).update(
        is_primary=True
    )


def _tag_names(keep: Contact, other: Contact) -> list[str]:
    """Return the tag names of both contacts, each once whatever its case."""
    return _union(keep.tags.names(), other.tags.names(), key=str.lower)


def _union(
    first: Iterable[T], second: Iterable[T], key: Callable[[T], Hashable] = lambda x: x
) -> list[T]:
    seen: set[Hashable] = set()
    found: list[T] = []
    for item in [*first, *second]:
        if key(item) not in seen:
            seen.add(key(item))
            found.append(item)
    return found


def _infos(contact: Contact) -> list[Row]:
    return [
        {"kind": i.kind, "category": i.category, "value": i.value, "is_primary": i.is_primary}
        for i in contact.infos.all()
    ]


def _norm(info: Row) -> str:
    return normalized(info["kind"], info["value"]) or info["value"].strip().lower()


ADDRESS_FIELDS = ("category", "street", "city", "region", "postcode", "country")


def _addresses(contact: Contact) -> list[Row]:
    return [
        {f: getattr(a, f) for f in (*ADDRESS_FIELDS, "is_primary")} for a in contact.addresses.all()
    ]


def _address_key(address: Row) -> tuple[str, ...]:
    return tuple(" ".join(str(address[f]).lower().split()) for f in ADDRESS_FIELDS[1:])
