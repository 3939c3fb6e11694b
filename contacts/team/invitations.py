"""Invitations: an admin invites people by email, each accepts through a signed link.

The invited account exists from the start, inactive and without a usable password
(contacts.team.services.user_create): the Users page lists it as invited, its email is
taken, its role set, and it cannot sign in. The link names the invitation and its
link_version, signed with the SECRET_KEY; it works once, for LINK_DAYS days from its
sending. Sending it again moves the version on, so that only the newest link works;
withdrawing it deletes the account, which never signed in and holds nothing.
"""

import re
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from accounts import audit
from accounts.models import AuditEntry, Invitation
from accounts.preferences import speaking_to
from contacts.links import absolute_url
from contacts.team.services import Role, invitation_pending_of, role_of, user_create

LINK_DAYS = 7
SALT = "contacts.team.invitation"
MAX_ADDRESSES = 50  # in one sending
THROTTLE_WINDOW = timedelta(hours=1)
Action = audit.Action


class LinkState(StrEnum):
    """What an invitation link is worth now."""

    VALID = "valid"
    INVALID = "invalid"  # not one of ours: cut, altered, or its invitation gone
    EXPIRED = "expired"
    REPLACED = "replaced"  # a newer link was sent
    ACCEPTED = "accepted"
    REVOKED = "revoked"


class InvitationLinkError(Exception):
    """The link stopped working between the page and its form being sent."""

    def __init__(self, state: LinkState, invitation: Invitation | None) -> None:
        super().__init__(state)
        self.state = state
        self.invitation = invitation


def split_addresses(text: str) -> list[str]:
    """Return the addresses in text (separated by commas, semicolons, spaces or lines),
    each once whatever its case, in order."""
    seen: dict[str, str] = {}
    for address in re.split(r"[\s,;]+", text):
        address = address.strip().strip("<>")
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())


def addresses_refused(emails: list[str]) -> list[str]:
    """Return why each address that cannot be invited cannot be: malformed or already used."""
    problems = []
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(email)s” is not an email address.") % {"email": email})
    users = get_user_model().objects.annotate(lower_email=Lower("email"))
    taken = users.filter(lower_email__in=[e.lower() for e in emails]).order_by("pk")
    for user in taken:
        if invitation_pending_of(user) is not None:
            message = _(
                "%(email)s has been invited already: send the invitation again from the Users page."
            )
        else:
            message = _("%(email)s is already the email of %(name)s.")
        problems.append(message % {"email": user.email, "name": audit.name_of(user)})
    return problems


def invitations_left(by: User) -> int:
    """Return how many invitations by may still send (or send again) this hour."""
    sent = AuditEntry.objects.filter(
        actor=by,
        action__in=[Action.INVITATION_SENT, Action.INVITATION_RESENT],
        created_at__gte=timezone.now() - THROTTLE_WINDOW,
    ).count()
    return max(0, settings.INVITATION_RATE_LIMIT - sent)


def _throttle(by: User, count: int) -> None:
    # The admin's row is locked: two sendings of his at once are counted one after the other.
    get_user_model().objects.select_for_update().filter(pk=by.pk).exists()
    left = invitations_left(by)
    if count > left:
        raise ValidationError(
            ngettext(
                "You may send %(left)s more invitation this hour.",
                "You may send %(left)s more invitations this hour.",
                left,
            )
            % {"left": left}
        )


def _free_username(email: str) -> str:
    """Return a username made from the address, which the invitee may change."""
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0])[:140] or "user"
    users = get_user_model().objects
    taken = {
        name.lower()
        for name in users.filter(username__istartswith=base).values_list("username", flat=True)
    }
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base}{n}"
    return name


@transaction.atomic
def invitations_send(*, by: User, emails: list[str], role: str, language: str) -> list[Invitation]:
    """Invite each address with that role, in that language: one email each.

    Raise ValidationError, sending none, when any address cannot be invited or by has
    sent too many lately.
    """
    if not emails:
        raise ValidationError(_("Give at least one email address."))
    if len(emails) > MAX_ADDRESSES:
        raise ValidationError(
            _("At most %(count)s addresses at a time.") % {"count": MAX_ADDRESSES}
        )
    if role not in (Role.ADMIN, Role.USER):
        raise ValidationError(_("Choose a role."))
    if problems := addresses_refused(emails):
        raise ValidationError(problems)
    _throttle(by, len(emails))
    invitations = []
    for email in emails:
        user = user_create(
            username=_free_username(email),
            email=email,
            role=role,
            language=language,
            is_active=False,
        )
        invitation = Invitation.objects.create(
            user=user, email=email, language=language, invited_by=by
        )
        audit.record(
            by=by,
            action=Action.INVITATION_SENT,
            target=user,
            details={"email": email, "role": role, "language": language},
        )
        _send_on_commit(invitation)
        invitations.append(invitation)
    return invitations


def _send_on_commit(invitation: Invitation) -> None:
    transaction.on_commit(
        partial(
            send_invitation_email.enqueue,
            invitation_id=invitation.pk,
            link_version=invitation.link_version,
        )
    )


def _locked_pending(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.pending:
        raise ValidationError(_("This invitation was accepted or withdrawn already."))
    return invitation


@transaction.atomic
def invitation_resend(*, by: User, invitation: Invitation) -> Invitation:
    """Send a new link, for LINK_DAYS days again; the links sent before stop working."""
    _throttle(by, 1)
    invitation = _locked_pending(invitation)
    invitation.link_version += 1
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["link_version", "sent_at"])
    audit.record(
        by=by,
        action=Action.INVITATION_RESENT,
        target=invitation.user,
        details={"email": invitation.email},
    )
    _send_on_commit(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, by: User, invitation: Invitation) -> None:
    """Withdraw the invitation: its link stops working and its account is deleted."""
    invitation = _locked_pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    user = invitation.user
    audit.record(
        by=by,
        action=Action.INVITATION_REVOKED,
        target=user,
        details={"email": invitation.email},
    )
    # Never active, never signed in: the account holds nothing worth keeping, and its
    # email may be invited again.
    if user is not None and not user.is_active and user.last_login is None:
        user.delete()


# The link


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.link_version], salt=SALT)


def invitation_link(invitation: Invitation) -> str:
    return absolute_url(reverse("invitations:accept", args=[invitation_token(invitation)]))


def expires_at(invitation: Invitation) -> datetime:
    return invitation.sent_at + timedelta(days=LINK_DAYS)


def invitation_is_current(invitation: Invitation) -> bool:
    """Return whether the link in force has not expired yet."""
    return timezone.now() < expires_at(invitation)


def _read(token: str) -> tuple[int, int] | None:
    """Return the invitation id and link version the token names, None unless ours."""
    try:
        pk, version = signing.loads(token, salt=SALT)
        return int(pk), int(version)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def invitation_from_token(token: str) -> tuple[LinkState, Invitation | None]:
    """Return what the link is worth now, and its invitation when it names one."""
    named = _read(token)
    if named is None:
        return LinkState.INVALID, None
    invitation = Invitation.objects.select_related("user").filter(pk=named[0]).first()
    if invitation is None or (invitation.user is None and invitation.pending):
        return LinkState.INVALID, None
    return _state(invitation, named[1]), invitation


def _state(invitation: Invitation, version: int) -> LinkState:
    if invitation.revoked_at is not None:
        return LinkState.REVOKED
    if invitation.accepted_at is not None:
        return LinkState.ACCEPTED
    if version != invitation.link_version:
        return LinkState.REPLACED
    if not invitation_is_current(invitation):
        return LinkState.EXPIRED
    return LinkState.VALID


@transaction.atomic
def invitation_accept(
    *, token: str, username: str, first_name: str, last_name: str, password: str
) -> User:
    """Make the invited account active with that name and password; the link then dies.

    Raise InvitationLinkError when the link no longer works (used meanwhile, withdrawn,
    expired), ValidationError when the username was taken meanwhile.
    """
    named = _read(token)
    invitation = None
    if named is not None:
        invitation = Invitation.objects.select_for_update().filter(pk=named[0]).first()
    if named is None or invitation is None:
        raise InvitationLinkError(LinkState.INVALID, None)
    state = _state(invitation, named[1])
    if state is not LinkState.VALID:
        raise InvitationLinkError(state, invitation)
    if invitation.user is None:
        raise InvitationLinkError(LinkState.INVALID, None)
    user = invitation.user
    user.username = username
    user.first_name = first_name
    user.last_name = last_name
    user.set_password(password)
    user.is_active = True
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError(_("This username was taken meanwhile: choose another.")) from None
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        by=user,
        action=Action.INVITATION_ACCEPTED,
        target=user,
        details={"email": invitation.email, "username": username},
    )
    return user


@task()
def send_invitation_email(*, invitation_id: int, link_version: int) -> None:
    """Email the invitation's link, in its language, unless a newer link replaced it."""
    invitation = (
        Invitation.objects.select_related("user", "invited_by").filter(pk=invitation_id).first()
    )
    if (
        invitation is None
        or invitation.user is None
        or not invitation.pending
        or invitation.link_version != link_version
    ):
        return
    context = {
        "invitation": invitation,
        "inviter": audit.name_of(invitation.invited_by),
        "role": role_of(invitation.user),
        "url": invitation_link(invitation),
        "expires_at": expires_at(invitation),
        "site_url": absolute_url("/"),
    }
    # His profile holds the invitation's language (user_create), and the site's time zone.
    with speaking_to(invitation.user):
        subject = render_to_string("contacts/email/invitation_subject.txt", context).strip()
        body = render_to_string("contacts/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
