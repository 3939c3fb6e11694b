"""Invitations: sent, sent again, withdrawn, accepted; every way a link can fail."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.audit import Action
from accounts.models import AuditEntry, Invitation, Profile
from contacts.models import CRM_ADMINS_GROUP, CRM_USERS_GROUP
from contacts.team import invitations
from contacts.team.invitations import InvitationLinkError, LinkState
from contacts.team.services import Role, Status, users_listed

User = get_user_model()
PASSWORD = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    # The e-mails are enqueued when the invitation commits, which a test never does:
    # the services below run as if committed.
    committed.capture = django_capture_on_commit_callbacks


def committed(service, **kwargs):
    """Run the service, then what it left for its commit (the e-mail tasks)."""
    with committed.capture(execute=True):
        return service(**kwargs)


def send(by, *emails, role=Role.USER, language="en"):
    return committed(
        invitations.invitations_send, by=by, emails=list(emails), role=role, language=language
    )


def resend(by, invitation):
    return committed(invitations.invitation_resend, by=by, invitation=invitation)


def link_in(message):
    return re.search(r"http://\S+/invitation/(\S+)/", message.body)


def token_in(message):
    return link_in(message).group(1)


def logs_in(username, password):
    """Return whether the login page lets username in with password."""
    response = Client().post("/accounts/login/", {"login": username, "password": password})
    return response.status_code == 302


def accept(token, **values):
    values = {
        "username": "newbie",
        "first_name": "Nina",
        "last_name": "Neuf",
        "password": PASSWORD,
        **values,
    }
    return invitations.invitation_accept(token=token, **values)


def test_an_invitation_creates_an_inactive_account_that_cannot_log_in(admin):
    [invitation] = send(admin, "nina@example.com")

    user = invitation.user
    assert (user.email, user.is_active, user.has_usable_password()) == (
        "nina@example.com",
        False,
        False,
    )
    assert user.username == "nina"
    assert set(user.groups.values_list("name", flat=True)) == {CRM_USERS_GROUP}
    assert Profile.objects.get(user=user).language == "en"
    assert not logs_in("nina", "")
    assert not logs_in("nina", "!")
    assert users_listed(status=Status.INVITED).get() == user


def test_an_admin_invitation_gives_the_admins_group(admin):
    [invitation] = send(admin, "boss@example.com", role=Role.ADMIN)

    groups = set(invitation.user.groups.values_list("name", flat=True))
    assert groups == {CRM_USERS_GROUP, CRM_ADMINS_GROUP}


def test_each_address_gets_an_e_mail_in_the_invitations_language_with_its_link(admin):
    admin.first_name, admin.last_name = "Alex", "Laurent"
    admin.save()

    sent = send(admin, "un@example.com", "deux@example.com", language="fr")

    assert [m.to for m in mail.outbox] == [["un@example.com"], ["deux@example.com"]]
    message = mail.outbox[0]
    assert message.subject == "Alex Laurent vous invite dans le CRM"
    assert "Choisissez votre nom et votre mot de passe ici" in message.body
    assert "Le lien fonctionne une fois" in message.body
    state, invitation = invitations.invitation_from_token(token_in(message))
    assert (state, invitation) == (LinkState.VALID, sent[0])


def test_the_sending_and_the_invitations_are_recorded_in_the_audit(admin):
    [invitation] = send(admin, "nina@example.com", role=Role.ADMIN, language="fr")

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target) == (
        admin,
        Action.INVITATION_SENT,
        invitation.user,
    )
    assert entry.details == {"email": "nina@example.com", "role": "admin", "language": "fr"}


def test_addresses_are_split_on_commas_semicolons_spaces_and_lines_each_once():
    text = "a@example.com, b@example.com;c@example.com\n A@EXAMPLE.COM  d@example.com"

    assert invitations.split_addresses(text) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ]


def test_an_address_already_used_is_refused_with_a_clear_message_and_nothing_is_sent(admin, alice):
    send(admin, "nina@example.com")
    mail.outbox.clear()

    with pytest.raises(ValidationError) as refused:
        send(admin, "new@example.com", "ALICE@example.com", "Nina@Example.com", "not-an-address")

    assert refused.value.messages == [
        "“not-an-address” is not an email address.",
        "alice@example.com is already the email of Alice Martin.",
        "nina@example.com has been invited already: send the invitation again from the Users page.",
    ]
    assert not User.objects.filter(email="new@example.com").exists()
    assert mail.outbox == []


def test_a_username_already_taken_gets_a_number(admin, make_user):
    make_user("Nina", email="nina@elsewhere.example")

    [invitation] = send(admin, "nina@example.com")

    assert invitation.user.username == "nina2"


def test_invitations_are_throttled_per_admin(admin, make_user, settings):
    settings.INVITATION_RATE_LIMIT = 3
    other = make_user("other")
    Group.objects.get(name=CRM_ADMINS_GROUP).user_set.add(other)
    [first] = send(admin, "a@example.com")
    send(admin, "b@example.com")

    with pytest.raises(ValidationError, match="You may send 1 more invitation this hour."):
        send(admin, "c@example.com", "d@example.com")
    resend(admin, first)  # the third of the hour
    with pytest.raises(ValidationError, match="You may send 0 more invitations this hour."):
        send(admin, "c@example.com")
    send(other, "c@example.com")  # another admin's count is his own

    assert invitations.invitations_left(admin) == 0
    AuditEntry.objects.filter(actor=admin).update(created_at=timezone.now() - timedelta(hours=2))
    assert invitations.invitations_left(admin) == 3


def test_accepting_sets_name_username_and_password_then_the_account_may_log_in(admin):
    send(admin, "nina@example.com", language="fr")

    user = accept(token_in(mail.outbox[0]))

    user.refresh_from_db()
    assert (user.username, user.get_full_name(), user.is_active) == ("newbie", "Nina Neuf", True)
    assert logs_in("newbie", PASSWORD)
    assert Profile.objects.get(user=user).language == "fr"
    assert Invitation.objects.get().accepted_at is not None
    entry = AuditEntry.objects.get(action=Action.INVITATION_ACCEPTED)
    assert (entry.actor, entry.target) == (user, user)
    assert users_listed(status=Status.ACTIVE).filter(pk=user.pk).exists()


def test_a_link_works_once(admin):
    send(admin, "nina@example.com")
    token = token_in(mail.outbox[0])
    accept(token)

    with pytest.raises(InvitationLinkError) as used:
        accept(token, username="again", password="another long passphrase")

    assert used.value.state is LinkState.ACCEPTED
    assert invitations.invitation_from_token(token)[0] is LinkState.ACCEPTED
    assert User.objects.filter(username="newbie").exists()


def test_a_link_expires_after_seven_days(admin):
    [invitation] = send(admin, "nina@example.com")
    token = token_in(mail.outbox[0])

    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timedelta(days=7, seconds=1)
    )

    assert invitations.invitation_from_token(token)[0] is LinkState.EXPIRED
    with pytest.raises(InvitationLinkError):
        accept(token)
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timedelta(days=6, hours=23)
    )
    assert invitations.invitation_from_token(token)[0] is LinkState.VALID


def test_sending_again_makes_a_new_link_and_kills_the_old_one(admin):
    [invitation] = send(admin, "nina@example.com")
    old = token_in(mail.outbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(days=8))

    resend(admin, invitation)

    new = token_in(mail.outbox[1])
    assert new != old
    assert invitations.invitation_from_token(old)[0] is LinkState.REPLACED
    assert invitations.invitation_from_token(new)[0] is LinkState.VALID  # 7 days again
    with pytest.raises(InvitationLinkError):
        accept(old)
    assert accept(new).is_active
    assert AuditEntry.objects.filter(action=Action.INVITATION_RESENT).count() == 1


def test_an_e_mail_queued_before_a_resend_is_not_sent(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as first:
        [invitation] = invitations.invitations_send(
            by=admin, emails=["nina@example.com"], role=Role.USER, language="en"
        )
    resend(admin, invitation)
    for callback in first:
        callback()  # the worker gets to the first e-mail only now

    assert len(mail.outbox) == 1
    state, _invitation = invitations.invitation_from_token(token_in(mail.outbox[0]))
    assert state is LinkState.VALID


def test_withdrawing_deletes_the_account_and_kills_the_link(admin):
    [invitation] = send(admin, "nina@example.com")
    token = token_in(mail.outbox[0])
    user_pk = invitation.user.pk

    invitations.invitation_revoke(by=admin, invitation=invitation)

    assert not User.objects.filter(pk=user_pk).exists()
    assert invitations.invitation_from_token(token)[0] is LinkState.REVOKED
    with pytest.raises(InvitationLinkError) as revoked:
        accept(token)
    assert revoked.value.state is LinkState.REVOKED
    entry = AuditEntry.objects.get(action=Action.INVITATION_REVOKED)
    assert (entry.target, entry.target_name, entry.details) == (
        None,
        "nina",
        {"email": "nina@example.com"},
    )
    send(admin, "nina@example.com")  # the address is free again


def test_an_accepted_or_withdrawn_invitation_cannot_be_sent_again_or_withdrawn(admin):
    [invitation] = send(admin, "nina@example.com")
    accept(token_in(mail.outbox[0]))

    for service in (invitations.invitation_resend, invitations.invitation_revoke):
        with pytest.raises(ValidationError, match="accepted or withdrawn already"):
            service(by=admin, invitation=invitation)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: token.split(":", 1)[0] + ":x:y",
        lambda token: token[: len(token) // 2],  # cut
        lambda token: "nonsense",
        lambda token: "",
    ],
)
def test_a_tampered_link_is_not_valid(admin, tamper):
    send(admin, "nina@example.com")
    token = token_in(mail.outbox[0])

    assert invitations.invitation_from_token(tamper(token)) == (LinkState.INVALID, None)
    with pytest.raises(InvitationLinkError):
        accept(tamper(token))


def test_a_link_signed_for_another_invitation_id_or_version_does_not_work(admin):
    [invitation] = send(admin, "nina@example.com")
    other_id = signing.dumps([invitation.pk + 1, 1], salt=invitations.SALT)
    future = signing.dumps([invitation.pk, 2], salt=invitations.SALT)
    unsalted = signing.dumps([invitation.pk, 1])

    assert invitations.invitation_from_token(other_id)[0] is LinkState.INVALID
    assert invitations.invitation_from_token(future)[0] is LinkState.REPLACED
    assert invitations.invitation_from_token(unsalted)[0] is LinkState.INVALID


def test_a_username_taken_meanwhile_is_refused_and_the_invitation_stays_open(admin, make_user):
    send(admin, "nina@example.com")
    make_user("taken")

    with pytest.raises(ValidationError, match="taken meanwhile"):
        accept(token_in(mail.outbox[0]), username="taken")

    assert Invitation.objects.get().pending
    assert not User.objects.get(email="nina@example.com").is_active
