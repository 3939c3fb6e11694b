"""/api/v1/me: who the caller is, and what his token may do."""

from typing import Any, Literal, cast

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router, Schema

from contacts.access import is_crm_admin

router = Router(tags=["me"])


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    crm_admin: bool
    auth: Literal["token", "session"]
    scope: Literal["read", "write"]


@router.get("/me", response=MeOut, summary="The caller")
def me(request: HttpRequest) -> dict[str, Any]:
    user = cast(User, request.user)  # authenticated: the router's auth
    token = getattr(request, "api_token", None)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "email": user.email,
        "crm_admin": is_crm_admin(user),
        "auth": "token" if token else "session",
        "scope": token.scope if token else "write",
    }
