"""How django-allauth fits this CRM: no sign-up, e-mails in the reader's language and sent
in the background, links from SITE_URL, addresses counted as the other throttles count
them, and the profile started at a user's first sign-in.
"""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.models import SignInPolicy
from accounts.network import client_ip
from accounts.preferences import chosen_language


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Users come by invitation only: a CRM admin asks them in.
        return False

    def login(self, request, user):
        super().login(request, user)
        # The page he signed in on spoke the language he chose there: his profile starts in it.
        services.profile_for(user, language=translation.get_language())

    def get_client_ip(self, request):
        return client_ip(request)

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL.rstrip("/") + path.replace("UID-KEY", key)

    def send_mail(self, template_prefix, email, context):
        """Write the message in its reader's language, then send it from the task worker."""
        user = context.get("user") or _user_with_address(email)
        language = (user and chosen_language(user)) or translation.get_language()
        site = SimpleNamespace(name="CRM", domain=urlsplit(settings.SITE_URL).netloc)
        context = {"email": email, "current_site": site, **context, "request": self.request}
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        services.email_enqueue(message=message)


def _user_with_address(email):
    return get_user_model().objects.filter(email__iexact=email).first()


class MFAAdapter(DefaultMFAAdapter):
    def _get_site_name(self):
        # The name an authenticator app lists the account under, and a security key's.
        return settings.MFA_TOTP_ISSUER

    def can_delete_authenticator(self, authenticator):
        """Keep a user's last second factor while the CRM requires one."""
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return True
        if not SignInPolicy.load().require_two_factor:
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id).exclude(
            Q(pk=authenticator.pk) | Q(type=Authenticator.Type.RECOVERY_CODES)
        )
        return others.exists()
