"""Number and web address user fields: the form, the card, the search, the range filter,
the history, the export and the import, in English and French."""

import csv
import io
import re

import pytest
from django.utils import formats, translation

from accounts.models import Profile
from contacts.custom_fields import services as custom_fields
from contacts.imports.rows import RowError, custom_value
from contacts.models import Contact, ContactEvent, CustomField
from tests.support import form_data, page_of

Type = CustomField.Type
# Django writes French thousands with a no-break space: 1 234,5.
FRENCH_GROUP = formats.get_format("THOUSAND_SEPARATOR", lang="fr")


@pytest.fixture
def revenue(db):
    return custom_fields.custom_field_create(label="Revenue", field_type=Type.NUMBER)


@pytest.fixture
def portfolio(db):
    return custom_fields.custom_field_create(label="Portfolio", field_type=Type.URL)


@pytest.fixture
def french(alice):
    Profile.objects.update_or_create(user=alice, defaults={"language": "fr"})


def name(field):
    return f"cf_{field.pk}"


def create_person(client, alice, **values):
    return client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", responsible=[alice.pk], **values),
    )


# The contact form and the card


def test_a_number_typed_in_english_is_stored_as_a_number_and_shown_grouped(
    alice_client, alice, revenue
):
    response = create_person(alice_client, alice, **{name(revenue): "1,234.5"})

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.custom == {revenue.key: 1234.5}
    card = page_of(alice_client.get(contact.get_absolute_url()))
    assert re.search(r"Revenue</dt>\s*<dd[^>]*>1,234.5</dd>", card)


def test_a_number_typed_in_french_is_stored_as_a_number_and_shown_the_french_way(
    alice_client, alice, revenue, french
):
    response = create_person(alice_client, alice, **{name(revenue): "1 234,5"})

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.custom == {revenue.key: 1234.5}
    card = page_of(alice_client.get(contact.get_absolute_url()))
    assert re.search(rf"Revenue</dt>\s*<dd[^>]*>1{FRENCH_GROUP}234,5</dd>", card)
    form = page_of(alice_client.get(f"/contacts/{contact.pk}/edit/"))
    assert f'name="{name(revenue)}" value="1{FRENCH_GROUP}234,5"' in form


def test_a_whole_number_is_stored_as_an_integer(alice_client, alice, revenue):
    create_person(alice_client, alice, **{name(revenue): "  -42 000 "})

    assert Contact.objects.get().custom == {revenue.key: -42000}


@pytest.mark.parametrize("language, example", [("en", "1,234.5"), ("fr", f"1{FRENCH_GROUP}234,5")])
@pytest.mark.parametrize("typed", ["twelve", "1.2.3", "12abc", "1e5"])
def test_what_is_not_a_number_is_refused_with_an_example_in_the_users_language(
    alice_client, alice, revenue, language, example, typed
):
    Profile.objects.update_or_create(user=alice, defaults={"language": language})

    response = create_person(alice_client, alice, **{name(revenue): typed})

    page = page_of(response)
    assert not Contact.objects.exists()
    assert example in page
    assert f'name="{name(revenue)}" value="{typed}"' in page


def test_a_number_with_more_digits_than_kept_is_refused(alice_client, alice, revenue):
    page = page_of(create_person(alice_client, alice, **{name(revenue): "1234567890123456"}))

    assert "Use at most 15 digits." in page
    assert not Contact.objects.exists()


def test_a_web_address_typed_without_scheme_gets_https_and_is_a_safe_link_on_the_card(
    alice_client, alice, portfolio
):
    response = create_person(alice_client, alice, **{name(portfolio): "www.example.com/work"})

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.custom == {portfolio.key: "https://www.example.com/work"}
    card = page_of(alice_client.get(contact.get_absolute_url()))
    assert (
        '<a href="https://www.example.com/work" rel="noopener noreferrer nofollow" '
        'target="_blank">https://www.example.com/work</a>'
    ) in card


@pytest.mark.parametrize(
    "typed",
    ["javascript:alert(1)", "ftp://example.com/file", "not an address", "example", "mailto:a@b.c"],
)
def test_what_is_not_a_web_address_is_refused(alice_client, alice, portfolio, typed):
    page = page_of(create_person(alice_client, alice, **{name(portfolio): typed}))

    assert "Enter a web address, like https://www.example.com." in page
    assert not Contact.objects.exists()


def test_a_stored_value_that_is_not_a_web_address_is_shown_as_text_never_as_a_link(
    alice_client, make_contact, portfolio
):
    contact = make_contact()
    Contact.objects.filter(pk=contact.pk).update(custom={portfolio.key: "javascript:alert(1)"})

    card = page_of(alice_client.get(contact.get_absolute_url()))

    assert re.search(r"Portfolio</dt>\s*<dd[^>]*>javascript:alert\(1\)</dd>", card)
    assert 'href="javascript:' not in card


def test_the_search_finds_a_web_address_but_not_a_number(
    alice_client, make_contact, revenue, portfolio
):
    make_contact(first_name="Webby", custom={portfolio.key: "https://curie-lab.example.org"})
    make_contact(first_name="Rich", custom={revenue.key: 987654})

    assert "Webby Dupont" in page_of(alice_client.get("/contacts/?q=curie-lab"))
    assert "Rich Dupont" not in page_of(alice_client.get("/contacts/?q=987654"))


# The list's range filter: ?cf_<id>_min= and ?cf_<id>_max=


@pytest.fixture
def ranked(make_contact, revenue):
    make_contact(first_name="Small", custom={revenue.key: 10})
    make_contact(first_name="Middle", custom={revenue.key: 1234.5})
    make_contact(first_name="Large", custom={revenue.key: 90000})
    make_contact(first_name="Without")
    odd = make_contact(first_name="Texty")
    # A value written as text by an older version or by hand: never compared as a number.
    Contact.objects.filter(pk=odd.pk).update(custom={revenue.key: "5000"})


def shown_names(page):
    return {n for n in ("Small", "Middle", "Large", "Without", "Texty") if f"{n} Dupont" in page}


@pytest.mark.parametrize(
    "query, names",
    [
        ("_min=1000", {"Middle", "Large"}),
        ("_max=1234.5", {"Small", "Middle"}),
        ("_min=11&{field}_max=90000", {"Middle", "Large"}),
        ("_min=-5&{field}_max=9", set()),
        ("_min=100000", set()),
    ],
)
def test_the_range_filter_keeps_the_numbers_between_its_bounds_included(
    alice_client, revenue, ranked, query, names
):
    query = query.format(field=name(revenue))

    page = page_of(alice_client.get(f"/contacts/?{name(revenue)}{query}"))

    assert shown_names(page) == names


def test_the_range_filter_reads_bounds_typed_in_french_and_names_them_in_chips(
    alice_client, revenue, ranked, french
):
    page = page_of(
        alice_client.get(f"/contacts/?{name(revenue)}_min=1 000,5&{name(revenue)}_max=90 000")
    )

    assert shown_names(page) == {"Middle", "Large"}
    assert f"1{FRENCH_GROUP}000,5" in page and f"90{FRENCH_GROUP}000" in page


def test_the_range_filter_chips_say_at_least_and_at_most_and_remove_one_bound(
    alice_client, revenue, ranked
):
    page = page_of(alice_client.get(f"/contacts/?{name(revenue)}_min=1000&{name(revenue)}_max=5e3"))

    # A bound that is not a number is ignored.
    assert shown_names(page) == {"Middle", "Large"}
    assert "Revenue: at least 1,000" in page
    assert "at most" not in page
    assert f'href="?{name(revenue)}_max=5e3"' in page


def test_the_filter_panel_offers_a_from_to_pair_for_a_number_field(alice_client, revenue, ranked):
    page = page_of(alice_client.get(f"/contacts/?filters=show&{name(revenue)}_min=10"))

    start = page.index('id="filter-panel"')
    panel = page[start : page.index("</form>", start)]
    assert '<legend class="form-label small mb-1 float-none">Revenue</legend>' in panel
    assert f'id="filter-{name(revenue)}_min" name="{name(revenue)}_min" value="10"' in panel
    assert f'id="filter-{name(revenue)}_max" name="{name(revenue)}_max" value=""' in panel
    assert f'type="hidden" name="{name(revenue)}_min"' not in panel


def test_a_number_field_for_companies_filters_out_persons(alice_client, make_contact):
    staff = custom_fields.custom_field_create(
        label="Staff", field_type=Type.NUMBER, applies_to="company"
    )
    make_contact("company", company_name="Bigco", custom={staff.key: 500})
    make_contact(first_name="Person")

    page = page_of(alice_client.get(f"/contacts/?{name(staff)}_max=1000"))

    assert "Bigco" in page and "Person Dupont" not in page


def test_the_range_filter_never_shows_contacts_the_user_may_not_see(
    client, bob, make_contact, revenue
):
    make_contact(first_name="Secret", custom={revenue.key: 5})
    client.force_login(bob)

    page = page_of(client.get(f"/contacts/?{name(revenue)}_min=1"))

    assert "Secret Dupont" not in page


# History, export and import


def test_the_history_shows_a_changed_number_as_the_page_does(alice_client, alice, revenue):
    create_person(alice_client, alice, **{name(revenue): "1234.5"})
    contact = Contact.objects.get()

    alice_client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(
            first_name="Marie",
            responsible=[alice.pk],
            version=contact.version,
            **{name(revenue): "2,000"},
        ),
    )

    contact.refresh_from_db()
    assert contact.custom == {revenue.key: 2000}
    changes = [c for e in ContactEvent.objects.filter(contact=contact) for c in e.changes]
    assert {
        "field": f"custom:{revenue.pk}",
        "label": "Revenue",
        "old": "1,234.5",
        "new": "2,000",
    } in (changes)


def test_the_export_writes_numbers_and_web_addresses_that_the_import_reads_back(
    client, alice, make_contact, revenue, portfolio
):
    make_contact(
        first_name="Lea", custom={revenue.key: 1234.5, portfolio.key: "https://example.com/x"}
    )
    make_contact(first_name="Max", custom={revenue.key: 1000000})
    client.force_login(alice)

    raw = b"".join(client.get("/contacts/export.csv").streaming_content).decode()
    rows = {r["First name"]: r for r in csv.DictReader(io.StringIO(raw.removeprefix("\ufeff")))}

    assert rows["Lea"]["Revenue"] == "1234.5"
    assert rows["Lea"]["Portfolio"] == "https://example.com/x"
    assert rows["Max"]["Revenue"] == "1000000"
    for language in ("en", "fr"):
        with translation.override(language):
            assert custom_value(revenue, rows["Lea"]["Revenue"]) == 1234.5
            assert custom_value(revenue, rows["Max"]["Revenue"]) == 1000000


@pytest.mark.parametrize(
    "language, cell, stored",
    [
        ("en", "1,234.5", 1234.5),
        ("en", "1,234", 1234),
        ("en", "12,5", 12.5),
        ("fr", "1 234,5", 1234.5),
        ("fr", "1\u202f234,5", 1234.5),
        ("fr", "1,234", 1.234),
        ("fr", "1.234,5", 1234.5),
        ("fr", "-3", -3),
    ],
)
def test_the_import_reads_numbers_as_the_importers_language_writes_them(
    revenue, language, cell, stored
):
    with translation.override(language):
        assert custom_value(revenue, cell) == stored


def test_the_import_refuses_what_is_not_a_number_or_a_web_address(revenue, portfolio):
    with pytest.raises(RowError, match="“lots” is not a number \\(Revenue\\)."):
        custom_value(revenue, "lots")
    with pytest.raises(RowError, match="“javascript:x” is not a web address \\(Portfolio\\)."):
        custom_value(portfolio, "javascript:x")
    assert custom_value(portfolio, "example.com") == "https://example.com"


def test_the_import_offers_number_and_web_address_fields_as_targets(
    alice_client, revenue, portfolio
):
    from contacts.imports.mapping import valid_targets

    assert {f"custom:{revenue.pk}", f"custom:{portfolio.pk}"} <= valid_targets()
