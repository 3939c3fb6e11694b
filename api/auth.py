"""Who calls the API: a personal token (Authorization: Bearer), or a signed-in browser.

Either way the caller is a user, request.user, and the API acts as that user would in
the pages: the same selectors and access checks. A session caller must send the CSRF
token on writes, as the pages do; a token caller needs none (no cookie is involved).
"""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from accounts.models import ApiToken
from accounts.tokens import token_check
from api.problems import Problem
from contacts.access import is_crm_user

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _crm_user_only(user: Any) -> None:
    if not is_crm_user(user):
        raise Problem(
            403, "not_a_crm_user", "This account is not a CRM user: it may not use the CRM."
        )


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_check(token)
        if found is None:
            return None
        _crm_user_only(found.user)
        if found.scope != ApiToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise Problem(403, "read_only_token", "This token may only read.")
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


class CrmSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            _crm_user_only(user)
        return user


def token_name(request: HttpRequest) -> str:
    """Return the name of the token the caller came with, "session" for a browser: what
    the history says a change came through."""
    token = getattr(request, "api_token", None)
    return token.name if token else "session"


token_auth = TokenAuth()
session_auth = CrmSessionAuth()
