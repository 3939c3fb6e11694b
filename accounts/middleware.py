from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import redirect
from django.utils import timezone, translation

from accounts.models import Profile, SignInPolicy
from accounts.preferences import zone


def request_state() -> dict[str, Any]:
    """Return, as annotations of a user, what every request of his asks: his language and
    time zone (None without a profile yet), and whether two-factor is required and
    whether he has a second factor."""
    profile = Profile.objects.filter(user_id=OuterRef("pk"))
    required = SignInPolicy.objects.filter(pk=1, require_two_factor=True)
    factors = Authenticator.objects.filter(user_id=OuterRef("pk")).exclude(
        type=Authenticator.Type.RECOVERY_CODES
    )
    return {
        "state_language": Subquery(profile.values("language")[:1]),
        "state_time_zone": Subquery(profile.values("time_zone")[:1]),
        "state_two_factor_required": Exists(required),
        "state_has_factor": Exists(factors),
    }


def _state_of(user):
    """Return (language, time zone, whether two-factor is required, whether he has a
    second factor): as the sign-in backend read them with the user, or in one query."""
    if hasattr(user, "state_has_factor"):
        return (
            user.state_language,
            user.state_time_zone,
            user.state_two_factor_required,
            user.state_has_factor,
        )
    return (
        get_user_model().objects.filter(pk=user.pk).values_list(*request_state().values()).first()
    )


class ProfileMiddleware:
    """Speak to a signed-in user in his profile's language and time zone.

    After LocaleMiddleware, whose choice (cookie, browser) holds for visitors and for a
    user without a profile yet, and after authentication. The same query tells
    TwoFactorRequiredMiddleware whether this user must set up two-factor first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.two_factor_missing = False
        if user.is_authenticated:
            state = _state_of(user)
            if state is not None:
                language, time_zone, required, has_factor = state
                request.two_factor_missing = required and not has_factor
                if language is not None:
                    translation.activate(language)
                    request.LANGUAGE_CODE = translation.get_language()
                    timezone.activate(zone(time_zone))
        try:
            return self.get_response(request)
        finally:
            # The thread serves other users next: the time zone must not stay.
            timezone.deactivate()


# What a user who must set up two-factor first may still open: the setup itself (and the
# password asked again before it), the way out and the language switch.
SETUP_PREFIXES = ("mfa_",)
SETUP_PAGES = {"account_logout", "account_reauthenticate", "set_language"}


class TwoFactorRequiredMiddleware:
    """Send a user without a second factor to its setup, while the CRM requires one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(request, "two_factor_missing", False):
            return None
        if not getattr(view_func, "login_required", True):  # public: @login_not_required
            return None
        name = request.resolver_match.view_name
        if name in SETUP_PAGES or name.startswith(SETUP_PREFIXES):
            return None
        # The page says why (templates/mfa/index.html).
        return redirect("mfa_index")
