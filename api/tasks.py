"""/api/v1/tasks: the tasks the caller may see, made and changed as My tasks does.

A body is checked by the task form (activities.tasks.forms.TaskForm) filled as a browser
would post it, and written by the task services: the same rules and messages.
"""

import base64
import binascii
import datetime
from typing import Any, Literal, cast

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from activities.models import Task, TaskCategory
from activities.tasks import services
from activities.tasks.forms import TaskForm
from activities.tasks.selectors import get_task_for_user
from api.contacts import as_json
from api.ids import Id
from api.problems import Problem, form_errors
from contacts.access import Perm, contacts_visible_to, get_contact_for_user

router = Router(tags=["tasks"])
MAX_LIMIT = 200
# A page reads this many times its size, then leaves out the tasks the caller may not see.
READ_AHEAD = 3


class Ref(BaseModel):
    id: int
    name: str


class TaskOut(BaseModel):
    id: int
    title: str
    due_date: datetime.date
    due_time: datetime.time | None
    category: Ref
    responsible: Ref
    author: int | None
    contact: Ref | None
    description: str
    reminder: int | None = Field(description="Minutes before the due time; null for none")
    done: bool
    done_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TaskPage(BaseModel):
    results: list[TaskOut]
    next_cursor: str | None


class TaskParams(Schema):
    responsible: str = Field("me", pattern=r"^(me|any|[0-9]{1,12})$")
    contact: Id | None = None
    category: Id | None = None
    status: Literal["open", "done", "all"] = "open"
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    cursor: str = ""
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class TaskChange(BaseModel):
    """What to change: every field left out keeps its value."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    due_date: datetime.date | None = None
    due_time: datetime.time | None = None
    category: Id | None = None
    responsible: Id | None = None
    description: str | None = None
    reminder: int | None = Field(None, ge=0, le=100_000)
    done: bool | None = None


class TaskNew(TaskChange):
    title: str
    due_date: datetime.date
    contact: Id | None = Field(None, description="The contact it is about, if any")


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _out(task: Task) -> dict[str, Any]:
    contact = task.contact
    return {
        "id": task.pk,
        "title": task.title,
        "due_date": task.due_date,
        "due_time": task.due_time,
        "category": {"id": task.category_id, "name": str(task.category)},
        "responsible": {"id": task.responsible_id, "name": _name(task.responsible)},
        "author": task.author_id,
        "contact": {"id": contact.pk, "name": contact.display_name} if contact else None,
        "description": task.description,
        "reminder": task.reminder,
        "done": task.done_at is not None,
        "done_at": task.done_at,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
    }


def _after(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Problem(400, "invalid_cursor", "This cursor is not one the API gave.") from exc


def _visible(user: User, tasks: list[Task]) -> list[Task]:
    """Return the tasks user may see (as tasks_visible_to says), checked for a page: the
    contacts in one query, rather than an IN over every contact he may see."""
    ids = {task.contact_id for task in tasks if task.contact_id}
    seen = set(contacts_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        task
        for task in tasks
        if task.contact_id in seen
        or (task.contact_id is None and user.pk in (task.responsible_id, task.author_id))
    ]


@router.get("/tasks", response=TaskPage, summary="List tasks")
def task_list(request: HttpRequest, params: Query[TaskParams]) -> HttpResponse:
    """The tasks the caller may see: his open ones by default, in the order they were made.
    A page may hold fewer than limit tasks; next_cursor is null after the last one."""
    user = cast(User, request.user)  # authenticated: the router's auth
    tasks = Task.objects.all()
    if params.responsible != "any":
        tasks = tasks.filter(
            responsible_id=user.pk if params.responsible == "me" else int(params.responsible)
        )
    if params.status != "all":
        tasks = tasks.filter(done_at__isnull=params.status == "open")
    conditions = {
        "contact_id": params.contact,
        "category_id": params.category,
        "due_date__gte": params.due_from,
        "due_date__lte": params.due_to,
        "pk__gt": _after(params.cursor) if params.cursor else None,
    }
    tasks = tasks.filter(**{k: v for k, v in conditions.items() if v is not None})
    # Read a few pages' worth and keep those he may see.
    read = params.limit * READ_AHEAD
    batch = list(tasks.select_related("category", "responsible", "contact").order_by("pk")[:read])
    visible = _visible(user, batch)
    page = visible[: params.limit]
    last = (
        page[-1].pk
        if len(visible) > params.limit
        else (batch[-1].pk if len(batch) == read else None)
    )
    cursor = base64.urlsafe_b64encode(str(last).encode()).decode() if last else None
    return as_json({"results": [_out(t) for t in page], "next_cursor": cursor})


@router.get("/tasks/{task_id}", response=TaskOut, summary="Get a task")
def task_get(request: HttpRequest, task_id: Id) -> HttpResponse:
    return as_json(_out(get_task_for_user(cast(User, request.user), task_id)))


def _form(user: User, task: Task | None, values: dict[str, Any], contact: Any) -> TaskForm:
    """Return the task form filled as a browser would post it: as loaded, with values."""
    loaded = TaskForm(instance=task, user=user, contact=contact)
    data = QueryDict(mutable=True)
    for name in TaskForm.Meta.fields:
        value = values[name] if name in values else loaded[name].value()
        if value is not None:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if "category" not in data:  # a new task without one: the first category
        first = TaskCategory.objects.order_by("position", "pk").first()
        data["category"] = str(first.pk) if first else ""
    form = TaskForm(data, instance=task, user=user, contact=contact)
    if not form.is_valid():
        errors = form_errors(form.errors.as_data())
        raise Problem(422, "invalid", "The task is not valid: see errors.", errors=errors)
    return form


@router.post("/tasks", response={201: TaskOut}, summary="Create a task")
def task_new(request: HttpRequest, body: TaskNew) -> Status[dict[str, Any]]:
    """Create a task, the caller's own unless it names another responsible user."""
    user = cast(User, request.user)
    values = body.model_dump(exclude_unset=True, exclude_none=True)
    contact = None
    if body.contact is not None:
        contact = get_contact_for_user(user, body.contact, Perm.CHANGE)
    form = _form(user, None, values, contact)
    fields = {name: form.cleaned_data[name] for name in TaskForm.Meta.fields}
    task = services.task_create(by=user, contact=contact, **fields)
    if body.done:
        services.task_set_done(by=user, task=task)
    return Status(201, _out(get_task_for_user(user, task.pk)))


@router.patch("/tasks/{task_id}", response=TaskOut, summary="Change a task")
def task_change(request: HttpRequest, task_id: Id, body: TaskChange) -> HttpResponse:
    """Change what the body names (done: true marks it done, false open again)."""
    user = cast(User, request.user)
    task = get_task_for_user(user, task_id)
    if not services.may_change_task(user, task):
        raise Problem(403, "not_allowed", "You may see this task, not change it.")
    values = body.model_dump(exclude_unset=True, exclude_none=True)
    done = values.pop("done", None)
    if values:
        form = _form(user, task, values, task.contact)
        services.task_update(by=user, task=task, **{n: form.cleaned_data[n] for n in values})
    if done is not None:
        services.task_set_done(by=user, task=task, done=done)
    return as_json(_out(get_task_for_user(user, task.pk)))


@router.delete("/tasks/{task_id}", response={204: None}, summary="Delete a task")
def task_remove(request: HttpRequest, task_id: Id) -> Status[None]:
    user = cast(User, request.user)
    task = get_task_for_user(user, task_id)
    if not services.may_change_task(user, task):
        raise Problem(403, "not_allowed", "You may see this task, not delete it.")
    services.task_delete(by=user, task=task)
    return Status(204, None)
