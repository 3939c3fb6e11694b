"""What the contacts refer to: contact types, tags, user fields and users, by id."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel
from taggit.models import Tag

from contacts.access import active_crm_users
from contacts.models import ContactType, CustomField

router = Router(tags=["references"])


class ContactTypeOut(BaseModel):
    id: int
    name: str


class UserFieldOut(BaseModel):
    id: int
    label: str
    type: str
    applies_to: str
    options: list[str]


class UserOut(BaseModel):
    id: int
    username: str
    name: str


class TagParams(Schema):
    q: str = Field("", max_length=100, description="Part of the tags' names")
    limit: int = Field(100, ge=1, le=1000)


@router.get("/contact-types", response=list[ContactTypeOut], summary="Contact types")
def contact_types(request: HttpRequest) -> list[dict[str, Any]]:
    """The types a contact may have, in their order (a contact's contact_type.id)."""
    return [
        {"id": pk, "name": title} for pk, title in ContactType.objects.values_list("pk", "title")
    ]


@router.get("/tags", response=list[str], summary="Tags")
def tags(request: HttpRequest, params: Query[TagParams]) -> list[str]:
    """The tags' names, A to Z: the CRM's shared vocabulary."""
    found = Tag.objects.filter(name__icontains=params.q) if params.q else Tag.objects.all()
    return list(found.order_by("name").values_list("name", flat=True)[: params.limit])


@router.get("/user-fields", response=list[UserFieldOut], summary="User fields")
def user_fields(request: HttpRequest) -> list[dict[str, Any]]:
    """The fields CRM admins added to contacts, in their order: a contact's custom values
    are keyed by their ids. Headings only group fields on the form."""
    return [
        {
            "id": field.pk,
            "label": field.label,
            "type": field.field_type,
            "applies_to": field.applies_to,
            "options": field.options,
        }
        for field in CustomField.objects.all()
    ]


@router.get("/users", response=list[UserOut], summary="Users")
def users(request: HttpRequest) -> list[dict[str, Any]]:
    """The CRM's active users: who may be made responsible for a contact."""
    found = active_crm_users().order_by("first_name", "last_name", "username")
    return [
        {"id": u.pk, "username": u.username, "name": u.get_full_name() or u.username} for u in found
    ]
