"""Bulk actions through the API: the list's actions on contacts named by id, as a job.

The parameters are checked by the list's own form (contacts.bulk.forms.ActionForm), filled
as a browser would post it, and the job is started by the same service: it acts on the
contacts the caller may change, skips those he may only see, and knows nothing of ids he
may not see. Small jobs are done when the answer comes; larger ones run in the worker,
followed at the job's address.
"""

import datetime
from typing import Any, Literal, cast

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field

from api.contact_writes import _token_details
from api.ids import Id
from api.problems import Problem, form_errors
from contacts.access import contacts_visible_to
from contacts.bulk import services as bulk
from contacts.bulk.forms import ActionForm
from contacts.forms import MAX_SELECTED
from contacts.models import BulkJob, Contact

router = Router(tags=["bulk"])


class BulkParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tag: str | None = Field(None, description="add_tag, remove_tag: the tag's name")
    users: list[Id] | None = Field(None, max_length=1000, description="set_responsible: ids")
    mode: Literal["add", "replace"] | None = Field(
        None, description="set_responsible: add to each contact's users, or replace them"
    )
    access: Literal["private", "public_read", "public_rw"] | None = Field(
        None, description="set_access"
    )


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The list's actions (ActionForm's); a hand-over starts from Settings › Users.
    action: Literal["delete", "add_tag", "remove_tag", "set_responsible", "set_access"]
    params: BulkParams | None = Field(None, description="What the action needs")
    ids: list[Id] = Field(min_length=1, max_length=MAX_SELECTED, description="Contacts' ids")


class BulkJobOut(BaseModel):
    id: int
    action: str
    status: Literal["queued", "running", "done", "failed"]
    total: int = Field(description="The contacts the caller may change, when it started")
    done: int = Field(description="Of total, those gone through")
    changed: int
    skipped: int = Field(description="Contacts the caller may see but not change")
    skipped_ids: list[int] = Field(description="Those of the skipped he may still see")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


def _params(body: BulkIn) -> dict[str, Any]:
    """Return the job's parameters as the list's form checks them; a problem otherwise."""
    given = body.params.model_dump(exclude_none=True) if body.params else {}
    wanted = ActionForm.FIELDS[BulkJob.Action(body.action)]
    extra = sorted(set(given) - set(wanted))
    if extra:
        errors = [
            {"field": f"params.{name}", "code": "unexpected", "message": ""} for name in extra
        ]
        raise Problem(422, "invalid", f"{body.action} takes no {extra[0]}.", errors=errors)
    data = QueryDict(mutable=True)
    for name, value in given.items():
        data.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    if "mode" in wanted and "mode" not in data:
        data["mode"] = "add"
    form = ActionForm(data, action=body.action)
    if not form.is_valid():
        errors = form_errors(form.errors.as_data(), lambda name: f"params.{name}")
        raise Problem(422, "invalid", "The parameters are not valid: see errors.", errors=errors)
    return cast(dict[str, Any], form.params())


def _out(user: User, job: BulkJob) -> dict[str, Any]:
    skipped = contacts_visible_to(user).filter(pk__in=job.skipped_ids)
    seen = set(skipped.values_list("pk", flat=True))
    return {
        "id": job.pk,
        "action": job.action,
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "changed": job.changed,
        "skipped": job.skipped,
        "skipped_ids": [pk for pk in job.skipped_ids if pk in seen],
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post("/bulk", response={202: BulkJobOut}, summary="Start a bulk action")
def bulk_new(request: HttpRequest, response: HttpResponse, body: BulkIn) -> Status[dict[str, Any]]:
    """Apply a list action to the contacts named, those the caller may change."""
    user = cast(User, request.user)
    params = _params(body)
    contacts = contacts_visible_to(user).filter(pk__in=body.ids)
    if not contacts.exists():
        raise Problem(422, "no_contacts", "None of the ids names a contact you may see.")
    job = bulk.bulk_start(
        by=user,
        action=body.action,
        params=params,
        contacts=contacts,
        source=Contact.Source.API,
        details=_token_details(request),
    )
    response["Location"] = f"/api/v1/bulk/{job.pk}"
    return Status(202, _out(user, job))


@router.get("/bulk/{job_id}", response=BulkJobOut, summary="A bulk action's progress")
def bulk_get(request: HttpRequest, job_id: Id) -> dict[str, Any]:
    """How far the caller's bulk action got, and what it changed and skipped."""
    user = cast(User, request.user)
    return _out(user, get_object_or_404(BulkJob, pk=job_id, user=user))
