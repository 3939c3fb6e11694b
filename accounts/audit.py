"""The record of what admins do to accounts: who, when, what, to whom.

Every service that changes an account records it here, in its own transaction, with
`record`; the Settings › Audit page reads it back through `entries` and writes each
entry in its reader's language from the action's code and its details.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Action(models.TextChoices):
    """What an entry records; the codes are stored, the labels shown."""

    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_RESENT = "invitation_resent", _("Invitation sent again")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation withdrawn")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    ROLE_CHANGED = "role_changed", _("Role changed")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_REACTIVATED = "user_reactivated", _("User reactivated")
    CONTACTS_HANDED_OVER = "contacts_handed_over", _("Contacts handed over")
    MFA_RESET = "mfa_reset", _("Two-factor reset")
    PASSWORD_RESET_SENT = "password_reset_sent", _("Password reset link sent")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    APP_PASSWORD_CREATED = "app_password_created", _("App password created")
    APP_PASSWORD_REVOKED = "app_password_revoked", _("App password revoked")
    SUPPRESSION_LIFTED = "suppression_lifted", _("Suppression list entry lifted")


def name_of(user: "User | None") -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def record(
    *,
    by: "User | None",
    action: str,
    target: "User | None",
    details: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Record that by did action to target; details are JSON values (ids, names, codes).

    by is None when nobody signed in acted (the person accepting an invitation is his
    own target and actor).
    """
    return AuditEntry.objects.create(
        actor=by,
        actor_name=name_of(by),
        action=str(action),
        target=target,
        target_name=name_of(target),
        details=dict(details or {}),
    )


def entries(*, action: str = "", user_id: int | None = None) -> QuerySet[AuditEntry]:
    """Return the entries, newest first: of one action, about or by one user, when given."""
    found = AuditEntry.objects.select_related("actor", "target")
    if action:
        found = found.filter(action=action)
    if user_id is not None:
        found = found.filter(Q(actor_id=user_id) | Q(target_id=user_id))
    return found.order_by("-created_at", "-id")


def label_of(action: str) -> str:
    """Return the action's label in the current language; an unknown code as it is."""
    try:
        return str(Action(action).label)
    except ValueError:
        return action
