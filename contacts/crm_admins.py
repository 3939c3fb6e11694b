"""Who is a CRM admin, and the service that makes or removes one.

The last CRM admin cannot be removed: the settings would be out of everyone's reach.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from contacts.models import CRM_ADMINS_GROUP

logger = logging.getLogger(__name__)


# CRM admins


def crm_admin_users():
    """Return the active users, each with `is_crm_admin`, by name."""
    users = get_user_model().objects.filter(is_active=True)
    admin_ids = set(users.filter(groups__name=CRM_ADMINS_GROUP).values_list("pk", flat=True))
    users = list(users.order_by("first_name", "last_name", "username"))
    for user in users:
        user.in_admins_group = user.pk in admin_ids
        user.is_crm_admin = user.is_superuser or user.in_admins_group
    return users


def _count_crm_admins(group):
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups=group), is_active=True)
        .distinct()
        .count()
    )


@transaction.atomic
def crm_admin_set(*, by, user, is_admin: bool) -> bool:
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
