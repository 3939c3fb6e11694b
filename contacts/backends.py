"""The sign-in backend: allauth's, reading with the user what every request asks of him."""

import functools

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Profile, SignInPolicy
from contacts.models import CRM_ADMINS_GROUP, CRM_USERS_GROUP


@functools.cache
def user_of_session_sql() -> str:
    """Return the statement that reads a user with his CRM roles (in_admins, in_users),
    and what accounts.middleware.request_state annotates: his profile's language and time
    zone, whether two-factor is required and whether he has a second factor.

    Written once rather than built by the ORM on every request: building and compiling
    its five subqueries cost several times what the database took to answer them.
    """
    user = get_user_model()._meta
    columns = ", ".join(f'u."{field.column}"' for field in user.concrete_fields)
    members = Group.user_set.through._meta.db_table
    groups = Group._meta.db_table
    profiles = Profile._meta.db_table
    policies = SignInPolicy._meta.db_table
    factors = Authenticator._meta.db_table

    def member_of() -> str:
        return (
            # safe-sql: table names of the models; the group's name is a parameter.
            f'EXISTS (SELECT 1 FROM "{members}" m JOIN "{groups}" g ON g.id = m.group_id '  # noqa: S608
            "WHERE m.user_id = u.id AND g.name = %s)"
        )

    return (
        # safe-sql: column and table names of the models; every value is a parameter.
        f"SELECT {columns}, {member_of()} AS in_admins, {member_of()} AS in_users, "  # noqa: S608
        f'(SELECT p.language FROM "{profiles}" p WHERE p.user_id = u.id) AS state_language, '
        f'(SELECT p.time_zone FROM "{profiles}" p WHERE p.user_id = u.id) AS state_time_zone, '
        f'EXISTS (SELECT 1 FROM "{policies}" s WHERE s.id = 1 AND s.require_two_factor) '
        "AS state_two_factor_required, "
        f'EXISTS (SELECT 1 FROM "{factors}" a WHERE a.user_id = u.id AND a.type <> %s) '
        f'AS state_has_factor FROM "{user.db_table}" u WHERE u.id = %s'
    )


class CrmAuthenticationBackend(AuthenticationBackend):
    """allauth's backend (username or e-mail address), whose user of a session comes with
    his CRM roles, language, time zone and second factor read in the same query: the
    middleware and the access checks would otherwise ask for each on every request."""

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        params = [CRM_ADMINS_GROUP, CRM_USERS_GROUP, Authenticator.Type.RECOVERY_CODES, user_id]
        found = list(get_user_model()._default_manager.raw(user_of_session_sql(), params))
        user = found[0] if found else None
        if user is None or not self.user_can_authenticate(user):
            return None
        # SQLite answers EXISTS with 0 or 1.
        for flag in ("in_admins", "in_users", "state_two_factor_required", "state_has_factor"):
            setattr(user, flag, bool(getattr(user, flag)))
        # Read by contacts.access._roles, as it would keep them after asking.
        user.__dict__["_crm_roles"] = (user.is_superuser or user.in_admins, user.in_users)
        return user
