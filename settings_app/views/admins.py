"""CRM admins: who may open Settings and sees every contact."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import crm_admins as config
from contacts.access import is_crm_admin
from settings_app.views import admin_required, render_settings


@admin_required
def admin_list(request):
    context = {"users": config.crm_admin_users()}
    return render_settings(request, "admins", "settings_app/admins.html", context)


@admin_required
@require_POST
def admin_set(request, pk):
    """Make a user a CRM admin, or remove him from the CRM admins."""
    user = get_object_or_404(get_user_model(), pk=pk, is_active=True)
    choice = request.POST.get("is_admin")
    if choice not in ("0", "1"):
        return HttpResponseBadRequest(_("Say whether the user is a CRM admin."))
    name = user.get_full_name() or user.username
    try:
        changed = config.crm_admin_set(by=request.user, user=user, is_admin=choice == "1")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("settings_app:admins")
    if changed and choice == "1":
        messages.success(request, _("%(name)s is now a CRM admin.") % {"name": name})
    elif changed:
        messages.success(request, _("%(name)s is no longer a CRM admin.") % {"name": name})
    if user.pk == request.user.pk and not is_crm_admin(user):
        # Settings are closed to him from now on.
        return redirect("contacts:list")
    return redirect("settings_app:admins")
