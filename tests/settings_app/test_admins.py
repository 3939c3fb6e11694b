"""CRM admins, on the Users page of Settings: who is an admin, and never nobody.

The role column and the role form of Settings › Users replace the former CRM admins
page; the rules are the same (contacts.crm_admins).
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from contacts import crm_admins as config
from contacts.models import CRM_ADMINS_GROUP
from tests.support import page_of, table_row

USERS_URL = "/settings/users/"


def role_url(user):
    return f"/settings/users/{user.pk}/role/"


def row_of(page, user):
    return table_row(page, f"user-{user.pk}")


def admin_usernames():
    group = Group.objects.get(name=CRM_ADMINS_GROUP)
    return sorted(group.user_set.values_list("username", flat=True))


def test_the_page_lists_users_with_name_username_email_and_role(
    admin_client, admin, alice, make_user
):
    gone = make_user("gone", is_active=False)

    page = page_of(admin_client.get(USERS_URL))

    row = row_of(page, alice)
    assert "Alice Martin" in row
    assert ">alice<" in row
    assert "alice@example.com" in row
    assert "CRM user" in row
    assert "CRM admin" in row_of(page, admin)
    assert "Deactivated" in row_of(page, gone)


def test_a_superuser_is_shown_as_an_admin_that_cannot_be_changed_here(admin_client, root):
    row = row_of(page_of(admin_client.get(USERS_URL)), root)
    assert "CRM admin, superuser" in row

    page = page_of(admin_client.get(f"/settings/users/{root.pk}/"))
    assert "managed in Django's administration site" in page
    assert role_url(root) not in page

    response = admin_client.post(role_url(root), {"role": "user"}, follow=True)
    assert "the account is managed in Django's administration site" in page_of(response)
    assert root.is_superuser


def test_making_a_user_crm_admin_lets_him_open_settings(admin_client, alice, client):
    response = admin_client.post(role_url(alice), {"role": "admin"}, follow=True)

    assert "Alice Martin is now a CRM admin." in page_of(response)
    assert admin_usernames() == ["admin", "alice"]
    client.force_login(alice)
    assert client.get("/settings/types/").status_code == 200


def test_removing_an_admin_while_another_remains_takes_settings_away_from_him(
    admin_client, alice, client
):
    config.crm_admin_set(by=alice, user=alice, is_admin=True)

    response = admin_client.post(role_url(alice), {"role": "user"}, follow=True)

    assert "Alice Martin is now a CRM user." in page_of(response)
    assert admin_usernames() == ["admin"]
    client.force_login(alice)
    assert client.get("/settings/types/").status_code == 403


def test_the_last_crm_admin_cannot_be_removed(admin_client, admin):
    response = admin_client.post(role_url(admin), {"role": "user"}, follow=True)

    page = page_of(response)
    assert "Admin is the last CRM admin: make someone else a CRM admin first." in page
    assert admin_usernames() == ["admin"]


def test_an_active_superuser_counts_as_a_remaining_admin(admin_client, admin, root):
    response = admin_client.post(role_url(admin), {"role": "user"})

    assert admin_usernames() == []
    # He is no longer allowed in Settings: he lands on the contacts.
    assert response.url == "/contacts/"


@pytest.mark.parametrize("who", ["inactive superuser", "inactive group member"])
def test_inactive_users_do_not_count_as_remaining_admins(admin, make_user, django_user_model, who):
    if who == "inactive superuser":
        django_user_model.objects.create_superuser("old", "old@example.com", "pw", is_active=False)
    else:
        former = make_user("former", is_active=False)
        Group.objects.get(name=CRM_ADMINS_GROUP).user_set.add(former)

    with pytest.raises(ValidationError):
        config.crm_admin_set(by=admin, user=admin, is_admin=False)

    assert "admin" in admin_usernames()


def test_two_admins_removing_each_other_leave_one(admin, alice):
    config.crm_admin_set(by=admin, user=alice, is_admin=True)

    config.crm_admin_set(by=alice, user=admin, is_admin=False)
    with pytest.raises(ValidationError):
        config.crm_admin_set(by=admin, user=alice, is_admin=False)

    assert admin_usernames() == ["alice"]


def test_making_an_admin_admin_again_changes_nothing(admin):
    assert config.crm_admin_set(by=admin, user=admin, is_admin=True) is False
    assert admin_usernames() == ["admin"]


def test_a_request_without_a_clear_choice_is_a_bad_request(admin_client, alice):
    response = admin_client.post(role_url(alice), {"role": "yes"})

    assert response.status_code == 400
    assert admin_usernames() == ["admin"]


def test_a_deactivated_user_cannot_be_made_admin(admin_client, make_user):
    gone = make_user("gone", is_active=False)

    response = admin_client.post(role_url(gone), {"role": "admin"}, follow=True)

    assert "Gone is deactivated: reactivate the account first." in page_of(response)
    assert admin_usernames() == ["admin"]
