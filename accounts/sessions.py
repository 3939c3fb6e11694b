"""Signing a user out everywhere, whatever session engine stores the sessions."""

from importlib import import_module
from typing import TYPE_CHECKING

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def sessions_end(user: "User") -> int:
    """Delete every session user is signed in with; return how many there were.

    The database and cached_db engines keep every session in the sessions table, which
    says nothing of whose it is: each one still running is decoded to find his. The
    sessions django-allauth recorded at his sign-ins (the list of his sessions on his
    profile) name theirs on every engine, the cache alone included: those end too, and
    their records go with them. The engine's own store deletes each session, so that
    cached_db drops its cached copy too. (Signed cookies cannot be reached: there the
    inactive account is refused by the authentication backend at its next request.)
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    recorded = UserSession.objects.filter(user_id=user.pk)
    keys = {
        key for key in recorded.values_list("session_key", flat=True) if store_class().exists(key)
    }
    get_model_class = getattr(store_class, "get_model_class", None)
    if get_model_class is not None:
        wanted = str(user.pk)
        keys.update(
            session.session_key
            for session in get_model_class()
            .objects.filter(expire_date__gt=timezone.now())
            .iterator()
            if session.get_decoded().get(SESSION_KEY) == wanted
        )
    for key in keys:
        store_class(session_key=key).delete()
    recorded.delete()
    return len(keys)
