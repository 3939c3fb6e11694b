from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.utils import translation
from django.views.decorators.http import require_safe

from api.problems import problem_response
from api.v1 import api


def in_english(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer in English whatever the caller's language: the API's messages are English,
    with stable codes for programs."""

    @wraps(view)  # its attributes too: csrf_exempt, login_required
    def english(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override("en"):
            # No database column takes a NUL character (PostgreSQL refuses it outright).
            if "\x00" in request.META.get("QUERY_STRING", "") or any(
                "\x00" in key or "\x00" in value
                for key, values in request.GET.lists()
                for value in values
            ):
                return problem_response(
                    400, "unreadable_query", "A parameter holds a NUL character."
                )
            return view(request, *args, **kwargs)

    return english


patterns, _app_name, _namespace = api.urls
# The routes check their callers themselves (a token has no session): the site's
# sign-in redirect and CRM-user check would answer them with pages. The docs page stays
# for signed-in users; the schema is public (it describes, it holds no data).
for pattern in patterns:
    view = pattern.callback  # type: ignore[union-attr]
    if pattern.name in ("openapi-json", "openapi-view"):
        view = require_safe(view)
    if pattern.name != "openapi-view":
        view.login_required = False
    pattern.callback = in_english(view)  # type: ignore[union-attr]


@login_not_required
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other address under the API: a problem, not the site's page."""
    return problem_response(404, "not_found", "The API has no such address.")


urlpatterns = [
    path("v1/", include((patterns, "api"), namespace="api")),
    re_path(r"^(?P<rest>.*)$", not_found, name="api_not_found"),
]
