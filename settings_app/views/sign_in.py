"""Sign-in: whether every user must sign in with a second factor."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import selectors, services
from accounts.models import SignInPolicy
from settings_app.views import admin_required, render_settings


class SignInPolicyForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=gettext_lazy("Require two-factor sign-in for every user"),
        required=False,
        help_text=gettext_lazy(
            "A user without it is asked to set it up on his next page, and can do nothing "
            "else until he has."
        ),
    )


@admin_required
def sign_in_settings(request):
    policy = SignInPolicy.load()
    form = SignInPolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"require_two_factor": policy.require_two_factor},
    )
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["require_two_factor"]
        services.sign_in_policy_update(require_two_factor=required)
        if required:
            messages.success(request, _("Two-factor sign-in is now required for every user."))
        else:
            messages.success(request, _("Two-factor sign-in is now each user's choice."))
        return redirect("settings_app:sign_in")
    covered, users = selectors.two_factor_coverage()
    context = {"form": form, "covered": covered, "users": users}
    return render_settings(request, "sign_in", "settings_app/sign_in.html", context)
