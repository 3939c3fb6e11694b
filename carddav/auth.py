"""Who syncs: HTTP Basic with a user name and one of his app passwords, nothing else.

No session and no account password: a phone keeps what it is given in its settings, and
what it keeps must be revocable alone. Wrong passwords are counted per user name and
address in the cache (shared by every app server, as the API's rate limit is): past
CARDDAV_AUTH_FAILURES in a window, the pair is answered 429 until the window turns.
"""

import base64
import binascii
import hashlib
import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from accounts.app_passwords import app_password_found
from accounts.network import client_ip
from carddav import dav
from contacts.access import is_crm_user

WINDOW = 300
REALM = 'Basic realm="CRM address books", charset="UTF-8"'


def _credentials(request: HttpRequest) -> tuple[str, str] | None:
    scheme, _space, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon and username and "\x00" not in decoded else None


def _failures_key(username: str, request: HttpRequest) -> str:
    window = int(time.time()) // WINDOW
    # Hashed: any text a client sends as a user name makes a short key, safe in any cache.
    who = hashlib.sha256(f"{client_ip(request)}\n{username}".encode()).hexdigest()[:32]
    return f"carddav-auth:{window}:{who}"


def _count_failure(key: str) -> None:
    # add() starts the window's counter without overwriting one another server made.
    cache.add(key, 0, WINDOW + 5)
    try:
        cache.incr(key)
    except ValueError:  # gone between add() and incr(): count this one alone
        cache.set(key, 1, WINDOW + 5)


def unauthorized(message: str = "Sign in with your user name and an app password.") -> HttpResponse:
    answer = dav.error(401, dav.tag(dav.CRM, "unauthorized"), message)
    answer["WWW-Authenticate"] = REALM
    return answer


def dav_user(request: HttpRequest) -> User | HttpResponse:
    """Return the user whose app password the request carries, or the refusal to answer."""
    credentials = _credentials(request)
    if credentials is None:
        return unauthorized()
    username, password = credentials
    key = _failures_key(username, request)
    if (cache.get(key) or 0) >= settings.CARDDAV_AUTH_FAILURES:
        answer = dav.error(429, dav.tag(dav.CRM, "too-many-attempts"), "Too many wrong passwords.")
        answer["Retry-After"] = str(WINDOW - int(time.time()) % WINDOW)
        return answer
    found = app_password_found(username, password)
    if found is None:
        _count_failure(key)
        return unauthorized("Wrong user name or app password (the account's password is refused).")
    user = found.user
    request.app_password = found  # type: ignore[attr-defined]
    if not is_crm_user(user):
        return dav.error(
            403,
            dav.tag(dav.CRM, "not-a-crm-user"),
            "This account is not a CRM user: it may not use the CRM.",
        )
    return user


def app_password_name(request: HttpRequest) -> str:
    """Return the name of the app password the request came with: what the history says a
    phone's change came through."""
    found = getattr(request, "app_password", None)
    return found.name if found is not None else ""
