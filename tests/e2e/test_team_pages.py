"""The pages of Settings › Users and Audit, and the invitee's page, in English and French,
at desktop and phone widths: screenshots to look at, and nothing wider than a phone."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.services import profile_update
from contacts.models import CRM_USERS_GROUP
from contacts.team import invitations
from contacts.team import services as team
from tests.e2e.conftest import new_page, save_screenshot
from tests.e2e.test_journey import PASSWORD

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
LONG_EMAIL = "maximilienne-alexandrine.delarochefoucauld@example.org"


@pytest.fixture
def team_world(admin, alice, bob, make_user, make_contact):
    admin.first_name, admin.last_name = "Alex", "Laurent"
    admin.save()
    make_contact(first_name="Hélène", last_name="Secrète")
    make_contact(first_name="Zoé", last_name="Partagée", responsible=[alice, bob])
    outsider = make_user("outsider", first_name="Otto", last_name="Side")
    outsider.groups.remove(Group.objects.get(name=CRM_USERS_GROUP))
    gone = make_user("gone", first_name="Gaston", last_name="Parti")
    team.user_set_role(by=admin, user=bob, role=team.Role.ADMIN)
    team.user_deactivate(by=admin, user=gone)
    [invitation, _other] = invitations.invitations_send(
        by=admin, emails=[LONG_EMAIL, "nina@example.com"], role=team.Role.USER, language="fr"
    )
    return {"invitation": invitation}


def visit(page, name, path, heading, viewport):
    page.goto(path)
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    save_screenshot(page, "team-pages", name)
    if viewport["width"] < 400:
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_team_pages_fit_and_speak_the_readers_language(
    browser, live_server, admin, alice, team_world, language, size
):
    viewport = SIZES[size]
    profile_update(user=admin, language=language)
    page = new_page(browser, live_server, locale=f"{language}-FR", viewport=viewport)
    page.goto("/")
    page.locator("input[name=login]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    words = {
        "en": (
            "Users",
            "Invite users",
            "Deactivate Alice Martin?",
            "Audit",
            "This link does not work",
        ),
        "fr": (
            "Utilisateurs",
            "Inviter des utilisateurs",
            "Désactiver Alice Martin ?",
            "Journal d’audit",
            "Ce lien ne fonctionne pas",
        ),
    }[language]
    tag = f"{language}-{size}"
    visit(page, f"users-{tag}", "/settings/users/", words[0], viewport)
    visit(page, f"user-{tag}", f"/settings/users/{alice.pk}/", "Alice Martin", viewport)
    visit(page, f"invite-{tag}", "/settings/users/invite/", words[1], viewport)
    visit(page, f"deactivate-{tag}", f"/settings/users/{alice.pk}/deactivate/", words[2], viewport)
    visit(page, f"audit-{tag}", "/settings/audit/", words[3], viewport)
    assert page.js_errors == [] and page.static_errors == []
    page.context.close()

    # The invitee's page speaks the invitation's language (French), whatever the browser.
    invitee = new_page(browser, live_server, locale=f"{language}-FR", viewport=viewport)
    token = invitations.invitation_token(team_world["invitation"])
    visit(invitee, f"accept-{tag}", f"/invitation/{token}/", "Rejoindre le CRM", viewport)
    # A link that names no invitation speaks the browser's language.
    visit(invitee, f"link-dead-{tag}", f"/invitation/{token}x/", words[4], viewport)
    invitee.context.close()
