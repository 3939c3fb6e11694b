"""Possible duplicates: the same email, the same phone, or the same name (and company).

Found with indexed lookups and GROUP BY, never by comparing contacts pairwise, and only
among the contacts the user may see.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Min
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from contacts import text
from contacts.access import contacts_visible_to, with_company_visibility
from contacts.models import Contact, ContactInfo

REASONS = {
    "email": _("Same email"),
    "phone": _("Same phone"),
    "name": _("Same name"),
}


@dataclass
class Group:
    reason: str  # a key of REASONS
    value: str  # the email, the phone or the name they share
    contacts: list[Contact] = field(default_factory=list)

    @property
    def reason_label(self) -> StrOrPromise:
        return REASONS[self.reason]


def matches(
    user: User,
    *,
    kind: str,
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
    company: Contact | None = None,
    new_company: str = "",
    infos: Sequence[Mapping[str, Any]] = (),
) -> list[Contact]:
    """Return the contacts user may see that a new contact with these values would duplicate.

    A person's name matches at the same company (or none); new_company names one to be
    created, at which nobody can work yet.
    """
    visible = with_company_visibility(user, contacts_visible_to(user))
    found: dict[int, Contact] = {}
    emails = [i["value"].strip().lower() for i in infos if i["kind"] == ContactInfo.Kind.EMAIL]
    phones = [
        text.normalize_phone(i["value"]) for i in infos if i["kind"] == ContactInfo.Kind.PHONE
    ]
    values = [v for v in emails + phones if v]
    if values:
        by_info = visible.filter(
            pk__in=ContactInfo.objects.filter(
                kind__in=[ContactInfo.Kind.EMAIL, ContactInfo.Kind.PHONE], normalized__in=values
            ).values("contact_id")
        )
        found.update((c.pk, c) for c in by_info[:10])
    probe = Contact(
        kind=kind, first_name=first_name, last_name=last_name, company_name=company_name
    )
    probe.compute_names()
    if probe.sort_name and not new_company:
        same_name = visible.filter(kind=kind, sort_name=probe.sort_name)[:50]
        # The company compared here, not in SQL: "company IS NULL" would tempt SQLite into
        # the company index, where most persons share the one NULL entry.
        company_id = company.pk if company is not None else None
        found.update(
            (c.pk, c)
            for c in same_name
            if kind != Contact.Kind.PERSON or c.company_id == company_id
        )
    return sorted(found.values(), key=lambda c: (c.sort_name, c.pk))


def groups(user: User, *, offset: int = 0, limit: int = 25) -> tuple[list[Group], int]:
    """Return (groups of possible duplicates on one page, how many groups in all)."""
    visible = contacts_visible_to(user)
    info_keys = list(
        ContactInfo.objects.filter(
            kind__in=[ContactInfo.Kind.EMAIL, ContactInfo.Kind.PHONE],
            contact__in=visible.values("pk"),
        )
        .exclude(normalized="")
        .values("kind", "normalized")
        .annotate(n=Count("contact_id", distinct=True), first=Min("contact_id"))
        .filter(n__gt=1)
        .order_by("first", "kind", "normalized")
    )
    name_keys = list(
        visible.exclude(sort_name="")
        .values("kind", "sort_name", "company_id")
        .annotate(n=Count("pk"), first=Min("pk"))
        .filter(n__gt=1)
        .order_by("first", "sort_name")
    )
    keys: list[tuple[str, Mapping[str, Any]]] = sorted(
        [("info", k) for k in info_keys] + [("name", k) for k in name_keys],
        key=lambda item: item[1]["first"],
    )
    page = []
    for source, key in keys[offset : offset + limit]:
        if source == "info":
            members = visible.filter(
                pk__in=ContactInfo.objects.filter(
                    kind=key["kind"], normalized=key["normalized"]
                ).values("contact_id")
            )
            reason = key["kind"]
        else:
            members = visible.filter(
                kind=key["kind"], sort_name=key["sort_name"], company_id=key["company_id"]
            )
            reason = "name"
        members = with_company_visibility(user, members.select_related("company"))
        contacts = list(members.order_by("pk")[:20])
        value = key.get("normalized") or contacts[0].display_name
        page.append(Group(reason, value, contacts))
    return page, len(keys)
