"""Who is a CRM admin, and the service that makes or removes one.

The last CRM admin cannot be removed: the settings would be out of everyone's reach.
"""

from __future__ import annotations

import logging
from typing import TypedDict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext as _
from django_stubs_ext import WithAnnotations

from contacts.models import CRM_ADMINS_GROUP

logger = logging.getLogger(__name__)


# CRM admins


class CrmAdminFlag(TypedDict):
    is_crm_admin: bool


def crm_admin_users() -> list[WithAnnotations[User, CrmAdminFlag]]:
    """Return the active users, each with `is_crm_admin`, by name."""
    in_admins_group = Exists(
        User.groups.through.objects.filter(user=OuterRef("pk"), group__name=CRM_ADMINS_GROUP)
    )
    is_crm_admin = ExpressionWrapper(
        Q(is_superuser=True) | Q(in_admins_group), output_field=BooleanField()
    )
    users = get_user_model().objects.filter(is_active=True).annotate(is_crm_admin=is_crm_admin)
    return list(users.order_by("first_name", "last_name", "username"))


def _count_crm_admins(group: Group) -> int:
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups=group), is_active=True)
        .distinct()
        .count()
    )


@transaction.atomic
def crm_admin_set(*, by: User, user: User, is_admin: bool) -> bool:
    """Make user a CRM admin or remove him from them; return whether anything changed.

    The last CRM admin cannot be removed: then nobody could open Settings.
    """
    # Every change of the admins locks the group's row: two admins removing each
    # other at once are serialised, and the second count sees the first removal.
    group = Group.objects.select_for_update().get_or_create(name=CRM_ADMINS_GROUP)[0]
    is_member = group.user_set.filter(pk=user.pk).exists()
    if is_admin == is_member:
        return False
    if is_admin:
        group.user_set.add(user)
    else:
        group.user_set.remove(user)
        if _count_crm_admins(group) == 0:
            raise ValidationError(
                _("%(name)s is the last CRM admin: make someone else a CRM admin first.")
                % {"name": user.get_full_name() or user.username}
            )
    # The roles are cached on the user object for the request.
    user.__dict__.pop("_crm_roles", None)
    logger.info("%s %s CRM admin %s", by.username, "made" if is_admin else "removed", user.username)
    return True
