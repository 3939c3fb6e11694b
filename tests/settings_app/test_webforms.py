"""Website forms in Settings: create, edit, generate, new key, disable, delete."""

import html as html_lib
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from taggit.models import Tag

from contacts.models import CRM_ADMINS_GROUP, Contact, CustomField, WebForm
from contacts.webforms.validation import form_token
from tests.support import make_web_form, old_timestamp, page_of, parse_form

LIST_URL = "/settings/webforms/"


@pytest.fixture
def web_form(db, alice):
    return make_web_form(tags=["Web lead"], responsible=[alice])


def form_post(**fields):
    """Return POST data for the settings form: a person form offering the email."""
    data = {
        "name": "Contact us",
        "language": "en",
        "is_active": "on",
        "success_url": "https://www.example.com/thanks",
        "allowed_hosts": "www.example.com",
        "tags": "",
        "access": "private",
        "offer_email": "on",
        "required_email": "on",
        # Private and nobody responsible: the admin confirms that only admins will see them.
        "confirm_unseen": "on",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def generated_html(page):
    match = re.search(r'<textarea id="webform-html"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no HTML to copy on the page"
    return html_lib.unescape(match.group(1))


# Who may open the pages


def urls_of(web_form):
    pk = web_form.pk
    return [
        LIST_URL,
        "/settings/webforms/new/person/",
        "/settings/webforms/new/company/",
        f"/settings/webforms/{pk}/",
        f"/settings/webforms/{pk}/edit/",
        f"/settings/webforms/{pk}/new-key/",
        f"/settings/webforms/{pk}/delete/",
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, web_form):
    for url in urls_of(web_form) + [f"/settings/webforms/{web_form.pk}/active/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_ordinary_users_get_403_and_change_nothing(client, request, web_form, persona):
    client.force_login(request.getfixturevalue(persona))
    key = web_form.secret_key

    for url in urls_of(web_form):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/settings/webforms/{web_form.pk}/new-key/").status_code == 403
    assert client.post(f"/settings/webforms/{web_form.pk}/delete/").status_code == 403
    assert (
        client.post(f"/settings/webforms/{web_form.pk}/active/", {"active": "0"}).status_code == 403
    )
    assert client.post("/settings/webforms/new/person/", form_post()).status_code == 403

    web_form.refresh_from_db()
    assert (web_form.secret_key, web_form.is_active) == (key, True)
    assert WebForm.objects.count() == 1


@pytest.mark.parametrize("persona", ["admin", "root"])
def test_crm_admins_open_every_page(client, request, web_form, persona):
    client.force_login(request.getfixturevalue(persona))

    for url in urls_of(web_form):
        assert client.get(url).status_code == 200, url


def test_the_public_endpoint_needs_no_login(client, web_form):
    response = client.get(f"/f/{web_form.public_id}/ts/")

    assert response.status_code == 200


def test_website_forms_are_in_the_settings_navigation(admin_client):
    page = page_of(admin_client.get("/settings/types/"))

    assert f'href="{LIST_URL}"' in page
    assert "Website forms" in page


# The list


def test_the_list_shows_each_forms_kind_counts_last_submission_and_state(admin_client, alice):
    make_web_form(name="Contact us", responsible=[alice])
    closed = make_web_form(name="Old campaign", kind="company", fields=[], is_active=False)
    WebForm.objects.filter(pk=closed.pk).update(created_count=1234)

    page = page_of(admin_client.get(LIST_URL))

    row = re.search(rf'<tr id="webform-{closed.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "Old campaign" in row and "Disabled" in row and "Companies" in row
    assert "1,234" in row
    assert "Never" in row
    assert "Contact us" in page


def test_an_empty_list_says_so(admin_client):
    assert "No website forms yet." in page_of(admin_client.get(LIST_URL))


# Create and edit


def test_an_admin_creates_a_person_form(admin_client, alice, bob):
    response = admin_client.post(
        "/settings/webforms/new/person/",
        form_post(
            tags="Web lead, Newsletter",
            responsible=[alice.pk],
            notify=[bob.pk],
            access="public_read",
            update_existing="on",
            offer_phone="on",
            label_phone="Your phone",
            offer_job_title=None,
        ),
    )

    web_form = WebForm.objects.get()
    assert response.status_code == 302
    assert response.url == f"/settings/webforms/{web_form.pk}/"
    assert (web_form.name, web_form.kind, web_form.language) == ("Contact us", "person", "en")
    assert web_form.fields == [
        {"name": "first_name", "required": True, "label": ""},
        {"name": "last_name", "required": False, "label": ""},
        {"name": "email", "required": True, "label": ""},
        {"name": "phone", "required": False, "label": "Your phone"},
    ]
    assert {t.name for t in web_form.tags.all()} == {"Web lead", "Newsletter"}
    assert list(web_form.responsible.all()) == [alice]
    assert list(web_form.notify.all()) == [bob]
    assert web_form.access == "public_read"
    assert web_form.update_existing is True
    assert web_form.allowed_hosts == ["www.example.com"]


def test_first_name_is_always_offered_and_required_even_when_unticked(admin_client):
    admin_client.post(
        "/settings/webforms/new/person/",
        form_post(offer_first_name=None, required_first_name=None, offer_last_name=None),
    )

    fields = {f["name"]: f for f in WebForm.objects.get().fields}
    assert fields["first_name"]["required"] is True
    assert "last_name" in fields


def test_a_company_form_always_offers_the_company_name(admin_client):
    admin_client.post("/settings/webforms/new/company/", form_post())

    web_form = WebForm.objects.get()
    assert web_form.kind == "company"
    assert web_form.fields[0] == {"name": "company_name", "required": True, "label": ""}
    assert "first_name" not in {f["name"] for f in web_form.fields}


def test_an_unknown_kind_is_404(admin_client):
    assert admin_client.get("/settings/webforms/new/robot/").status_code == 404


def test_the_new_form_page_offers_the_fields_of_its_kind_and_the_usable_user_fields(admin_client):
    CustomField.objects.create(label="Budget", field_type="select", applies_to="person")
    CustomField.objects.create(label="Employees", field_type="text", applies_to="company")
    CustomField.objects.create(label="Birthday", field_type="date", applies_to="both")
    CustomField.objects.create(label="Prospecting", field_type="heading", applies_to="both")
    CustomField.objects.create(label="Newsletter", field_type="checkbox", applies_to="both")

    page = page_of(admin_client.get("/settings/webforms/new/person/"))

    for label in ("First name", "Job title", "Web site", "Postcode", "Message", "Budget"):
        assert label in page
    assert "Newsletter" in page
    assert "Birthday" in page
    for label in ("Employees", "Prospecting"):
        assert label not in page


def test_invalid_settings_are_shown_and_nothing_is_saved(admin_client):
    response = admin_client.post(
        "/settings/webforms/new/person/",
        form_post(name="", success_url="javascript:alert(1)", allowed_hosts="not a host/at all"),
    )

    page = page_of(response)
    assert "This field is required." in page
    assert "Enter a valid URL." in page
    assert "is not a web site" in page
    assert not WebForm.objects.exists()


def test_sites_may_be_typed_as_addresses(admin_client):
    admin_client.post(
        "/settings/webforms/new/person/",
        form_post(allowed_hosts="https://www.example.com/\nShop.example:8443\n\nwww.example.com"),
    )

    assert WebForm.objects.get().allowed_hosts == ["www.example.com", "shop.example:8443"]


def test_editing_a_form_shows_and_stores_its_settings(admin_client, web_form, bob):
    page = page_of(admin_client.get(f"/settings/webforms/{web_form.pk}/edit/"))
    assert 'value="Contact us"' in page
    assert 'value="Web lead"' in page

    response = admin_client.post(
        f"/settings/webforms/{web_form.pk}/edit/",
        form_post(name="Quote request", responsible=[bob.pk], tags="Quote", is_active=None),
    )

    assert response.status_code == 302
    web_form.refresh_from_db()
    assert web_form.name == "Quote request"
    assert list(web_form.responsible.all()) == [bob]
    assert [t.name for t in web_form.tags.all()] == ["Quote"]
    assert web_form.is_active is False


UNSEEN = "Nobody would see these contacts but the CRM admins"


def test_a_form_whose_contacts_nobody_would_see_asks_to_confirm_and_saves_nothing(admin_client):
    response = admin_client.post(
        "/settings/webforms/new/person/", form_post(confirm_unseen=None, access="private")
    )

    page = page_of(response)
    assert UNSEEN in page
    assert re.search(
        r'<input type="checkbox"[^>]*name="confirm_unseen"[^>]*id="id_confirm_unseen">', page
    )
    assert "Save anyway: only the CRM admins will see these contacts" in page
    assert 'value="Contact us"' in page  # what the admin typed is kept
    assert not WebForm.objects.exists()

    response = admin_client.post("/settings/webforms/new/person/", form_post(access="private"))

    assert response.status_code == 302
    assert WebForm.objects.get().access == "private"


def test_removing_the_last_responsible_user_of_a_private_form_asks_to_confirm(
    admin_client, web_form, alice
):
    url = f"/settings/webforms/{web_form.pk}/edit/"

    page = page_of(admin_client.post(url, form_post(name="Renamed", confirm_unseen=None)))

    assert UNSEEN in page
    web_form.refresh_from_db()
    assert web_form.name == "Contact us"
    assert list(web_form.responsible.all()) == [alice]


@pytest.mark.parametrize("fields", [{"access": "public_read"}, {"responsible": "alice"}])
def test_a_form_whose_contacts_someone_sees_saves_without_confirming(admin_client, alice, fields):
    if fields.get("responsible"):
        fields = {"responsible": [alice.pk]}
    response = admin_client.post(
        "/settings/webforms/new/person/", form_post(confirm_unseen=None, **fields)
    )

    assert response.status_code == 302
    assert WebForm.objects.exists()


def test_a_new_form_is_in_the_admins_language_with_its_placeholders(admin_client):
    admin_client.cookies["django_language"] = "fr"

    page = page_of(admin_client.get("/settings/webforms/new/person/"))

    assert '<option value="fr" selected>' in page
    assert re.search(r'name="label_first_name"[^>]*placeholder="Prénom"', page)
    assert 'data-placeholders="{&quot;en&quot;: &quot;First name&quot;, &quot;fr&quot;: ' in page


def test_the_placeholders_follow_the_language_chosen(admin_client, web_form):
    page = page_of(
        admin_client.post(
            f"/settings/webforms/{web_form.pk}/edit/", form_post(name="", language="fr")
        )
    )

    assert "This field is required." in page  # the page stays in the admin's language
    assert re.search(r'name="label_first_name"[^>]*placeholder="Prénom"', page)
    assert re.search(r'name="label_phone"[^>]*placeholder="Téléphone"', page)


def test_tags_reuse_existing_ones_whatever_their_case(admin_client):
    Tag.objects.get_or_create(name="Customer", defaults={"slug": "customer"})

    admin_client.post("/settings/webforms/new/person/", form_post(tags="customer"))

    assert [t.name for t in WebForm.objects.get().tags.all()] == ["Customer"]
    assert Tag.objects.filter(name__iexact="customer").count() == 1


# Generate form


def test_the_forms_page_shows_the_html_to_copy_and_a_preview(admin_client, web_form):
    page = page_of(admin_client.get(f"/settings/webforms/{web_form.pk}/"))

    html = generated_html(page)
    form, fields = parse_form(html)
    assert form["action"] == f"http://testserver/f/{web_form.public_id}/"
    assert fields["_token"] == form_token(web_form)
    assert 'sandbox=""' in page and f"/settings/webforms/{web_form.pk}/preview/" in page
    assert "Copy the HTML" in page


def test_the_generated_html_uses_the_labels_chosen_and_the_forms_language(admin_client, alice):
    web_form = make_web_form(
        language="fr",
        fields=[
            {"name": "email", "required": True, "label": ""},
            {"name": "phone", "required": False, "label": "Numéro pour vous joindre"},
        ],
        responsible=[alice],
    )

    html = generated_html(page_of(admin_client.get(f"/settings/webforms/{web_form.pk}/")))

    assert "Prénom *" in html
    assert "Courriel *" in html or "E-mail *" in html
    assert "Numéro pour vous joindre" in html
    assert "Envoyer" in html


def test_the_forms_page_shows_its_figures(admin_client, web_form):
    page = page_of(admin_client.get(f"/settings/webforms/{web_form.pk}/"))
    assert re.search(r'id="created-count">0<', page)
    assert "Never" in page

    cache.clear()
    html = generated_html(page)
    _form, fields = parse_form(html)
    fields.update(
        first_name="Ann", last_name="Lee", email="ann@example.com", _ts=old_timestamp(web_form)
    )
    visitor = Client()
    assert visitor.post(f"/f/{web_form.public_id}/", fields).status_code == 303

    page = page_of(admin_client.get(f"/settings/webforms/{web_form.pk}/"))
    assert re.search(r'id="created-count">1<', page)
    assert "Never" not in re.search(r'id="last-submission">(.*?)</p>', page, re.S).group(1)


def test_a_new_key_is_made_after_a_warning(admin_client, web_form):
    old_token = form_token(web_form)

    page = page_of(admin_client.get(f"/settings/webforms/{web_form.pk}/new-key/"))
    assert "will stop working" in page
    web_form.refresh_from_db()
    assert form_token(web_form) == old_token

    response = admin_client.post(f"/settings/webforms/{web_form.pk}/new-key/", follow=True)

    page = page_of(response)
    assert "copies of its old HTML no longer work" in page
    web_form.refresh_from_db()
    assert form_token(web_form) != old_token
    assert parse_form(generated_html(page))[1]["_token"] == form_token(web_form)


def test_a_form_is_disabled_and_enabled_again(admin_client, web_form):
    admin_client.post(f"/settings/webforms/{web_form.pk}/active/", {"active": "0"})
    web_form.refresh_from_db()
    assert web_form.is_active is False
    assert "Disabled" in page_of(admin_client.get(f"/settings/webforms/{web_form.pk}/"))

    admin_client.post(f"/settings/webforms/{web_form.pk}/active/", {"active": "1"})
    web_form.refresh_from_db()
    assert web_form.is_active is True


def test_set_active_accepts_only_post(admin_client, web_form):
    assert admin_client.get(f"/settings/webforms/{web_form.pk}/active/").status_code == 405


def test_deleting_a_form_keeps_its_contacts(admin_client, web_form, make_contact):
    contact = make_contact()
    Contact.objects.filter(pk=contact.pk).update(source="web_form")

    page = page_of(admin_client.get(f"/settings/webforms/{web_form.pk}/delete/"))
    assert "The contacts it created stay." in page
    response = admin_client.post(f"/settings/webforms/{web_form.pk}/delete/")

    assert response.status_code == 302
    assert not WebForm.objects.exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_user_made_admin_may_then_manage_forms(client, alice, web_form):
    client.force_login(alice)
    assert client.get(LIST_URL).status_code == 403

    alice.groups.add(Group.objects.get(name=CRM_ADMINS_GROUP))
    alice = type(alice).objects.get(pk=alice.pk)
    client.force_login(alice)

    assert client.get(LIST_URL).status_code == 200


def test_the_page_shown_after_sending_is_a_web_page(admin_client):
    page = page_of(
        admin_client.post(
            "/settings/webforms/new/person/", form_post(success_url="ftp://x.example/")
        )
    )

    assert "Enter a web address starting with https:// or http://." in page
    assert not WebForm.objects.exists()
