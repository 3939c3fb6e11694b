"""The CRM admins' settings pages: thin views over the contacts services."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contacts.access import is_crm_admin

# The settings navigation: (key, label, URL name), in the order shown.
SECTIONS = [
    ("types", _("Contact types"), "settings_app:types"),
    ("fields", _("User fields"), "settings_app:fields"),
    ("currency", _("Currency"), "settings_app:currency"),
    ("tags", _("Tags"), "settings_app:tags"),
    ("event_categories", _("Event categories"), "settings_app:event_categories"),
    ("task_categories", _("Task categories"), "settings_app:task_categories"),
    ("relation_types", _("Relation types"), "settings_app:relation_types"),
    ("webforms", _("Website forms"), "settings_app:webforms"),
    ("webhooks", _("Webhooks"), "webhooks:list"),  # the api app's pages
    ("users", _("Users"), "settings_app:users"),
    ("audit", _("Audit"), "settings_app:audit"),
    # Personal data: the privacy app's pages, then the suppression list and the review.
    ("privacy", _("Personal data"), "privacy:find"),
    ("suppression", _("Suppression list"), "settings_app:suppression"),
    ("retention", _("Retention review"), "settings_app:retention"),
    ("sign_in", _("Sign-in"), "settings_app:sign_in"),
]


def admin_required(view):
    """Answer 403 to anyone who is not a CRM admin."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_crm_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def render_settings(request, section, template, context=None):
    """Render a settings page inside the settings navigation."""
    sections = [(key, label, reverse(name)) for key, label, name in SECTIONS]
    return render(request, template, {"sections": sections, "section": section, **(context or {})})


def move_response(request, move, url):
    """Move a row of an ordered list up or down: the buttons that need no mouse or script."""
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponseBadRequest(_("Move it up or down."))
    move(direction=direction)
    return redirect(url)


def reorder_response(request, reorder, url):
    """Store an ordered list after a drag and drop; answer JSON to the script."""
    try:
        ids = [int(i) for i in request.POST.getlist("ids")]
    except ValueError:
        return HttpResponseBadRequest(_("The order is a list of ids."))
    rows = reorder(ids=ids)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ids": [row.pk for row in rows]})
    messages.success(request, _("Order saved."))
    return redirect(url)
