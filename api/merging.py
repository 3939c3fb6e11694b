"""Merging two contacts through the API: the merge page's checks, its service, its choices.

The caller must be able to change the contact kept and to delete the other one, as on the
page. A merge names the version read of each contact, so that it never merges a contact
changed since: the values it takes were chosen from what the client read.
"""

from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from api.contact_writes import _answer, _token_details
from api.contacts import ContactOut
from api.ids import MAX_ID, Id
from api.problems import Problem
from contacts.access import Perm, get_contact_for_user
from contacts.merging import merge
from contacts.models import Contact

# Its own router, added before the contacts' one: /contacts/merge is no contact's id.
router = Router(tags=["contacts"])


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep: Id = Field(description="The contact kept")
    other: Id = Field(description="The contact merged into it, then moved to the trash")
    take: list[str] = Field(
        [],
        max_length=100,
        description="The fields whose value comes from other (first_name, access, custom:<id>…)",
    )
    keep_version: int = Field(ge=0, le=MAX_ID, description="The version read of keep (ETag)")
    other_version: int = Field(ge=0, le=MAX_ID, description="The version read of other")


class ChoiceOut(BaseModel):
    field: str
    label: str
    keep: str
    other: str


class ChoicesOut(BaseModel):
    keep: int
    other: int
    choices: list[ChoiceOut] = Field(description="The values that differ: take names the field")


def _pair(user: User, keep_id: int, other_id: int) -> tuple[Contact, Contact]:
    """Return the two contacts if user may merge them, as the page checks it."""
    keep = get_contact_for_user(user, keep_id, Perm.CHANGE)
    other = get_contact_for_user(user, other_id, Perm.DELETE)
    if keep.pk == other.pk:
        raise Problem(422, "same_contact", "Choose two different contacts.")
    if keep.kind != other.kind:
        raise Problem(422, "kind_mismatch", "A person and a company cannot be merged.")
    return keep, other


def _check_take(take: list[str], kind: str) -> None:
    unknown = sorted(set(take) - merge.takeable(kind))
    if unknown:
        raise Problem(
            422,
            "unknown_field",
            f"A {kind} has no field {unknown[0]} to take.",
            errors=[
                {"field": "take", "code": "unknown_field", "message": name} for name in unknown
            ],
        )


def _check_versions(keep: Contact, other: Contact, body: MergeIn) -> None:
    """Lock both contacts and refuse the merge if either changed since it was read."""
    locked = Contact.objects.select_for_update().filter(pk__in=sorted([keep.pk, other.pk]))
    versions = dict(locked.order_by("pk").values_list("pk", "version"))
    if (versions.get(keep.pk), versions.get(other.pk)) != (body.keep_version, body.other_version):
        raise Problem(
            412,
            "version_mismatch",
            "A contact was changed since that version: read both again, then merge.",
            keep_version=versions.get(keep.pk),
            other_version=versions.get(other.pk),
        )


@router.post("/contacts/merge", response=ContactOut, exclude_unset=True, summary="Merge two")
def contact_merge(request: HttpRequest, response: HttpResponse, body: MergeIn) -> dict[str, Any]:
    """Merge other into keep, as the merge page does; other goes to the trash."""
    user = cast(User, request.user)
    with transaction.atomic():
        keep, other = _pair(user, body.keep, body.other)
        _check_take(body.take, keep.kind)
        _check_versions(keep, other, body)
        try:
            merge.contacts_merge(
                by=user,
                keep=keep,
                other=other,
                take=body.take,
                source=Contact.Source.API,
                details=_token_details(request),
            )
        except ValidationError as error:
            raise Problem(422, error.code or "invalid", " ".join(error.messages)) from None
    return _answer(request, response, keep)


@router.get(
    "/contacts/{keep_id}/merge/{other_id}", response=ChoicesOut, summary="What a merge chooses"
)
def contact_merge_choices(request: HttpRequest, keep_id: Id, other_id: Id) -> dict[str, Any]:
    """The values of other that differ from keep's: those a merge may take."""
    user = cast(User, request.user)
    keep, other = _pair(user, keep_id, other_id)
    rows = merge.choices(keep, other)
    return {
        "keep": keep.pk,
        "other": other.pk,
        "choices": [
            {"field": name, "label": str(label), "keep": str(mine), "other": str(theirs)}
            for name, label, mine, theirs in rows
        ],
    }
