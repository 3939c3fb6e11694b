"""The REST API, version 1: /api/v1/.

Every route acts as its caller (a token's user or the signed-in user) through the same
selectors, services and access checks as the pages. Errors are problem details
(api.problems); each caller has a per-minute limit (api.throttle).
"""

from typing import Any

from ninja import NinjaAPI

from api import (  # noqa: F401 - contact_writes adds routes
    bulk,
    contact_writes,
    contacts,
    events,
    imports,
    me,
    merging,
    problems,
    references,
    tasks,
    trash,
)
from api.auth import session_auth, token_auth
from api.parser import StoredTextParser
from api.throttle import PerCallerThrottle


class CrmApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The schema, with the problems every operation may answer."""
        schema = super().get_openapi_schema(*args, **kwargs)
        problems.document(schema)
        return schema


api = CrmApi(
    title="CRM API",
    version="1",
    description=(
        "The customer base, for other software. Authenticate with a personal token "
        "(`Authorization: Bearer <token>`, made in your profile) or a signed-in session "
        "(with the CSRF token on writes). Errors are RFC 9457 problem details."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    auth=[token_auth, session_auth],
    throttle=[PerCallerThrottle()],
    parser=StoredTextParser(),
)
problems.install(api)
api.add_router("", me.router)
# Before the contacts' routes: /contacts/merge would be read as /contacts/{contact_id}.
api.add_router("", merging.router)
api.add_router("", contacts.router)
api.add_router("", references.router)
api.add_router("", tasks.router)
api.add_router("", trash.router)
api.add_router("", events.router)
api.add_router("", bulk.router)
api.add_router("", imports.router)
