"""Settings › Suppression list and Retention review: admins only, in their language."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from contacts.models import Contact, CrmSettings, Suppression
from contacts.personal_data import retention, suppression

OLD = timezone.now() - datetime.timedelta(days=400)


@pytest.fixture
def erased(db, admin):
    return suppression.suppress(emails=["gone@example.org"], by=admin, reason="erasure")[0]


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_crm_users_who_are_not_admins_are_refused(client, request, persona, erased):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/settings/privacy/suppression/").status_code == 403
    assert (
        client.post(
            f"/settings/privacy/suppression/{erased.pk}/lift/", {"value": "gone@example.org"}
        ).status_code
        == 403
    )
    assert client.get("/settings/privacy/retention/").status_code == 403
    assert client.post("/settings/privacy/retention/", {"months": "1"}).status_code == 403
    assert Suppression.objects.filter(pk=erased.pk).exists()
    assert CrmSettings.load().review_after_months is None


def test_the_list_shows_the_hash_prefix_kind_date_and_reason_never_the_address(
    admin_client, erased
):
    page = admin_client.get("/settings/privacy/suppression/").content.decode()
    assert erased.digest[:12] in page and erased.digest not in page
    assert "erasure" in page and "Email" in page
    assert "gone@" not in page


def test_the_list_speaks_french(admin_client, erased):
    page = admin_client.get("/settings/privacy/suppression/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Liste d’exclusion" in page.content.decode()
    assert "Empreinte" in page.content.decode()


def test_a_wrong_address_does_not_lift_and_says_so(admin_client, erased):
    response = admin_client.post(
        f"/settings/privacy/suppression/{erased.pk}/lift/", {"value": "other@example.org"}
    )
    assert response.status_code == 200
    assert "This is not the address or number of this entry." in response.content.decode()
    assert Suppression.objects.filter(pk=erased.pk).exists()
    assert not AuditEntry.objects.exists()


def test_the_right_address_lifts_the_entry_and_the_audit_shows_it(admin_client, admin, erased):
    response = admin_client.post(
        f"/settings/privacy/suppression/{erased.pk}/lift/", {"value": "Gone@Example.org "}
    )

    assert response.status_code == 302
    assert not Suppression.objects.exists()
    audit = admin_client.get("/settings/audit/").content.decode()
    assert "Suppression list entry lifted" in audit
    assert f"email {erased.digest[:12]}…" in audit
    french = admin_client.get("/settings/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Entrée de la liste d’exclusion levée" in french


def _idle(contact, *, changed=OLD, active=None):
    Contact.objects.filter(pk=contact.pk).update(updated_at=changed, last_activity_at=active)


def test_the_review_is_off_until_an_admin_sets_months(admin_client, contact):
    _idle(contact)
    page = admin_client.get("/settings/privacy/retention/").content.decode()
    assert "The review is off" in page and "Jean Dupont" not in page

    response = admin_client.post("/settings/privacy/retention/", {"months": "12"})

    assert response.status_code == 302
    assert CrmSettings.load().review_after_months == 12
    page = admin_client.get("/settings/privacy/retention/").content.decode()
    assert "Jean Dupont" in page
    assert "No activity for 12 months" in page


@pytest.mark.parametrize("months", ["0", "-3", "abc", "601"])
def test_a_month_count_that_is_not_one_is_refused_with_a_message(admin_client, months):
    response = admin_client.post("/settings/privacy/retention/", {"months": months})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert CrmSettings.load().review_after_months is None


def test_the_review_lists_only_contacts_with_neither_activity_nor_change_since(
    admin_client, make_contact
):
    retention.review_settings_update(months=6)
    idle = make_contact(first_name="Idle")
    _idle(idle)
    active = make_contact(first_name="Active")
    _idle(active, active=timezone.now() - datetime.timedelta(days=10))
    changed = make_contact(first_name="Changed")  # changed just now
    trashed = make_contact(first_name="Trashed")
    _idle(trashed)
    Contact.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())

    page = admin_client.get("/settings/privacy/retention/").content.decode()

    assert "Idle Dupont" in page
    assert "Active Dupont" not in page and "Changed Dupont" not in page
    assert "Trashed Dupont" not in page
    assert changed.pk  # made for the comparison


def test_keeping_marks_reviewed_now_without_changing_the_contact(admin_client, contact):
    retention.review_settings_update(months=6)
    _idle(contact)
    version = contact.version

    response = admin_client.post("/settings/privacy/retention/keep/", {"ids": [contact.pk]})

    assert response.status_code == 302
    kept = Contact.objects.get(pk=contact.pk)
    assert kept.reviewed_at is not None
    assert (kept.version, kept.updated_at) == (version, OLD)
    page = admin_client.get("/settings/privacy/retention/").content.decode()
    assert "Jean Dupont" not in page and "No contact is due for review." in page


def test_the_export_link_exports_the_contacts_due_for_review(admin_client, make_contact):
    retention.review_settings_update(months=6)
    idle = make_contact(first_name="Idle")
    _idle(idle)
    make_contact(first_name="Fresh")

    page = admin_client.get("/settings/privacy/retention/").content.decode()
    assert "/contacts/export.csv?review=1" in page
    raw = b"".join(admin_client.get("/contacts/export.csv?review=1").streaming_content)

    assert "Idle" in raw.decode() and "Fresh" not in raw.decode()


def test_nothing_is_ever_deleted_by_the_review(admin_client, contact):
    retention.review_settings_update(months=1)
    _idle(contact)
    admin_client.get("/settings/privacy/retention/")
    admin_client.post("/settings/privacy/retention/keep/", {})
    assert Contact.objects.filter(pk=contact.pk, deleted_at__isnull=True).exists()


def test_the_review_is_paginated(admin_client, make_contact):
    retention.review_settings_update(months=1)
    for n in range(55):
        _idle(make_contact(first_name=f"P{n:02d}"))

    first = admin_client.get("/settings/privacy/retention/").content.decode()
    second = admin_client.get("/settings/privacy/retention/?page=2").content.decode()

    assert "55 contacts" in first
    assert first.count('name="ids"') == 50 and second.count('name="ids"') == 5


def test_the_review_lists_its_first_contacts_and_says_more_are_due(
    admin_client, make_contact, monkeypatch
):
    monkeypatch.setattr(retention, "REVIEW_LISTED", 3)
    retention.review_settings_update(months=1)
    for n in range(5):
        contact = make_contact(first_name=f"P{n}")
        _idle(contact)
        # The oldest change first: P4, then P3...
        Contact.objects.filter(pk=contact.pk).update(updated_at=OLD - datetime.timedelta(days=n))

    page = admin_client.get("/settings/privacy/retention/").content.decode()

    assert page.count('name="ids"') == 3
    assert page.index("P4 Dupont") < page.index("P3 Dupont") < page.index("P2 Dupont")
    assert "P1 Dupont" not in page and "P0 Dupont" not in page
    assert "More than 3 contacts due, the first 3 listed" in page


@pytest.mark.parametrize(
    "language, changed, active, labels",
    [
        ("en", "1 Feb 2025", "3 Mar 2025", ("Keep Idle Dupont", "Erase Idle Dupont", "Person")),
        (
            "fr",
            "1 fév. 2025",
            "3 mars 2025",
            ("Garder Idle Dupont", "Effacer Idle Dupont", "Personne"),
        ),
    ],
)
def test_each_row_of_the_review_names_its_contact_dates_and_actions(
    admin_client, make_contact, language, changed, active, labels
):
    retention.review_settings_update(months=6)
    idle = make_contact(first_name="Idle")
    moment = datetime.datetime(2025, 2, 1, 12, tzinfo=datetime.UTC)
    _idle(idle, changed=moment, active=moment + datetime.timedelta(days=30))

    page = admin_client.get("/settings/privacy/retention/", HTTP_ACCEPT_LANGUAGE=language)

    html = page.content.decode()
    row = html[html.index(f'id="contact-{idle.pk}"') :].split("</tr>")[0]
    keep, erase, kind = labels
    assert f'aria-label="{keep}"' in row and f'aria-label="{erase}"' in row
    assert f'href="{reverse("contacts:detail", args=[idle.pk])}"' in row
    assert f'href="{reverse("privacy:erase_contact", args=[idle.pk])}"' in row
    assert row.count(changed) == 2 and active in row and kind in row


def test_months_before_keeps_the_day_or_the_months_last():
    moment = datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)
    assert retention.months_before(moment, 1) == datetime.datetime(
        2026, 2, 28, 12, tzinfo=datetime.UTC
    )
    assert retention.months_before(moment, 15).date() == datetime.date(2024, 12, 31)


def test_changing_the_months_refreshes_the_lists_kept_pages(admin_client, settings, contact):
    settings.LIST_CACHE_SECONDS = 300
    retention.review_settings_update(months=24)
    Contact.objects.filter(pk=contact.pk).update(updated_at=OLD)  # 13 months ago
    assert "Jean Dupont" not in admin_client.get("/contacts/?review=1").content.decode()

    admin_client.post("/settings/privacy/retention/", {"months": "12"})

    assert "Jean Dupont" in admin_client.get("/contacts/?review=1").content.decode()
