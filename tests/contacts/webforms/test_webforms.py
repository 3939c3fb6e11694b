"""The website form's public endpoint: what a visitor's submission does."""

import re
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.core import mail
from taggit.models import Tag

from accounts.models import EmailKind, Profile
from accounts.services import email_preferences_update
from contacts.models import Contact, ContactInfo, CustomField, Notification, WebForm
from contacts.services import ContactData, contact_create, contact_update
from contacts.webforms import services
from contacts.webforms.html import form_html
from contacts.webforms.services import send_web_form_email
from contacts.webforms.validation import issue_timestamp
from tests.support import make_web_form, old_timestamp, page_of, parse_form, posted, submit_url

PAGE = "https://www.example.com/contact"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.WEBFORM_MIN_SECONDS = 3
    settings.WEBFORM_RATE_LIMIT = 100
    settings.WEBFORM_RATE_WINDOW = 600
    settings.WEBFORM_MAX_BODY_BYTES = 64 * 1024
    settings.CLIENT_IP_HEADER = ""


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def web_form(db, alice, bob):
    return make_web_form(tags=["Web lead"], responsible=[alice], notify=[bob])


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post data to the form as a visitor's browser would, running on-commit work (emails)."""

    def post(web_form, data=None, **extra):
        data = posted(web_form, **(data or {})) if data is None or "_token" not in data else data
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(submit_url(web_form), data, **extra)

    return post


def ann(**fields):
    return {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", **fields}


# A submission


def test_a_submission_creates_a_person_with_what_the_form_stores_and_redirects(
    send, web_form, alice
):
    response = send(web_form, ann(phone="+33 6 12 34 56 78", description="Call me"))

    assert response.status_code == 303
    assert response["Location"] == "https://www.example.com/thanks"
    contact = Contact.objects.get()
    assert (contact.kind, contact.display_name) == ("person", "Ann Lee")
    assert contact.source == Contact.Source.WEB_FORM
    assert contact.description == "Call me"
    assert contact.access == Contact.Access.PRIVATE
    assert list(contact.responsible.all()) == [alice]
    assert [t.name for t in contact.tags.all()] == ["Web lead"]
    infos = {(i.kind, i.normalized) for i in contact.infos.all()}
    assert infos == {("email", "ann@example.com"), ("phone", "+33612345678")}
    assert contact.created_by is None
    # The same search text as a contact typed in the CRM.
    assert "ann lee" in contact.search_text and "0612345678" in contact.search_text


def test_the_contact_appears_in_the_list_of_its_responsible_user_with_its_source(
    send, web_form, client, alice, bob
):
    send(web_form, ann())

    client.force_login(alice)
    page = page_of(client.get("/contacts/"))
    assert "Ann Lee" in page
    assert "Web form" in page
    assert "Ann Lee" in page_of(client.get("/contacts/?source=web_form"))
    client.force_login(bob)
    assert "Ann Lee" not in page_of(client.get("/contacts/"))


def test_a_public_access_on_the_form_makes_the_contact_visible_to_every_user(
    send, alice, bob, client
):
    web_form = make_web_form(responsible=[alice], access=Contact.Access.PUBLIC_READ)

    send(web_form, ann())

    client.force_login(bob)
    assert "Ann Lee" in page_of(client.get("/contacts/"))


def test_the_company_typed_is_linked_by_its_exact_name(send, web_form, make_contact):
    acme = make_contact(Contact.Kind.COMPANY, company_name="Acme")

    send(web_form, ann(company_name="  Acme "))

    assert Contact.objects.get(first_name="Ann").company == acme
    assert Contact.objects.filter(kind=Contact.Kind.COMPANY).count() == 1


def test_a_company_the_forms_responsible_users_cannot_see_is_not_linked(
    send, web_form, make_contact, bob
):
    secret = make_contact(Contact.Kind.COMPANY, company_name="Acme", by=bob)

    send(web_form, ann(company_name="Acme"))

    person = Contact.objects.get(first_name="Ann")
    assert person.company != secret
    assert person.company.display_name == "Acme"
    assert list(person.company.responsible.all()) == list(web_form.responsible.all())
    assert not secret.persons.exists()


@pytest.mark.parametrize("access", ["public_read", "private"])
def test_without_responsible_users_only_a_public_company_is_linked(send, make_contact, bob, access):
    company = make_contact(Contact.Kind.COMPANY, company_name="Acme", by=bob, access=access)
    web_form = make_web_form(access="public_read")

    send(web_form, ann(company_name="Acme"))

    linked = Contact.objects.get(first_name="Ann").company
    assert (linked == company) is (access == "public_read")


def test_a_company_linked_must_be_seen_by_every_responsible_user(send, make_contact, alice, bob):
    acme = make_contact(Contact.Kind.COMPANY, company_name="Acme", by=bob)
    web_form = make_web_form(responsible=[alice, bob])

    send(web_form, ann(company_name="Acme"))

    assert Contact.objects.get(first_name="Ann").company != acme


def test_a_new_company_is_created_with_the_forms_access_and_responsible_users(
    send, web_form, alice
):
    send(web_form, ann(company_name="Globex"))

    person = Contact.objects.get(first_name="Ann")
    company = Contact.objects.get(kind=Contact.Kind.COMPANY)
    assert person.company == company
    assert company.display_name == "Globex"
    assert company.source == Contact.Source.WEB_FORM
    assert list(company.responsible.all()) == [alice]
    assert "globex" in person.search_text


def test_a_company_form_creates_a_company(send, alice):
    web_form = make_web_form(
        kind=Contact.Kind.COMPANY,
        fields=[{"name": "email", "required": False, "label": ""}],
        responsible=[alice],
    )

    send(web_form, {"company_name": "Initech", "email": "info@initech.example"})

    company = Contact.objects.get()
    assert (company.kind, company.display_name) == ("company", "Initech")


def test_user_fields_are_validated_and_stored(send, alice):
    tier = CustomField.objects.create(
        label="Budget", field_type="select", applies_to="person", options=["Small", "Large"]
    )
    note = CustomField.objects.create(label="Source detail", field_type="text")
    consent = CustomField.objects.create(label="Newsletter", field_type="checkbox")
    web_form = make_web_form(
        fields=[
            {"name": f"cf_{tier.pk}", "required": True, "label": ""},
            {"name": f"cf_{note.pk}", "required": False, "label": ""},
            {"name": f"cf_{consent.pk}", "required": False, "label": ""},
        ],
        responsible=[alice],
    )

    refused = send(web_form, {"first_name": "Ann", f"cf_{tier.pk}": "Huge"})
    assert refused.status_code == 400
    assert (
        "Select a valid choice. Huge is not one of the available choices."
        in refused.content.decode()
    )
    assert not Contact.objects.exists()

    send(
        web_form,
        {
            "first_name": "Ann",
            f"cf_{tier.pk}": "Large",
            f"cf_{note.pk}": "Fair",
            f"cf_{consent.pk}": "1",
        },
    )

    assert Contact.objects.get().custom == {tier.key: "Large", note.key: "Fair", consent.key: True}


# Tampering: only the stored form decides


def test_posted_fields_naming_users_access_tags_or_other_fields_are_ignored(
    send, web_form, alice, bob, root
):
    secret = CustomField.objects.create(label="Credit limit", field_type="text")
    Tag.objects.create(name="VIP", slug="vip")

    send(
        web_form,
        ann(
            responsible=[bob.pk, root.pk],
            responsible_ids=str(bob.pk),
            notify=str(root.pk),
            access="public_rw",
            tags="VIP",
            source="manual",
            created_by=str(root.pk),
            kind="company",
            job_title="CEO",  # not offered by this form
            **{f"cf_{secret.pk}": "1000000"},
        ),
    )

    contact = Contact.objects.get()
    assert contact.kind == "person"
    assert list(contact.responsible.all()) == [alice]
    assert contact.access == Contact.Access.PRIVATE
    assert [t.name for t in contact.tags.all()] == ["Web lead"]
    assert contact.source == Contact.Source.WEB_FORM
    assert contact.created_by is None
    assert contact.job_title == ""
    assert contact.custom == {}
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"bob"}


def test_the_success_redirect_is_only_the_configured_url(send, web_form):
    response = send(
        web_form, ann(next="https://evil.example/", success_url="https://evil.example/")
    )

    assert response["Location"] == "https://www.example.com/thanks"


def test_without_a_success_url_the_crm_thanks_the_visitor(send, client, alice):
    web_form = make_web_form(success_url="", responsible=[alice])

    response = send(web_form, ann())

    assert response.status_code == 303
    assert response["Location"] == f"/f/{web_form.public_id}/thanks/"
    assert "Your message was sent" in page_of(client.get(response["Location"]))


# Invalid input


def shown(response):
    """Return the page of a response, whatever its status."""
    return response.content.decode()


def refilled(response):
    """Return {name: value} of the visitor's fields in the form the page gives back."""
    _form, fields = parse_form(shown(response))
    return {k: v for k, v in fields.items() if not k.startswith("_") and k != "homepage"}


@pytest.fixture
def visit_date(db):
    return CustomField.objects.create(label="Visit date", field_type="date", applies_to="person")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_date_user_field_is_offered_as_a_date_input(alice, visit_date, language):
    web_form = make_web_form(
        language=language,
        fields=[{"name": f"cf_{visit_date.pk}", "required": True, "label": ""}],
        responsible=[alice],
    )

    html = form_html(web_form, "https://crm.example.com/f/x/")

    field_id = f"crm-{web_form.public_id.hex[:8]}-cf_{visit_date.pk}"
    assert f'<label for="{field_id}">Visit date *</label>' in html
    assert f'<input type="date" id="{field_id}" name="cf_{visit_date.pk}" required>' in html


def test_a_date_sent_through_a_website_form_is_stored_and_notified(send, alice, visit_date):
    web_form = make_web_form(
        fields=[{"name": f"cf_{visit_date.pk}", "required": False, "label": ""}],
        responsible=[alice],
        notify=[alice],
    )

    response = send(web_form, ann(**{f"cf_{visit_date.pk}": "2026-03-14"}))

    assert response.status_code == 303
    assert Contact.objects.get().custom == {visit_date.key: "2026-03-14"}
    assert "Visit date: 2026-03-14" in mail.outbox[0].body


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("value", ["2026-02-31", "tomorrow", "14/03/2026 10:00"])
def test_a_date_that_is_not_one_is_refused_and_given_back(send, alice, visit_date, language, value):
    web_form = make_web_form(
        language=language,
        fields=[{"name": f"cf_{visit_date.pk}", "required": False, "label": ""}],
        responsible=[alice],
    )

    response = send(web_form, ann(**{f"cf_{visit_date.pk}": value}))

    assert response.status_code == 400
    assert not Contact.objects.exists()
    page = shown(response)
    assert f'<input type="date" id="field-cf_{visit_date.pk}" name="cf_{visit_date.pk}"' in page
    assert refilled(response)[f"cf_{visit_date.pk}"] == value
    if language == "en":
        assert "Enter a date, like 2026-01-31." in page


def test_number_and_web_address_fields_are_offered_validated_and_stored(send, alice):
    seats = CustomField.objects.create(label="Seats", field_type="number")
    site = CustomField.objects.create(label="Portfolio", field_type="url")
    web_form = make_web_form(
        language="fr",
        fields=[
            {"name": f"cf_{seats.pk}", "required": False, "label": ""},
            {"name": f"cf_{site.pk}", "required": False, "label": ""},
        ],
        responsible=[alice],
    )
    html = form_html(web_form, "https://crm.example.com/f/x/")
    assert (
        f'<input type="text" inputmode="decimal" id="crm-{web_form.public_id.hex[:8]}-cf_' in html
    )

    refused = send(web_form, ann(**{f"cf_{seats.pk}": "beaucoup", f"cf_{site.pk}": "javascript:x"}))
    assert refused.status_code == 400
    assert not Contact.objects.exists()

    send(web_form, ann(**{f"cf_{seats.pk}": "1 200,5", f"cf_{site.pk}": "example.com/me"}))

    assert Contact.objects.get().custom == {seats.key: 1200.5, site.key: "https://example.com/me"}


def test_invalid_input_is_shown_again_filled_in_with_the_errors(send, web_form):
    response = send(
        web_form,
        ann(email="not-an-email", last_name="", description="Call me\nafter 5", _back=PAGE),
    )

    assert response.status_code == 400
    page = shown(response)
    assert "Please check the form" in page
    assert "Some fields are missing or wrong. Correct them and send the form again." in page
    assert refilled(response) == {
        "first_name": "Ann",
        "last_name": "",
        "company_name": "",
        "email": "not-an-email",
        "phone": "",
        "description": "Call me\nafter 5",
    }
    assert re.search(
        r'<input type="email" id="field-email" name="email" value="not-an-email"[^>]*'
        r'aria-invalid="true" aria-describedby="field-email-error">',
        page,
    )
    assert (
        '<span class="crm-error" id="field-email-error">'
        "Enter a valid email address, like name@example.com.</span>" in page
    )
    assert '<a href="#field-last_name">Last name</a>: This field is required.' in page
    assert f'<a href="{PAGE}">Back to the site</a>' in page
    assert not Contact.objects.exists()


def test_user_fields_are_given_back_chosen_and_ticked(send, alice):
    tier = CustomField.objects.create(
        label="Budget", field_type="select", applies_to="person", options=["Small", "Large"]
    )
    consent = CustomField.objects.create(label="Newsletter", field_type="checkbox")
    web_form = make_web_form(
        fields=[
            {"name": "email", "required": True, "label": ""},
            {"name": f"cf_{tier.pk}", "required": False, "label": ""},
            {"name": f"cf_{consent.pk}", "required": False, "label": ""},
        ],
        responsible=[alice],
    )

    response = send(web_form, ann(email="", **{f"cf_{tier.pk}": "Large", f"cf_{consent.pk}": "1"}))

    assert response.status_code == 400
    assert refilled(response) == {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "",
        f"cf_{tier.pk}": "Large",
        f"cf_{consent.pk}": "1",
    }


def test_the_form_given_back_sends_the_corrected_values(send, web_form):
    refused = send(web_form, ann(email="ann@example"))
    _form, fields = parse_form(shown(refused))

    fields.update(email="ann@example.com", _ts=old_timestamp(web_form))
    response = send(web_form, fields)

    assert response.status_code == 303
    contact = Contact.objects.get()
    assert contact.display_name == "Ann Lee"
    assert contact.infos.get().value == "ann@example.com"


def test_the_referring_page_is_the_link_back_when_the_script_did_not_say(send, web_form):
    response = send(web_form, ann(email=""), HTTP_REFERER=PAGE + "?x=1")

    assert response.status_code == 400
    assert f'<a href="{PAGE}?x=1">Back to the site</a>' in shown(response)
    assert refilled(response)["first_name"] == "Ann"


def test_a_referer_with_only_the_origin_shows_the_errors_without_a_link_back(send, web_form):
    response = send(web_form, ann(email=""), HTTP_REFERER="https://www.example.com/")

    assert response.status_code == 400
    page = shown(response)
    assert "Please check the form" in page
    assert "Back to the site" not in page


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/contact",
        "https://www.example.com.evil.example/",
        "javascript:alert(1)",
        "//evil.example/",
        "/settings/",
        "https://www.example.com:99999/",
    ],
)
def test_the_link_back_leads_only_to_the_forms_sites(send, web_form, back):
    response = send(web_form, ann(email="nope", _back=back), HTTP_REFERER=back)

    assert response.status_code == 400
    page = shown(response)
    assert "Please check the form" in page
    assert "Enter a valid email address" in page
    assert "Back to the site" not in page
    assert parse_form(page)[1]["_back"] == ""
    assert not Contact.objects.exists()


def test_the_success_pages_site_may_be_linked_back_to(send, alice):
    web_form = make_web_form(
        allowed_hosts=[], success_url="https://shop.example:8443/merci", responsible=[alice]
    )

    response = send(web_form, ann(email="", _back="https://shop.example:8443/form"))

    assert '<a href="https://shop.example:8443/form">Back to the site</a>' in shown(response)


def test_a_form_sent_too_fast_is_given_back_filled_in(send, web_form):
    data = posted(web_form, **ann(phone="06 12 34 56 78"))
    data["_ts"] = issue_timestamp(web_form.public_id)  # the page loaded just now

    response = send(web_form, data)

    assert "The form was sent very quickly. Check what you wrote, then send it again." in (
        shown(response)
    )
    assert refilled(response)["phone"] == "06 12 34 56 78"
    assert refilled(response)["email"] == "ann@example.com"
    assert not Contact.objects.exists()


def test_a_form_too_long_is_given_back_filled_in(send, web_form, settings):
    settings.WEBFORM_MAX_BODY_BYTES = 1000

    response = send(web_form, ann(description="Très long. " * 200))

    assert response.status_code == 413
    page = shown(response)
    assert "What was sent is too long. Shorten the texts and send the form again." in page
    assert refilled(response)["description"] == "Très long. " * 200
    assert refilled(response)["first_name"] == "Ann"
    assert not Contact.objects.exists()


def test_a_rate_limited_visitor_gets_the_form_back_filled_in(send, web_form, settings):
    settings.WEBFORM_RATE_LIMIT = 1
    send(web_form, ann())

    response = send(web_form, ann(first_name="Bea", description="Second try"))

    assert response.status_code == 429
    assert "Wait a few minutes and try again." in shown(response)
    assert refilled(response)["first_name"] == "Bea"
    assert refilled(response)["description"] == "Second try"
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("invalid", 400, "Saisissez une adresse e-mail valide, comme nom@exemple.fr."),
        ("fast", 200, "Le formulaire a été envoyé très vite."),
        ("long", 413, "Ce qui a été envoyé est trop long."),
        ("limited", 429, "Trop de formulaires ont été envoyés depuis votre adresse."),
    ],
)
def test_a_french_form_gives_the_values_back_in_french(
    send, alice, settings, case, status, message
):
    web_form = make_web_form(language="fr", responsible=[alice])
    data = posted(web_form, **ann(first_name="Zoé", description="Ça va ?"))
    if case == "invalid":
        data["email"] = "zoe@"
    elif case == "fast":
        data["_ts"] = issue_timestamp(web_form.public_id)
    elif case == "long":
        settings.WEBFORM_MAX_BODY_BYTES = 500
        data["description"] = "Ça va ? " * 100
    else:
        settings.WEBFORM_RATE_LIMIT = 0

    response = send(web_form, data)

    assert response.status_code == status
    page = shown(response)
    assert '<html lang="fr">' in page
    assert message in page
    assert "Envoyer" in page and "Prénom *" in page
    assert refilled(response)["first_name"] == "Zoé"
    assert refilled(response)["description"] == data["description"]
    assert not Contact.objects.exists()


def test_a_copy_of_the_form_with_an_old_key_gets_no_form_back(send, web_form, settings):
    settings.WEBFORM_RATE_LIMIT = 0
    data = posted(web_form, **ann())
    services.web_form_regenerate_key(web_form=web_form)

    response = send(web_form, data)

    assert response.status_code == 429
    assert "<form" not in shown(response)


def test_each_field_is_limited_in_length(send, web_form):
    response = send(web_form, ann(first_name="A" * 101, description="d" * 5001))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 100 characters (it has 101)." in page
    assert "at most 5000 characters" in page
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "Ann\x00"),
        ("first_name", "Ann\nLee"),
        ("last_name", "Lee\x07"),
        ("description", "Hello\x00"),
        ("phone", "call me maybe"),
        ("email", "ann@example.com\r\nBcc: x@example.com"),
    ],
)
def test_control_characters_and_malformed_values_are_refused(send, web_form, field, value):
    response = send(web_form, ann(**{field: value}))

    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_a_multiline_message_is_kept(send, web_form):
    send(web_form, ann(description="Hello,\r\nPlease call.\n\tThanks"))

    assert Contact.objects.get().description == "Hello,\nPlease call.\n\tThanks"


# Abuse


def test_a_filled_honeypot_looks_like_a_success_but_saves_nothing(send, web_form):
    response = send(web_form, ann(homepage="https://spam.example/"))

    assert response.status_code == 303
    assert response["Location"] == "https://www.example.com/thanks"
    assert not Contact.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []
    assert WebForm.objects.get().last_submission_at is None


@pytest.mark.parametrize("timestamp", ["", "garbage", "1:2:3"])
def test_without_a_valid_timestamp_a_confirmation_page_sends_the_form(
    send, web_form, client, timestamp
):
    data = posted(web_form, **ann(description="Ça va ?"))
    data["_ts"] = timestamp

    response = send(web_form, data)

    page = page_of(response)
    assert "Send the form?" in page
    assert "Ça va ?" in page
    assert not Contact.objects.exists()
    # The page's own form, sent a minute later, goes through.
    action, fields = parse_form(page)
    assert action["action"] == submit_url(web_form)
    assert fields["homepage"] == ""
    fields["_ts"] = old_timestamp(web_form)
    response = send(web_form, fields)
    assert response.status_code == 303
    assert Contact.objects.get().description == "Ça va ?"


def test_a_timestamp_of_another_form_is_not_accepted(send, web_form, alice):
    other = make_web_form(name="Other", responsible=[alice])
    data = posted(web_form, **ann())
    data["_ts"] = old_timestamp(other)

    assert "Send the form?" in page_of(send(web_form, data))


def test_the_rate_limit_answers_429_per_address(send, web_form, settings):
    settings.WEBFORM_RATE_LIMIT = 2

    assert send(web_form, ann(first_name="One")).status_code == 303
    assert send(web_form, ann(first_name="Two")).status_code == 303
    response = send(web_form, ann(first_name="Three"))

    assert response.status_code == 429
    assert "Too many forms were sent from your address" in response.content.decode()
    assert Contact.objects.count() == 2
    # Another address is not limited.
    assert send(web_form, ann(first_name="Four"), REMOTE_ADDR="10.0.0.9").status_code == 303


def test_behind_a_proxy_the_configured_header_gives_the_address(send, web_form, settings):
    settings.WEBFORM_RATE_LIMIT = 1
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"

    first = send(web_form, ann(), HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.1")
    second = send(web_form, ann(), HTTP_X_FORWARDED_FOR="other, 198.51.100.2")
    third = send(web_form, ann(), HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert (first.status_code, second.status_code, third.status_code) == (303, 303, 429)


def test_an_oversized_body_is_refused_before_it_is_read(send, web_form, settings):
    settings.WEBFORM_MAX_BODY_BYTES = 1000

    response = send(web_form, ann(description="x" * 2000))

    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_body_larger_than_djangos_own_limit_is_a_413_too(send, web_form, settings):
    settings.WEBFORM_MAX_BODY_BYTES = 10**9
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = send(web_form, ann(description="x" * 2000))

    assert response.status_code == 413


def test_a_malformed_multipart_body_is_a_plain_400(client, web_form):
    response = client.generic(
        "POST",
        submit_url(web_form),
        b'--xyz\r\nContent-Disposition: form-data; name="first_name"\r\n\r\nAnn',
        content_type="multipart/form-data; boundary=xyz",
    )

    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_a_multipart_body_without_boundary_is_a_plain_400(client, web_form):
    response = client.generic(
        "POST", submit_url(web_form), b"first_name=Ann", content_type="multipart/form-data"
    )

    assert response.status_code == 400


def test_a_well_formed_multipart_body_is_accepted(client, web_form):
    data = posted(web_form, **ann())

    response = client.post(submit_url(web_form), data)  # the test client posts multipart

    assert response.status_code == 303
    assert Contact.objects.count() == 1


def test_a_body_that_is_not_utf8_is_refused(client, web_form):
    data = posted(web_form, **ann())
    body = "&".join(f"{k}={v}" for k, v in data.items() if k != "first_name")
    body = body.encode() + b"&first_name=Ren%E9"  # Latin-1 "René"

    response = client.generic(
        "POST", submit_url(web_form), body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert not Contact.objects.exists()


def test_raw_non_utf8_bytes_in_multipart_are_refused(client, web_form):
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="first_name"\r\n\r\nRen\xe9\r\n--xyz--\r\n'
    )

    response = client.generic(
        "POST", submit_url(web_form), body, content_type="multipart/form-data; boundary=xyz"
    )

    assert response.status_code == 400


def test_utf8_text_is_kept_as_typed(send, web_form):
    send(web_form, ann(first_name="Zoë", last_name="Łukasiewicz 李"))

    assert Contact.objects.get().display_name == "Zoë Łukasiewicz 李"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/plain", b"first_name=Ann"), ("application/json", b'{"first_name": "Ann"}')],
)
def test_other_encodings_are_a_plain_400(client, web_form, content_type, body):
    response = client.generic("POST", submit_url(web_form), body, content_type=content_type)

    assert response.status_code == 400


def test_a_bad_content_length_is_refused(client, web_form):
    response = client.generic(
        "POST",
        submit_url(web_form),
        b"first_name=Ann",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="lots",
    )

    assert response.status_code == 413


def test_an_unknown_form_is_a_plain_404(client, db):
    response = client.post("/f/00000000-0000-0000-0000-000000000001/", {"first_name": "Ann"})

    assert response.status_code == 404
    assert "This form does not exist" in response.content.decode()


def test_a_disabled_form_says_it_is_closed(send, web_form):
    services.web_form_set_active(web_form=web_form, active=False)

    response = send(web_form, ann())

    assert response.status_code == 410
    assert "no longer accepts submissions" in response.content.decode()
    assert not Contact.objects.exists()


def test_opening_the_endpoint_in_a_browser_explains_it(client, web_form):
    response = client.get(submit_url(web_form))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Open the page that shows it" in response.content.decode()


def test_a_new_key_makes_old_copies_of_the_html_fail_with_a_clear_error(send, web_form):
    old = posted(web_form, **ann())

    services.web_form_regenerate_key(web_form=web_form)
    response = send(web_form, old)

    assert response.status_code == 400
    assert "This copy of the form is out of date" in response.content.decode()
    assert not Contact.objects.exists()
    assert send(web_form, posted(web_form, **ann())).status_code == 303


def test_a_missing_or_forged_token_is_refused(send, web_form):
    data = posted(web_form, **ann())
    data["_token"] = "0" * 32

    assert send(web_form, data).status_code == 400
    del data["_token"]
    assert send(web_form, {**data, "_token": ""}).status_code == 400


# Notifications


def test_the_chosen_users_are_notified_in_the_app_and_by_email_with_the_values(
    send, client, alice, settings
):
    settings.SITE_URL = "https://crm.example.com"
    web_form = make_web_form(responsible=[alice], notify=[alice])

    send(web_form, ann(phone="01 23 45 67 89", description="Please call\nafter 5"))

    contact = Contact.objects.get()
    notification = Notification.objects.get()
    assert (notification.recipient, notification.verb) == (alice, "web_form_created")
    assert (notification.contact, notification.web_form) == (contact, web_form)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["alice@example.com"]
    assert email.subject == "New contact from the website: Ann Lee"
    assert "website form “Contact us”" in email.body
    for line in ("First name: Ann", "Last name: Lee", "Email: ann@example.com"):
        assert line in email.body
    assert "Phone: 01 23 45 67 89" in email.body
    assert "Message: Please call\nafter 5" in email.body
    assert f"https://crm.example.com/contacts/{contact.pk}/" in email.body


def test_a_user_who_turned_website_form_emails_off_is_notified_in_the_app_only(send, alice):
    web_form = make_web_form(responsible=[alice], notify=[alice])
    email_preferences_update(user=alice, wanted=[EmailKind.ASSIGNMENT, EmailKind.IMPORT])

    send(web_form, ann())

    assert Notification.objects.get().recipient == alice
    assert mail.outbox == []


def test_a_notified_user_who_may_not_see_the_contact_is_not_told_its_name(
    send, web_form, client, alice, bob
):
    send(web_form, ann(phone="01 23 45 67 89"))

    contact = Contact.objects.get()
    assert Notification.objects.get().recipient == bob
    email = mail.outbox[0]
    assert email.to == ["bob@example.com"]
    assert email.subject == "A visitor sent the website form “Contact us”"
    assert (
        "A visitor sent the website form “Contact us”, about a contact you cannot see."
        in email.body
    )
    for secret in ("Ann", "Lee", "ann@example.com", "01 23 45 67 89", f"/contacts/{contact.pk}/"):
        assert secret not in email.body
    # Alice is responsible, not notified: no "made you responsible" from nobody.
    assert not Notification.objects.filter(recipient=alice).exists()
    client.force_login(bob)
    page = page_of(client.get("/contacts/notifications/"))
    assert "A visitor sent the website form “Contact us”, about a contact you cannot see." in page


def test_the_email_asks_for_access_when_it_is_sent_not_when_the_visitor_sent_the_form(
    send, client, alice, bob, django_capture_on_commit_callbacks
):
    web_form = make_web_form(responsible=[alice], notify=[bob], access="public_read")
    with mock.patch("contacts.webforms.services.send_web_form_email") as task:
        send(web_form, ann())
    (enqueued,) = task.enqueue.call_args_list
    contact = Contact.objects.get()
    assert contact.access == "public_read"
    # Made private by his responsible user before the worker gets to the e-mail.
    contact_update(
        by=alice,
        contact=contact,
        data=ContactData(
            kind="person",
            fields={"first_name": "Ann", "last_name": "Lee"},
            access="private",
            responsible=[alice],
            infos=[{"kind": "email", "category": "work", "value": "ann@example.com"}],
        ),
    )

    send_web_form_email.call(**enqueued.kwargs)

    email = mail.outbox[-1]
    assert email.to == ["bob@example.com"]
    assert "about a contact you cannot see" in email.body
    assert "Ann" not in email.subject + email.body


def test_each_notified_user_reads_the_email_in_his_language_and_time_zone(
    send, make_user, alice, bob
):
    carol = make_user("carol")
    Profile.objects.create(user=bob, language="fr", time_zone="Europe/Paris")
    Profile.objects.create(user=carol, language="en", time_zone="Asia/Tokyo")
    web_form = make_web_form(responsible=[bob, carol], notify=[bob, carol])
    with mock.patch("contacts.webforms.services.timezone.now") as now:
        now.return_value = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
        send(web_form, ann())

    sent = {m.to[0]: m for m in mail.outbox}
    french, english = sent["bob@example.com"], sent["carol@example.com"]
    assert french.subject == "Nouveau contact venu du site : Ann Lee"
    assert french.body.startswith("Bonjour Bob Durand,")
    assert "10 mars 2026 13:00" in french.body
    assert "Hello" not in french.body
    assert english.subject == "New contact from the website: Ann Lee"
    assert english.body.startswith("Hello Carol,")
    assert "Sent on 10 Mar 2026, 21:00" in english.body
    assert "Bonjour" not in english.body


def test_the_notification_links_to_the_contact_for_a_user_who_can_see_it(send, client, alice):
    web_form = make_web_form(responsible=[alice], notify=[alice])

    send(web_form, ann())

    client.force_login(alice)
    page = page_of(client.get("/contacts/notifications/"))
    contact = Contact.objects.get()
    assert (
        f'New contact <a href="/contacts/{contact.pk}/">Ann Lee</a> '
        "from the website form “Contact us”." in page
    )


def test_values_with_html_are_sent_as_text_in_the_email(send, alice):
    web_form = make_web_form(responsible=[alice], notify=[alice])

    send(web_form, ann(description="<b>bold</b> & co"))

    assert "Message: <b>bold</b> & co" in mail.outbox[0].body


# Update instead of duplicate


@pytest.fixture
def known(alice, bob):
    """A private person bob is responsible for, with a phone and an email in capitals."""
    return contact_create(
        by=bob,
        data=ContactData(
            kind="person",
            fields={"first_name": "Ann", "last_name": "Old", "description": "Met at a fair"},
            responsible=[bob],
            tags=["Fair"],
            infos=[
                {"kind": "email", "category": "home", "value": "ANN@example.com"},
                {"kind": "phone", "category": "mobile", "value": "06 11 22 33 44"},
            ],
        ),
    )


def test_with_update_on_a_known_email_the_contact_is_updated_not_duplicated(
    send, known, alice, bob
):
    web_form = make_web_form(
        update_existing=True, tags=["Web lead"], responsible=[alice], access="public_rw"
    )

    send(web_form, ann(last_name="Lee", phone="+33 6 11 22 33 44", description="Hello again"))

    assert Contact.objects.count() == 1
    known.refresh_from_db()
    assert known.display_name == "Ann Old"
    assert known.source == Contact.Source.MANUAL
    assert known.description == "Met at a fair"
    assert known.access == Contact.Access.PRIVATE  # a visitor cannot widen it
    assert set(known.responsible.all()) == {bob}
    assert {t.name for t in known.tags.all()} == {"Fair", "Web lead"}
    # The same phone, typed otherwise, is not added twice.
    assert known.infos.filter(kind=ContactInfo.Kind.PHONE).count() == 1
    assert known.version == 2
    web_form.refresh_from_db()
    assert (web_form.created_count, web_form.updated_count) == (0, 1)


def test_a_visitor_who_knows_a_private_contacts_email_only_adds_details_to_it(
    send, known, client, alice, bob, make_contact
):
    globex = make_contact(Contact.Kind.COMPANY, company_name="Globex", by=bob)
    Contact.objects.filter(pk=known.pk).update(company=globex)
    web_form = make_web_form(
        update_existing=True, responsible=[alice], access="public_rw", notify=[]
    )

    send(
        web_form,
        ann(
            first_name="Mallory",
            last_name="Hacker",
            email="ann@example.com",
            phone="07 99 88 77 66",
            company_name="Evil Corp",
            description="Send invoices to my new bank account",
        ),
    )

    known.refresh_from_db()
    assert (known.first_name, known.last_name) == ("Ann", "Old")
    assert known.description == "Met at a fair"
    assert known.company == globex
    assert not Contact.objects.filter(display_name="Evil Corp").exists()
    assert known.access == Contact.Access.PRIVATE
    assert list(known.responsible.all()) == [bob]
    assert set(known.infos.filter(kind="phone").values_list("normalized", flat=True)) == {
        "+33611223344",
        "+33799887766",
    }
    # The form's responsible user is told, and is given no access to the contact.
    assert Notification.objects.get().recipient == alice
    assert Notification.objects.get().verb == "web_form_updated"
    client.force_login(alice)
    assert client.get(f"/contacts/{known.pk}/").status_code == 404
    # Bob reads on the card what the visitor sent and what was added.
    client.force_login(bob)
    page = page_of(client.get(f"/contacts/{known.pk}/"))
    assert "A visitor" in page and "sent the website form “Contact us”:" in page
    assert '<dt class="fw-semibold">First name</dt><dd class="mb-1">Mallory</dd>' in page
    assert "Send invoices to my new bank account" in page
    assert "07 99 88 77 66" in page


def test_a_visitor_sending_nothing_new_is_still_recorded_on_the_contact(send, known, bob):
    web_form = make_web_form(update_existing=True, responsible=[bob])

    send(web_form, ann(email="ann@example.com"))

    event = known.events.order_by("-pk").first()
    assert (event.verb, event.source, event.changes) == ("changed", "web_form", [])
    assert event.details == {
        "web_form": "Contact us",
        "submitted": [["First name", "Ann"], ["Last name", "Lee"], ["Email", "ann@example.com"]],
    }


def test_a_visitor_fills_only_the_user_fields_still_empty(send, known, bob):
    tier = CustomField.objects.create(
        label="Budget", field_type="select", applies_to="person", options=["Small", "Large"]
    )
    note = CustomField.objects.create(label="Source detail", field_type="text")
    Contact.objects.filter(pk=known.pk).update(custom={tier.key: "Small"})
    web_form = make_web_form(
        update_existing=True,
        fields=[
            {"name": "email", "required": True, "label": ""},
            {"name": f"cf_{tier.pk}", "required": False, "label": ""},
            {"name": f"cf_{note.pk}", "required": False, "label": ""},
        ],
        responsible=[bob],
    )

    send(web_form, ann(**{f"cf_{tier.pk}": "Large", f"cf_{note.pk}": "A fair"}))

    known.refresh_from_db()
    assert known.custom == {tier.key: "Small", note.key: "A fair"}


def test_an_update_adds_a_new_email_phone_and_address(send, known, alice):
    web_form = make_web_form(
        update_existing=True,
        fields=[
            {"name": "email", "required": True, "label": ""},
            {"name": "website", "required": False, "label": ""},
            {"name": "city", "required": False, "label": ""},
        ],
        responsible=[alice],
    )

    send(web_form, {"first_name": "Ann", "email": "ann@example.com", "website": "ann.example"})

    assert known.infos.filter(kind="web").get().value == "ann.example"
    assert known.infos.filter(kind="email").count() == 1


def test_without_update_a_known_email_makes_a_second_contact(send, known, web_form):
    send(web_form, ann())

    assert Contact.objects.filter(first_name="Ann").count() == 2


def test_an_update_never_touches_a_contact_of_the_other_kind(send, make_contact, alice):
    make_contact(
        Contact.Kind.COMPANY,
        company_name="Ann Ltd",
        infos=[{"kind": "email", "category": "work", "value": "ann@example.com"}],
    )
    web_form = make_web_form(update_existing=True, responsible=[alice])

    send(web_form, ann())

    assert Contact.objects.filter(kind="person").count() == 1


# The form's figures


def test_the_form_counts_the_contacts_it_created_and_the_last_submission(send, web_form):
    send(web_form, ann())
    send(web_form, ann(first_name="Bea"))

    web_form.refresh_from_db()
    assert web_form.created_count == 2
    assert web_form.last_submission_at is not None


def test_nothing_is_half_written_when_a_step_fails(web_form, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(services, "_notify", fail)
    from contacts.webforms.validation import SubmissionForm

    form = SubmissionForm(ann(), web_form=web_form)
    assert form.is_valid()

    with pytest.raises(RuntimeError):
        services.web_form_submit(
            web_form=web_form, cleaned=form.cleaned_data, values=form.submitted_values()
        )

    assert not Contact.objects.exists()
    assert not ContactInfo.objects.exists()
    web_form.refresh_from_db()
    assert (web_form.created_count, web_form.last_submission_at) == (0, None)


# Language and the generated HTML


def test_a_french_form_answers_in_french(send, alice):
    web_form = make_web_form(language="fr", responsible=[alice], allowed_hosts=[], success_url="")

    response = send(web_form, ann(email=""))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Veuillez vérifier le formulaire" in page
    assert "Ce champ est obligatoire." in page
    assert '<html lang="fr">' in page


def test_the_html_carries_only_the_public_id_the_token_anti_spam_and_visitor_fields(web_form):
    html = form_html(web_form, f"https://crm.example.com/f/{web_form.public_id}/")

    form, fields = parse_form(html)
    assert form["method"] == "post"
    assert form["accept-charset"] == "UTF-8"
    assert form["action"] == f"https://crm.example.com/f/{web_form.public_id}/"
    assert list(fields) == [
        "_token",
        "_ts",
        "_back",
        "homepage",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "phone",
        "description",
    ]
    assert fields["_token"] and not fields["_ts"]
    assert web_form.secret_key not in html
    for word in ("responsible", "access", "tag", "notify", str(web_form.pk) + '"'):
        assert f'name="{word}' not in html


def test_the_html_marks_required_fields_and_limits_lengths(web_form):
    html = form_html(web_form, "https://crm.example.com/f/x/")

    assert re.search(r'name="email" maxlength="254"[^>]* required>', html)
    assert re.search(r'name="phone" maxlength="50"[^>]*>', html)
    assert 'name="phone" maxlength="50" autocomplete="tel" required' not in html
    assert "Email *" in html and "Phone *" not in html


def test_the_timestamp_is_served_to_any_site(client, web_form):
    response = client.get(f"/f/{web_form.public_id}/ts/")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "no-cache" in response["Cache-Control"]


def test_too_many_fields_are_a_plain_400(client, web_form):
    data = posted(web_form, **ann())
    data.update({f"x{n}": "1" for n in range(1100)})

    body = "&".join(f"{k}={v}" for k, v in data.items()).encode()
    response = client.generic(
        "POST", submit_url(web_form), body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_a_user_field_deleted_or_retyped_since_is_no_longer_offered_nor_saved(send, alice):
    gone = CustomField.objects.create(label="Gone", field_type="text")
    retyped = CustomField.objects.create(label="Retyped", field_type="text")
    web_form = make_web_form(
        fields=[
            {"name": f"cf_{gone.pk}", "required": True, "label": ""},
            {"name": f"cf_{retyped.pk}", "required": True, "label": ""},
        ],
        responsible=[alice],
    )
    data = posted(web_form, **ann())
    gone.delete()
    CustomField.objects.filter(pk=retyped.pk).update(field_type="heading")

    html = form_html(web_form, "https://crm.example.com/f/x/")
    send(web_form, {**data, f"cf_{retyped.pk}": "2024-01-01"})

    assert "Gone" not in html and "Retyped" not in html
    assert Contact.objects.get().custom == {}


def test_an_update_is_notified_as_such(send, known, client, bob):
    web_form = make_web_form(update_existing=True, responsible=[bob], notify=[bob])

    send(web_form, ann())

    assert Notification.objects.get().verb == "web_form_updated"
    assert mail.outbox[0].subject == "Ann Old wrote again through the website"
    client.force_login(bob)
    page = page_of(client.get("/contacts/notifications/"))
    assert "sent the website form “Contact us” again: the contact was updated." in page


def test_the_demo_data_has_a_website_form(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=None)

    web_form = WebForm.objects.get()
    assert web_form.name == "Contact us"
    assert [u.username for u in web_form.notify.all()] == ["marie"]


@pytest.mark.parametrize("seed", range(12))
def test_random_bodies_never_make_a_server_error(client, web_form, seed):
    import random

    rng = random.Random(seed)
    body = rng.randbytes(rng.randrange(0, 3000))
    if seed % 3 == 0:
        body = posted_body(web_form) + b"&" + body
    content_type = [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "application/x-www-form-urlencoded; charset=utf-16",
    ][seed % 4]

    response = client.generic("POST", submit_url(web_form), body, content_type=content_type)

    assert 300 <= response.status_code < 500
    assert not Contact.objects.exists()


def posted_body(web_form):
    from urllib.parse import urlencode

    return urlencode(posted(web_form, **ann())).encode()


def test_a_declared_charset_does_not_change_how_utf8_is_read(client, web_form):
    body = posted_body(web_form).replace(b"first_name=Ann", b"first_name=Ren%C3%A9")

    response = client.generic(
        "POST",
        submit_url(web_form),
        body,
        content_type="application/x-www-form-urlencoded; charset=iso-8859-1",
    )

    assert response.status_code == 303
    assert Contact.objects.get().first_name == "René"
