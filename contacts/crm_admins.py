"""Who is a CRM admin, and the service that makes or removes one.

The last CRM admin cannot be removed: the settings would be out of everyone's reach.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from contacts.models import CRM_ADMINS_GROUP

logger = logging.getLogger(__name__)


def _count_crm_admins(group: Group) -> int:
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups=group), is_active=True)
        .distinct()
        .count()
    )


def crm_admins_lock() -> Group:
    """Lock the CRM admins' group row for the transaction, and return it.

    Every change of who is an active CRM admin takes this lock first: two admins
    removing or deactivating each other at once are serialised, and the second one's
    count sees the first one's change.
    """
    return Group.objects.select_for_update().get_or_create(name=CRM_ADMINS_GROUP)[0]


def crm_admin_remains(*, group: Group, user: User) -> None:
    """Raise ValidationError when no active CRM admin is left, user having been the last.

    Called after the change, under crm_admins_lock, in the transaction the error rolls back.
    """
    if _count_crm_admins(group) == 0:
        raise ValidationError(
            _("%(name)s is the last CRM admin: make someone else a CRM admin first.")
            % {"name": user.get_full_name() or user.username}
        )


@transaction.atomic
def crm_admin_set(*, by: User, user: User, is_admin: bool) -> bool:
    """Make user a CRM admin or remove him from them; return whether anything changed.

    The last CRM admin cannot be removed: then nobody could open Settings.
    """
    group = crm_admins_lock()
    is_member = group.user_set.filter(pk=user.pk).exists()
    if is_admin == is_member:
        return False
    if is_admin:
        group.user_set.add(user)
    else:
        group.user_set.remove(user)
        crm_admin_remains(group=group, user=user)
    # The roles are cached on the user object for the request.
    user.__dict__.pop("_crm_roles", None)
    logger.info("%s %s CRM admin %s", by.username, "made" if is_admin else "removed", user.username)
    return True
