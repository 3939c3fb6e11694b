"""Reads of a user's own sign-in state: his second factors and his sessions."""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone

# The engines that keep every session in the database, where one query can find them.
DATABASE_SESSIONS = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


@dataclass(frozen=True)
class TwoFactor:
    app: bool  # an authenticator app (TOTP)
    keys: int  # security keys and passkeys (WebAuthn)
    codes_left: int  # unused recovery codes
    codes_total: int

    @property
    def enabled(self) -> bool:
        return self.app or self.keys > 0


def two_factor_exists(user_id: str = "pk") -> Exists:
    """Return whether the user (the field user_id of the outer query) has a second factor.

    An app or a security key: recovery codes alone let nobody in.
    """
    factors = Authenticator.objects.filter(
        user_id=OuterRef(user_id),
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
    )
    return Exists(factors)


def two_factor_of(user: User) -> TwoFactor:
    """Return which second factors user has set up, and his recovery codes left."""
    app, keys, left, total = False, 0, 0, 0
    for authenticator in Authenticator.objects.filter(user_id=user.pk):
        if authenticator.type == Authenticator.Type.TOTP:
            app = True
        elif authenticator.type == Authenticator.Type.WEBAUTHN:
            keys += 1
        elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
            codes = authenticator.wrap()
            left, total = len(codes.get_unused_codes()), len(codes.generate_codes())
    return TwoFactor(app=app, keys=keys, codes_left=left, codes_total=total)


def sessions_of(request: HttpRequest) -> list[UserSession]:
    """Return the signed-in user's sessions still open, oldest first, his current one included.

    A session opened before sign-ins were recorded (or by a test's force_login) is
    recorded now, so that the list always holds the one in use.
    """
    user = request.user
    sessions = UserSession.objects.filter(user_id=user.pk).order_by("created_at")
    if settings.SESSION_ENGINE in DATABASE_SESSIONS:
        alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
        found = list(sessions.filter(session_key__in=alive))
    else:
        found = sorted(UserSession.objects.purge_and_list(user), key=lambda s: s.created_at)
    current = request.session.session_key
    if current and not any(s.session_key == current for s in found):
        UserSession.objects.create_from_request(request)
        found += list(sessions.filter(session_key=current))
    return found


def two_factor_coverage() -> tuple[int, int]:
    """Return how many active users sign in with a second factor, and how many there are."""
    users = User.objects.filter(is_active=True)
    factors = Authenticator.objects.exclude(type=Authenticator.Type.RECOVERY_CODES)
    covered = users.filter(pk__in=factors.values("user_id")).count()
    return covered, users.count()
