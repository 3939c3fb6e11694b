"""Possible duplicates: the same email, the same phone, or the same name (and company).

Found with indexed lookups (the page's groups in the keys the database keeps:
contacts/db/duplicate_keys.py), never by comparing contacts pairwise, and only among the
contacts the user may see.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from contacts import text
from contacts.access import (
    contacts_visible_to,
    is_crm_admin,
    sees_public_contacts,
    view_granted_sql,
    with_company_visibility,
)
from contacts.db.duplicate_keys import COUNTS, KEYS
from contacts.models import Contact, ContactInfo

# The contacts a group shows at most: a phone or an e-mail can be shared by a whole
# company's staff, whom the list's search for the value shows.
MEMBERS = 5
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
    more: bool = False  # more contacts share it than the group shows

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


def groups(user: User, *, offset: int = 0, limit: int = 25) -> tuple[list[Group], bool]:
    """Return (groups of possible duplicates on one page, whether more groups follow).

    A group is a key (duplicate_keys.py) that at least two contacts user may see share.
    Groups come in the order of their first such contact's id; a contact first in
    several comes with its e-mails, then its phones (each by value), then its name.
    No total: for a user who is not an admin it would join every key of every contact
    granted to him, where a page reads only the keys before it.
    """
    if not (user.is_authenticated and user.is_active):
        return [], False
    seen = _Seen(user)
    with connection.cursor() as cursor:
        cursor.execute(*seen.page(offset, limit + 1))
        keys = cursor.fetchall()
        more = len(keys) > limit
        members: dict[tuple[str, str], list[int]] = {(r, v): [] for r, v, _first in keys[:limit]}
        if members:
            cursor.execute(*seen.members(list(members)))
            for reason, value, contact_id in cursor.fetchall():
                members[reason, value].append(contact_id)
    ids = [pk for pks in members.values() for pk in pks]
    found = contacts_visible_to(user).filter(pk__in=ids).select_related("company")
    by_id = {c.pk: c for c in with_company_visibility(user, found)}
    page = []
    for (reason, value), pks in members.items():
        contacts = [by_id[pk] for pk in pks if pk in by_id]
        if reason == "name":
            value = contacts[0].display_name if contacts else ""
        page.append(Group(reason, value, contacts[:MEMBERS], more=len(contacts) > MEMBERS))
    return page, more


class _Seen:
    """The SQL that reads the keys whose contacts a user may see.

    A CRM admin sees every live contact; a CRM user the public ones and those he was
    granted to see; any other user only the latter.
    """

    def __init__(self, user: User) -> None:
        self.user = user
        self.admin = is_crm_admin(user)
        self.public = sees_public_contacts(user)

    def visible(self, key: str) -> tuple[str, list[Any]]:
        """Return the condition that user may see the contact of key row key."""
        if self.admin:
            return f"{key}.is_live", []
        granted, params = view_granted_sql(self.user, f"{key}.contact_id")
        if self.public:
            return f"{key}.is_live AND ({key}.is_public OR {granted})", params
        return f"{key}.is_live AND {granted}", params

    def page(self, offset: int, limit: int) -> tuple[str, list[Any]]:
        """Return the query of (reason, value, first contact's id) of the keys on a page.

        It reads the keys in the order of their contacts' ids and keeps each key at the
        first contact user sees of it, when he sees another: a page costs what comes
        before it, not every key.
        """
        key, key_params = self.visible("k")
        other, other_params = self.visible("o")
        same = "o.reason = k.reason AND o.value = k.value"
        # safe-sql: as above.
        after = (
            # safe-sql: this module's constants; values go as parameters.
            f"EXISTS (SELECT 1 FROM {KEYS} o "  # noqa: S608
            f"WHERE {same} AND o.contact_id > k.contact_id AND {other})"
        )
        if self.admin:
            another, another_params = "1 = 1", []  # n_live counts them
        elif self.public:
            is_public = "CASE WHEN k.is_public THEN 1 ELSE 0 END"
            another, another_params = f"n.n_public - {is_public} >= 1 OR {after}", other_params
        else:
            another, another_params = after, other_params
        # The counts asked per key, not joined: SQLite then reads the keys along their
        # contacts' ids, rather than every candidate to sort them.
        sql = (
            # safe-sql: this module's constants; values go as parameters.
            f"SELECT k.reason, k.value, k.contact_id FROM {KEYS} k WHERE {key} "  # noqa: S608
            f"AND EXISTS (SELECT 1 FROM {COUNTS} n WHERE n.reason = k.reason "
            f"AND n.value = k.value AND n.n_live >= 2 AND ({another})) "
            f"AND NOT EXISTS (SELECT 1 FROM {KEYS} o WHERE {same} "
            f"AND o.contact_id < k.contact_id AND {other}) "
            "ORDER BY k.contact_id, k.reason = 'name', k.reason, k.value LIMIT %s OFFSET %s"
        )
        return sql, [*key_params, *another_params, *other_params, limit, offset]

    def members(self, keys: Sequence[tuple[str, str]]) -> tuple[str, list[Any]]:
        """Return the query of (reason, value, contact id) of the first MEMBERS contacts
        user sees of each key, by id, and one more if there is."""
        visible, params = self.visible("k")
        # safe-sql: as above; the keys go as parameters.
        one = (
            # safe-sql: this module's constants; values go as parameters.
            "SELECT * FROM (SELECT k.reason, k.value, k.contact_id FROM "  # noqa: S608
            f"{KEYS} k WHERE k.reason = %s AND k.value = %s AND {visible} "
            f"ORDER BY k.contact_id LIMIT {MEMBERS + 1}) AS m{{}}"
        )
        sql = " UNION ALL ".join(one.format(n) for n in range(len(keys)))
        return sql, [part for key in keys for part in (*key, *params)]
