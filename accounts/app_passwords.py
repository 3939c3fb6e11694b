"""App passwords: one per device that syncs the address books, made, listed, revoked,
and checked on each CardDAV request.

A phone asks for a user name and a password; the password it keeps is one of these,
never the account's. The user name finds the user's few live ones and the password's
digest is compared with each. The passwords are random (100 bits), so a plain SHA-256
is enough, as for the API tokens: a slow hash would slow down every request of a sync.
"""

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import AppPassword

# Letters and digits no one mistakes for another when typing it into a phone.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 4, 5
# How often the "last used" time is written: not at every request of a sync.
LAST_USE_STEP = datetime.timedelta(minutes=1)
# Enough for every device a person owns; more would be passwords forgotten, still working.
MAX_LIVE_PASSWORDS = 20


def _digest(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def app_passwords_of(user: User) -> QuerySet[AppPassword]:
    """Return user's app passwords that still work, newest first."""
    return AppPassword.objects.filter(user=user, revoked_at__isnull=True)


@transaction.atomic
def app_password_create(*, user: User, name: str) -> tuple[AppPassword, str]:
    """Make an app password for user; return it and the password itself, never kept.

    Raise ValidationError when user has MAX_LIVE_PASSWORDS live ones already.
    """
    # Locks the user's row: two requests at once cannot both pass the count.
    User.objects.select_for_update().filter(pk=user.pk).exists()
    if app_passwords_of(user).count() >= MAX_LIVE_PASSWORDS:
        raise ValidationError(
            _("You have %(count)s app passwords, the most there may be: revoke one first.")
            % {"count": MAX_LIVE_PASSWORDS},
            code="too_many",
        )
    password = "-".join(
        "".join(secrets.choice(ALPHABET) for _i in range(GROUP_LENGTH)) for _g in range(GROUPS)
    )
    row = AppPassword.objects.create(user=user, name=name.strip()[:100], digest=_digest(password))
    audit.record(
        by=user, action=audit.Action.APP_PASSWORD_CREATED, target=user, details=_facts(row)
    )
    return row, password


@transaction.atomic
def app_password_revoke(*, user: User, app_password: AppPassword) -> None:
    """Revoke one of user's app passwords: its device is refused at once."""
    revoked = AppPassword.objects.filter(
        pk=app_password.pk, user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked:
        audit.record(
            by=user,
            action=audit.Action.APP_PASSWORD_REVOKED,
            target=user,
            details=_facts(app_password),
        )


def _facts(row: AppPassword) -> dict[str, object]:
    return {"app_password_id": row.pk, "name": row.name}


def app_password_check(username: str, password: str) -> User | None:
    """Return the active user whose live app password this is, else None; note its use."""
    found = app_password_found(username, password)
    return found.user if found is not None else None


def app_password_found(username: str, password: str) -> AppPassword | None:
    """Return the live app password of an active user this is (its user read with it),
    else None; note its use. Its name says in the history which device wrote."""
    # Spaces typed while copying it from the page do not count.
    digest = _digest("".join(password.split()).lower())
    rows = AppPassword.objects.filter(
        user__username=username, user__is_active=True, revoked_at__isnull=True
    ).select_related("user")
    # Each compared, found or not: the time taken tells nothing of which one matched.
    found = [row for row in rows if hmac.compare_digest(row.digest, digest)]
    if not found:
        return None
    row, now = found[0], timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_STEP:
        AppPassword.objects.filter(pk=row.pk).update(last_used_at=now)
    return row
