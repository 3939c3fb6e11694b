"""Write contacts in bulk, row for row what contact_create writes.

contact_create costs a dozen queries per contact; an import writes a batch of contacts
and everything that goes with them in a few statements: the contact rows, their
contact information and addresses, tags, responsible users and the guardian rows.
"""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import timezone

from contacts.access import GROUP_PERMS_BY_ACCESS, OBJECT_PERMS, PUBLIC
from contacts.db import counts, freshness
from contacts.imports.rows import phone_parts
from contacts.models import (
    CRM_USERS_GROUP,
    Address,
    Contact,
    ContactEvent,
    ContactGroupObjectPermission,
    ContactInfo,
    ContactUserObjectPermission,
    TaggedContact,
)
from contacts.search_text import search_text_for
from contacts.services import new_contact_defaults

INFO_FIELDS = ["contact", "kind", "category", "value", "normalized", "is_primary", "position"]
ADDRESS_FIELDS = ["category", "street", "city", "region", "postcode", "country"]


class ContactWriter:
    """Insert new contacts with their rows; one instance per import run."""

    def __init__(self, *, by, job):
        self.by = by
        self.job = job
        self.columns = [f.attname for f in Contact._meta.concrete_fields]
        self.json_field = Contact._meta.get_field("custom")
        self.perms = dict(
            Permission.objects.filter(
                content_type__app_label="contacts", codename__in=OBJECT_PERMS
            ).values_list("codename", "pk")
        )
        self.group = Group.objects.get_or_create(name=CRM_USERS_GROUP)[0].pk
        self.scratch = Contact()
        self.pending = []
        # The same defaults as contact_create's, read once for the whole run.
        self.defaults = new_contact_defaults(by=by, source=Contact.Source.IMPORT)

    def add(
        self,
        *,
        kind,
        fields,
        infos,
        addresses,
        tags,
        custom,
        access,
        responsible,
        company_id=None,
        company_display="",
        text_keys=(),
    ):
        """Queue one contact; return its future row as a dict (its id is set by flush)."""
        scratch = self.scratch
        scratch.kind = kind
        for name in ("first_name", "last_name", "company_name", "job_title"):
            setattr(scratch, name, fields.get(name, ""))
        if kind == Contact.Kind.PERSON:
            scratch.company_name = ""
        scratch.compute_names()
        scratch.custom = custom
        row = {
            "kind": kind,
            "first_name": scratch.first_name,
            "last_name": scratch.last_name,
            "company_name": scratch.company_name,
            "job_title": fields.get("job_title", ""),
            # An empty cell names no currency: the contact gets the default one.
            "currency": fields.get("currency") or self.defaults.currency,
            "description": fields.get("description", ""),
            "contact_type_id": fields.get("contact_type_id"),
            "company_id": company_id if kind == Contact.Kind.PERSON else None,
            "access": access,
            "custom": custom,
            "display_name": scratch.display_name,
            "sort_name": scratch.sort_name,
            "search_text": search_text_for(
                scratch, infos, company_display, text_keys, phone_digits=_phone_digits
            ),
        }
        self.pending.append((row, infos, addresses, tags, responsible))
        return row

    def flush(self):
        """Insert every queued contact; return them, each with its id."""
        pending, self.pending = self.pending, []
        if not pending:
            return []
        ids = allocate_ids(len(pending))
        now = Contact._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
        base = {
            f.attname: f.get_db_prep_save(f.get_default(), connection)
            for f in Contact._meta.concrete_fields
        }
        defaults = self.defaults
        base.update(
            created_at=now,
            updated_at=now,
            created_by_id=defaults.created_by.pk,
            updated_by_id=defaults.created_by.pk,
            source=defaults.source,
            import_job_id=self.job.pk,
            version=defaults.version,
            photo="",
            photo_thumb="",
        )
        contacts, infos, addresses, tagged, responsible, user_perms, group_perms = (
            [] for _ in range(7)
        )
        perms = self.perms
        no_custom = prepared_once(self.json_field, {})
        for pk, (row, row_infos, row_addresses, tags, users) in zip(ids, pending, strict=True):
            row["id"] = pk
            values = dict(base)
            values.update(row)
            custom = row["custom"]
            values["custom"] = (
                no_custom if custom == {} else self.json_field.get_db_prep_save(custom, connection)
            )
            contacts.append([values[c] for c in self.columns])
            seen = set()
            for position, info in enumerate(row_infos):
                kind = info["kind"]
                infos.append(
                    (
                        pk,
                        kind,
                        info["category"],
                        info["value"],
                        normalized(kind, info["value"]),
                        kind not in seen,
                        position,
                    )
                )
                seen.add(kind)
            for position, address in enumerate(row_addresses):
                addresses.append(
                    (pk, *(address.get(f, "") for f in ADDRESS_FIELDS), position == 0, position)
                )
            tagged += [(pk, tag) for tag in dict.fromkeys(tags)]
            responsible += [(pk, user) for user in users]
            user_perms += [(pk, user, perms[p]) for user in users for p in OBJECT_PERMS]
            group_perms += [
                (pk, self.group, perms[p])
                for p in GROUP_PERMS_BY_ACCESS[Contact.Access(row["access"])]
            ]
        # The list's data version changes once for the batch, not once per row written,
        # and its counts by what the batch adds.
        with freshness.bulk_writes():
            counts.add(batch_counts(pending))
            insert(Contact, self.columns, contacts, attnames=True)
            insert(ContactInfo, INFO_FIELDS, infos)
            insert(Address, ["contact", *ADDRESS_FIELDS, "is_primary", "position"], addresses)
            insert(TaggedContact, ["content_object", "tag"], tagged)
            insert(Contact.responsible.through, ["contact", "user"], responsible)
            insert(
                ContactUserObjectPermission, ["content_object", "user", "permission"], user_perms
            )
            insert(
                ContactGroupObjectPermission,
                ["content_object", "group", "permission"],
                group_perms,
            )
        # Each contact's history starts here, as contact_create's does.
        prep = {
            name: prepared_once(ContactEvent._meta.get_field(name), value)
            for name, value in (("changes", []), ("details", {"import": self.job.pk}))
        }
        events = [
            (
                pk,
                defaults.created_by.pk,
                ContactEvent.Verb.CREATED,
                defaults.source,
                *prep.values(),
                now,
            )
            for pk in ids
        ]
        insert(ContactEvent, [*EVENT_FIELDS, *prep, "created_at"], events)
        return [row for row, *_rest in pending]


EVENT_FIELDS = ["contact", "actor", "verb", "source"]


def batch_counts(pending):
    """Return what the new contacts add to the list's counts (contacts/counts.py)."""
    added = {"live": len(pending), "public": 0}
    for row, *_rest, users in pending:
        if row["access"] in PUBLIC:
            added["public"] += 1
        else:
            for user in users:
                key = counts.user_key(user)
                added[key] = added.get(key, 0) + 1
    return added


def prepared_once(field, value):
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


def normalized(kind, value):
    if kind == ContactInfo.Kind.PHONE:
        return phone_parts(value)[0]
    if kind == ContactInfo.Kind.EMAIL:
        return value.strip().lower()
    return ""


def _phone_digits(value):
    return phone_parts(value)[1]


def allocate_ids(count):
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


def insert(model, fields, rows, attnames=False):
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
        model_fields = [model._meta.get_field(name) for name in fields]
    columns = ", ".join(qn(f.column) for f in model_fields)
    with connection.cursor() as cursor:
        # Names come from the model's metadata, quoted; values go as parameters.
        if connection.vendor == "postgresql":
            # Binary rather than text: psycopg converts each value in C by its column's
            # type and the server parses no text, half the CPU of the text format on the
            # client and a quarter less on the server. A value of the wrong type fails
            # loudly, but for one: a str meant for a jsonb column would be stored as a
            # JSON string, which is why values are get_db_prep_save's (a Jsonb there).
            types = [f.db_type(connection).split("(")[0] for f in model_fields]
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
