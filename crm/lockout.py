"""The answer to a sign-in refused by django-axes: the sign-in page again, with the reason."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext

from accounts.forms import LoginForm


def lockout_response(request, response=None, credentials=None):
    """Render the sign-in page saying how long this username must wait at this address."""
    login = (credentials or {}).get("username") or request.POST.get("login", "")
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many failed attempts to log in. Try again in %(minutes)d minute.",
        "Too many failed attempts to log in. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    form = LoginForm(request=request, initial={"login": login})
    # The sign-in view checks the next address when it redirects; here it is only carried.
    next_url = request.POST.get("next") or request.GET.get("next", "")
    context = {"form": form, "lockout": message, "redirect_field_value": next_url}
    # 429 Too Many Requests: the password may be right; the pace is what is refused.
    return render(request, "account/login.html", context, status=429)
