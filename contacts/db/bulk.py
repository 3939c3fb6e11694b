"""Write many contacts at once, with the list's data version and counts kept.

contact_create costs a dozen queries per contact. A bulk writer (the import, the bench
population) writes a batch of contacts in a few statements: the contact rows, their
e-mails, phones and web sites, addresses, tags, responsible users and guardian's rows.

The list's data version (freshness.py), its counts (counts.py) and the overview's
(breakdowns.py), the search's index (search_index.py) and the duplicates' keys
(duplicate_keys.py) are kept by triggers, which would run once per row written:
thousands for a batch. Inside bulk_writes() they stand aside; the block changes the
version once, and adds to the counts, the breakdowns, the index and the keys what its
insert_contacts() wrote, so that a bulk writer cannot forget any. Every bulk writer goes
through this module; nothing else sets the triggers aside.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from django.contrib.auth.models import Group, Permission
from django.db import connection, models

from contacts.access import GROUP_PERMS_BY_ACCESS, OBJECT_PERMS, PUBLIC
from contacts.db import breakdowns, counts, duplicate_keys, freshness, search_index
from contacts.models import (
    CRM_USERS_GROUP,
    Address,
    Contact,
    ContactGroupObjectPermission,
    ContactInfo,
    ContactUserObjectPermission,
    DuplicateKey,
    Position,
    TaggedContact,
)
from contacts.search_text import ParsedPhones, normalized

CONTACT_COLUMNS = [f.attname for f in Contact._meta.concrete_fields]
INFO_FIELDS = ["contact", "kind", "category", "value", "normalized", "is_primary", "position"]
ADDRESS_FIELDS = ["category", "street", "city", "region", "postcode", "country"]


@dataclass(slots=True)
class NewContact:
    """A contact to insert: its row and the rows that go with it.

    row holds a value for every column of CONTACT_COLUMNS (the id included), each as
    get_db_prep_save returns it. The first e-mail, phone, web site and address of the
    contact is its primary one, as contact_create makes it.
    """

    row: dict[str, Any]
    infos: Sequence[Mapping[str, str]] = ()
    addresses: Sequence[Mapping[str, str]] = ()
    tags: Iterable[int] = ()
    responsible: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class Grants:
    """The ids guardian's rows of a contact point to: read once per writer."""

    permissions: dict[str, int]
    crm_users: int

    @classmethod
    def read(cls) -> Grants:
        permissions = Permission.objects.filter(
            content_type__app_label="contacts", codename__in=OBJECT_PERMS
        ).values_list("codename", "pk")
        group = Group.objects.get_or_create(name=CRM_USERS_GROUP)[0]
        return cls(permissions=dict(permissions), crm_users=group.pk)


@dataclass
class BulkWrite:
    """The writes of one bulk_writes() block, and what they add to the list's counts."""

    added: Counter[str] = field(default_factory=Counter)

    def insert_contacts(
        self, contacts: Sequence[NewContact], grants: Grants, phones: ParsedPhones | None = None
    ) -> None:
        """Insert contacts with their rows, count and index them; phones: parsed already."""
        rows = ContactRows(grants, phones)
        broken_down: Counter[breakdowns.Key] = Counter()
        for contact in contacts:
            rows.add(contact)
            self._count(contact)
            _break_down(broken_down, contact)
        rows.insert()
        # Now rather than at the block's end: a later write in the block to one of these
        # contacts finds it indexed, as its trigger expects.
        ids = [contact.row["id"] for contact in contacts]
        search_index.add(ids)
        breakdowns.add(broken_down)

    def _count(self, contact: NewContact) -> None:
        # As the triggers count: a live contact, public or seen by its responsible users,
        # and counted for each of them whatever its access.
        self.added["live"] += 1
        if contact.row["access"] in PUBLIC:
            self.added["public"] += 1
        else:
            self.added.update(counts.user_key(user) for user in contact.responsible)
        self.added.update(counts.responsible_key(user) for user in contact.responsible)
        if not contact.responsible:
            self.added["unassigned"] += 1


def _break_down(found: Counter[breakdowns.Key], contact: NewContact) -> None:
    """Count what a new contact adds to the breakdowns: its responsible users are the users
    granted to view it (ContactRows), each of its tags counted once."""
    row = contact.row
    breakdowns.count_new(
        found,
        access=row["access"],
        kind=row["kind"],
        contact_type_id=row["contact_type_id"],
        source=row["source"],
        created_at=_moment(row["created_at"]),
        viewers=contact.responsible,
        tags=dict.fromkeys(contact.tags),
    )


def _moment(prepared: datetime | str) -> datetime:
    """Return the instant of a DateTimeField's prepared value: SQLite's is UTC as text."""
    if isinstance(prepared, str):
        return datetime.fromisoformat(prepared).replace(tzinfo=UTC)
    return prepared


@contextmanager
def bulk_writes() -> Iterator[BulkWrite]:
    """Within a transaction, write in bulk: the version changes once, counts and index are added.

    An error rolls back the writes, the version, the counts and the index together.
    """
    write = BulkWrite()
    with freshness.bulk_writes():
        yield write
        counts.add(dict(write.added))


class ContactRows:
    """The rows of each table for a batch of new contacts, in insert's shape."""

    def __init__(self, grants: Grants, phones: ParsedPhones | None) -> None:
        self.grants, self.phones = grants, phones
        self.contacts: list[list[Any]] = []
        self.infos: list[tuple[Any, ...]] = []
        self.addresses: list[tuple[Any, ...]] = []
        self.tagged: list[tuple[int, int]] = []
        self.positions: list[tuple[Any, ...]] = []
        self.responsible: list[tuple[int, int]] = []
        self.user_perms: list[tuple[int, int, int]] = []
        self.group_perms: list[tuple[int, int, int]] = []
        self.keys: list[duplicate_keys.Key] = []

    def add(self, contact: NewContact) -> None:
        row, pk, perms = contact.row, contact.row["id"], self.grants.permissions
        self.contacts.append([row[column] for column in CONTACT_COLUMNS])
        seen = set()
        details = []
        for position, info in enumerate(contact.infos):
            kind, value = info["kind"], info["value"]
            primary = kind not in seen
            normal = normalized(kind, value, self.phones)
            self.infos.append((pk, kind, info["category"], value, normal, primary, position))
            seen.add(kind)
            details.append((kind, normal))
        self.keys += duplicate_keys.keys_of_new(pk, row, details)
        for position, address in enumerate(contact.addresses):
            parts = (address.get(f, "") for f in ADDRESS_FIELDS)
            self.addresses.append((pk, *parts, position == 0, position))
        if row.get("company_id") is not None and row["kind"] == Contact.Kind.PERSON:
            # His company is his primary position, as contact_create makes it; with his
            # sort name, which SQLite's trigger would otherwise write again.
            self.positions.append(
                (
                    pk,
                    row["company_id"],
                    row["job_title"],
                    "",
                    True,
                    row["created_at"],
                    row["sort_name"],
                )
            )
        self.tagged += [(pk, tag) for tag in dict.fromkeys(contact.tags)]
        self.responsible += [(pk, user) for user in contact.responsible]
        self.user_perms += [(pk, u, perms[p]) for u in contact.responsible for p in OBJECT_PERMS]
        granted = GROUP_PERMS_BY_ACCESS[Contact.Access(row["access"])]
        self.group_perms += [(pk, self.grants.crm_users, perms[p]) for p in granted]

    def insert(self) -> None:
        insert(Contact, CONTACT_COLUMNS, self.contacts, attnames=True)
        insert(ContactInfo, INFO_FIELDS, self.infos)
        insert(Address, ["contact", *ADDRESS_FIELDS, "is_primary", "position"], self.addresses)
        insert(TaggedContact, ["content_object", "tag"], self.tagged)
        positions = [
            "person",
            "company",
            "job_title",
            "department",
            "is_primary",
            "created_at",
            "sort_name",
        ]
        insert(Position, positions, self.positions)
        insert(Contact.responsible.through, ["contact", "user"], self.responsible)
        guardian = ["content_object", "user", "permission"]
        insert(ContactUserObjectPermission, guardian, self.user_perms)
        guardian = ["content_object", "group", "permission"]
        insert(ContactGroupObjectPermission, guardian, self.group_perms)
        insert(DuplicateKey, ["reason", "value", "contact", "is_live", "is_public"], self.keys)
        duplicate_keys.add_counts(self.keys)


def column_defaults() -> dict[str, Any]:
    """Return every column of a new contact with its default, prepared for the database."""
    return {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in Contact._meta.concrete_fields
    }


def prepared_once(field: models.Field, value: Any) -> Any:
    """Return field.get_db_prep_save(value) for a value many rows share, serialised once.

    On PostgreSQL a JSON value comes as psycopg's Jsonb, which psycopg would otherwise
    serialise again for every row it is written on.
    """
    prepared = field.get_db_prep_save(value, connection)
    dumps = getattr(prepared, "dumps", None)
    if dumps is not None:
        data = dumps(prepared.obj)
        prepared = type(prepared)(prepared.obj, dumps=lambda _obj: data)
    return prepared


def allocate_ids(count: int) -> list[int]:
    """Reserve count contact ids; call inside the transaction that inserts them."""
    table = Contact._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the write lock, so nobody takes these ids meanwhile.
        # Past both the largest id and the AUTOINCREMENT counter: deleted ids are not reused.
        # safe-sql: the model's table name, quoted by the backend.
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        last = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        last = max(last, found[0] if found else 0)
    return list(range(last + 1, last + 1 + count))


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    attnames: bool = False,
) -> None:
    """Insert rows, tuples of values for fields, in one statement or stream.

    Values are those get_db_prep_save returns for their field: on PostgreSQL they go
    through a binary COPY, where each is converted for its column's type.
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    if attnames:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        model_fields = [by_attname[name] for name in fields]
    else:
        model_fields = [cast(models.Field, model._meta.get_field(name)) for name in fields]
    columns = ", ".join(qn(cast(str, f.column)) for f in model_fields)
    with connection.cursor() as cursor:
        # Names come from the model's metadata, quoted; values go as parameters.
        if connection.vendor == "postgresql":
            # Binary rather than text: psycopg converts each value in C by its column's
            # type and the server parses no text, half the CPU of the text format on the
            # client and a quarter less on the server. A value of the wrong type fails
            # loudly, but for one: a str meant for a jsonb column would be stored as a
            # JSON string, which is why values are get_db_prep_save's (a Jsonb there).
            types = [cast(str, f.db_type(connection)).split("(")[0] for f in model_fields]
            # safe-sql: table and columns are quoted names from the model's metadata.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            # safe-sql: quoted names, as above; placeholders holds only "%s".
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, rows)
