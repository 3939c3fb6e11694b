"""User fields on the contact form, the card, the search and the list filters."""

import re

import pytest

from contacts.custom_fields import services as custom_fields
from contacts.forms import ContactForm
from contacts.models import Contact, CustomField
from contacts.services import ContactData, contact_update
from tests.support import form_data

Type = CustomField.Type


@pytest.fixture
def fields(db):
    """Person and company fields, with a heading starting a second group."""

    def make(label, field_type, applies_to="both", options=()):
        return custom_fields.custom_field_create(
            label=label, field_type=field_type, applies_to=applies_to, options=options
        )

    return {
        "birthday": make("Birthday", Type.DATE, "person"),
        "notes": make("Notes", Type.TEXTAREA),
        "vat": make("VAT number", Type.TEXT, "company"),
        "accounting": make("Accounting", Type.HEADING),
        "newsletter": make("Newsletter", Type.CHECKBOX, "person"),
        "segment": make("Segment", Type.SELECT, options=["Gold", "Silver"]),
        "nickname": make("Nickname", Type.TEXT),
    }


def name(field):
    return f"cf_{field.pk}"


def positions(page, labels):
    """Return where each label appears as an element's text, -1 when it does not."""
    found = [re.search(rf">\s*{re.escape(label)}\s*<", page) for label in labels]
    return [m.start() if m else -1 for m in found]


def test_person_form_shows_person_fields_in_order_under_their_headings(alice_client, fields):
    page = alice_client.get("/contacts/new/person/").content.decode()

    order = positions(
        page, ["Birthday", "Notes", "Accounting", "Newsletter", "Segment", "Nickname"]
    )
    assert -1 not in order
    assert order == sorted(order)
    assert "Additional information" in page
    assert '<h2 class="h5 card-title">Accounting</h2>' in page
    assert "VAT number" not in page
    assert re.search(rf'<input type="date" name="{name(fields["birthday"])}"', page)
    assert re.search(rf'<textarea name="{name(fields["notes"])}"', page)
    assert re.search(rf'<input type="checkbox" name="{name(fields["newsletter"])}"', page)
    assert '<option value="Gold">Gold</option>' in page


def test_company_form_shows_only_the_fields_for_companies(alice_client, fields):
    page = alice_client.get("/contacts/new/company/").content.decode()

    assert "VAT number" in page and "Notes" in page and "Segment" in page
    assert "Birthday" not in page
    assert "Newsletter" not in page


def test_form_without_user_fields_shows_no_extra_card(alice_client, db):
    page = alice_client.get("/contacts/new/person/").content.decode()
    assert "Additional information" not in page
    assert "cf_" not in page


def test_a_field_added_while_no_form_is_open_appears_on_the_next_form(alice_client, fields):
    alice_client.get("/contacts/new/person/")
    custom_fields.custom_field_create(label="Hobby", field_type=Type.TEXT)

    assert "Hobby" in alice_client.get("/contacts/new/person/").content.decode()


def test_values_are_saved_by_field_id_and_shown_on_the_card(alice_client, alice, fields):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            responsible=[alice.pk],
            **{
                name(fields["birthday"]): "1867-11-07",
                name(fields["notes"]): "Two Nobel prizes.\nPhysics and chemistry.",
                name(fields["newsletter"]): "on",
                name(fields["segment"]): "Gold",
                name(fields["nickname"]): "  ",
            },
        ),
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert contact.custom == {
        fields["birthday"].key: "1867-11-07",
        fields["notes"].key: "Two Nobel prizes.\nPhysics and chemistry.",
        fields["newsletter"].key: True,
        fields["segment"].key: "Gold",
    }
    card = alice_client.get(contact.get_absolute_url()).content.decode()
    assert "7 Nov 1867" in card
    assert "Two Nobel prizes.<br>Physics and chemistry." in card
    assert re.search(r"Newsletter</dt>\s*<dd[^>]*>Yes</dd>", card)
    assert re.search(r"Segment</dt>\s*<dd[^>]*>Gold</dd>", card)
    assert "Nickname" not in card
    assert card.index("Birthday") < card.index(">Accounting<") < card.index("Newsletter")


def test_card_shows_dates_in_the_users_language(alice_client, make_contact, fields):
    contact = make_contact(custom={fields["birthday"].key: "1867-11-07"})

    card = alice_client.get(contact.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")

    assert "7 nov. 1867" in card.content.decode()


def test_card_shows_a_heading_only_when_its_group_has_a_value(alice_client, make_contact, fields):
    before = make_contact(first_name="Before", custom={fields["notes"].key: "Hello"})
    after = make_contact(first_name="After", custom={fields["segment"].key: "Silver"})

    before_card = alice_client.get(before.get_absolute_url()).content.decode()
    after_card = alice_client.get(after.get_absolute_url()).content.decode()

    assert ">Accounting<" not in before_card
    assert "Additional information" in before_card
    assert ">Accounting<" in after_card
    assert "Additional information" not in after_card


def test_empty_values_are_not_stored(alice_client, alice, fields):
    alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            responsible=[alice.pk],
            **{name(fields["nickname"]): " ", name(fields["segment"]): ""},
        ),
    )

    assert Contact.objects.get().custom == {}


def test_bad_date_is_refused_and_everything_typed_is_kept(alice_client, alice, fields):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            responsible=[alice.pk],
            **{
                name(fields["birthday"]): "1867-13-45",
                name(fields["nickname"]): "Madame Curie",
                name(fields["segment"]): "Silver",
                name(fields["newsletter"]): "on",
            },
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in page
    assert f'name="{name(fields["birthday"])}" value="1867-13-45"' in page
    assert f'name="{name(fields["nickname"])}" value="Madame Curie"' in page
    assert '<option value="Silver" selected>Silver</option>' in page
    assert re.search(rf'name="{name(fields["newsletter"])}"[^>]* checked', page)
    assert not Contact.objects.exists()


def test_unknown_option_is_refused_and_everything_typed_is_kept(alice_client, alice, fields):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            responsible=[alice.pk],
            **{name(fields["segment"]): "Platinum", name(fields["nickname"]): "Madame Curie"},
        ),
    )

    page = response.content.decode()
    assert "Select a valid choice. Platinum is not one of the available choices." in page
    assert f'name="{name(fields["nickname"])}" value="Madame Curie"' in page
    assert not Contact.objects.exists()


@pytest.mark.parametrize("field, length", [("nickname", 256), ("notes", 5001)])
def test_text_longer_than_its_limit_is_refused(alice_client, alice, fields, field, length):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie", responsible=[alice.pk], **{name(fields[field]): "x" * length}
        ),
    )

    assert "Ensure this value has at most" in response.content.decode()
    assert not Contact.objects.exists()


def test_add_row_without_javascript_keeps_the_custom_values(alice_client, alice, fields):
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            responsible=[alice.pk],
            email=[{"category": "work", "value": "marie@example.com"}],
            add_row="email",
            **{
                name(fields["birthday"]): "1867-11-07",
                name(fields["notes"]): "Two Nobel prizes.",
                name(fields["newsletter"]): "on",
                name(fields["segment"]): "Gold",
            },
        ),
    )

    page = response.content.decode()
    assert 'name="email-TOTAL_FORMS" value="2"' in page
    assert f'name="{name(fields["birthday"])}" value="1867-11-07"' in page
    assert "Two Nobel prizes.</textarea>" in page
    assert '<option value="Gold" selected>Gold</option>' in page
    assert re.search(rf'name="{name(fields["newsletter"])}"[^>]* checked', page)
    assert "is-invalid" not in page
    assert not Contact.objects.exists()


def test_edit_form_shows_the_stored_values(alice_client, make_contact, fields):
    contact = make_contact(
        custom={
            fields["birthday"].key: "1867-11-07",
            fields["segment"].key: "Silver",
            fields["newsletter"].key: True,
        }
    )

    page = alice_client.get(f"/contacts/{contact.pk}/edit/").content.decode()

    assert f'name="{name(fields["birthday"])}" value="1867-11-07"' in page
    assert '<option value="Silver" selected>Silver</option>' in page
    assert re.search(rf'name="{name(fields["newsletter"])}"[^>]* checked', page)


def test_editing_replaces_the_values_and_unticking_removes_the_checkbox(
    alice_client, alice, make_contact, fields
):
    contact = make_contact(custom={fields["newsletter"].key: True, fields["nickname"].key: "Old"})

    alice_client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Jean", responsible=[alice.pk], **{name(fields["nickname"]): "New"}),
    )

    contact.refresh_from_db()
    assert contact.custom == {fields["nickname"].key: "New"}


def test_service_stores_only_existing_fields_of_the_contacts_kind(make_contact, fields):
    contact = make_contact(
        custom={
            fields["vat"].key: "FR123",
            fields["nickname"].key: "Marie",
            fields["accounting"].key: "a heading holds nothing",
            "999999": "no such field",
            fields["segment"].key: "Platinum",
            fields["birthday"].key: "not a date",
        }
    )

    assert contact.custom == {fields["nickname"].key: "Marie"}


def test_service_update_without_custom_values_keeps_those_the_contact_holds(
    alice, make_contact, fields
):
    contact = make_contact(custom={fields["nickname"].key: "Marie"})

    contact_update(
        by=alice,
        contact=contact,
        data=ContactData(kind="person", fields={"first_name": "Marie"}, responsible=[alice]),
    )

    contact.refresh_from_db()
    assert contact.custom == {fields["nickname"].key: "Marie"}


def test_search_finds_text_and_text_area_values(alice_client, make_contact, fields):
    make_contact(first_name="Marie", custom={fields["nickname"].key: "Radium Queen"})
    make_contact(first_name="Pierre", custom={fields["notes"].key: "Discovered polonium"})
    make_contact(first_name="Paul", custom={fields["segment"].key: "Gold"})

    assert "Marie Dupont" in alice_client.get("/contacts/?q=radium").content.decode()
    polonium = alice_client.get("/contacts/?q=POLONIUM").content.decode()
    assert "Pierre Dupont" in polonium
    assert "Marie Dupont" not in polonium


# The list filters: ?cf_<id>=<option>, ?cf_<id>=1 or 0


def test_list_filtered_by_an_option_shows_those_contacts_and_a_removable_chip(
    alice_client, make_contact, fields
):
    make_contact(first_name="Golden", custom={fields["segment"].key: "Gold"})
    make_contact(first_name="Silvery", custom={fields["segment"].key: "Silver"})
    make_contact(first_name="Plain")

    page = alice_client.get(f"/contacts/?{name(fields['segment'])}=Gold&q=dupont").content
    page = page.decode()

    assert "Golden Dupont" in page
    assert "Silvery Dupont" not in page and "Plain Dupont" not in page
    assert "Segment: Gold" in page
    assert 'href="?q=dupont"' in page


@pytest.mark.parametrize(
    "value, shown, hidden, chip",
    [("1", "Ticked", "Unticked", "Yes"), ("0", "Unticked", "Ticked", "No")],
)
def test_list_filtered_by_a_checkbox(
    alice_client, make_contact, fields, value, shown, hidden, chip
):
    make_contact(first_name="Ticked", custom={fields["newsletter"].key: True})
    make_contact(first_name="Unticked")
    make_contact("company", company_name="Acme")

    page = alice_client.get(f"/contacts/?{name(fields['newsletter'])}={value}").content.decode()

    assert f"{shown} Dupont" in page
    assert f"{hidden} Dupont" not in page
    # The field is for persons: a company is neither ticked nor unticked.
    assert "Acme" not in page
    assert f"Newsletter: {chip}" in page


def test_list_offers_the_user_field_filters_and_keeps_the_other_parameters(
    alice_client, make_contact, fields
):
    make_contact()

    page = alice_client.get(f"/contacts/?q=jean&tag=Lead&{name(fields['segment'])}=Gold")
    page = page.content.decode()

    assert f'<select id="filter-{name(fields["segment"])}" name="{name(fields["segment"])}"' in page
    assert '<option value="Gold" selected>Gold</option>' in page
    assert f'<select id="filter-{name(fields["newsletter"])}"' in page
    assert f'id="filter-{name(fields["nickname"])}"' not in page
    start = page.index('id="filter-panel"')
    filter_form = page[start : page.index("</form>", start)]
    assert '<input type="hidden" name="q" value="jean">' in filter_form
    assert 'name="tag" value="Lead"' in filter_form
    assert f'type="hidden" name="{name(fields["segment"])}"' not in filter_form


@pytest.mark.parametrize(
    "query", ["cf_abc=1", "cf_=1", "cf_99999999999999999999999=1", "cf_²=1", "cf_1=%00"]
)
def test_list_ignores_malformed_user_field_filters(alice_client, make_contact, fields, query):
    make_contact()
    response = alice_client.get(f"/contacts/?{query}")
    assert response.status_code == 200
    assert "Jean Dupont" in response.content.decode()


def test_filter_on_a_text_field_is_ignored(alice_client, make_contact, fields):
    make_contact(custom={fields["nickname"].key: "Johnny"})
    page = alice_client.get(f"/contacts/?{name(fields['nickname'])}=nope").content.decode()
    assert "Jean Dupont" in page


def test_filtered_list_never_shows_contacts_the_user_may_not_see(client, bob, make_contact, fields):
    make_contact(first_name="Hidden", custom={fields["segment"].key: "Gold"})
    client.force_login(bob)
    page = client.get(f"/contacts/?{name(fields['segment'])}=Gold").content.decode()
    assert "Hidden" not in page


# Personas on the contact form with user fields


def test_responsible_user_can_change_the_custom_values(alice_client, alice, make_contact, fields):
    contact = make_contact(custom={fields["segment"].key: "Gold"})

    response = alice_client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Jean", responsible=[alice.pk], **{name(fields["segment"]): "Silver"}),
    )

    contact.refresh_from_db()
    assert response.status_code == 302
    assert contact.custom == {fields["segment"].key: "Silver"}


def test_public_read_reader_gets_403_on_the_edit_form_and_cannot_change_values(
    client, bob, alice, make_contact, fields
):
    contact = make_contact(access="public_read", custom={fields["segment"].key: "Gold"})
    client.force_login(bob)

    assert "Segment" in client.get(contact.get_absolute_url()).content.decode()
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 403
    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Jean", responsible=[alice.pk], **{name(fields["segment"]): "Silver"}),
    )

    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.custom == {fields["segment"].key: "Gold"}


def test_stranger_gets_404_on_the_edit_form(client, bob, make_contact, fields):
    contact = make_contact(custom={fields["segment"].key: "Gold"})
    client.force_login(bob)
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 404


def test_admin_can_change_the_custom_values_of_any_contact(
    client, admin, alice, make_contact, fields
):
    contact = make_contact(custom={fields["segment"].key: "Gold"})
    client.force_login(admin)

    client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Jean", responsible=[alice.pk], **{name(fields["nickname"]): "JD"}),
    )

    contact.refresh_from_db()
    assert contact.custom == {fields["nickname"].key: "JD"}


# Concurrency (issue item 7)


def test_field_deleted_before_the_form_is_saved_saves_the_rest_and_says_so(
    alice_client, alice, fields
):
    data = form_data(
        first_name="Marie",
        responsible=[alice.pk],
        **{name(fields["nickname"]): "Madame Curie", name(fields["segment"]): "Gold"},
    )
    custom_fields.custom_field_delete(field=fields["nickname"])

    response = alice_client.post("/contacts/new/person/", data, follow=True)

    contact = Contact.objects.get()
    assert contact.custom == {fields["segment"].key: "Gold"}
    assert "“Marie” was created." in response.content.decode()
    assert (
        "A user field was deleted or changed meanwhile: the value you gave it was not saved."
        in response.content.decode()
    )


def test_field_deleted_while_the_contact_is_being_saved_saves_the_rest_and_says_so(
    alice_client, alice, make_contact, fields, monkeypatch
):
    contact = make_contact(custom={fields["nickname"].key: "Old"})
    original = ContactForm.contact_data

    def delete_field_meanwhile(form, *args):
        data = original(form, *args)
        custom_fields.custom_field_delete(field=fields["nickname"])
        return data

    monkeypatch.setattr(ContactForm, "contact_data", delete_field_meanwhile)

    response = alice_client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(
            first_name="Jean",
            responsible=[alice.pk],
            **{name(fields["nickname"]): "New", name(fields["segment"]): "Silver"},
        ),
        follow=True,
    )

    contact.refresh_from_db()
    assert contact.custom == {fields["segment"].key: "Silver"}
    page = response.content.decode()
    assert "Your changes to “Jean” were saved." in page
    assert "the value you gave it was not saved." in page


def test_saving_without_values_for_a_deleted_field_says_nothing_about_it(
    alice_client, alice, fields
):
    custom_fields.custom_field_delete(field=fields["nickname"])
    response = alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", responsible=[alice.pk], **{name(fields["nickname"]): ""}),
        follow=True,
    )
    assert "not saved" not in response.content.decode()


def test_option_renamed_since_the_form_was_opened_gives_a_validation_error(
    alice_client, alice, fields
):
    segment = fields["segment"]
    custom_fields.custom_field_update(
        field=segment,
        label="Segment",
        applies_to="both",
        options=[("Gold", "Premium"), ("Silver", "Silver")],
    )

    response = alice_client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", responsible=[alice.pk], **{name(segment): "Gold"}),
    )

    assert response.status_code == 200
    assert "Select a valid choice. Gold is not one of the available choices." in (
        response.content.decode()
    )
    assert '<option value="Premium">Premium</option>' in response.content.decode()
    assert not Contact.objects.exists()


def test_card_follows_the_fields_as_admins_rename_and_move_them(alice_client, make_contact, fields):
    contact = make_contact(custom={fields["notes"].key: "Hello", fields["nickname"].key: "Al"})
    card = alice_client.get(contact.get_absolute_url()).content.decode()  # the fields kept
    notes, nickname = positions(card, ["Notes", "Nickname"])
    assert 0 <= notes < nickname

    custom_fields.custom_field_update(field=fields["notes"], label="Remarks", applies_to="both")
    card = alice_client.get(contact.get_absolute_url()).content.decode()
    remarks, notes = positions(card, ["Remarks", "Notes"])
    assert remarks >= 0
    assert notes == -1

    others = [f.pk for f in fields.values() if f != fields["nickname"]]
    custom_fields.custom_fields_reorder(ids=[fields["nickname"].pk, *others])
    card = alice_client.get(contact.get_absolute_url()).content.decode()
    nickname, remarks = positions(card, ["Nickname", "Remarks"])
    assert 0 <= nickname < remarks

    for _ in range(2):  # below the birthday, then below the remarks
        custom_fields.custom_field_move(field=fields["nickname"], direction="down")
    card = alice_client.get(contact.get_absolute_url()).content.decode()
    remarks, nickname = positions(card, ["Remarks", "Nickname"])
    assert 0 <= remarks < nickname
