"""Django's admin site is for superusers only: a CRM admin does everything in Settings."""

import pytest


@pytest.mark.parametrize("staff", [False, True])
def test_a_crm_admin_is_refused_even_when_staff(client, admin, staff):
    admin.is_staff = staff
    admin.save()
    client.force_login(admin)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert 'href="/admin/"' not in client.get("/contacts/").content.decode()


def test_a_superuser_opens_it_from_the_menu(client, root):
    client.force_login(root)

    assert client.get("/admin/").status_code == 200
    assert 'href="/admin/"' in client.get("/contacts/").content.decode()
