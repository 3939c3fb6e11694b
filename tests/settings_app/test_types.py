"""Contact types in Settings: list, counts, create, rename, reorder, delete."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import contact_types as config
from contacts.models import Contact, ContactType
from tests.support import page_of, table_row

TYPES_URL = "/settings/types/"


def row_of(page, contact_type):
    return table_row(page, f"type-{contact_type.pk}")


def titles():
    return list(ContactType.objects.order_by("position", "id").values_list("title", flat=True))


def typed(contact, contact_type):
    Contact.objects.filter(pk=contact.pk).update(contact_type=contact_type)
    return Contact.objects.get(pk=contact.pk)


@pytest.fixture
def client_type(db):
    return ContactType.objects.get(title="Client")


@pytest.fixture
def partner_type(db):
    return ContactType.objects.get(title="Partner")


# The list


def test_a_new_installation_has_the_four_default_types_in_order(admin_client):
    page = page_of(admin_client.get(TYPES_URL))

    shown = [int(pk) for pk in re.findall(r'<tr id="type-(\d+)"', page)]
    assert [ContactType.objects.get(pk=pk).title for pk in shown] == [
        "Client",
        "Supplier",
        "Partner",
        "Competitor",
    ]


def test_each_type_shows_how_many_contacts_use_it_linking_to_the_filtered_list(
    admin_client, make_contact, client_type, partner_type
):
    typed(make_contact(first_name="Anne"), client_type)
    typed(make_contact(first_name="Paul"), client_type)
    typed(make_contact(first_name="Lea"), partner_type)
    make_contact(first_name="Nobody")

    page = page_of(admin_client.get(TYPES_URL))

    client_row = row_of(page, client_type)
    assert "2 contacts" in client_row
    assert f'href="/contacts/?type={client_type.pk}"' in client_row
    assert "1 contact" in row_of(page, partner_type)
    assert "0 contacts" in row_of(page, ContactType.objects.get(title="Supplier"))
    assert 'href="/contacts/?type=none"' in page


def test_the_count_link_opens_the_list_of_exactly_those_contacts(
    admin_client, make_contact, client_type
):
    typed(make_contact(first_name="Anne"), client_type)
    make_contact(first_name="Paul")

    page = page_of(admin_client.get(f"/contacts/?type={client_type.pk}"))

    assert "Anne Dupont" in page
    assert "Paul Dupont" not in page


def test_the_list_costs_the_same_queries_whatever_the_number_of_types(admin_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            page_of(admin_client.get(TYPES_URL))
        return len(captured)

    before = queries()
    for n in range(5):
        ContactType.objects.create(title=f"Extra {n}", position=10 + n)

    assert queries() == before


# Create and rename


def test_adding_a_type_puts_it_last_with_its_title_trimmed(admin_client):
    response = admin_client.post(TYPES_URL, {"title": "  Prospect   lead "}, follow=True)

    assert titles() == ["Client", "Supplier", "Partner", "Competitor", "Prospect lead"]
    assert "Contact type “Prospect lead” added." in page_of(response)


@pytest.mark.parametrize("title", ["client", "CLIENT", " Client "])
def test_adding_a_title_that_exists_in_another_case_is_refused_with_a_message(admin_client, title):
    page = page_of(admin_client.post(TYPES_URL, {"title": title}))

    assert "A contact type named “Client” already exists." in page
    assert ContactType.objects.count() == 4


def test_titles_are_compared_case_insensitively_beyond_ascii(admin_client):
    ContactType.objects.create(title="Économie", position=9)

    page = page_of(admin_client.post(TYPES_URL, {"title": "économie"}))

    assert "A contact type named “Économie” already exists." in page
    assert [t for t in titles() if t.casefold() == "économie"] == ["Économie"]


def test_an_empty_title_is_refused(admin_client):
    page = page_of(admin_client.post(TYPES_URL, {"title": "   "}))

    assert "is-invalid" in page
    assert ContactType.objects.count() == 4


def test_a_duplicate_created_meanwhile_is_reported_not_a_server_error(admin_client, monkeypatch):
    # Another admin adds "Client" between the check and the insert: the unique index refuses.
    monkeypatch.setattr(config, "_clean_title", lambda title, exclude=None: title.strip())

    page = page_of(admin_client.post(TYPES_URL, {"title": "client"}))

    assert "A contact type named “client” already exists." in page
    assert ContactType.objects.count() == 4


def test_renaming_a_type_changes_its_title_and_keeps_its_contacts(
    admin_client, make_contact, client_type
):
    contact = typed(make_contact(), client_type)

    response = admin_client.post(f"/settings/types/{client_type.pk}/edit/", {"title": "Customer"})

    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).contact_type.title == "Customer"


def test_renaming_a_type_to_another_types_title_in_any_case_is_refused(admin_client, client_type):
    page = page_of(
        admin_client.post(f"/settings/types/{client_type.pk}/edit/", {"title": "PARTNER"})
    )

    assert "A contact type named “Partner” already exists." in page
    assert ContactType.objects.get(pk=client_type.pk).title == "Client"
    assert "Rename “Client”" in page


def test_a_type_may_change_only_the_case_of_its_own_title(admin_client, client_type):
    admin_client.post(f"/settings/types/{client_type.pk}/edit/", {"title": "CLIENT"})

    assert ContactType.objects.get(pk=client_type.pk).title == "CLIENT"


def test_the_rename_form_shows_the_current_title(admin_client, client_type):
    page = page_of(admin_client.get(f"/settings/types/{client_type.pk}/edit/"))

    assert 'value="Client"' in page


# Reorder


def test_moving_a_type_up_swaps_it_with_the_one_above(admin_client, partner_type):
    response = admin_client.post(f"/settings/types/{partner_type.pk}/move/", {"direction": "up"})

    assert response.status_code == 302
    assert response.url == f"/settings/types/#type-{partner_type.pk}"
    assert titles() == ["Client", "Partner", "Supplier", "Competitor"]


def test_moving_a_type_down_swaps_it_with_the_one_below(admin_client, client_type):
    admin_client.post(f"/settings/types/{client_type.pk}/move/", {"direction": "down"})

    assert titles() == ["Supplier", "Client", "Partner", "Competitor"]


def test_moving_the_first_type_up_changes_nothing(admin_client, client_type):
    admin_client.post(f"/settings/types/{client_type.pk}/move/", {"direction": "up"})

    assert titles() == ["Client", "Supplier", "Partner", "Competitor"]


def test_the_first_up_and_the_last_down_buttons_are_disabled(admin_client, client_type):
    page = page_of(admin_client.get(TYPES_URL))
    last = ContactType.objects.get(title="Competitor")

    assert re.search(r'value="up"[^>]*data-move="up" disabled', row_of(page, client_type))
    assert re.search(r'value="down"[^>]*data-move="down" disabled', row_of(page, last))
    assert not re.search(r'value="down"[^>]*data-move="down" disabled', row_of(page, client_type))


def test_moving_a_type_deleted_meanwhile_changes_nothing(client_type):
    ContactType.objects.filter(pk=client_type.pk).delete()

    config.contact_type_move(contact_type=client_type, direction="down")

    assert titles() == ["Supplier", "Partner", "Competitor"]


def test_a_move_without_a_direction_is_a_bad_request(admin_client, client_type):
    response = admin_client.post(f"/settings/types/{client_type.pk}/move/", {"direction": "left"})

    assert response.status_code == 400
    assert titles() == ["Client", "Supplier", "Partner", "Competitor"]


def test_dragging_stores_the_posted_order_and_answers_the_script_in_json(admin_client):
    ids = {t.title: t.pk for t in ContactType.objects.all()}
    order = [ids["Competitor"], ids["Client"], ids["Partner"], ids["Supplier"]]

    response = admin_client.post(
        "/settings/types/reorder/", {"ids": order}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"ids": order}
    assert titles() == ["Competitor", "Client", "Partner", "Supplier"]


def test_reorder_without_script_redirects_to_the_list(admin_client):
    ids = list(ContactType.objects.order_by("-position").values_list("pk", flat=True))

    response = admin_client.post("/settings/types/reorder/", {"ids": ids})

    assert response.status_code == 302
    assert titles() == ["Competitor", "Partner", "Supplier", "Client"]


def test_reorder_keeps_a_type_added_meanwhile_after_the_dragged_ones(admin_client):
    ids = {t.title: t.pk for t in ContactType.objects.all()}
    ContactType.objects.create(title="Added meanwhile", position=4)

    admin_client.post(
        "/settings/types/reorder/",
        {"ids": [ids["Supplier"], ids["Client"], 999999, ids["Partner"], ids["Competitor"]]},
    )

    assert titles() == ["Supplier", "Client", "Partner", "Competitor", "Added meanwhile"]


def test_reorder_with_ids_that_are_not_numbers_is_a_bad_request(admin_client):
    response = admin_client.post("/settings/types/reorder/", {"ids": ["1", "x"]})

    assert response.status_code == 400
    assert titles() == ["Client", "Supplier", "Partner", "Competitor"]


def test_the_list_loads_the_drag_and_drop_script_without_inline_script(admin_client):
    page = page_of(admin_client.get(TYPES_URL))

    assert '<script src="/static/js/settings.js" defer></script>' in page
    assert 'data-reorder-url="/settings/types/reorder/"' in page
    assert "<script>" not in page


# Delete


def test_deleting_an_unused_type_asks_nothing_and_removes_it(admin_client):
    supplier = ContactType.objects.get(title="Supplier")
    page = page_of(admin_client.get(f"/settings/types/{supplier.pk}/delete/"))
    assert "No contact has this type." in page
    assert 'name="replacement"' not in page

    response = admin_client.post(f"/settings/types/{supplier.pk}/delete/", follow=True)

    assert titles() == ["Client", "Partner", "Competitor"]
    assert "Contact type “Supplier” deleted." in page_of(response)


def test_deleting_a_type_in_use_says_how_many_contacts_use_it_and_asks_where_they_go(
    admin_client, make_contact, client_type
):
    typed(make_contact(first_name="Anne"), client_type)
    typed(make_contact(first_name="Paul"), client_type)

    page = page_of(admin_client.get(f"/settings/types/{client_type.pk}/delete/"))

    assert "2 contacts have the type “Client”." in page
    select = re.search(r'<select name="replacement".*?</select>', page, re.S).group(0)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert options == ["Not specified", "Supplier", "Partner", "Competitor"]


def test_deleting_a_type_in_use_gives_its_contacts_the_chosen_type(
    admin_client, make_contact, client_type, partner_type
):
    anne = typed(make_contact(first_name="Anne"), client_type)
    paul = typed(make_contact(first_name="Paul"), client_type)
    other = make_contact(first_name="Other")

    response = admin_client.post(
        f"/settings/types/{client_type.pk}/delete/", {"replacement": partner_type.pk}, follow=True
    )

    assert not ContactType.objects.filter(pk=client_type.pk).exists()
    assert set(Contact.objects.filter(contact_type=partner_type)) == {anne, paul}
    assert Contact.objects.get(pk=other.pk).contact_type is None
    assert "2 contacts now have the type “Partner”." in page_of(response)


def test_deleting_a_type_in_use_can_leave_its_contacts_without_a_type(
    admin_client, make_contact, client_type
):
    anne = typed(make_contact(first_name="Anne"), client_type)

    admin_client.post(f"/settings/types/{client_type.pk}/delete/", {"replacement": ""})

    assert not ContactType.objects.filter(pk=client_type.pk).exists()
    assert Contact.objects.get(pk=anne.pk).contact_type is None


def test_contacts_moved_by_a_delete_count_as_changed(admin_client, make_contact, client_type):
    anne = typed(make_contact(first_name="Anne"), client_type)

    admin_client.post(f"/settings/types/{client_type.pk}/delete/", {"replacement": ""})

    # A form opened before the move then warns instead of restoring the old type.
    assert Contact.objects.get(pk=anne.pk).version == anne.version + 1


def test_a_type_cannot_be_its_own_replacement(admin_client, make_contact, client_type):
    anne = typed(make_contact(first_name="Anne"), client_type)

    response = admin_client.post(
        f"/settings/types/{client_type.pk}/delete/", {"replacement": client_type.pk}
    )

    assert response.status_code == 200
    assert Contact.objects.get(pk=anne.pk).contact_type == client_type


def test_contacts_given_the_type_after_the_page_said_none_are_not_moved_without_asking(
    admin_client, make_contact, client_type
):
    # The page showed no select; a contact took the type before the admin confirmed.
    anne = typed(make_contact(first_name="Anne"), client_type)

    page = page_of(admin_client.post(f"/settings/types/{client_type.pk}/delete/"))

    assert "1 contact has the type “Client”." in page
    assert 'name="replacement"' in page
    assert Contact.objects.get(pk=anne.pk).contact_type == client_type


def test_a_failing_delete_leaves_the_type_and_its_contacts_unchanged(
    make_contact, client_type, partner_type, monkeypatch
):
    anne = typed(make_contact(first_name="Anne"), client_type)

    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ContactType, "delete", fail)
    with pytest.raises(RuntimeError):
        config.contact_type_delete(contact_type=client_type, replacement=partner_type)

    assert ContactType.objects.filter(pk=client_type.pk).exists()
    anne = Contact.objects.get(pk=anne.pk)
    assert (anne.contact_type, anne.version) == (client_type, 1)


def test_deleting_with_a_replacement_deleted_meanwhile_is_refused(make_contact, client_type):
    anne = typed(make_contact(first_name="Anne"), client_type)
    gone = ContactType.objects.create(title="Gone", position=9)
    ContactType.objects.filter(pk=gone.pk).delete()

    with pytest.raises(ValidationError):
        config.contact_type_delete(contact_type=client_type, replacement=gone)

    assert Contact.objects.get(pk=anne.pk).contact_type == client_type
