"""The answer to a login refused by django-axes: the login page again, with the reason."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import ngettext


def lockout_response(request, response=None, credentials=None):
    """Render the login page saying how long this username must wait at this address."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many failed attempts to log in. Try again in %(minutes)d minute.",
        "Too many failed attempts to log in. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    form = AuthenticationForm(request, initial={"username": username})
    # The login view checks the next address when it redirects; here it is only carried.
    next_url = request.POST.get("next") or request.GET.get("next", "")
    context = {"form": form, "lockout": message, "next": next_url}
    # 429 Too Many Requests: the password may be right; the pace is what is refused.
    return render(request, "registration/login.html", context, status=429)
