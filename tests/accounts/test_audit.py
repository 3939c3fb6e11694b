"""The audit: the hook the services record with, and Settings › Audit reading it back."""

import pytest
from django.contrib.auth.models import Group
from django.core.paginator import Paginator

from accounts import audit
from accounts.models import AuditEntry
from contacts.models import CRM_ADMINS_GROUP
from contacts.team import services as team
from tests.support import page_of, table_row

AUDIT = "/settings/audit/"


def test_record_keeps_who_what_whom_and_the_names_as_they_were(admin, alice):
    entry = audit.record(by=admin, action="mfa_reset", target=alice, details={"method": "totp"})

    alice.delete()
    entry.refresh_from_db()
    assert (entry.actor, entry.action, entry.target) == (admin, "mfa_reset", None)
    assert (entry.actor_name, entry.target_name) == ("Admin", "Alice Martin")
    assert entry.details == {"method": "totp"}
    assert audit.label_of("mfa_reset") == "Two-factor reset"
    # A code without a label yet reads as itself.
    assert audit.label_of("passkey_renamed") == "passkey_renamed"


def test_entries_filter_by_action_and_by_user_on_either_side(admin, alice, bob):
    by_alice = audit.record(by=alice, action=audit.Action.ROLE_CHANGED, target=bob)
    on_alice = audit.record(by=admin, action=audit.Action.USER_DEACTIVATED, target=alice)
    other = audit.record(by=admin, action=audit.Action.ROLE_CHANGED, target=bob)

    assert list(audit.entries(user_id=alice.pk)) == [on_alice, by_alice]
    assert list(audit.entries(action=audit.Action.ROLE_CHANGED)) == [other, by_alice]
    assert list(audit.entries()) == [other, on_alice, by_alice]


@pytest.fixture
def history(admin, alice, bob):
    Group.objects.get(name=CRM_ADMINS_GROUP).user_set.add(alice)
    admin.first_name, admin.last_name = "Ada", "Admin"
    admin.save()
    team.user_set_role(by=admin, user=bob, role=team.Role.ADMIN)
    team.user_deactivate(by=alice, user=bob)
    return AuditEntry.objects.order_by("pk")


def test_the_audit_page_shows_who_did_what_to_whom(admin_client, history, bob):
    role, deactivation = history

    page = page_of(admin_client.get(AUDIT))

    row = table_row(page, f"entry-{role.pk}")
    assert "Ada Admin" in row
    assert "Role changed" in row
    assert "CRM user → CRM admin" in row
    assert f'href="/settings/users/{bob.pk}/"' in row
    assert "User deactivated" in table_row(page, f"entry-{deactivation.pk}")
    assert "Alice Martin" in table_row(page, f"entry-{deactivation.pk}")
    assert "2 entries" in page


def test_the_audit_page_is_written_in_its_readers_language(admin_client, history):
    admin_client.post("/i18n/setlang/", {"language": "fr"})

    page = page_of(admin_client.get(AUDIT))

    assert "Rôle changé" in page
    assert "Utilisateur du CRM → Administrateur du CRM" in page
    assert "Utilisateur désactivé" in page


def test_the_audit_page_filters_by_action_and_user(admin_client, history, alice):
    role, deactivation = history

    by_action = page_of(admin_client.get(AUDIT, {"action": "role_changed"}))
    by_user = page_of(admin_client.get(AUDIT, {"user": alice.pk}))

    assert f"entry-{role.pk}" in by_action and f"entry-{deactivation.pk}" not in by_action
    assert f"entry-{deactivation.pk}" in by_user and f"entry-{role.pk}" not in by_user
    assert f'<option value="{alice.pk}" selected>' in by_user


def test_the_audit_page_is_paginated_newest_first(admin_client, admin, alice):
    for _n in range(55):
        audit.record(by=admin, action=audit.Action.USER_REACTIVATED, target=alice)
    newest = AuditEntry.objects.order_by("-pk").first()

    first = page_of(admin_client.get(AUDIT))
    second = page_of(admin_client.get(AUDIT, {"page": 2}))

    assert first.index(f"entry-{newest.pk}") < first.index("<tbody>") + 200
    assert first.count('<tr id="entry-') == 50
    assert second.count('<tr id="entry-') == 5
    assert Paginator(audit.entries(), 50).num_pages == 2
