"""/api/v1/imports: CSV imports, made and started as the import wizard does, and followed.

A POST goes through the wizard's steps in one request: the upload form and job_create
(the file stored, its encoding and delimiter detected, the automatic mapping), the
settings form and job_configure, job_set_mapping, then job_start queues it for the
worker. Each step's refusal is a 422 problem naming the field; a draft a later step
refuses is discarded. A job is seen by its importer and CRM admins (imports_visible_to).
"""

import base64
import binascii
import datetime
import json
import re
from typing import Any, Literal, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from api.auth import token_name
from api.contacts import as_json
from api.ids import Id
from api.parser import check_text
from api.problems import Problem, form_errors
from contacts.forms import int_param
from contacts.imports import mapping, report, services
from contacts.imports.access import get_import_for_user, imports_visible_to
from contacts.imports.files import DELIMITERS, ENCODINGS, QUOTES, ImportFileError
from contacts.imports.forms import SettingsForm, UploadForm
from contacts.imports.models import ImportIssue, ImportJob
from contacts.models import Contact

router = Router(tags=["imports"])
MAX_LIMIT = 200
# Room for the form's other fields around the file, as the wizard allows.
BODY_MARGIN = 65536
# Django's code for an empty upload, named as the import's own check names it.
CODES = {"empty": "empty_file"}


class Progress(BaseModel):
    rows_done: int
    total_rows: int | None = Field(description="Known once the worker has counted them")
    percent: int


class Counts(BaseModel):
    created: int
    updated: int
    skipped: int
    errors: int = Field(description="Rows rejected: see rejected_rows")
    companies_created: int


class ImportSettings(BaseModel):
    encoding: str
    delimiter: str
    quotechar: str
    has_header: bool
    skip_records: int
    duplicates: str
    match_on: str
    company_moved: bool
    access: str
    responsible: list[int]
    tags: list[str]


class Column(BaseModel):
    column: int = Field(description="Its position in the file, from 0")
    header: str
    target: str = Field(description='Where its values go; "" when not imported')


class ImportOut(BaseModel):
    id: int
    file_name: str
    status: Literal[tuple(ImportJob.Status.values)]  # type: ignore[valid-type]
    created_by: int
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    progress: Progress
    counts: Counts
    error: str = Field(description="Why it stopped, when an error stopped it")
    settings: ImportSettings
    mapping: list[Column]


class RejectedRow(BaseModel):
    line: int = Field(description="Its line in the file")
    messages: list[str]


class SkippedRow(BaseModel):
    line: int
    reason: str
    contact: int | None = Field(description="The contact it matched, if the caller may see it")
    contact_hidden: bool = Field(description="It matched a contact the caller may not see")


class ImportDetail(ImportOut):
    rejected_rows: list[RejectedRow] = Field(description="The first 50, once it has ended")
    skipped_rows: list[SkippedRow] = Field(description="The first 50, once it has ended")


class ImportPage(BaseModel):
    results: list[ImportOut]
    next_cursor: str | None


class ImportParams(Schema):
    cursor: str = ""
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


def summary(job: ImportJob) -> dict[str, Any]:
    """Return the job as the API gives it in a list (and its webhook)."""
    return {
        "id": job.pk,
        "file_name": job.file_name,
        "status": job.status,
        "created_by": job.created_by_id,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "ended_at": job.ended_at,
        "progress": {
            "rows_done": job.rows_done,
            "total_rows": job.total_rows,
            "percent": report.progress(job)["percent"],
        },
        "counts": {
            "created": job.created,
            "updated": job.updated,
            "skipped": job.skipped,
            "errors": job.rejected,
            "companies_created": job.companies_created,
        },
        "error": job.error,
        "settings": {name: getattr(job, name) for name in ImportSettings.model_fields},
        "mapping": [
            {"column": n, "header": header, "target": target}
            for n, (header, target) in enumerate(zip(job.header, job.mapping, strict=False))
        ],
    }


def _detail(job: ImportJob, user: User) -> dict[str, Any]:
    """Return the job with its report's rows, as the report page shows them to user."""
    rows: dict[str, list[ImportIssue]] = {"rejected_rows": [], "skipped_rows": []}
    if report.has_ended(job):
        rows = report.report_rows(job, user)
    return {
        **summary(job),
        "rejected_rows": [
            {"line": issue.line, "messages": [issue.reason]} for issue in rows["rejected_rows"]
        ],
        "skipped_rows": [
            {
                "line": issue.line,
                "reason": issue.reason,
                "contact": issue.visible_contact and issue.visible_contact.pk,  # type: ignore[attr-defined]
                "contact_hidden": bool(issue.contact_id and not issue.visible_contact),  # type: ignore[attr-defined]
            }
            for issue in rows["skipped_rows"]
        ],
    }


def _after(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Problem(400, "invalid_cursor", "This cursor is not one the API gave.") from exc


@router.get("/imports", response=ImportPage, summary="List imports")
def import_list(request: HttpRequest, params: Query[ImportParams]) -> HttpResponse:
    """The CSV imports the caller may see (his own; a CRM admin's, everyone's), the newest
    first."""
    jobs = imports_visible_to(cast(User, request.user)).order_by("-pk")
    if params.cursor:
        jobs = jobs.filter(pk__lt=_after(params.cursor))
    found = list(jobs[: params.limit + 1])
    page = found[: params.limit]
    cursor = None
    if len(found) > params.limit:
        cursor = base64.urlsafe_b64encode(str(page[-1].pk).encode()).decode()
    return as_json({"results": [summary(job) for job in page], "next_cursor": cursor})


@router.get("/imports/{import_id}", response=ImportDetail, summary="Get an import")
def import_get(request: HttpRequest, import_id: Id) -> HttpResponse:
    """An import's progress and counts; once it has ended, the rows it rejected and skipped."""
    user = cast(User, request.user)
    return as_json(_detail(get_import_for_user(user, import_id), user))


def _invalid(field: str, code: str, message: str) -> Problem:
    error = {"field": field, "code": code, "message": message}
    return Problem(422, "invalid", message, errors=[error])


def _file_problem(error: ImportFileError) -> Problem:
    if error.code == "disk_full":
        return Problem(507, "disk_full", str(error))
    return _invalid("file", error.code, str(error))


def _uploaded(request: HttpRequest, data: QueryDict) -> dict[str, Any]:
    """Return the upload and has_header, checked by the wizard's upload form."""
    form = UploadForm(data, request.FILES, max_bytes=settings.IMPORT_MAX_BYTES)
    if not form.is_valid():
        errors = form_errors(form.errors.as_data())
        for error in errors:
            error["code"] = CODES.get(error["code"], error["code"])
        raise Problem(422, "invalid", errors[0]["message"], errors=errors)
    return form.cleaned_data


def _settings_form(job: ImportJob, posted: QueryDict) -> SettingsForm:
    """Return the settings form filled as the wizard's step shows it, with what was posted."""
    loaded = SettingsForm(job=job)
    data = QueryDict(mutable=True)
    for name in loaded.fields:
        if name in posted:
            data.setlist(name, posted.getlist(name))
        elif name != "responsible":  # the importer only, as job_configure makes it
            value = loaded[name].value()
            if value is not None and value is not False:  # 0 lines to skip is one
                data[name] = "on" if value is True else str(value)
    form = SettingsForm(data, job=job)
    if not form.is_valid():
        errors = form_errors(form.errors.as_data())
        raise Problem(422, "invalid", errors[0]["message"], errors=errors)
    return form


def _column(header: list[str], key: str) -> int | None:
    """Return the column key names: its header, else its position from 0."""
    if key in header:
        return header.index(key)
    if re.fullmatch(r"[0-9]{1,9}", key) and int(key) < len(header):
        return int(key)
    return None


def _targets(job: ImportJob, raw: str) -> list[str]:
    """Return one target per column from the mapping posted ({column: target})."""
    try:
        given = json.loads(raw)
        check_text(given)
    except ValueError:
        given = None
    if not isinstance(given, dict):
        raise _invalid("mapping", "invalid_json", 'Send a JSON object: {"column": "target"}.')
    valid, targets, errors = mapping.valid_targets(), [""] * len(job.header), []
    for key, target in given.items():
        n = _column(job.header, key)
        if n is None:
            message, code = f"The file has no column “{key}”.", "unknown_column"
        elif not isinstance(target, str) or target not in valid:
            message, code = f"“{target}” is no target a column may have.", "unknown_target"
        else:
            targets[n] = target
            continue
        errors.append({"field": f"mapping.{key}", "code": code, "message": message})
    if errors:
        raise Problem(422, "invalid", errors[0]["message"], errors=errors)
    return targets


def _configured(job: ImportJob, posted: QueryDict) -> None:
    """Apply the settings and the mapping posted, as the wizard's steps 1 and 2 do."""
    form = _settings_form(job, posted)
    services.job_configure(job=job, **form.configuration())
    targets = _targets(job, posted.get("mapping", "")) if "mapping" in posted else job.mapping
    try:
        services.job_set_mapping(job=job, targets=targets)
    except ValidationError as error:
        errors = [
            {"field": "mapping", "code": "invalid_mapping", "message": m} for m in error.messages
        ]
        raise Problem(422, "invalid", error.messages[0], errors=errors) from None


def _draft(request: HttpRequest, user: User) -> ImportJob:
    """Return the job of the file posted, configured and mapped, ready to start: the
    wizard's steps, each refusal a problem."""
    try:
        posted = request.POST.copy()
        request.FILES  # noqa: B018 - read with the fields, so that it fails here if it fails
    except (MultiPartParserError, SuspiciousOperation) as error:
        raise Problem(400, "unreadable_body", "The body is no multipart form.") from error
    posted.setdefault("has_header", "true")
    upload = _uploaded(request, posted)
    try:
        job = services.job_create(
            by=user,
            upload=upload["file"],
            has_header=upload["has_header"],
            api_token=token_name(request),
        )
    except ImportFileError as error:
        raise _file_problem(error) from None
    try:
        _configured(job, posted)
    except ImportFileError as error:
        services.job_discard(job=job)
        raise _file_problem(error) from None
    except Problem:
        services.job_discard(job=job)
        raise
    return job


def _choices(choices: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [str(value) for value, _label in choices]}


# The body of a POST: the wizard's fields, as a browser would post them.
IMPORT_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "The CSV file"},
        "has_header": {"type": "boolean", "default": True},
        "mapping": {
            "type": "string",
            "description": (
                'A JSON object {"column": "target"}: a column named by its header or its '
                'position from 0, a target as the wizard names it ("first_name", '
                '"email:work", "custom:<user field id>", "tags"...). The columns it does not '
                "name are not imported. Without it, the wizard's automatic mapping."
            ),
        },
        "encoding": _choices(ENCODINGS),
        "delimiter": _choices(DELIMITERS),
        "quotechar": _choices(QUOTES),
        "skip_records": {"type": "integer", "minimum": 0, "maximum": 1000},
        "duplicates": _choices(ImportJob.Duplicates.choices),
        "match_on": _choices(ImportJob.MatchOn.choices),
        "company_moved": {"type": "boolean", "default": False},
        "access": _choices(Contact.Access.choices),
        "responsible": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "Users responsible for the contacts besides the caller",
        },
        "tags": {"type": "string", "description": "Tags for every contact, comma-separated"},
    },
}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@router.post(
    "/imports",
    response={202: ImportDetail},
    summary="Import a CSV file",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": IMPORT_FORM}},
        },
        "responses": {
            "413": {
                "description": "The body is larger than the import's limit",
                "content": PROBLEM,
            },
            "507": {"description": "The server's disk is full", "content": PROBLEM},
        },
    },
)
def import_new(request: HttpRequest) -> HttpResponse:
    """Import a CSV file as the import wizard does, and start it: 202, then poll
    Location until its status is done (or cancelled, failed)."""
    user = cast(User, request.user)
    if int_param(request.META.get("CONTENT_LENGTH"), 0) > settings.IMPORT_MAX_BYTES + BODY_MARGIN:
        # Refused before the body is read: a huge upload never reaches the disk.
        max_mb = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise Problem(413, "file_too_large", f"The file is larger than {max_mb} MB.")
    job = services.job_start(job=_draft(request, user))
    answer = as_json(_detail(get_import_for_user(user, job.pk), user))
    answer.status_code = 202
    answer["Location"] = f"/api/v1/imports/{job.pk}"
    return answer
