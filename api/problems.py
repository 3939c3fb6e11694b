"""Errors as RFC 9457 problem details: application/problem+json with a stable code.

Every error the API answers has the same shape: type (a URI naming the kind of problem),
title, status, detail, and code, the identifier a client tests, which never changes
with the wording. Validation errors add errors: [{field, code, message}].
"""

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import BaseModel

# Identifiers of the kinds of problem, not pages to fetch (RFC 9457 allows either).
TYPE_BASE = "urn:crm:problem:"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
}


class Problem(Exception):
    """An error to answer as a problem: status, stable code and a sentence for people."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


class ProblemOut(BaseModel):
    """What every error answer holds (the OpenAPI schema documents it)."""

    type: str
    title: str
    status: int
    detail: str
    code: str


# The problems any operation may answer, and what each means.
COMMON = {
    "401": "No valid token or session",
    "403": "Not a CRM user, a read-only token for a write, or a contact not to change",
    "422": "A parameter or the body is not valid",
    "429": "Too many requests: wait Retry-After seconds",
}


# Where a change must name the version it read (If-Match).
VERSIONED = "/api/v1/contacts/{"
# Creating or changing a contact: the e-mails and phones of an erased person are refused.
CONTACT_WRITES = {
    ("/api/v1/contacts", "post"),
    ("/api/v1/contacts/{contact_id}", "put"),
    ("/api/v1/contacts/{contact_id}", "patch"),
}
# A merge names the version read of each contact in its body.
MERGE = "/api/v1/contacts/merge"


def document(schema: Any) -> None:
    """Add the problems to every operation of an OpenAPI schema, as problem+json."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = ProblemOut.model_json_schema()
    content = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            answers = dict(COMMON)
            if "{" in path or "requestBody" in operation:
                answers["404"] = "Nothing here, or nothing the caller may see (a contact named)"
            if operation.get("parameters"):
                answers["400"] = "A parameter holding a NUL character, or a cursor not given"
            if method in ("put", "patch", "delete") and path.startswith(VERSIONED):
                answers["412"] = "If-Match names another version than the stored one"
                answers["428"] = "If-Match is missing"
            if (path, method) in CONTACT_WRITES:
                answers["409"] = "An e-mail or phone of a person erased at their request"
            if path == MERGE:
                answers["412"] = "A contact is at another version than the body names"
            if "requestBody" in operation:
                answers["400"] = "A body that is no JSON, or holds text no database stores"
            for status, description in answers.items():
                responses.setdefault(status, {"description": description, "content": content})


def form_errors(errors: Any, field_names: Any = None) -> list[dict[str, str]]:
    """Return a Django form's errors (errors.as_data()) as a problem lists them: each
    field (renamed by field_names, a function), the error's code and its message."""
    name = field_names or (lambda field: field)
    return [
        {"field": name(field), "code": error.code or "invalid", "message": " ".join(error.messages)}
        for field, found in errors.items()
        for error in found
    ]


def problem_response(status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    body = {
        "type": TYPE_BASE + code,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=MEDIA_TYPE
    )


def _validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors:
        # The location without where it came from (query, path, body) nor the body's
        # parameter: the field as the client named it.
        where, *parts = error.get("loc", ("",))
        if where == "body":
            parts = parts[1:]
        field = ".".join(str(part) for part in parts) or where
        errors.append(
            {"field": field, "code": error.get("type", "invalid"), "message": error["msg"]}
        )
    return errors


def install(api: NinjaAPI) -> None:
    """Make every error api answers a problem."""

    @api.exception_handler(Problem)
    def problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        return problem_response(exc.status, exc.code, exc.detail, **exc.extra)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem_response(
            422, "invalid", "The request is not valid.", errors=_validation_errors(exc)
        )

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem_response(
            401,
            "not_authenticated",
            "Send a valid API token (Authorization: Bearer <token>) or sign in.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return problem_response(
            429, "rate_limited", "Too many requests for this token: wait and try again."
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(404, "not_found", "Nothing here, or nothing you may see.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem_response(403, "not_allowed", "You may see this contact, not change it.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = "unreadable_body" if exc.status_code == 400 else "error"
        return problem_response(exc.status_code, code, str(exc))
