"""/api/v1/contacts: the contacts the caller may see, as the list and the card show them.

The filters are the list page's own (contacts.selectors.contacts_listed reads the same
parameters), so the API and the page find the same contacts. A person's company, and his
positions, appear only where the caller may see the company, as on the card.
"""

import datetime
import json
from typing import Any, Literal, cast

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from api import cursors
from api.ids import Id
from api.moments import utc
from contacts.access import contacts_visible_to, with_company_visibility
from contacts.models import Contact, ContactInfo
from contacts.positions.models import Position
from contacts.relations.models import Relation, RelationType
from contacts.relations.services import relation_types_cached
from contacts.selectors import contacts_listed

router = Router(tags=["contacts"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Detail(BaseModel):
    value: str
    category: str
    primary: bool


class AddressOut(BaseModel):
    category: str
    street: str
    city: str
    region: str
    postcode: str
    country: str
    primary: bool


class Ref(BaseModel):
    id: int
    name: str


class UserRef(BaseModel):
    id: int
    username: str
    name: str


class PositionOut(BaseModel):
    company: Ref
    job_title: str
    department: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    primary: bool


class RelationOut(BaseModel):
    id: int
    type: int = Field(description="The relation type's id")
    label: str = Field(description="The relation read from this contact: “assistant of”")
    other: Ref


class ConsentOut(BaseModel):
    status: Literal["unknown", "given", "refused"] = Field(
        description="Consent to marketing e-mail"
    )
    date: datetime.datetime | None = Field(description="When it was given or refused")
    source: Literal["form", "import", "web_form", "api", ""] = Field(
        description="How it came: the contact form, an import, a website form, the API"
    )
    wording: str = Field(description="The words the person was shown")


class ContactOut(BaseModel):
    """A contact. With fields=…, only the fields named (and id) are given."""

    id: int
    kind: Literal["person", "company"] | None = None
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    company: Ref | None = None
    positions: list[PositionOut] | None = None
    relations: list[RelationOut] | None = None
    contact_type: Ref | None = None
    currency: str | None = None
    description: str | None = None
    access: Literal["private", "public_read", "public_rw"] | None = None
    source: str | None = None
    consent: ConsentOut | None = None
    emails: list[Detail] | None = None
    phones: list[Detail] | None = None
    urls: list[Detail] | None = None
    addresses: list[AddressOut] | None = None
    tags: list[str] | None = None
    responsible: list[UserRef] | None = None
    custom: dict[str, Any] | None = None
    photo_url: str | None = None
    version: int | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None


FIELDS = set(ContactOut.model_fields) - {"id"}
_ONE_FIELD = "|".join(sorted(ContactOut.model_fields))
FIELDS_PATTERN = rf"^(({_ONE_FIELD})(,({_ONE_FIELD}))*)?$"


class ContactPage(BaseModel):
    results: list[ContactOut]
    next_cursor: str | None = Field(
        description="Give it as cursor for the next page; null on the last page."
    )


class ListParams(Schema):
    """The list page's filters, and the API's paging. Filters on user fields are
    cf_<field id>=<value> (cf_<id>_min and cf_<id>_max for numbers), as on the page."""

    q: str = Field("", max_length=200, description="Words found in names, e-mails, phones…")
    kind: Literal["", "person", "company"] = ""
    type: str = Field("", description="A contact type's id, or none")
    tag: list[str] = Field([], description="Tag names: all of them, or any with tag_mode")
    tag_mode: Literal["", "all", "any"] = ""
    responsible: str = Field("", description="A user's id, me, or none")
    access: Literal["", "private", "public_read", "public_rw"] = ""
    currency: str = Field("", max_length=3)
    created: str = Field("", description="As the list page: 7, 30, 90 (days)…")
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    works_at: Id | None = Field(None, description="A company's id: its current people")
    works_when: Literal["", "any"] = ""
    changed_since: datetime.datetime | None = Field(
        None, description="Only the contacts changed at or after this time (incremental sync)"
    )
    sort: Literal["id", "-id", "created", "-created", "changed", "-changed", "name", "-name"] = "id"
    cursor: str = ""
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    fields: str = Field(
        "", pattern=FIELDS_PATTERN, description="Comma-separated fields to give (id always)"
    )


def _fields(asked: str) -> set[str]:
    """Return the fields asked for (FIELDS_PATTERN checked their names), FIELDS if none."""
    return set(asked.split(",")) - {"id"} if asked else FIELDS


# The contact's own columns the API gives, read with values(): no model instances.
COLUMNS = (
    "id",
    "kind",
    "display_name",
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "company_id",
    "currency",
    "description",
    "access",
    "source",
    "custom",
    "photo",
    "version",
    "created_at",
    "updated_at",
)
JOINED = ("company__display_name", "company__deleted_at", "contact_type_id", "contact_type__title")
CONSENT_COLUMNS = ("consent", "consent_at", "consent_source", "consent_wording")


def _rows(user: User, contacts: QuerySet[Contact]) -> list[dict[str, Any]]:
    """Return contacts as dicts of COLUMNS and JOINED, with company_visible for user."""
    visible = with_company_visibility(user, contacts)
    return list(visible.values(*COLUMNS, *JOINED, *CONSENT_COLUMNS, "sort_name", "company_visible"))


# The e-mails, phones and web sites of contacts, their addresses, tags and responsible
# users, in one statement: a round trip and a query built by the ORM each cost more than
# reading them. The first column says which a row is, the last two what it is ordered by;
# "{ids}" stands for the test of the contacts' ids.
INFO, ADDRESS, TAG, USER = range(4)
DETAILS_OF = (
    "SELECT 0, contact_id, kind, value, category, NULL, NULL, NULL, is_primary, position, id"
    " FROM contacts_contactinfo WHERE contact_id {ids}"
    " UNION ALL SELECT 1, contact_id, category, street, city, region, postcode, country,"
    " is_primary, position, id FROM contacts_address WHERE contact_id {ids}"
    " UNION ALL SELECT 2, t.content_object_id, g.name, NULL, NULL, NULL, NULL, NULL, NULL,"
    " NULL, NULL FROM contacts_taggedcontact t INNER JOIN taggit_tag g ON g.id = t.tag_id"
    " WHERE t.content_object_id {ids}"
    " UNION ALL SELECT 3, r.contact_id, u.username, u.first_name, u.last_name, NULL, NULL,"
    " NULL, NULL, u.id, NULL FROM contacts_contact_responsible r"
    " INNER JOIN auth_user u ON u.id = r.user_id WHERE r.contact_id {ids}"
)
Found = dict[int, list[Any]]


def _details_of(ids: list[int]) -> tuple[Found, Found, Found, Found]:
    """Return the e-mails, phones and web sites of the contacts of ids (kind, value,
    category, primary), their addresses (ADDRESS_KEYS), tags (name) and responsible
    users (id, username, first and last names), each by contact, in the order of the
    models (e-mails first, primary first; users by name)."""
    if not ids:
        return {}, {}, {}, {}
    # As the lookup field__any: the ids as one array on PostgreSQL, IN (...) elsewhere.
    params: list[Any]
    if connection.vendor == "postgresql":
        match, params = "= ANY(%s)", [ids] * 4
    else:
        match, params = f"IN ({', '.join(['%s'] * len(ids))})", ids * 4
    with connection.cursor() as cursor:
        # safe-sql: DETAILS_OF is this module's constant; match holds only "%s" markers.
        cursor.execute(DETAILS_OF.format(ids=match), params)
        found = cursor.fetchall()
    infos = sorted((r for r in found if r[0] == INFO), key=lambda r: (r[2], not r[8], *r[9:]))
    addresses = sorted((r for r in found if r[0] == ADDRESS), key=lambda r: (not r[8], *r[9:]))
    users = sorted((r for r in found if r[0] == USER), key=lambda r: (r[3], r[4], r[2]))
    return (
        _by_contact((r[1], r[2], r[3], r[4], bool(r[8])) for r in infos),
        _by_contact((*r[1:8], bool(r[8])) for r in addresses),
        _by_contact((r[1], r[2]) for r in found if r[0] == TAG),
        _by_contact((r[1], r[9], *r[2:5]) for r in users),
    )


def _by_contact(rows: Any) -> Found:
    found: dict[int, list[Any]] = {}
    for contact_id, *values in rows:
        found.setdefault(contact_id, []).append(values)
    return found


def _out(
    request: HttpRequest, user: User, rows: list[dict[str, Any]], fields: set[str]
) -> list[dict[str, Any]]:
    """Return the contacts of rows as the API gives them: what user may see, the fields
    asked; each detail read for every row at once."""
    ids = [row["id"] for row in rows]
    infos, addresses, tags, users = _details_of(ids)
    held = _by_contact(
        Position.objects.filter(person_id__any=ids, company__deleted_at__isnull=True).values_list(
            "person_id",
            "company_id",
            "company__display_name",
            "job_title",
            "department",
            "start_date",
            "end_date",
            "is_primary",
        )
    )
    linked = list(
        Relation.objects.filter(Q(from_contact__any=ids) | Q(to_contact__any=ids)).values_list(
            "pk", "from_contact_id", "to_contact_id", "type_id"
        )
    )
    # The other contacts named: the primary company as the row says, the others probed.
    seen = {r["company_id"] for r in rows if r["company_id"] and r["company_visible"]}
    others = {p[0] for found in held.values() for p in found} - seen
    others |= {end for _pk, start, to, _type in linked for end in (start, to)} - set(ids)
    names: dict[int, str] = {}
    if others:
        visible = contacts_visible_to(user).filter(pk__any=others)
        names = dict(visible.values_list("pk", "display_name"))
        seen |= set(names)
    names.update({r["id"]: r["display_name"] for r in rows})  # seen: the page's own
    relations = _relations(ids, linked, names)
    results = []
    for row in rows:
        pk = row["id"]
        details = _details(infos.get(pk, []))
        shown = row["company_id"] and row["company_visible"] and not row["company__deleted_at"]
        photo = reverse("contacts:photo", args=[pk, "full"]) if row["photo"] else None
        out = {
            **{name: row[name] for name in COLUMNS if name not in ("company_id", "photo")},
            "company": {"id": row["company_id"], "name": row["company__display_name"]}
            if shown
            else None,
            "positions": [
                {
                    "company": {"id": company, "name": name},
                    "job_title": title,
                    "department": department,
                    "start_date": start,
                    "end_date": end,
                    "primary": primary,
                }
                for company, name, title, department, start, end, primary in sorted(
                    held.get(pk, []), key=_position_order
                )
                if company in seen
            ],
            "relations": relations.get(pk, []),
            "contact_type": {"id": row["contact_type_id"], "name": row["contact_type__title"]}
            if row["contact_type_id"]
            else None,
            "emails": details["email"],
            "phones": details["phone"],
            "urls": details["web"],
            "addresses": [
                dict(zip(ADDRESS_KEYS, address, strict=True)) for address in addresses.get(pk, [])
            ],
            "tags": sorted((name for (name,) in tags.get(pk, [])), key=str.lower),
            "responsible": [
                {"id": uid, "username": username, "name": f"{first} {last}".strip() or username}
                for uid, username, first, last in users.get(pk, [])
            ],
            "photo_url": request.build_absolute_uri(photo) if photo else None,
            "consent": {
                "status": row["consent"],
                "date": row["consent_at"],
                "source": row["consent_source"],
                "wording": row["consent_wording"],
            },
        }
        results.append(out if fields is FIELDS else {n: out[n] for n in ("id", *fields)})
    return results


def _relations(
    ids: list[int], linked: list[tuple[int, int, int, int]], names: dict[int, str]
) -> dict[int, list[dict[str, Any]]]:
    """Return the relations of the contacts of ids whose other end the reader may see (in
    names), each read from its contact: its label that way, and the other."""
    types = {t.pk: t for t in relation_types_cached()}
    missing = {type_id for *_ends, type_id in linked} - set(types)
    if missing:  # made since the cache was filled, by another process
        types.update(RelationType.objects.in_bulk(missing))
    found: dict[int, list[dict[str, Any]]] = {}
    wanted = set(ids)
    for pk, start, to, type_id in linked:
        for this, other, outgoing in ((start, to, True), (to, start, False)):
            if this in wanted and other in names:
                label = types[type_id].label if outgoing else types[type_id].inverse
                found.setdefault(this, []).append(
                    {
                        "id": pk,
                        "type": type_id,
                        "label": label,
                        "other": {"id": other, "name": names[other]},
                    }
                )
    return found


def _position_order(position: list[Any]) -> tuple[bool, bool, int]:
    """Current ones first, the primary first; then the former ones, last ended first."""
    *_values, start, end, primary = position
    latest = end or start or datetime.date.min
    return (end is not None, not primary, -latest.toordinal())


ADDRESS_KEYS = ("category", "street", "city", "region", "postcode", "country", "primary")


def _details(infos: list[list[Any]]) -> dict[str, list[dict[str, Any]]]:
    """Return a contact's details by kind (str: the kinds' enum compares slowly)."""
    found: dict[str, list[dict[str, Any]]] = {str(kind): [] for kind in ContactInfo.Kind}
    for kind, value, category, primary in infos:
        found[kind].append({"value": value, "category": category, "primary": primary})
    return found


def as_json(data: Any) -> HttpResponse:
    """Answer data as JSON, written here: the schemas above document it (and schemathesis
    holds the answers to them), where validating a page of contacts against them again
    at every request cost more than reading it."""
    return HttpResponse(json.dumps(data, cls=DjangoJSONEncoder), content_type="application/json")


@router.get("/contacts", response=ContactPage, exclude_unset=True, summary="List contacts")
def contact_list(request: HttpRequest, params: Query[ListParams]) -> HttpResponse:
    """The contacts the caller may see, with the list page's filters, a page at a time."""
    user = cast(User, request.user)  # authenticated: the router's auth
    fields = _fields(params.fields)
    found, _filters = contacts_listed(user, request.GET)
    sort = params.sort
    if params.changed_since is not None:
        found = found.filter(updated_at__gte=utc(params.changed_since))
    found = cursors.ordered(found, sort)
    if params.cursor:
        found = cursors.after(found, sort, params.cursor)
    rows = _rows(user, found[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return as_json(
        {
            "results": _out(request, user, rows, fields),
            "next_cursor": cursors.encode(sort, rows[-1]) if more else None,
        }
    )


@router.get(
    "/contacts/{contact_id}", response=ContactOut, exclude_unset=True, summary="Get a contact"
)
def contact_get(
    request: HttpRequest,
    contact_id: Id,
    fields: str = Query("", pattern=FIELDS_PATTERN),
) -> HttpResponse:
    """One contact the caller may see; its version is the ETag a change must send back."""
    user = cast(User, request.user)  # authenticated: the router's auth
    wanted = _fields(fields)
    rows = _rows(user, contacts_visible_to(user).filter(pk=contact_id))
    if not rows:
        raise Http404
    answer = as_json(_out(request, user, rows, wanted)[0])
    answer["ETag"] = f'"{rows[0]["version"]}"'
    return answer
