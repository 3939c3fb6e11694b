"""The sign-in backend: allauth's, reading with the user what every request asks of him."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from accounts.middleware import request_state
from contacts.models import CRM_ADMINS_GROUP, CRM_USERS_GROUP


class CrmAuthenticationBackend(AuthenticationBackend):
    """allauth's backend (username or e-mail address), whose user of a session comes with
    his CRM roles, language, time zone and second factor read in the same query: the
    middleware and the access checks would otherwise ask for each on every request."""

    def get_user(self, user_id):
        def member_of(name):
            return Exists(Group.objects.filter(name=name, user=OuterRef("pk")))

        users = get_user_model()._default_manager.annotate(
            in_admins=member_of(CRM_ADMINS_GROUP),
            in_users=member_of(CRM_USERS_GROUP),
            **request_state(),
        )
        user = users.filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        # Read by contacts.access._roles, as it would keep them after asking.
        user.__dict__["_crm_roles"] = (user.is_superuser or user.in_admins, user.in_users)
        return user
