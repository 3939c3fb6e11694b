"""The suppression list: an erased person's e-mails and phones never come back."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client

from accounts.tokens import token_create
from contacts.imports import report
from contacts.models import Contact, ContactEvent, ContactInfo, Notification, Suppression, WebForm
from contacts.personal_data import suppression
from tests.support import csv_text, make_web_form, posted, submit_url

ERASED_EMAIL = "Zoe.Gone@Example.org"
ERASED_PHONE = "+33 6 12 34 56 78"


@pytest.fixture
def erased(db, admin):
    return suppression.suppress(
        emails=[ERASED_EMAIL], phones=[ERASED_PHONE], by=admin, reason="erasure"
    )


def test_only_keyed_hashes_are_stored_never_the_address(erased, admin, settings):
    assert {e.kind for e in erased} == {"email", "phone"}
    entry = Suppression.objects.get(kind="email")
    assert (entry.reason, entry.created_by, entry.created_by_name) == (
        "erasure",
        admin,
        admin.get_full_name() or "admin",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM contacts_suppression")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row).lower()
    assert "zoe" not in stored and "example" not in stored and "612345678" not in stored
    # Another key gives other hashes: the key is the setting's.
    settings.PRIVACY_HASH_KEY = "another key"
    assert not suppression.is_suppressed(emails=[ERASED_EMAIL])


def test_a_differently_cased_address_and_a_reformatted_phone_are_still_suppressed(erased):
    assert suppression.is_suppressed(emails=["  zoe.gone@EXAMPLE.ORG "])
    assert suppression.is_suppressed(phones=["06 12 34 56 78"])
    assert suppression.is_suppressed(phones=["+33612345678"])
    assert not suppression.is_suppressed(emails=["zoe.stays@example.org"], phones=["0612345679"])
    assert not suppression.is_suppressed()


def test_suppressing_twice_keeps_one_entry(erased, admin):
    again = suppression.suppress(emails=["zoe.gone@example.org"], by=admin)
    assert again == []
    assert Suppression.objects.count() == 2


def test_an_import_rejects_the_rows_of_an_erased_person_in_the_rejected_rows_file(
    erased, run_import
):
    job = run_import(
        csv_text(
            ["First name", "Last name", "Email", "Phone"],
            ["Zoe", "Gone", "ZOE.GONE@example.org", ""],
            ["Zoé", "Again", "", "06.12.34.56.78"],
            ["Max", "Kept", "max@example.org", "0612345679"],
        )
    )

    assert (job.created, job.rejected) == (1, 2)
    assert list(Contact.objects.values_list("display_name", flat=True)) == ["Max Kept"]
    rows = list(csv.reader(io.StringIO("".join(report.rejects_lines(job)).lstrip("\ufeff"))))
    assert [row[-1] for row in rows[1:]] == ["Erased at the person's request."] * 2


def test_an_import_in_french_gives_the_reason_in_french(erased, run_import):
    job = run_import(
        csv_text(["Prénom", "Courriel"], ["Zoe", "zoe.gone@example.org"]), language="fr"
    )
    assert [i.reason for i in job.issues.all()] == ["Effacé à la demande de la personne."]


def test_a_website_form_thanks_an_erased_visitor_and_keeps_nothing(erased, client, alice, bob):
    web_form = make_web_form(responsible=[alice], notify=[bob])
    data = posted(web_form, first_name="Zoe", last_name="Gone", email="zoe.gone@example.org")

    response = client.post(submit_url(web_form), data)

    assert response.status_code == 303
    assert response["Location"] == "https://www.example.com/thanks"  # as anyone else
    assert not Contact.all_objects.exists()
    assert not ContactInfo.objects.exists()
    assert not ContactEvent.objects.exists()
    assert not Notification.objects.exists()
    assert WebForm.objects.get(pk=web_form.pk).last_submission_at is None


def test_a_website_form_still_takes_other_visitors(erased, client, alice):
    web_form = make_web_form(responsible=[alice])
    data = posted(web_form, first_name="Max", last_name="Kept", email="max@example.org")
    assert client.post(submit_url(web_form), data).status_code == 303
    assert Contact.objects.get().display_name == "Max Kept"


def test_the_api_refuses_to_create_an_erased_person_with_a_clear_problem(erased, alice):
    token = token_create(user=alice, name="Sync", scope="write")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"kind": "person", "first_name": "Zoe", "phones": [{"value": "0612345678"}]}

    response = api.post("/api/v1/contacts", json.dumps(body), content_type="application/json")

    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "erased_person"
    assert "erased at their request" in problem["detail"]
    assert not Contact.objects.exists()


def test_the_api_refuses_to_add_an_erased_address_to_a_contact(erased, alice, contact):
    token = token_create(user=alice, name="Sync", scope="write")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"emails": [{"value": "zoe.gone@example.org"}]}

    response = api.patch(
        f"/api/v1/contacts/{contact.pk}",
        json.dumps(body),
        content_type="application/json",
        HTTP_IF_MATCH=f'"{contact.version}"',
    )

    assert response.status_code == 409
    assert not ContactInfo.objects.filter(contact=contact).exists()


def test_lifting_needs_the_address_that_made_the_hash_and_is_audited(erased, admin):
    from accounts.models import AuditEntry

    entry = Suppression.objects.get(kind="email")
    assert suppression.suppression_lift(by=admin, entry=entry, value="other@example.org") is None
    assert Suppression.objects.filter(pk=entry.pk).exists()

    lifted = suppression.suppression_lift(by=admin, entry=entry, value=" ZOE.gone@example.org")

    assert lifted is not None
    assert not Suppression.objects.filter(pk=entry.pk).exists()
    assert not suppression.is_suppressed(emails=[ERASED_EMAIL])
    audit = AuditEntry.objects.get()
    assert (audit.action, audit.actor) == ("suppression_lifted", admin)
    assert audit.details == {"kind": "email", "digest": entry.digest[:12]}
    assert "zoe" not in json.dumps(audit.details).lower()
