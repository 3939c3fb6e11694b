"""Personal API tokens: made, listed, revoked, and checked on each API request.

A token reads crm_<key>_<secret>. The key finds the row; the whole token is compared
with the digest kept. The secrets are random and long, so a plain SHA-256 is enough: a
slow password hash would only slow every request down.
"""

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import ApiToken

PREFIX = "crm_"
# How often the "last used" time is written: not at every request.
LAST_USE_STEP = datetime.timedelta(minutes=1)
# Enough for every program a person runs; more would be tokens forgotten, still working.
MAX_LIVE_TOKENS = 20


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """Return user's tokens that are not revoked, newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def live_tokens_of(user: User) -> QuerySet[ApiToken]:
    """Return user's tokens that still work, neither revoked nor expired, newest first."""
    unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    return tokens_of(user).filter(unexpired)


@transaction.atomic
def token_create(
    *, user: User, name: str, scope: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for user; return it and the token itself, which is never kept.

    Raise ValidationError when user has MAX_LIVE_TOKENS live tokens already.
    """
    # Locks the user's row: two requests at once cannot both pass the count.
    User.objects.select_for_update().filter(pk=user.pk).exists()
    if live_tokens_of(user).count() >= MAX_LIVE_TOKENS:
        raise ValidationError(
            _("You have %(count)s live tokens, the most there may be: revoke one first.")
            % {"count": MAX_LIVE_TOKENS},
            code="too_many",
        )
    key = secrets.token_hex(6)
    token = f"{PREFIX}{key}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        scope=ApiToken.Scope(scope),
        key=key,
        digest=_digest(token),
        expires_at=expires_at,
    )
    audit.record(by=user, action=audit.Action.API_TOKEN_CREATED, target=user, details=_facts(row))
    return row, token


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken) -> None:
    """Revoke one of user's tokens: it stops working at once."""
    revoked = ApiToken.objects.filter(pk=token.pk, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit.record(
            by=user, action=audit.Action.API_TOKEN_REVOKED, target=user, details=_facts(token)
        )


def _facts(token: ApiToken) -> dict[str, object]:
    return {"token_id": token.pk, "name": token.name, "scope": token.scope, "key": token.key}


def token_check(token: str) -> ApiToken | None:
    """Return the live token of an active user that token is, else None; note its use."""
    if not token.startswith(PREFIX):
        return None
    key, _sep, secret = token.removeprefix(PREFIX).partition("_")
    if not key or not secret:
        return None
    row = ApiToken.objects.select_related("user").filter(key=key).first()
    if row is None or not hmac.compare_digest(row.digest, _digest(token)):
        return None
    if not row.is_live or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_STEP:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row
