"""Settings are for CRM admins only: every URL of settings_app, every persona.

The URLs are read from settings_app's urlconf, so a page added later is covered too.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

SAMPLES = {IntConverter: 1, UUIDConverter: uuid.UUID(int=1)}


def patterns(urlpatterns):
    for entry in urlpatterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry


def settings_urls():
    """Return every named URL of settings_app, with sample arguments."""
    urls = []
    for pattern in patterns(get_resolver("settings_app.urls").url_patterns):
        converters = getattr(pattern.pattern, "converters", {})
        kwargs = {name: SAMPLES.get(type(conv), "x") for name, conv in converters.items()}
        urls.append(reverse(f"settings_app:{pattern.name}", kwargs=kwargs))
    return urls


URLS = settings_urls()


def test_the_settings_urls_are_found_and_mounted_under_settings():
    expected = {"/settings/", "/settings/types/", "/settings/currency/", "/settings/users/"}
    assert expected | {"/settings/audit/"} <= set(URLS)
    assert all(url.startswith("/settings/") for url in URLS)
    # Every one of them is what the project's urlconf serves.
    assert all(get_resolver().resolve(url).namespace == "settings_app" for url in URLS)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("persona", ["alice", "bob"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_ordinary_users_get_403_everywhere_in_settings(client, request, url, persona, method):
    client.force_login(request.getfixturevalue(persona))

    response = getattr(client, method)(url)

    assert response.status_code == 403


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url, method):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("persona", ["admin", "root"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_crm_admins_and_superusers_are_let_in(client, request, url, persona, method):
    client.force_login(request.getfixturevalue(persona))

    response = getattr(client, method)(url)

    # 404 for a sample id, 405 or 400 for an empty POST: never "forbidden", never a crash.
    assert response.status_code != 403
    assert response.status_code < 500


def test_a_user_removed_from_the_admins_is_refused_at_once(client, admin, root):
    client.force_login(admin)
    client.post(f"/settings/users/{admin.pk}/role/", {"role": "user"})

    assert client.get("/settings/types/").status_code == 403


def test_an_inactive_admin_is_not_let_in(client, admin):
    client.force_login(admin)
    admin.is_active = False
    admin.save()

    response = client.get("/settings/types/")

    assert response.status_code == 302


@pytest.mark.parametrize(("persona", "shown"), [("admin", True), ("root", True), ("alice", False)])
def test_the_settings_link_is_in_the_navigation_of_admins_only(client, request, persona, shown):
    client.force_login(request.getfixturevalue(persona))

    page = client.get("/contacts/").content.decode()

    assert ('href="/settings/"' in page) is shown


def test_settings_opens_on_the_contact_types(client, admin):
    client.force_login(admin)

    response = client.get("/settings/", follow=True)

    assert response.redirect_chain[-1][0] == "/settings/types/"
    page = response.content.decode()
    for label in ("Contact types", "Currency", "Users", "Audit"):
        assert label in page
