"""Consent to marketing e-mail: set on the form, an import, a website form or the API;
shown on the card, kept in the history, filtered and exported."""

import csv
import io
import json

import pytest
from django.test import Client

from accounts.tokens import token_create
from contacts.models import Contact, ContactEvent
from contacts.services import ConsentData, contact_data_of, contact_update
from tests.support import csv_text, form_data, make_web_form, posted, submit_url

WORDING = "I agree to receive the newsletter by email."


def given(source=Contact.ConsentSource.FORM, wording=WORDING):
    return ConsentData(status=Contact.Consent.GIVEN, source=source, wording=wording)


def test_a_new_contact_has_no_consent_known(contact):
    assert (contact.consent, contact.consent_at, contact.consent_source) == ("unknown", None, "")


def test_the_form_records_consent_with_its_wording_date_and_source(alice_client, contact):
    data = form_data(
        first_name="Jean",
        last_name="Dupont",
        responsible=[contact.responsible.get().pk],
        consent="given",
        consent_wording=WORDING,
        version=contact.version,
    )

    response = alice_client.post(f"/contacts/{contact.pk}/edit/", data)

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.consent, contact.consent_source) == ("given", "form")
    assert contact.consent_wording == WORDING
    assert contact.consent_at is not None
    event = ContactEvent.objects.filter(contact=contact).order_by("-pk").first()
    assert {"field": "consent", "label": "", "old": "unknown", "new": "given"} in event.changes


def test_saving_the_same_consent_again_keeps_its_date(alice, contact):
    data = contact_data_of(contact)
    data.consent = given()
    contact_update(by=alice, contact=contact, data=data)
    first = Contact.objects.get(pk=contact.pk).consent_at

    data = contact_data_of(contact)
    data.consent = given(wording="")  # the form posted again, the wording left as shown
    contact_update(by=alice, contact=contact, data=data)

    contact.refresh_from_db()
    assert (contact.consent_at, contact.consent_wording) == (first, WORDING)


def test_the_card_and_the_history_show_the_consent_in_the_readers_language(
    alice, alice_client, contact
):
    data = contact_data_of(contact)
    data.consent = given()
    contact_update(by=alice, contact=contact, data=data)

    card = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    french = alice_client.get(f"/contacts/{contact.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    history = alice_client.get(f"/contacts/{contact.pk}/history/", HTTP_ACCEPT_LANGUAGE="fr")

    assert 'data-consent="given"' in card
    assert "Marketing email consent" in card and WORDING in card and "Contact form" in card
    assert "Consentement aux e-mails marketing" in french.content.decode()
    assert "Donné" in french.content.decode()
    assert "Inconnu" in history.content.decode() and "Donné" in history.content.decode()


def test_the_list_filters_by_consent_and_the_export_writes_it(alice, client, make_contact):
    yes = make_contact(first_name="Yes", consent=given())
    make_contact(first_name="Unsure")
    client.force_login(alice)

    page = client.get("/contacts/?consent=given").content.decode()
    raw = b"".join(client.get("/contacts/export.csv?consent=given").streaming_content)
    rows = list(csv.DictReader(io.StringIO(raw.decode().removeprefix("\ufeff"))))

    assert "Yes Dupont" in page and "Unsure Dupont" not in page
    assert "Consent: Given" in page
    assert [(r["First name"], r["Marketing email consent"]) for r in rows] == [("Yes", "Given")]
    assert Contact.objects.get(pk=yes.pk).consent_source == "form"


def test_an_import_maps_a_consent_column_and_rejects_what_is_not_one(run_import):
    job = run_import(
        csv_text(
            ["First name", "Email", "Consent"],
            ["Oui", "a@example.org", "oui"],
            ["Zero", "b@example.org", "0"],
            ["Given", "c@example.org", "Given"],
            ["Blank", "d@example.org", ""],
            ["Maybe", "e@example.org", "maybe"],
        )
    )

    assert job.mapping[2] == "consent"
    assert (job.created, job.rejected) == (4, 1)
    found = dict(Contact.objects.values_list("first_name", "consent"))
    assert found == {"Oui": "given", "Zero": "refused", "Given": "given", "Blank": "unknown"}
    oui = Contact.objects.get(first_name="Oui")
    assert oui.consent_source == "import" and oui.consent_at is not None
    assert [i.reason for i in job.issues.all()] == [
        "“maybe” is not a consent: write yes or no (given or refused)."
    ]


def test_an_import_updating_a_contact_sets_its_consent(run_import, contact):
    contact.infos.create(
        kind="email",
        category="work",
        value="j@example.org",
        normalized="j@example.org",
        is_primary=True,
    )
    job = run_import(
        csv_text(
            ["First name", "Last name", "Email", "Consent"],
            ["Jean", "Dupont", "j@example.org", "refused"],
        ),
        duplicates="update",
    )
    contact.refresh_from_db()
    assert job.updated == 1
    assert (contact.consent, contact.consent_source) == ("refused", "import")


@pytest.fixture
def consent_form(db, alice):
    return make_web_form(responsible=[alice], consent_wording=WORDING)


def test_a_website_form_offers_the_checkbox_and_stores_its_exact_wording(client, consent_form):
    data = posted(consent_form, first_name="Ann", last_name="Lee", email="ann@example.org")
    assert "consent" in data  # the generated HTML holds the checkbox
    data["consent"] = "1"

    assert client.post(submit_url(consent_form), data).status_code == 303

    ann = Contact.objects.get()
    assert (ann.consent, ann.consent_source, ann.consent_wording) == ("given", "web_form", WORDING)
    event = ContactEvent.objects.get(contact=ann)
    assert event.details == {"consent": WORDING}


def test_a_visitor_who_leaves_the_box_unchecked_gives_no_consent(client, consent_form):
    data = posted(consent_form, first_name="Ann", last_name="Lee", email="ann@example.org")
    data["consent"] = ""
    client.post(submit_url(consent_form), data)
    assert Contact.objects.get().consent == "unknown"


def test_a_returning_visitor_consents_on_the_contact_with_the_wording_in_the_visit(
    client, alice, make_contact
):
    web_form = make_web_form(responsible=[alice], consent_wording=WORDING, update_existing=True)
    known = make_contact(
        infos=[
            {"kind": "email", "category": "work", "value": "ann@example.org", "is_primary": True}
        ]
    )
    data = posted(web_form, first_name="Ann", last_name="Lee", email="ann@example.org", consent="1")

    client.post(submit_url(web_form), data)

    known.refresh_from_db()
    assert (known.consent, known.consent_source) == ("given", "web_form")
    visit = ContactEvent.objects.filter(contact=known).order_by("-pk").first()
    assert visit.details["consent"] == WORDING
    assert [WORDING, "Yes"] in visit.details["submitted"]


def test_the_admin_sets_the_wording_on_the_website_forms_page(admin_client, consent_form):
    page = admin_client.get(f"/settings/webforms/{consent_form.pk}/edit/").content.decode()
    assert "Consent checkbox for marketing email" in page and WORDING in page


def test_the_api_gives_and_takes_the_consent(alice, contact):
    token = token_create(user=alice, name="Sync", scope="write")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    before = api.get(f"/api/v1/contacts/{contact.pk}").json()
    changed = api.patch(
        f"/api/v1/contacts/{contact.pk}",
        json.dumps({"consent": "refused", "consent_wording": "No mail"}),
        content_type="application/json",
        HTTP_IF_MATCH=f'"{contact.version}"',
    )

    assert before["consent"] == {"status": "unknown", "date": None, "source": "", "wording": ""}
    assert changed.status_code == 200, changed.content
    assert changed.json()["consent"]["status"] == "refused"
    assert changed.json()["consent"]["source"] == "api"
    contact.refresh_from_db()
    assert (contact.consent, contact.consent_source, contact.consent_wording) == (
        "refused",
        "api",
        "No mail",
    )


def test_an_api_replacement_that_does_not_name_consent_keeps_it(alice, make_contact):
    kept = make_contact(consent=given())
    token = token_create(user=alice, name="Sync", scope="write")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api.put(
        f"/api/v1/contacts/{kept.pk}",
        json.dumps({"first_name": "Jean"}),
        content_type="application/json",
        HTTP_IF_MATCH=f'"{kept.version}"',
    )

    assert response.status_code == 200, response.content
    kept.refresh_from_db()
    assert (kept.consent, kept.consent_wording) == ("given", WORDING)


def test_undoing_an_import_gives_back_the_consent_as_it_was(alice, run_import, make_contact):
    from contacts.imports.undo import job_undo

    known = make_contact(
        consent=given(),
        infos=[{"kind": "email", "category": "work", "value": "j@example.org", "is_primary": True}],
    )
    stated = Contact.objects.get(pk=known.pk).consent_at
    job = run_import(
        csv_text(["First name", "Email", "Consent"], ["Jean", "j@example.org", "no"]),
        duplicates="update",
    )
    assert Contact.objects.get(pk=known.pk).consent == "refused"

    job_undo(by=alice, job=job)

    known.refresh_from_db()
    assert (known.consent, known.consent_source, known.consent_wording) == (
        "given",
        "form",
        WORDING,
    )
    assert known.consent_at == stated
