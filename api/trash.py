"""/api/v1/trash: the contacts in the trash the caller may delete, and restoring them."""

import base64
import binascii
import datetime
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from api.contacts import FIELDS, ContactOut, _out, _rows, as_json
from api.ids import Id
from api.moments import utc
from api.problems import Problem
from contacts.access import Perm, contacts_visible_to, get_contact_for_user
from contacts.models import Contact
from contacts.trash import services

router = Router(tags=["trash"])


class Trashed(BaseModel):
    id: int
    kind: str
    display_name: str
    deleted_at: datetime.datetime
    purged_on: datetime.date = Field(description="When it is deleted for good")


class TrashPage(BaseModel):
    results: list[Trashed]
    next_cursor: str | None


class TrashParams(Schema):
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


def _trash() -> Any:
    return Contact.all_objects.filter(deleted_at__isnull=False)


@router.get("/trash", response=TrashPage, summary="The trash")
def trash_list(request: HttpRequest, params: Query[TrashParams]) -> HttpResponse:
    """What the caller may delete that is in the trash, the last deleted first."""
    user = cast(User, request.user)
    found = contacts_visible_to(user, _trash(), Perm.DELETE).order_by("-deleted_at", "-id")
    if params.cursor:
        try:
            raw = base64.urlsafe_b64decode(params.cursor + "=" * (-len(params.cursor) % 4))
            text, last_id = raw.decode().split("|")
            moment = utc(datetime.datetime.fromisoformat(text))
            found = found.filter(deleted_at__lte=moment).exclude(
                deleted_at=moment, pk__gte=int(last_id)
            )
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise Problem(400, "invalid_cursor", "This cursor is not one the API gave.") from exc
    rows: list[tuple[int, str, str, datetime.datetime]] = list(
        found.values_list("id", "kind", "display_name", "deleted_at")[: params.limit + 1]  # type: ignore[arg-type]
    )
    keep = timedelta(days=settings.TRASH_DAYS)
    page = [
        {
            "id": pk,
            "kind": kind,
            "display_name": name,
            "deleted_at": at,
            "purged_on": (at + keep).date(),
        }
        for pk, kind, name, at in rows
    ]
    cursor = None
    if len(rows) > params.limit:
        pk, _kind, _name, at = rows[params.limit - 1]
        cursor = base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode()
    return as_json({"results": page[: params.limit], "next_cursor": cursor})


@router.post("/trash/{contact_id}/restore", response=ContactOut, summary="Restore a contact")
def trash_restore(request: HttpRequest, contact_id: Id) -> HttpResponse:
    """Bring a contact back from the trash, as it was: at /contacts/{id} again."""
    user = cast(User, request.user)
    contact = get_contact_for_user(user, contact_id, Perm.DELETE, queryset=_trash())
    services.contact_restore(by=user, contact=contact)
    rows = _rows(user, contacts_visible_to(user).filter(pk=contact.pk))
    answer = as_json(_out(request, user, rows, FIELDS)[0])
    answer["ETag"] = f'"{rows[0]["version"]}"'
    return answer
