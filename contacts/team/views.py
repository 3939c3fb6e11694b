"""The invitee's page: the link from the invitation email, opened without an account."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.translation import gettext as _

from contacts.team import invitations
from contacts.team.forms import AcceptForm
from contacts.team.invitations import InvitationLinkError, LinkState

# A link that is not one of ours is not found; one that was ours has gone.
LINK_STATUS = {LinkState.INVALID: 404}


@login_not_required
def invitation_accept(request, token):
    """Let the invitee choose his name, username and password, in the invitation's language."""
    state, invitation = invitations.invitation_from_token(token)
    language = invitation.language if invitation else translation.get_language()
    with translation.override(language):
        if state is not LinkState.VALID or request.user.is_authenticated:
            return _link_page(request, state, invitation, language)
        form = AcceptForm(request.POST or None, user=invitation.user)
        if request.method == "POST" and form.is_valid():
            try:
                user = invitations.invitation_accept(token=token, **form.accepted())
            except InvitationLinkError as error:
                return _link_page(request, error.state, error.invitation, language)
            except ValidationError as error:
                form.add_error("username", error)
            else:
                return _signed_up(request, user, language)
        context = {"form": form, "invitation": invitation}
        context["expires_at"] = invitations.expires_at(invitation)
        return _in_language(render(request, "contacts/team/accept.html", context), language)


def _link_page(request, state, invitation, language):
    """Say why the link cannot be used: a clear page for every way it can fail."""
    context = {
        "state": state,
        "invitation": invitation,
        "login_url": resolve_url(settings.LOGIN_URL),
    }
    status = LINK_STATUS.get(state, 410) if state is not LinkState.VALID else 200
    response = render(request, "contacts/team/link.html", context, status=status)
    return _in_language(response, language)


def _signed_up(request, user, language):
    # Through the sign-in page, as every sign-in: its throttling and whatever it asks.
    messages.success(
        request,
        _("Welcome, %(name)s: your account is ready. Log in as “%(username)s”.")
        % {"name": user.get_full_name() or user.username, "username": user.username},
    )
    response = redirect(settings.LOGIN_URL)
    # The sign-in page, shown before any profile applies, speaks the invitation's language.
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
    return response


def _in_language(response, language):
    # LocaleMiddleware would otherwise name the browser's language.
    response.headers["Content-Language"] = language
    return response
