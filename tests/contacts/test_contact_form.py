"""The person and company forms: create, validate, edit."""

import re

import pytest
from django.contrib.auth.models import Group

from contacts import currencies as config
from contacts.models import (
    CRM_USERS_GROUP,
    Address,
    Contact,
    ContactGroupObjectPermission,
    ContactInfo,
    ContactType,
    ContactUserObjectPermission,
)
from tests.support import form_data

OBJECT_PERMS = {"view_contact", "change_contact", "delete_contact"}


def user_perms(contact):
    return set(
        ContactUserObjectPermission.objects.filter(content_object=contact).values_list(
            "user__username", "permission__codename"
        )
    )


def group_perms(contact):
    return set(
        ContactGroupObjectPermission.objects.filter(content_object=contact).values_list(
            "group__name", "permission__codename"
        )
    )


def test_creating_a_person_stores_exactly_what_the_form_says(alice_client, alice, bob):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name=" Marie ",
            last_name="Curie",
            job_title="Physicist",
            description="Two Nobel prizes.",
            currency="EUR",
            email=[
                {"category": "work", "value": "marie@sorbonne.example", "is_primary": "on"},
                {"category": "home", "value": "Marie.Curie@Home.example"},
            ],
            phone=[{"category": "mobile", "value": "06 12 34 56 78"}],
            web=[{"category": "website", "value": "https://curie.example"}],
            address=[
                {
                    "category": "work",
                    "street": "11 rue Pierre et Marie Curie",
                    "postcode": "75005",
                    "city": "Paris",
                    "country": "France",
                }
            ],
            tags=" Physics , chemistry,PHYSICS,  Nobel   prize ,",
            responsible=[alice.pk, bob.pk],
            access="public_read",
        ),
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert (contact.kind, contact.first_name, contact.last_name) == ("person", "Marie", "Curie")
    assert (contact.job_title, contact.description) == ("Physicist", "Two Nobel prizes.")
    assert (contact.currency, contact.access, contact.source) == ("EUR", "public_read", "manual")
    assert contact.created_by == alice
    assert list(
        contact.infos.values_list("kind", "category", "value", "normalized", "is_primary")
    ) == [
        ("email", "work", "marie@sorbonne.example", "marie@sorbonne.example", True),
        ("email", "home", "Marie.Curie@Home.example", "marie.curie@home.example", False),
        ("phone", "mobile", "06 12 34 56 78", "+33612345678", True),
        ("web", "website", "https://curie.example", "", True),
    ]
    address = Address.objects.get(contact=contact)
    assert (address.street, address.postcode, address.city, address.country) == (
        "11 rue Pierre et Marie Curie",
        "75005",
        "Paris",
        "France",
    )
    assert address.is_primary
    assert sorted(contact.tags.names()) == ["Nobel prize", "Physics", "chemistry"]
    assert set(contact.responsible.all()) == {alice, bob}
    assert user_perms(contact) == {(u, p) for u in ("alice", "bob") for p in OBJECT_PERMS}
    assert group_perms(contact) == {(CRM_USERS_GROUP, "view_contact")}


def test_creating_a_public_read_write_company_gives_crm_users_every_permission(alice_client, alice):
    alice_client.post(
        "/contacts/new/company/",
        form_data(company_name="Acme", responsible=[alice.pk], access="public_rw"),
    )

    company = Contact.objects.get()
    assert (company.kind, company.display_name) == ("company", "Acme")
    assert group_perms(company) == {(CRM_USERS_GROUP, p) for p in OBJECT_PERMS}


def test_creating_a_private_contact_gives_crm_users_no_permission(alice_client, alice):
    alice_client.post(
        "/contacts/new/person/", form_data(first_name="Marie", responsible=[alice.pk])
    )

    contact = Contact.objects.get()
    assert group_perms(contact) == set()
    assert user_perms(contact) == {("alice", p) for p in OBJECT_PERMS}


def test_create_form_proposes_the_creator_as_responsible_and_private_access(alice_client, alice):
    page = alice_client.get("/contacts/new/person/").content.decode()

    assert re.search(
        rf'<input type="checkbox"[^>]* name="responsible" value="{alice.pk}"[^>]* checked>', page
    )
    assert re.search(r'<input type="radio"[^>]* name="access" value="private"[^>]* checked>', page)
    assert not re.search(
        r'<input type="radio"[^>]* name="access" value="public_\w+"[^>]* checked>', page
    )


def test_person_without_first_name_is_refused_and_keeps_what_was_typed(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="", last_name="Curie", job_title="Physicist", responsible=[alice.pk]),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<span id="error_1_id_first_name"><strong>This field is required.</strong></span>' in page
    )
    assert 'name="last_name" value="Curie"' in page
    assert 'name="job_title" value="Physicist"' in page
    assert "Please correct the errors below." in page
    assert not Contact.objects.exists()


def test_company_without_name_is_refused_and_keeps_what_was_typed(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/company/",
        form_data(company_name="  ", description="Makes anvils", responsible=[alice.pk]),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<span id="error_1_id_company_name"><strong>This field is required.</strong></span>' in page
    )
    assert "Makes anvils</textarea>" in page
    assert not Contact.objects.exists()


def test_invalid_email_is_refused_and_everything_typed_is_kept(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            last_name="Curie",
            email=[
                {"category": "work", "value": "marie-at-sorbonne"},
                {"category": "home", "value": "marie@home.example"},
            ],
            phone=[{"category": "mobile", "value": "06 12 34 56 78"}],
            tags="Physics",
            responsible=[alice.pk],
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address, like name@example.com." in page
    assert 'name="email-0-value" value="marie-at-sorbonne"' in page
    assert 'name="email-1-value" value="marie@home.example"' in page
    assert 'name="phone-0-value" value="06 12 34 56 78"' in page
    assert 'name="first_name" value="Marie"' in page
    assert 'name="tags" value="Physics"' in page
    assert not Contact.objects.exists()


def test_phone_with_letters_is_refused(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            phone=[{"category": "work", "value": "call me maybe"}],
            responsible=[alice.pk],
        ),
    )

    assert "Enter a phone number: digits, spaces and + ( ) - . / only." in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "prefix, rows",
    [
        ("email", [{"category": "work", "value": f"m{n}@example.com"} for n in range(2)]),
        ("phone", [{"category": "work", "value": f"01 23 45 67 8{n}"} for n in range(2)]),
        ("address", [{"category": "work", "city": f"City {n}"} for n in range(2)]),
    ],
)
def test_two_rows_marked_primary_are_refused(alice_client, alice, prefix, rows):
    for row in rows:
        row["is_primary"] = "on"

    response = alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", responsible=[alice.pk], **{prefix: rows}),
    )

    assert response.status_code == 200
    assert "<li>Only one can be primary.</li>" in response.content.decode()
    assert not Contact.objects.exists()


def test_first_row_becomes_primary_when_none_is_marked(alice_client, alice):
    alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            responsible=[alice.pk],
            email=[
                {"category": "work", "value": "first@example.com"},
                {"category": "home", "value": "second@example.com"},
            ],
        ),
    )

    assert list(ContactInfo.objects.filter(is_primary=True).values_list("value", flat=True)) == [
        "first@example.com"
    ]


def test_tag_longer_than_50_characters_is_refused_with_a_message(alice_client, alice):
    long_tag = "x" * 51

    response = alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", tags=f"Physics, {long_tag}", responsible=[alice.pk]),
    )

    assert response.status_code == 200
    assert f"A tag has at most 50 characters: “{long_tag}” is longer." in response.content.decode()
    assert not Contact.objects.exists()


def test_tag_of_exactly_50_characters_is_accepted(alice_client, alice):
    alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", tags="y" * 50, responsible=[alice.pk]),
    )

    assert Contact.objects.get().tags.names()[0] == "y" * 50


def test_typed_tag_reuses_an_existing_tag_whatever_its_case(alice_client, alice, make_contact):
    make_contact(tags=["Customer"])

    alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", tags="CUSTOMER", responsible=[alice.pk]),
    )

    contact = Contact.objects.get(first_name="Marie")
    assert list(contact.tags.names()) == ["Customer"]


@pytest.mark.parametrize(
    "kind, fields, name",
    [
        ("person", {"first_name": "Marie", "last_name": "Curie"}, "Marie Curie"),
        ("company", {"company_name": "Acme"}, "Acme"),
    ],
)
def test_save_and_create_new_opens_an_empty_form_of_the_same_kind(
    alice_client, alice, kind, fields, name
):
    response = alice_client.post(
        f"/contacts/new/{kind}/",
        form_data(save_new="", responsible=[alice.pk], **fields),
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain == [(f"/contacts/new/{kind}/", 302)]
    assert f"“{name}” was created." in page
    assert f"New {kind}</h1>" in page
    assert 'value="Marie"' not in page
    assert 'value="Acme"' not in page
    assert Contact.objects.get().display_name == name


def test_new_company_typed_on_the_person_form_is_created_with_the_same_access_and_users(
    alice_client, alice, bob
):
    alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            company_input="  Radium   Institute ",
            responsible=[alice.pk, bob.pk],
            access="public_read",
        ),
    )

    person = Contact.objects.get(kind="person")
    company = Contact.objects.get(kind="company")
    assert person.company == company
    assert company.display_name == "Radium Institute"
    assert company.access == "public_read"
    assert set(company.responsible.all()) == {alice, bob}
    assert user_perms(company) == {(u, p) for u in ("alice", "bob") for p in OBJECT_PERMS}
    assert group_perms(company) == {(CRM_USERS_GROUP, "view_contact")}


def test_existing_company_name_typed_in_any_case_links_that_company(
    alice_client, alice, make_contact
):
    company = make_contact("company", company_name="Radium Institute")

    alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", company_input="RADIUM institute", responsible=[alice.pk]),
    )

    person = Contact.objects.get(kind="person")
    assert person.company == company
    assert Contact.objects.filter(kind="company").count() == 1


def test_new_person_link_from_a_company_card_prefills_the_company(alice_client, make_contact):
    company = make_contact("company", company_name="Radium Institute")

    page = alice_client.get(f"/contacts/new/person/?company={company.pk}").content.decode()

    assert 'name="company_input" value="Radium Institute"' in page


def test_edit_form_shows_what_the_contact_holds(alice_client, make_contact):
    company = make_contact("company", company_name="Radium Institute")
    contact = make_contact(
        first_name="Marie",
        company=company,
        tags=["Physics", "Nobel"],
        infos=[{"kind": "email", "category": "work", "value": "marie@example.com"}],
        addresses=[{"category": "home", "city": "Paris"}],
    )

    page = alice_client.get(f"/contacts/{contact.pk}/edit/").content.decode()

    assert 'name="first_name" value="Marie"' in page
    assert 'name="company_input" value="Radium Institute"' in page
    assert 'name="email-0-value" value="marie@example.com"' in page
    assert 'name="address-0-city" value="Paris"' in page
    tags = re.search(r'name="tags" value="([^"]*)"', page).group(1)
    assert sorted(tags.split(", ")) == ["Nobel", "Physics"]


def test_changing_access_from_public_rw_to_private_removes_the_group_permissions(
    alice_client, alice, bob, make_contact
):
    contact = make_contact(access="public_rw")
    assert group_perms(contact) == {(CRM_USERS_GROUP, p) for p in OBJECT_PERMS}

    alice_client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Jean", access="private", responsible=[alice.pk]),
    )

    contact.refresh_from_db()
    assert contact.access == "private"
    assert group_perms(contact) == set()
    assert not ContactGroupObjectPermission.objects.filter(
        group=Group.objects.get(name=CRM_USERS_GROUP)
    ).exists()
    alice_client.force_login(bob)
    assert alice_client.get(f"/contacts/{contact.pk}/").status_code == 404


def test_removing_a_responsible_user_removes_his_permissions(
    alice_client, client, alice, bob, make_contact
):
    contact = make_contact(responsible=[alice, bob])

    alice_client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Jean", access="private", responsible=[alice.pk]),
    )

    assert set(contact.responsible.all()) == {alice}
    assert user_perms(contact) == {("alice", p) for p in OBJECT_PERMS}
    client.force_login(bob)
    assert client.get(f"/contacts/{contact.pk}/").status_code == 404


def test_editing_a_person_keeps_a_company_the_editor_cannot_see(client, bob, make_contact, alice):
    secret = make_contact("company", company_name="Secret Corp")
    person = make_contact(first_name="Paul", company=secret, access="public_rw")
    client.force_login(bob)
    page = client.get(f"/contacts/{person.pk}/edit/").content.decode()
    assert "Secret Corp" not in page
    assert "This person works at a company you cannot see" in page

    client.post(
        f"/contacts/{person.pk}/edit/",
        form_data(
            first_name="Paul",
            job_title="Engineer",
            company_input="",
            access="public_rw",
            responsible=[alice.pk],
        ),
    )

    person.refresh_from_db()
    assert person.job_title == "Engineer"
    assert person.company == secret
    assert Contact.objects.filter(kind="company").count() == 1


def test_deleting_a_company_keeps_its_persons_and_hides_it_from_them(alice_client, make_contact):
    company = make_contact("company", company_name="Acme")
    marie = make_contact(first_name="Marie", company=company)
    pierre = make_contact(first_name="Pierre", company=company)

    confirmation = alice_client.get(f"/contacts/{company.pk}/delete/").content.decode()
    alice_client.post(f"/contacts/{company.pk}/delete/")

    assert (
        "2 persons work at this company: they are kept, and find their company again "
        "if you restore it." in confirmation
    )
    assert not Contact.objects.filter(pk=company.pk).exists()
    alice_client.get("/contacts/")  # shows the message
    card = alice_client.get(f"/contacts/{marie.pk}/").content.decode()
    assert f"/contacts/{company.pk}/" not in card
    assert "Acme" not in card
    assert Contact.objects.filter(pk__in=[marie.pk, pierre.pk]).count() == 2


def test_add_row_without_javascript_adds_an_email_row_and_keeps_everything(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            last_name="Curie",
            email=[{"category": "home", "value": "marie@example.com", "is_primary": "on"}],
            phone=[{"category": "mobile", "value": "06 12 34 56 78"}],
            tags="Physics",
            description="Two Nobel prizes.",
            responsible=[alice.pk],
            add_row="email",
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="email-TOTAL_FORMS" value="2"' in page
    assert 'name="email-0-value" value="marie@example.com"' in page
    assert 'name="email-1-value"' in page
    assert 'name="email-1-value" value=' not in page
    # Like every formset, phones show the typed row and one blank row.
    assert 'name="phone-TOTAL_FORMS" value="2"' in page
    assert 'name="phone-0-value" value="06 12 34 56 78"' in page
    assert 'name="phone-1-value" value=' not in page
    assert 'name="first_name" value="Marie"' in page
    assert 'name="last_name" value="Curie"' in page
    assert 'name="tags" value="Physics"' in page
    assert "Two Nobel prizes.</textarea>" in page
    assert "is-invalid" not in page
    assert not Contact.objects.exists()


def test_add_row_twice_without_javascript_gives_three_email_rows(alice_client, alice):
    data = form_data(
        first_name="Marie",
        email=[{"category": "home", "value": "marie@example.com"}, {"category": "work"}],
        responsible=[alice.pk],
        add_row="email",
    )
    page = alice_client.post("/contacts/new/person/", data).content.decode()
    assert 'name="email-TOTAL_FORMS" value="3"' in page
    assert 'name="email-0-value" value="marie@example.com"' in page


def test_currency_names_are_localised(db):
    english = dict(config.currency_choices("en"))
    french = dict(config.currency_choices("fr"))

    assert english["EUR"] == "Euro (EUR)"
    assert french["EUR"] == "euro (EUR)"
    assert french["USD"] == "dollar des États-Unis (USD)"


def test_currency_choices_offer_iso_currencies_with_common_ones_first(db):
    codes = [code for code, _ in config.currency_choices("en")]

    assert codes[:3] == ["EUR", "USD", "GBP"]
    assert {"JPY", "CHF", "SEK", "BRL", "INR"} <= set(codes)
    assert len(codes) == len(set(codes)) > 100


def test_currency_select_speaks_the_users_language(alice_client):
    english = alice_client.get("/contacts/new/person/").content.decode()
    french = alice_client.get("/contacts/new/person/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<option value="EUR">Euro (EUR)</option>' in english
    assert '<option value="EUR">euro (EUR)</option>' in french


def test_currency_not_in_the_list_is_refused(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", currency="XXX", responsible=[alice.pk]),
    )

    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_new_contact_form_proposes_the_default_currency_from_settings(alice_client, settings):
    settings.CRM_DEFAULT_CURRENCY = "CHF"

    page = alice_client.get("/contacts/new/company/").content.decode()

    assert '<option value="CHF" selected>Swiss Franc (CHF)</option>' in page


def test_card_shows_the_currency_by_its_localised_name(alice_client, make_contact):
    contact = make_contact(first_name="Marie")
    Contact.objects.filter(pk=contact.pk).update(currency="EUR")

    english = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    french = alice_client.get(f"/contacts/{contact.pk}/", HTTP_ACCEPT_LANGUAGE="fr")

    assert "Euro (EUR)" in english
    assert "euro (EUR)" in french.content.decode()


def test_edit_form_offers_no_blank_address_under_existing_ones(alice_client, make_contact):
    contact = make_contact(addresses=[{"category": "work", "city": "Paris"}])
    page = alice_client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'name="address-TOTAL_FORMS" value="1"' in page
    assert 'name="email-TOTAL_FORMS" value="1"' in page


def test_add_address_without_javascript_adds_one_below_existing_ones(
    alice_client, alice, make_contact
):
    contact = make_contact(addresses=[{"category": "work", "city": "Paris"}])
    data = form_data(
        first_name="Jean",
        responsible=[alice.pk],
        address=[{"category": "work", "city": "Paris"}],
        add_row="address",
    )
    page = alice_client.post(f"/contacts/{contact.pk}/edit/", data).content.decode()
    assert 'name="address-TOTAL_FORMS" value="2"' in page
    assert 'name="address-0-city" value="Paris"' in page


def test_an_email_with_letters_beyond_ascii_is_accepted(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Zoé",
            responsible=[alice.pk],
            email=[{"category": "home", "value": "zoé.ñúñez@perso.example.net"}],
        ),
    )

    assert response.status_code == 302
    assert Contact.objects.get().infos.get().value == "zoé.ñúñez@perso.example.net"


def test_an_email_with_a_space_is_refused(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Zoé",
            responsible=[alice.pk],
            email=[{"category": "home", "value": "zoé ñúñez@perso.example.net"}],
        ),
    )

    assert "Enter a valid email address" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_form_shows_at_once_a_new_user_a_renamed_type_and_no_deactivated_user(
    alice_client, make_user, contact
):
    """The choices of users and types are kept per data version: a change shows at once."""
    carol = make_user("carol", first_name="Carol", last_name="Zed")
    client_type = ContactType.objects.create(title="Bench client")
    url = f"/contacts/{contact.pk}/edit/"
    assert "Carol Zed" in alice_client.get(url).content.decode()

    dan = make_user("dan", first_name="Dan", last_name="")
    carol.is_active = False
    carol.save()
    client_type.title = "Bench customer"
    client_type.save()

    page = alice_client.get(url).content.decode()
    assert f'value="{dan.pk}"' in page
    assert "Carol Zed" not in page
    assert ">Bench customer</option>" in page and ">Bench client</option>" not in page
