"""The invitee's page: in the invitation's language, and a clear page for a dead link."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation
from contacts.team import invitations
from contacts.team.services import Role

PASSWORD = "a long enough passphrase"


@pytest.fixture
def invite(admin, django_capture_on_commit_callbacks):
    """Invite an address; return the path of the link its email holds."""

    def make(email="nina@example.com", language="fr"):
        with django_capture_on_commit_callbacks(execute=True):
            [invitation] = invitations.invitations_send(
                by=admin, emails=[email], role=Role.USER, language=language
            )
        body = mail.outbox[-1].body
        path = body[body.index("/invitation/") :].split()[0]
        return invitation, path

    return make


def filled(**values):
    return {
        "first_name": "Nina",
        "last_name": "Neuf",
        "username": "nina",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **values,
    }


def test_the_page_speaks_the_invitations_language_whatever_the_browser(client, invite):
    _invitation, path = invite(language="fr")

    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in page
    assert "Rejoindre le CRM" in page
    assert "nina@example.com" in page
    assert 'value="nina"' in page  # the username offered


def test_accepting_sends_to_the_login_page_in_that_language_and_the_account_logs_in(
    client, invite, django_user_model
):
    _invitation, path = invite(language="fr")

    response = client.post(path, filled(username="nina.neuf"))

    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert response.cookies["django_language"].value == "fr"
    login_page = client.get(response.url).content.decode()
    assert "Bienvenue, Nina Neuf : votre compte est prêt." in login_page
    assert "Connexion au CRM" in login_page
    signed_in = client.post(response.url, {"login": "nina.neuf", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/contacts/").status_code == 200
    user = django_user_model.objects.get(username="nina.neuf")
    assert (user.get_full_name(), user.is_active) == ("Nina Neuf", True)


def test_the_sites_password_validators_apply(client, invite):
    invitation, path = invite(language="en")

    for password, error in [
        ("short", "This password is too short."),
        ("12345678901", "This password is entirely numeric."),
        ("password123", "This password is too common."),
        ("nina.neuf.x", "The password is too similar to the"),
    ]:
        response = client.post(
            path, filled(username="nina.neuf", password1=password, password2=password)
        )
        assert response.status_code == 200
        assert error in response.content.decode(), password
    mismatch = client.post(path, filled(password2="something else entirely"))
    assert "The two passwords differ." in mismatch.content.decode()
    invitation.user.refresh_from_db()
    assert not invitation.user.is_active


def test_a_username_in_use_is_refused(client, invite, make_user):
    _invitation, path = invite(language="en")
    make_user("Taken")

    response = client.post(path, filled(username="taken"))

    assert "This username is taken: choose another." in response.content.decode()


@pytest.mark.parametrize(
    ("spoil", "status", "title"),
    [
        ("accept", 410, "This invitation was used already"),
        ("expire", 410, "This invitation has expired"),
        ("resend", 410, "This link was replaced by a newer one"),
        ("revoke", 410, "This invitation was withdrawn"),
        ("tamper", 404, "This link does not work"),
        ("cut", 404, "This link does not work"),
    ],
)
def test_a_dead_link_gets_a_clear_page_on_get_and_post(
    client, admin, invite, django_capture_on_commit_callbacks, spoil, status, title
):
    invitation, path = invite(language="en")
    if spoil == "accept":
        client.post(path, filled())
    elif spoil == "expire":
        Invitation.objects.update(sent_at=timezone.now() - timedelta(days=8))
    elif spoil == "resend":
        with django_capture_on_commit_callbacks(execute=True):
            invitations.invitation_resend(by=admin, invitation=invitation)
    elif spoil == "revoke":
        invitations.invitation_revoke(by=admin, invitation=invitation)
    elif spoil == "tamper":
        path = path[:-3] + ("xx/" if not path.endswith("xx/") else "yy/")
    else:
        path = path[: len(path) // 2] + "/"

    for response in (client.get(path), client.post(path, filled(username="other"))):
        assert response.status_code == status
        assert title in response.content.decode()
    assert not type(invitation.user).objects.filter(username="other").exists()


def test_a_dead_link_says_so_in_the_invitations_language(client, invite):
    _invitation, path = invite(language="fr")
    Invitation.objects.update(sent_at=timezone.now() - timedelta(days=8))

    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Cette invitation a expiré" in page


def test_a_signed_in_user_is_told_to_log_out_first(client, invite, alice):
    invitation, path = invite(language="en")
    client.force_login(alice)

    response = client.post(path, filled())

    assert response.status_code == 200
    assert "You are logged in as Alice Martin." in response.content.decode()
    invitation.user.refresh_from_db()
    assert not invitation.user.is_active
