"""Signing a user out everywhere, whatever session engine stores the sessions."""

from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def sessions_end(user: "User") -> int:
    """Delete every session user is signed in with; return how many there were.

    The database and cached_db engines keep every session in the sessions table, which
    says nothing of whose it is: each one still running is decoded to find his. The
    engine's own store deletes it, so that cached_db drops its cached copy too. (Engines
    without a table, the cache or signed cookies alone, cannot be searched: there the
    inactive account is refused by the authentication backend at its next request.)
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    get_model_class = getattr(store_class, "get_model_class", None)
    if get_model_class is None:
        return 0
    model = get_model_class()
    wanted = str(user.pk)
    keys = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == wanted
    ]
    for key in keys:
        store_class(session_key=key).delete()
    return len(keys)
