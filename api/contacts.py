"""/api/v1/contacts: the contacts the caller may see, as the list and the card show them.

The filters are the list page's own (contacts.selectors.contacts_listed reads the same
parameters), so the API and the page find the same contacts. A person's company, and his
positions, appear only where the caller may see the company, as on the card.
"""

import datetime
from typing import Any, Literal, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from api import cursors
from api.problems import Problem
from contacts.access import (
    contacts_visible_to,
    get_contact_for_user,
    with_company_visibility,
)
from contacts.models import Contact, ContactInfo
from contacts.positions.models import Position
from contacts.selectors import contacts_listed

router = Router(tags=["contacts"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Detail(Schema):
    value: str
    category: str
    primary: bool


class AddressOut(Schema):
    category: str
    street: str
    city: str
    region: str
    postcode: str
    country: str
    primary: bool


class Ref(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    username: str
    name: str


class PositionOut(Schema):
    company: Ref
    job_title: str
    department: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    primary: bool


class ContactOut(Schema):
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
    contact_type: Ref | None = None
    currency: str | None = None
    description: str | None = None
    access: Literal["private", "public_read", "public_rw"] | None = None
    source: str | None = None
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


class ContactPage(Schema):
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
    works_at: int | None = Field(None, description="A company's id: its current people")
    works_when: Literal["", "any"] = ""
    changed_since: datetime.datetime | None = Field(
        None, description="Only the contacts changed at or after this time (incremental sync)"
    )
    sort: Literal["id", "-id", "created", "-created", "changed", "-changed", "name", "-name"] = "id"
    cursor: str = ""
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    fields: str = Field("", description="Comma-separated fields to give (id always)")


def _fields(asked: str) -> set[str]:
    if not asked.strip():
        return FIELDS
    names = {name.strip() for name in asked.split(",") if name.strip()}
    unknown = names - FIELDS - {"id"}
    if unknown:
        raise Problem(
            400,
            "unknown_field",
            f"No such field: {', '.join(sorted(unknown))}.",
            fields=sorted(FIELDS),
        )
    return names - {"id"}


def _with_details(user: Any, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    users = get_user_model().objects.order_by("first_name", "last_name", "username")
    positions = Position.objects.select_related("company").only(
        "person",
        "company",
        "job_title",
        "department",
        "start_date",
        "end_date",
        "is_primary",
        "company__display_name",
        "company__deleted_at",
        "company__kind",
    )
    return (
        with_company_visibility(user, contacts)
        .select_related("company", "contact_type")
        .prefetch_related(
            "infos",
            "addresses",
            "tags",  # type: ignore[misc]  # taggit's manager prefetches
            Prefetch("responsible", queryset=users),
            Prefetch("positions", queryset=positions),
        )
    )


def _visible_companies(user: Any, contacts: list[Contact]) -> set[int]:
    """Return the ids of the companies of contacts' positions that user may see."""
    seen = {c.company_id for c in contacts if c.company_id and vars(c)["company_visible"]}
    others = {p.company_id for c in contacts for p in c.positions.all()} - seen
    if others:
        seen |= set(contacts_visible_to(user).filter(pk__in=others).values_list("pk", flat=True))
    return seen


def _details(contact: Contact, kind: str) -> list[dict[str, Any]]:
    return [
        {"value": i.value, "category": i.category, "primary": i.is_primary}
        for i in contact.infos.all()
        if i.kind == kind
    ]


def _out(
    request: HttpRequest, contact: Contact, fields: set[str], companies: set[int]
) -> dict[str, Any]:
    """Return the contact as the API gives it: what the caller may see, the fields asked."""
    company = contact.shown_company
    kind = contact.contact_type
    photo = reverse("contacts:photo", args=[contact.pk, "full"]) if contact.photo else None
    out = {
        "id": contact.pk,
        "kind": contact.kind,
        "display_name": contact.display_name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company_name": contact.company_name,
        "job_title": contact.job_title,
        "company": {"id": company.pk, "name": company.display_name} if company else None,
        "positions": [
            {
                "company": {"id": p.company_id, "name": p.company.display_name},
                "job_title": p.job_title,
                "department": p.department,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "primary": p.is_primary,
            }
            for p in contact.positions.all()
            if p.company_id in companies and p.company.deleted_at is None
        ],
        "contact_type": {"id": kind.pk, "name": kind.title} if kind else None,
        "currency": contact.currency,
        "description": contact.description,
        "access": contact.access,
        "source": contact.source,
        "emails": _details(contact, ContactInfo.Kind.EMAIL),
        "phones": _details(contact, ContactInfo.Kind.PHONE),
        "urls": _details(contact, ContactInfo.Kind.WEB),
        "addresses": [
            {
                "category": a.category,
                "street": a.street,
                "city": a.city,
                "region": a.region,
                "postcode": a.postcode,
                "country": a.country,
                "primary": a.is_primary,
            }
            for a in contact.addresses.all()
        ],
        "tags": sorted(t.name for t in contact.tags.all()),
        "responsible": [
            {"id": u.pk, "username": u.username, "name": u.get_full_name() or u.username}
            for u in contact.responsible.all()
        ],
        "custom": contact.custom,
        "photo_url": request.build_absolute_uri(photo) if photo else None,
        "version": contact.version,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }
    if fields is FIELDS:
        return out
    return {name: out[name] for name in ("id", *fields)}


@router.get("/contacts", response=ContactPage, exclude_unset=True, summary="List contacts")
def contact_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    """The contacts the caller may see, with the list page's filters, a page at a time."""
    fields = _fields(params.fields)
    found, _filters = contacts_listed(request.user, request.GET)
    sort = params.sort
    if params.changed_since is not None:
        found = found.filter(updated_at__gte=params.changed_since)
    found = cursors.ordered(found, sort)
    if params.cursor:
        found = cursors.after(found, sort, params.cursor)
    page = list(_with_details(request.user, found)[: params.limit + 1])
    more = len(page) > params.limit
    page = page[: params.limit]
    companies = _visible_companies(request.user, page)
    return {
        "results": [_out(request, contact, fields, companies) for contact in page],
        "next_cursor": cursors.encode(sort, page[-1]) if more else None,
    }


@router.get(
    "/contacts/{int:contact_id}", response=ContactOut, exclude_unset=True, summary="Get a contact"
)
def contact_get(
    request: HttpRequest, response: HttpResponse, contact_id: int, fields: str = ""
) -> dict[str, Any]:
    """One contact the caller may see; its version is the ETag a change must send back."""
    wanted = _fields(fields)
    queryset = _with_details(request.user, Contact.objects.all())
    user = cast(User, request.user)  # authenticated: the router's auth
    contact = get_contact_for_user(user, contact_id, queryset=queryset)
    response["ETag"] = f'"{contact.version}"'
    return _out(request, contact, wanted, _visible_companies(request.user, [contact]))
