"""The user fields settings pages."""

import pytest
from django.utils import translation

from accounts.models import Profile
from contacts.custom_fields import services as custom_fields
from contacts.models import Contact, CustomField

Type = CustomField.Type


def make_field(label, field_type=Type.TEXT, applies_to="both", options=()):
    return custom_fields.custom_field_create(
        label=label, field_type=field_type, applies_to=applies_to, options=options
    )


@pytest.fixture
def segment(db):
    return make_field("Segment", Type.SELECT, options=["Gold", "Silver", "Bronze"])


def custom_of(contact):
    contact.refresh_from_db()
    return contact.custom


def edit_data(field, rows=None, added="", **extra):
    """Return the POST of the edit form: the field as it is, rows as (was, value, remove)."""
    data = {
        "label": field.label,
        "field_type": field.field_type,
        "applies_to": field.applies_to,
        "options": added,
    }
    rows = rows if rows is not None else [(o, o, False) for o in field.options]
    data["option-TOTAL_FORMS"] = str(len(rows))
    data["option-INITIAL_FORMS"] = str(len(rows))
    for n, (was, value, remove) in enumerate(rows):
        data[f"option-{n}-was"] = was
        data[f"option-{n}-value"] = value
        if remove:
            data[f"option-{n}-remove"] = "on"
    data.update(extra)
    return data


# Access


def urls(field):
    return [
        ("get", "/settings/fields/"),
        ("post", "/settings/fields/"),
        ("get", f"/settings/fields/{field.pk}/edit/"),
        ("post", f"/settings/fields/{field.pk}/edit/"),
        ("get", f"/settings/fields/{field.pk}/delete/"),
        ("post", f"/settings/fields/{field.pk}/delete/"),
        ("post", f"/settings/fields/{field.pk}/move/"),
        ("post", "/settings/fields/reorder/"),
    ]


def test_ordinary_user_gets_403_on_every_fields_url(client, alice, segment, make_contact):
    contact = make_contact(custom={segment.key: "Gold"})
    client.force_login(alice)

    for method, url in urls(segment):
        data = {"label": "X", "field_type": "text", "applies_to": "both", "confirm": "1"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, (method, url)

    assert CustomField.objects.count() == 1
    assert custom_of(contact) == {segment.key: "Gold"}


def test_anonymous_visitor_is_sent_to_the_login_page(client, segment):
    for method, url in urls(segment):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_superuser_may_open_the_fields_page(client, root, segment):
    client.force_login(root)
    assert client.get("/settings/fields/").status_code == 200


def test_settings_navigation_offers_user_fields_after_contact_types(admin_client, db):
    page = admin_client.get("/settings/fields/").content.decode()
    assert page.index('href="/settings/types/"') < page.index('href="/settings/fields/"')
    assert 'href="/settings/fields/" class="list-group-item list-group-item-action active"' in page


# List and create


def test_list_shows_each_field_with_its_type_kinds_and_usage(admin_client, segment, make_contact):
    make_field("Birthday", Type.DATE, "person")
    make_contact(custom={segment.key: "Gold"})
    make_contact(custom={segment.key: "Silver"})

    page = admin_client.get("/settings/fields/").content.decode()

    assert page.index("Segment") < page.index("Birthday")
    assert "Select box" in page and "Gold, Silver, Bronze" in page
    assert "Date" in page and "Persons" in page and "Persons and companies" in page
    assert "2 contacts" in page
    assert "0 contacts" in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_type_list_offers_numbers_and_web_addresses(admin_client, admin, language):
    Profile.objects.update_or_create(user=admin, defaults={"language": language})
    make_field("Revenue", Type.NUMBER)
    make_field("Portfolio", Type.URL)

    page = admin_client.get("/settings/fields/").content.decode()

    with translation.override(language):
        number, url = str(Type.NUMBER.label), str(Type.URL.label)
    assert f'<option value="number">{number}</option>' in page
    assert f'<option value="url">{url}</option>' in page
    rows = page[page.index("<tbody") : page.index("</tbody>")]
    assert f'<td class="text-nowrap">{number}</td>' in rows
    assert f'<td class="text-nowrap">{url}</td>' in rows


@pytest.mark.parametrize(
    "field_type, options, stored_options",
    [
        ("text", "", []),
        ("textarea", "", []),
        ("checkbox", "", []),
        ("date", "", []),
        ("number", "", []),
        ("url", "", []),
        ("heading", "", []),
        ("select", " Gold \n\n Silver  medal \nBronze", ["Gold", "Silver medal", "Bronze"]),
    ],
)
def test_admin_creates_a_field_of_each_type(admin_client, field_type, options, stored_options):
    make_field("First")

    response = admin_client.post(
        "/settings/fields/",
        {
            "label": "  Customer   since ",
            "field_type": field_type,
            "applies_to": "company",
            "options": options,
        },
        follow=True,
    )

    field = CustomField.objects.get(label="Customer since")
    assert (field.field_type, field.applies_to, field.options) == (
        field_type,
        "company",
        stored_options,
    )
    assert field.position == CustomField.objects.get(label="First").position + 1
    assert "User field “Customer since” added." in response.content.decode()


def test_options_given_to_another_type_are_not_stored(admin_client):
    admin_client.post(
        "/settings/fields/",
        {"label": "Notes", "field_type": "text", "applies_to": "both", "options": "a\nb"},
    )
    assert CustomField.objects.get().options == []


@pytest.mark.parametrize(
    "options, error",
    [
        ("", "A select box needs at least one option."),
        ("Gold\ngold", "“gold” appears twice."),
        ("x" * 101, "An option has at most 100 characters"),
    ],
)
def test_select_box_with_bad_options_is_refused(admin_client, options, error):
    response = admin_client.post(
        "/settings/fields/",
        {"label": "Segment", "field_type": "select", "applies_to": "both", "options": options},
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not CustomField.objects.exists()


def test_field_without_label_is_refused(admin_client):
    response = admin_client.post(
        "/settings/fields/", {"label": "  ", "field_type": "text", "applies_to": "both"}
    )
    assert "This field is required." in response.content.decode()
    assert not CustomField.objects.exists()


# Edit


def test_admin_renames_a_field_and_changes_its_kinds(admin_client, segment):
    response = admin_client.post(
        f"/settings/fields/{segment.pk}/edit/",
        edit_data(segment, label="Customer segment", applies_to="company"),
        follow=True,
    )

    segment.refresh_from_db()
    assert (segment.label, segment.applies_to) == ("Customer segment", "company")
    assert segment.options == ["Gold", "Silver", "Bronze"]
    assert "User field “Customer segment” saved." in response.content.decode()


def test_type_of_a_field_without_data_can_change(admin_client, make_contact):
    field = make_field("Level", Type.TEXT)
    make_contact()

    admin_client.post(
        f"/settings/fields/{field.pk}/edit/",
        edit_data(field, field_type="select", rows=[], added="Low\nHigh"),
    )

    field.refresh_from_db()
    assert (field.field_type, field.options) == ("select", ["Low", "High"])


def test_type_of_a_field_with_data_is_shown_read_only(admin_client, segment, make_contact):
    make_contact(custom={segment.key: "Gold"})

    page = admin_client.get(f"/settings/fields/{segment.pk}/edit/").content.decode()

    assert '<select name="field_type"' in page
    assert "disabled" in page[page.index('<select name="field_type"') :][:200]
    assert "Contacts hold values for this field: its type cannot change." in page
    assert "1 contact has a value for this field." in page


def test_server_refuses_to_change_the_type_of_a_field_with_data(
    admin_client, segment, make_contact
):
    contact = make_contact(custom={segment.key: "Gold"})

    response = admin_client.post(
        f"/settings/fields/{segment.pk}/edit/", edit_data(segment, field_type="text")
    )

    assert response.status_code == 200
    assert (
        "1 contact has a value for this field: its type cannot change." in response.content.decode()
    )
    segment.refresh_from_db()
    assert (segment.field_type, segment.options) == ("select", ["Gold", "Silver", "Bronze"])
    assert custom_of(contact) == {segment.key: "Gold"}


def test_field_with_data_cannot_stop_applying_to_contacts_that_hold_a_value(
    admin_client, segment, make_contact
):
    make_contact("company", custom={segment.key: "Gold"})

    response = admin_client.post(
        f"/settings/fields/{segment.pk}/edit/", edit_data(segment, applies_to="person")
    )

    assert (
        "1 company has a value for this field: it must keep applying to companies."
        in response.content.decode()
    )
    segment.refresh_from_db()
    assert segment.applies_to == "both"


def test_adding_and_renaming_options_updates_the_values_of_every_contact(
    admin_client, segment, make_contact
):
    gold = [make_contact(first_name=f"G{n}", custom={segment.key: "Gold"}) for n in range(2)]
    silver = make_contact(first_name="S", custom={segment.key: "Silver"})
    other = make_field("Note")
    mixed = make_contact(first_name="M", custom={segment.key: "Bronze", other.key: "Gold"})

    response = admin_client.post(
        f"/settings/fields/{segment.pk}/edit/",
        edit_data(
            segment,
            rows=[
                ("Gold", "Premium", False),
                ("Silver", "Silver", False),
                ("Bronze", "Bronze", False),
            ],
            added="Platinum\n",
        ),
    )

    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.options == ["Premium", "Silver", "Bronze", "Platinum"]
    assert [custom_of(c) for c in gold] == [{segment.key: "Premium"}] * 2
    assert custom_of(silver) == {segment.key: "Silver"}
    assert custom_of(mixed) == {segment.key: "Bronze", other.key: "Gold"}


def test_swapping_two_option_names_swaps_the_values(admin_client, segment, make_contact):
    gold = make_contact(custom={segment.key: "Gold"})
    silver = make_contact(custom={segment.key: "Silver"})

    admin_client.post(
        f"/settings/fields/{segment.pk}/edit/",
        edit_data(
            segment,
            rows=[
                ("Gold", "Silver", False),
                ("Silver", "Gold", False),
                ("Bronze", "Bronze", False),
            ],
        ),
    )

    assert custom_of(gold) == {segment.key: "Silver"}
    assert custom_of(silver) == {segment.key: "Gold"}


def test_renaming_an_option_to_another_existing_option_is_refused(
    admin_client, segment, make_contact
):
    gold = make_contact(custom={segment.key: "Gold"})

    response = admin_client.post(
        f"/settings/fields/{segment.pk}/edit/",
        edit_data(
            segment,
            rows=[
                ("Gold", "Silver", False),
                ("Silver", "Silver", False),
                ("Bronze", "Bronze", False),
            ],
        ),
    )

    assert "“Silver” appears twice." in response.content.decode()
    assert custom_of(gold) == {segment.key: "Gold"}


def test_option_in_use_cannot_be_removed_and_the_page_says_by_how_many(
    admin_client, segment, make_contact
):
    for n in range(3):
        make_contact(first_name=f"G{n}", custom={segment.key: "Gold"})

    page = admin_client.get(f"/settings/fields/{segment.pk}/edit/").content.decode()
    response = admin_client.post(
        f"/settings/fields/{segment.pk}/edit/",
        edit_data(
            segment,
            rows=[("Gold", "Gold", True), ("Silver", "Silver", False), ("Bronze", "", False)],
        ),
    )

    assert "3 contacts" in page
    assert "“Gold” is chosen by 3 contacts: it cannot be removed." in response.content.decode()
    segment.refresh_from_db()
    assert segment.options == ["Gold", "Silver", "Bronze"]


def test_unused_options_can_be_removed(admin_client, segment, make_contact):
    make_contact(custom={segment.key: "Gold"})

    admin_client.post(
        f"/settings/fields/{segment.pk}/edit/",
        edit_data(
            segment,
            rows=[("Gold", "Gold", False), ("Silver", "Silver", True), ("Bronze", "", False)],
        ),
    )

    segment.refresh_from_db()
    assert segment.options == ["Gold"]


def test_option_added_by_someone_else_meanwhile_is_kept(admin_client, segment):
    stale = edit_data(segment)
    custom_fields.custom_field_update(
        field=segment, label="Segment", applies_to="both", added=["Platinum"]
    )

    admin_client.post(f"/settings/fields/{segment.pk}/edit/", stale)

    segment.refresh_from_db()
    assert segment.options == ["Gold", "Silver", "Bronze", "Platinum"]


# Reorder


def test_up_and_down_buttons_move_a_field(admin_client):
    a, b, c = make_field("A"), make_field("B"), make_field("C")

    admin_client.post(f"/settings/fields/{c.pk}/move/", {"direction": "up"})
    assert list(CustomField.objects.values_list("label", flat=True)) == ["A", "C", "B"]

    admin_client.post(f"/settings/fields/{a.pk}/move/", {"direction": "down"})
    assert list(CustomField.objects.values_list("label", flat=True)) == ["C", "A", "B"]

    admin_client.post(f"/settings/fields/{c.pk}/move/", {"direction": "up"})
    assert list(CustomField.objects.values_list("label", flat=True)) == ["C", "A", "B"]
    assert (
        admin_client.post(f"/settings/fields/{b.pk}/move/", {"direction": "x"}).status_code == 400
    )


def test_drag_and_drop_stores_the_new_order(admin_client):
    a, b, c = make_field("A"), make_field("B"), make_field("C")

    response = admin_client.post(
        "/settings/fields/reorder/", {"ids": [c.pk, a.pk]}, HTTP_ACCEPT="application/json"
    )

    assert response.json() == {"ids": [c.pk, a.pk, b.pk]}
    assert list(CustomField.objects.values_list("label", flat=True)) == ["C", "A", "B"]


def test_new_order_shows_on_the_contact_form(admin_client, make_contact):
    make_field("Alpha")
    b = make_field("Beta")
    admin_client.post(f"/settings/fields/{b.pk}/move/", {"direction": "up"})

    page = admin_client.get("/contacts/new/person/").content.decode()

    assert page.index("Beta") < page.index("Alpha")


# Delete


def test_deleting_a_field_with_data_asks_first_and_says_how_many_contacts_lose_a_value(
    admin_client, segment, make_contact
):
    contacts = [make_contact(custom={segment.key: "Gold"}) for _ in range(2)]

    page = admin_client.get(f"/settings/fields/{segment.pk}/delete/").content.decode()
    unconfirmed = admin_client.post(f"/settings/fields/{segment.pk}/delete/")

    assert "2 contacts have a value for “Segment”: they will lose it." in page
    assert "Delete the field and 2 values" in page
    assert unconfirmed.status_code == 200
    assert CustomField.objects.filter(pk=segment.pk).exists()
    assert [custom_of(c) for c in contacts] == [{segment.key: "Gold"}] * 2


def test_confirmed_delete_removes_the_field_and_its_key_from_every_contact(
    admin_client, segment, make_contact
):
    note = make_field("Note")
    holders = [make_contact(custom={segment.key: "Gold", note.key: "Keep me"}) for _ in range(2)]
    company = make_contact("company", custom={segment.key: "Silver"})
    bystander = make_contact(custom={note.key: "Untouched"})

    response = admin_client.post(
        f"/settings/fields/{segment.pk}/delete/", {"confirm": "1"}, follow=True
    )

    assert not CustomField.objects.filter(pk=segment.pk).exists()
    assert [custom_of(c) for c in holders] == [{note.key: "Keep me"}] * 2
    assert custom_of(company) == {}
    assert custom_of(bystander) == {note.key: "Untouched"}
    assert not Contact.objects.filter(custom__has_key=segment.key).exists()
    page = response.content.decode()
    assert "User field “Segment” deleted. 3 contacts lost their value." in page


def test_deleting_a_text_field_removes_its_values_from_the_search(admin_client, make_contact):
    nickname = make_field("Nickname")
    contact = make_contact(
        first_name="Marie",
        custom={nickname.key: "Radium Queen"},
        infos=[{"kind": "phone", "category": "work", "value": "01 23 45 67 89"}],
    )
    assert "radium queen" in Contact.objects.get(pk=contact.pk).search_text

    admin_client.post(f"/settings/fields/{nickname.pk}/delete/", {"confirm": "1"})

    contact.refresh_from_db()
    assert "radium" not in contact.search_text
    assert "marie dupont" in contact.search_text and "0123456789" in contact.search_text
    assert "Marie" not in admin_client.get("/contacts/?q=radium").content.decode()


def test_field_without_data_is_deleted_at_once(admin_client, segment):
    page = admin_client.get(f"/settings/fields/{segment.pk}/delete/").content.decode()
    response = admin_client.post(f"/settings/fields/{segment.pk}/delete/", follow=True)

    assert "No contact has a value for this field." in page
    assert not CustomField.objects.exists()
    assert "User field “Segment” deleted." in response.content.decode()
    assert "lost" not in response.content.decode()


def test_deleted_field_no_longer_shows_on_the_form_or_the_card(admin_client, segment, make_contact):
    contact = make_contact(custom={segment.key: "Gold"})
    admin_client.post(f"/settings/fields/{segment.pk}/delete/", {"confirm": "1"}, follow=True)

    assert "Segment" not in admin_client.get("/contacts/new/person/").content.decode()
    card = admin_client.get(contact.get_absolute_url()).content.decode()
    fields, history = card.split('id="timeline"')
    assert "Segment" not in fields
    # The history tells that the value went with the field.
    assert "Segment</span>:" in history and "Gold" in history


def test_unknown_field_gives_404(admin_client, db):
    assert admin_client.get("/settings/fields/999/edit/").status_code == 404
    assert admin_client.post("/settings/fields/999/delete/").status_code == 404
