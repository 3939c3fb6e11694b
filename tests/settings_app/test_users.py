"""Settings › Users: the list, its search and filters, a user's page, inviting."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.audit import Action
from accounts.models import AuditEntry, Invitation
from contacts.models import CRM_USERS_GROUP, Contact
from contacts.team import invitations
from contacts.team.services import Role
from contacts.trash.services import contact_delete
from tests.support import page_of, table_row

USERS = "/settings/users/"
INVITE = "/settings/users/invite/"


def rows(page):
    return re.findall(r'<tr id="user-(\d+)"', page)


def row_of(page, user):
    return table_row(page, f"user-{user.pk}")


@pytest.fixture
def invited(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = invitations.invitations_send(
            by=admin, emails=["nina@example.com"], role=Role.USER, language="fr"
        )
    return invitation.user


@pytest.fixture
def outsider(make_user):
    user = make_user("outsider", first_name="Otto", last_name="Side")
    user.groups.remove(Group.objects.get(name=CRM_USERS_GROUP))
    return user


def test_every_account_is_listed_with_role_status_last_login_and_contacts(
    admin_client, admin, alice, bob, make_user, make_contact, invited, outsider
):
    gone = make_user("gone", is_active=False)
    make_contact(first_name="One")
    make_contact(first_name="Two", responsible=[alice, bob])
    contact_delete(by=alice, contact=make_contact(first_name="Trashed"))
    admin_client.force_login(alice)  # a last login to show
    admin_client.force_login(admin)

    page = page_of(admin_client.get(USERS))

    alice_row = row_of(page, alice)
    assert "Alice Martin" in alice_row and "alice@example.com" in alice_row
    assert "CRM user" in alice_row and "Active" in alice_row
    assert "Never" not in alice_row
    # The contacts in the trash are not counted.
    assert f'href="/contacts/?responsible={alice.pk}"' in alice_row
    assert re.search(r">2</a>\s*</td>", alice_row)
    assert re.search(r">1</a>\s*</td>", row_of(page, bob))
    assert "Invited" in row_of(page, invited)
    assert "Deactivated" in row_of(page, gone)
    assert "No CRM access" in row_of(page, outsider)
    assert "CRM admin" in row_of(page, admin) and "you" in row_of(page, admin)
    assert "6 users" in page


def test_the_contact_counts_are_one_query_whatever_the_number_of_users(
    admin_client, make_user, make_contact
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            page_of(admin_client.get(USERS))
        return len(captured)

    few = queries()
    for n in range(10):
        make_contact(by=make_user(f"user{n}"), first_name=f"C{n}")

    assert queries() == few


def test_search_finds_by_name_username_or_email_every_word(admin_client, alice, bob, make_user):
    make_user("zoe", first_name="Zoé", last_name="Martin", email="zoe@elsewhere.example")

    def found(query):
        return rows(page_of(admin_client.get(USERS, {"q": query})))

    assert found("martin") == [str(alice.pk), *found("zoé")]
    assert found("alice martin") == [str(alice.pk)]
    assert found("ELSEWHERE") == found("zoe")
    assert found("bob@") == [str(bob.pk)]
    assert "No user matches." in page_of(admin_client.get(USERS, {"q": "nobody-here"}))


def test_filters_by_role_and_status(admin_client, admin, alice, root, invited, outsider):
    def found(**params):
        return set(rows(page_of(admin_client.get(USERS, params))))

    assert found(role="admin") == {str(admin.pk), str(root.pk)}
    assert found(role="none") == {str(outsider.pk)}
    assert found(status="invited") == {str(invited.pk)}
    assert found(role="user", status="active") == {str(alice.pk)}
    assert str(alice.pk) in found(role="bogus")  # an unknown choice filters nothing


def test_the_list_is_paginated(admin_client, make_user):
    for n in range(30):
        make_user(f"u{n:02}")

    first = page_of(admin_client.get(USERS))
    second = page_of(admin_client.get(USERS, {"page": 2}))

    assert len(rows(first)) == 25
    assert len(rows(second)) == 6
    assert "page 2 of 2" in second


def test_inviting_several_addresses_sends_an_email_each_and_lists_them_as_invited(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            INVITE,
            {"emails": "ana@example.com, ben@example.com", "role": "admin", "language": "fr"},
            follow=True,
        )

    page = page_of(response)
    assert "2 invitations sent." in page
    assert response.redirect_chain[-1][0] == f"{USERS}?status=invited"
    assert len(rows(page)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "ben@example.com"]
    assert {i.language for i in Invitation.objects.all()} == {"fr"}
    assert AuditEntry.objects.filter(action=Action.INVITATION_SENT).count() == 2


def test_an_address_in_use_is_named_on_the_form_and_nothing_is_sent(admin_client, alice):
    response = admin_client.post(
        INVITE, {"emails": "new@example.com alice@example.com", "role": "user", "language": "en"}
    )

    page = page_of(response)
    assert "alice@example.com is already the email of Alice Martin." in page
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_invite_form_offers_the_admins_language_first_and_says_what_is_left(
    admin_client, settings
):
    settings.INVITATION_RATE_LIMIT = 5
    admin_client.post("/i18n/setlang/", {"language": "fr"})

    page = page_of(admin_client.get(INVITE))

    assert '<option value="fr" selected>Français</option>' in page
    assert "Vous pouvez encore envoyer 5 invitations cette heure-ci." in page


def test_an_over_the_limit_invitation_is_refused_on_the_form(admin_client, settings):
    settings.INVITATION_RATE_LIMIT = 1

    response = admin_client.post(
        INVITE, {"emails": "a@example.com b@example.com", "role": "user", "language": "en"}
    )

    assert "You may send 1 more invitation this hour." in page_of(response)
    assert not Invitation.objects.exists()


def test_an_invited_users_page_resends_and_withdraws(
    admin_client, invited, django_capture_on_commit_callbacks
):
    url = f"{USERS}{invited.pk}/"
    page = page_of(admin_client.get(url))
    assert "Sent to nina@example.com" in page
    assert "in French." in page
    assert "Deactivate" not in page

    with django_capture_on_commit_callbacks(execute=True):
        resent = admin_client.post(f"{url}invitation/resend/", follow=True)
    assert "A new link was sent to nina@example.com." in page_of(resent)
    assert len(mail.outbox) == 2

    withdrawn = admin_client.post(f"{url}invitation/revoke/", follow=True)
    assert "The invitation of nina@example.com was withdrawn." in page_of(withdrawn)
    assert not type(invited).objects.filter(pk=invited.pk).exists()
    assert admin_client.post(f"{url}invitation/resend/").status_code == 404


def test_an_invited_user_may_be_given_another_role_before_accepting(admin_client, invited):
    admin_client.post(f"{USERS}{invited.pk}/role/", {"role": "admin"})

    assert invited.groups.filter(name="CRM admins").exists()


def test_a_non_crm_account_is_let_in_by_giving_it_a_role(admin_client, outsider, client):
    page = page_of(admin_client.get(f"{USERS}{outsider.pk}/"))
    assert "This account has no access to the CRM." in page

    admin_client.post(f"{USERS}{outsider.pk}/role/", {"role": "user"})

    client.force_login(outsider)
    assert client.get("/contacts/").status_code == 200
    entry = AuditEntry.objects.get(action=Action.ROLE_CHANGED)
    assert entry.details == {"old": "none", "new": "user"}


def test_a_users_page_says_how_many_contacts_only_they_see(admin_client, alice, bob, make_contact):
    make_contact(first_name="Mine")
    make_contact(first_name="Shared", responsible=[alice, bob])
    make_contact(first_name="Public", access=Contact.Access.PUBLIC_READ)

    page = page_of(admin_client.get(f"{USERS}{alice.pk}/"))

    assert "Responsible for 3 contacts." in page
    assert "1 of them is private with no other active responsible user" in page


def test_the_users_page_in_french(admin_client, alice):
    admin_client.post("/i18n/setlang/", {"language": "fr"})

    page = page_of(admin_client.get(USERS))

    assert "Inviter des utilisateurs" in page
    assert "Utilisateur du CRM" in row_of(page, alice)
    assert "Actif" in row_of(page, alice)
