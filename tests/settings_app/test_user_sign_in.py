"""Settings › Users: two-factor in the list and on a user's page, resetting it, sending a
password reset link, signing out everywhere on deactivation, the colleagues' photos."""

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from accounts.audit import Action
from accounts.models import AuditEntry
from accounts.services import profile_photo_set, profile_update
from contacts.team import invitations
from contacts.team.services import Role
from tests.support import make_security_key, page_of, table_row

USERS = "/settings/users/"


def two_factor_cell(page, user):
    # The column after "Last login": the row's second-to-last cell.
    return re.findall(r"<td[^>]*>(.*?)</td>", table_row(page, f"user-{user.pk}"), re.S)[-2]


def with_app(user):
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    return user


def in_french(client):
    client.post("/i18n/setlang/", {"language": "fr"})
    return client


def png():
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "orange").save(out, "PNG")
    return ContentFile(out.getvalue(), name="photo.png")


def section(page, section_id):
    """Return the card of that id on a user's page."""
    return re.search(rf'<section[^>]* id="{section_id}".*?</section>', page, re.S)[0]


# The list


def test_the_list_says_who_signs_in_with_two_factor(admin_client, alice, bob, make_user):
    with_app(alice)
    make_security_key(bob)
    carol = make_user("carol")
    RecoveryCodes.activate(carol)  # recovery codes alone let nobody in

    page = page_of(admin_client.get(USERS))

    assert "Two-factor</th>" in page
    assert "On" in two_factor_cell(page, alice)
    assert "On" in two_factor_cell(page, bob)
    assert "Off" in two_factor_cell(page, carol)


def test_two_factor_costs_no_query_per_user(admin_client, make_user):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            page_of(admin_client.get(USERS))
        return len(captured)

    with_app(make_user("one"))
    before = queries()
    for n in range(5):
        with_app(make_user(f"more{n}"))

    assert queries() == before


def test_the_list_is_filtered_by_two_factor_on_or_off(admin_client, admin, alice, bob):
    with_app(alice)

    on = page_of(admin_client.get(USERS, {"two_factor": "on"}))
    off = page_of(admin_client.get(USERS, {"two_factor": "off"}))

    assert f'id="user-{alice.pk}"' in on and f'id="user-{bob.pk}"' not in on
    assert f'id="user-{bob.pk}"' in off and f'id="user-{alice.pk}"' not in off
    assert "Show all" in off  # "off" is a filter, though a false one


def test_the_two_factor_column_in_french(admin_client, alice):
    with_app(alice)

    page = page_of(in_french(admin_client).get(USERS))

    assert "Double authentification</th>" in page
    assert "Activée" in two_factor_cell(page, alice)


# A user's page: the sign-in card


def test_the_sign_in_card_sits_between_the_role_and_the_contacts(admin_client, alice):
    with_app(alice)
    Client().force_login(alice)  # a last sign-in to show

    page = page_of(admin_client.get(f"{USERS}{alice.pk}/"))

    assert page.index('id="role"') < page.index('id="sign-in"') < page.index('id="contacts"')
    card = section(page, "sign-in")
    assert "On" in card and "Never" not in card
    assert "Reset two-factor" in card
    assert "Send a password reset link" in card


def test_without_two_factor_there_is_nothing_to_reset(admin_client, alice):
    card = section(page_of(admin_client.get(f"{USERS}{alice.pk}/")), "sign-in")

    assert "Off" in card and "Never" in card
    assert "Reset two-factor" not in card


# Resetting two-factor


def test_resetting_two_factor_removes_every_factor_and_is_audited(admin_client, admin, alice):
    with_app(alice)
    make_security_key(alice)

    response = admin_client.post(f"{USERS}{alice.pk}/two-factor/reset/", follow=True)

    page = page_of(response)
    assert "Two-factor is reset: Alice Martin signs in with the password" in page
    assert not Authenticator.objects.filter(user=alice).exists()
    assert "Off" in section(page, "sign-in")
    entry = AuditEntry.objects.get(action=Action.MFA_RESET)
    assert (entry.actor, entry.target, entry.details) == (admin, alice, {"factors": 3})
    assert alice.check_password("pw")


def test_resetting_two_factor_in_french(admin_client, alice):
    with_app(alice)

    page = page_of(
        in_french(admin_client).post(f"{USERS}{alice.pk}/two-factor/reset/", follow=True)
    )

    assert "La double authentification est réinitialisée : Alice Martin se connecte" in page


def test_a_user_without_two_factor_gets_a_message_and_no_audit(admin_client, alice):
    page = page_of(admin_client.post(f"{USERS}{alice.pk}/two-factor/reset/", follow=True))

    assert "Alice Martin does not sign in with two-factor." in page
    assert not AuditEntry.objects.filter(action=Action.MFA_RESET).exists()


def test_a_superusers_two_factor_is_not_reset_here(admin_client, root):
    with_app(root)

    page = page_of(admin_client.post(f"{USERS}{root.pk}/two-factor/reset/", follow=True))

    assert "is a superuser" in page
    assert Authenticator.objects.filter(user=root).count() == 2


# Sending a password reset link


def test_a_reset_link_goes_to_the_user_in_her_language_and_is_audited(
    admin_client, admin, alice, django_capture_on_commit_callbacks
):
    profile_update(user=alice, language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{USERS}{alice.pk}/password-reset/", follow=True)

    assert "A link to choose a new password was sent to alice@example.com." in page_of(response)
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "réinitialisation de mot de passe" in message.subject
    assert "/accounts/password/reset/key/" in message.body
    entry = AuditEntry.objects.get(action=Action.PASSWORD_RESET_SENT)
    assert (entry.actor, entry.target, entry.details) == (
        admin,
        alice,
        {"email": "alice@example.com"},
    )
    alice.refresh_from_db()
    assert alice.check_password("pw")


def test_a_reset_link_in_english_and_the_message_in_french(
    admin_client, alice, django_capture_on_commit_callbacks
):
    profile_update(user=alice, language="en")
    in_french(admin_client)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{USERS}{alice.pk}/password-reset/", follow=True)

    page = page_of(response)
    assert "Un lien pour choisir un nouveau mot de passe a été envoyé à alice@example.com." in page
    [message] = mail.outbox
    assert "Password Reset" in message.subject


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("no_email", "Alice Martin has no e-mail address: no link can be sent."),
        ("deactivated", "Alice Martin is deactivated: reactivate the account first."),
    ],
)
def test_no_link_goes_to_a_user_without_an_address_or_deactivated(admin_client, alice, case, said):
    if case == "no_email":
        alice.email = ""
    else:
        alice.is_active = False
    alice.save()
    card = section(page_of(admin_client.get(f"{USERS}{alice.pk}/")), "sign-in")
    assert "Send a password reset link" not in card

    page = page_of(admin_client.post(f"{USERS}{alice.pk}/password-reset/", follow=True))

    assert said in page
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action=Action.PASSWORD_RESET_SENT).exists()


def test_no_link_goes_to_an_invited_user(admin_client, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = invitations.invitations_send(
            by=admin, emails=["nina@example.com"], role=Role.USER, language="fr"
        )
    mail.outbox.clear()
    in_french(admin_client)

    url = f"{USERS}{invitation.user_id}/password-reset/"
    page = page_of(admin_client.post(url, follow=True))

    assert "n’a pas encore accepté l’invitation : renvoyez-la plutôt." in page
    assert mail.outbox == []


def test_the_audit_page_says_both_in_words(admin_client, alice, django_capture_on_commit_callbacks):
    with_app(alice)
    admin_client.post(f"{USERS}{alice.pk}/two-factor/reset/")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"{USERS}{alice.pk}/password-reset/")

    page = page_of(admin_client.get("/settings/audit/"))
    assert "Two-factor reset" in page and "Password reset link sent" in page
    assert "signs in with the password alone until set up again" in page
    french = page_of(in_french(admin_client).get("/settings/audit/"))
    assert "Double authentification réinitialisée" in french
    assert "Lien de réinitialisation du mot de passe envoyé" in french


@pytest.mark.parametrize("action", ["two-factor/reset", "password-reset"])
def test_the_buttons_answer_posts_only_and_404_for_nobody(admin_client, alice, action):
    assert admin_client.get(f"{USERS}{alice.pk}/{action}/").status_code == 405
    assert admin_client.post(f"{USERS}999999/{action}/").status_code == 404


# Deactivation signs out everywhere, the sessions list included


def test_deactivating_ends_her_sessions_and_her_sessions_list(admin_client, alice, bob):
    laptop, phone, bobs = Client(), Client(), Client()
    for browser, login in ((laptop, "alice"), (phone, "alice"), (bobs, "bob")):
        browser.post("/accounts/login/", {"login": login, "password": "pw"})
    assert UserSession.objects.filter(user=alice).count() == 2

    admin_client.post(f"{USERS}{alice.pk}/deactivate/")

    assert not UserSession.objects.filter(user=alice).exists()
    assert UserSession.objects.filter(user=bob).count() == 1
    assert set(Session.objects.values_list("session_key", flat=True)) >= {bobs.session.session_key}
    assert not Session.objects.filter(session_key=laptop.cookies["sessionid"].value).exists()
    assert phone.get("/contacts/").status_code == 302
    assert bobs.get("/contacts/").status_code == 200


# Photos


def test_an_admin_sees_a_colleagues_photo_and_initials_without_one(admin_client, alice, bob):
    stored = profile_photo_set(user=alice, upload=png()).photo

    page = page_of(admin_client.get(USERS))
    detail = page_of(admin_client.get(f"{USERS}{alice.pk}/"))
    photo = admin_client.get(f"{USERS}{alice.pk}/photo/")

    assert f'src="{USERS}{alice.pk}/photo/?v=' in table_row(page, f"user-{alice.pk}")
    assert f'src="{USERS}{alice.pk}/photo/?v=' in detail
    assert ">BD</span>" in table_row(page, f"user-{bob.pk}")  # Bob Durand's initials
    assert photo.status_code == 200
    with stored.open("rb") as file:
        assert b"".join(photo.streaming_content) == file.read()
    assert photo["Cache-Control"] == "private, max-age=86400"
    assert admin_client.get(f"{USERS}{bob.pk}/photo/").status_code == 404
    assert admin_client.get(f"{USERS}999999/photo/").status_code == 404


def test_a_crm_user_may_not_see_a_colleagues_photo_here(alice_client, bob):
    profile_photo_set(user=bob, upload=png())

    assert alice_client.get(f"{USERS}{bob.pk}/photo/").status_code == 403
