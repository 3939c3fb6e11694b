"""Users: who may use the CRM, with which role; invitations, deactivation, hand-over,
signing in (two-factor, password), photos."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import name_of
from contacts.team import invitations
from contacts.team import services as team
from contacts.team.services import Status
from settings_app.forms import HandOverForm, InviteForm, RoleForm, UserFilterForm
from settings_app.views import admin_required, render_settings

PER_PAGE = 25
DEACTIVATED = gettext_lazy("%(name)s is deactivated and signed out.")
ROLE_SET = {
    team.Role.ADMIN: gettext_lazy("%(name)s is now a CRM admin."),
    team.Role.USER: gettext_lazy("%(name)s is now a CRM user."),
}


def _user(pk):
    user = team.user_with_role_and_status(pk)
    if user is None:
        raise Http404
    return user


def _user_url(user):
    return reverse("settings_app:user", args=[user.pk])


def _posted(request):
    # A confirmation with nothing to choose posts no field: still a submitted form.
    return request.POST if request.method == "POST" else None


def _error(request, error):
    messages.error(request, " ".join(error.messages))


@admin_required
@require_GET
def user_list(request):
    """Every account: name, email, role, status, last sign-in, contacts; searched, filtered."""
    form = UserFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    users = team.users_listed(
        query=filters.get("q", ""),
        role=filters.get("role", ""),
        status=filters.get("status", ""),
        two_factor=filters.get("two_factor"),
    )
    page = Paginator(users, PER_PAGE).get_page(request.GET.get("page"))
    counts = team.responsible_counts([user.pk for user in page])
    for user in page:
        user.responsible_count = counts[user.pk]
    filtered = any(value not in ("", None) for value in filters.values())
    context = {"form": form, "page": page, "filtered": filtered}
    context["count_text"] = ngettext("%(count)s user", "%(count)s users", page.paginator.count) % {
        "count": intcomma(page.paginator.count)
    }
    return render_settings(request, "users", "settings_app/users/list.html", context)


@admin_required
def user_invite(request):
    """Invite one or several people by email, with a role and a language."""
    form = InviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = invitations.invitations_send(
                by=request.user, emails=data["emails"], role=data["role"], language=data["language"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _invited_message(sent))
            return redirect(reverse("settings_app:users") + "?status=invited")
    context = {"form": form, "left": invitations.invitations_left(request.user)}
    return render_settings(request, "users", "settings_app/users/invite.html", context)


def _invited_message(sent):
    if len(sent) == 1:
        return _("Invitation sent to %(email)s.") % {"email": sent[0].email}
    return ngettext("%(count)s invitation sent.", "%(count)s invitations sent.", len(sent)) % {
        "count": len(sent)
    }


@admin_required
@require_GET
def user_detail(request, pk):
    """One account: its state, its role, its contacts, and what an admin may do with it."""
    user = _user(pk)
    invitation = team.invitation_pending_of(user) if user.crm_status == Status.INVITED else None
    context = {
        "person": user,
        "responsibility": team.responsibility_of(user),
        "role_form": RoleForm(initial={"role": user.crm_role}),
        "invitation": invitation,
        "expires_at": invitation and invitations.expires_at(invitation),
        "invitation_expired": invitation and not invitations.invitation_is_current(invitation),
    }
    return render_settings(request, "users", "settings_app/users/detail.html", context)


@admin_required
@require_POST
def user_set_role(request, pk):
    user = _user(pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a role: CRM admin or CRM user."))
    try:
        changed = team.user_set_role(by=request.user, user=user, role=form.cleaned_data["role"])
    except ValidationError as error:
        _error(request, error)
        return redirect(_user_url(user))
    role = team.Role(form.cleaned_data["role"])
    if changed:
        messages.success(request, ROLE_SET[role] % {"name": name_of(user)})
    if changed and user.pk == request.user.pk and role is team.Role.USER:
        # Settings are closed to him from now on.
        return redirect("contacts:list")
    return redirect(_user_url(user))


@admin_required
@require_POST
def user_two_factor_reset(request, pk):
    """Take away a user's second factors: he signs in with his password, then sets it up again."""
    user = _user(pk)
    try:
        team.user_two_factor_reset(by=request.user, user=user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request,
            _("Two-factor is reset: %(name)s signs in with the password, then sets it up again.")
            % {"name": name_of(user)},
        )
    return redirect(_user_url(user) + "#sign-in")


@admin_required
@require_POST
def user_password_reset(request, pk):
    """E-mail a user a link to choose a new password."""
    user = _user(pk)
    try:
        team.user_password_reset_send(by=request.user, user=user, request=request)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request,
            _("A link to choose a new password was sent to %(email)s.") % {"email": user.email},
        )
    return redirect(_user_url(user) + "#sign-in")


@admin_required
@require_GET
def user_photo(request, pk):
    """Return a user's profile photo to a CRM admin: the folder it is kept in is never served."""
    user = _user(pk)
    if not user.photo:
        raise Http404
    try:
        response = FileResponse(default_storage.open(user.photo, "rb"))
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=86400"
    return response


@admin_required
def user_deactivate(request, pk):
    """Confirm, saying what he is responsible for; deactivate and hand over in one step."""
    user = _user(pk)
    form = HandOverForm(_posted(request), user=user, required=False)
    if request.method == "POST" and form.is_valid():
        taker = form.cleaned_data["taker"]
        try:
            team.user_deactivate(by=request.user, user=user)
        except ValidationError as error:
            _error(request, error)
            return redirect(_user_url(user))
        messages.success(
            request, _("%(name)s is deactivated and signed out.") % {"name": name_of(user)}
        )
        return _hand_over(request, user, taker) if taker else redirect(_user_url(user))
    context = {"person": user, "form": form, "responsibility": team.responsibility_of(user)}
    return render_settings(request, "users", "settings_app/users/deactivate.html", context)


@admin_required
def user_hand_over(request, pk):
    """Give every contact a user is responsible for to another user."""
    user = _user(pk)
    form = HandOverForm(_posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        return _hand_over(request, user, form.cleaned_data["taker"])
    context = {"person": user, "form": form, "responsibility": team.responsibility_of(user)}
    return render_settings(request, "users", "settings_app/users/hand_over.html", context)


def _hand_over(request, giver, taker):
    try:
        job = team.contacts_hand_over(by=request.user, giver=giver, taker=taker)
    except ValidationError as error:
        _error(request, error)
        return redirect(_user_url(giver))
    if job is not None and not job.finished:
        return redirect("contacts:bulk_job", job.pk)
    count = job.changed if job else 0
    messages.success(
        request,
        ngettext(
            "%(count)s contact handed over to %(name)s.",
            "%(count)s contacts handed over to %(name)s.",
            count,
        )
        % {"count": intcomma(count), "name": name_of(taker)},
    )
    return redirect(_user_url(giver))


@admin_required
@require_POST
def user_reactivate(request, pk):
    user = _user(pk)
    try:
        team.user_reactivate(by=request.user, user=user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("%(name)s may log in again.") % {"name": name_of(user)})
    return redirect(_user_url(user))


def _pending_invitation(pk):
    invitation = team.invitation_pending_of(get_object_or_404(get_user_model(), pk=pk))
    if invitation is None:
        raise Http404
    return invitation


@admin_required
@require_POST
def invitation_resend(request, pk):
    invitation = _pending_invitation(pk)
    try:
        invitations.invitation_resend(by=request.user, invitation=invitation)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request, _("A new link was sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("settings_app:user", pk)


@admin_required
@require_POST
def invitation_revoke(request, pk):
    invitation = _pending_invitation(pk)
    try:
        invitations.invitation_revoke(by=request.user, invitation=invitation)
    except ValidationError as error:
        _error(request, error)
        return redirect("settings_app:user", pk)
    messages.success(
        request, _("The invitation of %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("settings_app:users")
