from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n

from accounts import services
from accounts.forms import ProfileForm
from accounts.models import Profile
from accounts.preferences import default_preferences


class LoginView(auth_views.LoginView):
    """Sign in; a first sign-in starts the profile in the language of the login page."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.profile_for(self.request.user, language=translation.get_language())
        return response


def profile(request):
    """Show and change the signed-in user's own language and time zone."""
    shown = Profile.objects.filter(user=request.user).first() or Profile(
        user=request.user, **default_preferences(translation.get_language())._asdict()
    )
    form = ProfileForm(request.POST or None, instance=shown)
    if request.method == "POST" and form.is_valid():
        profile = services.profile_update(
            user=request.user,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        with translation.override(profile.language):
            messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        _remember_language(response, profile.language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_not_required
def set_language(request):
    """Switch the language; a signed-in user's profile follows the switch."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        services.profile_update(user=request.user, language=language)
    return response


def _remember_language(response, language):
    # The login page, shown before any profile applies, then speaks the same language.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
