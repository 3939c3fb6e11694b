"""Currency settings: the default for new contacts and the currencies offered."""

import re

import pytest

from contacts import currencies as config
from contacts.models import Contact, CrmSettings
from tests.support import form_data, page_of

CURRENCY_URL = "/settings/currency/"


def options_of(page, name):
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def selected_in(page, name):
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected', select)


def save(client, default, currencies=None):
    data = {"default_currency": default, "offer": "chosen" if currencies else "all"}
    if currencies:
        data["currencies"] = currencies
    return client.post(CURRENCY_URL, data)


# The default currency


@pytest.mark.parametrize(("language", "expected"), [("fr", "EUR"), ("fr-ca", "EUR"), ("en", "USD")])
def test_a_fresh_installation_takes_the_default_currency_from_the_site_language(
    db, settings, language, expected
):
    settings.LANGUAGE_CODE = language
    settings.CRM_DEFAULT_CURRENCY = ""

    assert config.default_currency() == expected


def test_the_currency_environment_setting_wins_over_the_site_language(db, settings):
    settings.LANGUAGE_CODE = "fr"
    settings.CRM_DEFAULT_CURRENCY = "CHF"

    assert config.default_currency() == "CHF"


def test_a_fresh_french_installation_shows_eur_and_says_it_is_not_chosen_yet(
    admin_client, settings
):
    settings.LANGUAGE_CODE = "fr"
    settings.CRM_DEFAULT_CURRENCY = ""

    page = page_of(admin_client.get(CURRENCY_URL, HTTP_ACCEPT_LANGUAGE="en"))

    assert selected_in(page, "default_currency") == ["EUR"]
    assert "Not chosen yet: new contacts get EUR" in page


def test_a_saved_default_is_proposed_for_new_contacts_whatever_the_language(
    admin_client, alice, client, settings
):
    settings.LANGUAGE_CODE = "fr"
    settings.CRM_DEFAULT_CURRENCY = "CHF"

    response = save(admin_client, "JPY")

    assert response.status_code == 302
    assert CrmSettings.load().default_currency == "JPY"
    assert config.default_currency() == "JPY"
    page = page_of(admin_client.get(CURRENCY_URL))
    assert selected_in(page, "default_currency") == ["JPY"]
    assert "Not chosen yet" not in page
    client.force_login(alice)
    assert selected_in(page_of(client.get("/contacts/new/person/")), "currency") == ["JPY"]


def test_saving_says_so(admin_client):
    response = admin_client.post(
        CURRENCY_URL, {"default_currency": "GBP", "offer": "all"}, follow=True
    )

    assert "Currency settings saved." in page_of(response)


def test_an_unknown_default_currency_is_refused(admin_client):
    page = page_of(save(admin_client, "XXX"))

    assert "is-invalid" in page
    assert CrmSettings.load().default_currency == ""


# The currencies offered


def test_every_currency_is_offered_until_some_are_chosen(admin_client, alice, client):
    page = page_of(admin_client.get(CURRENCY_URL))
    assert re.search(r'value="all"[^>]*checked', page)

    client.force_login(alice)
    offered = options_of(page_of(client.get("/contacts/new/person/")), "currency")
    assert len(offered) > 100


def test_the_settings_page_lists_every_currency_by_its_localised_name_common_ones_first(
    admin_client,
):
    english = page_of(admin_client.get(CURRENCY_URL))
    french = page_of(admin_client.get(CURRENCY_URL, HTTP_ACCEPT_LANGUAGE="fr"))

    codes = re.findall(r'name="currencies" value="([A-Z]{3})"', english)
    assert codes[:3] == ["EUR", "USD", "GBP"]
    assert len(codes) > 100
    assert "Swiss Franc (CHF)" in english
    assert "franc suisse (CHF)" in french


def test_the_contact_form_offers_only_the_chosen_currencies(admin_client, alice, client):
    save(admin_client, "EUR", ["USD", "EUR", "CHF"])

    client.force_login(alice)
    page = page_of(client.get("/contacts/new/company/"))

    assert options_of(page, "currency") == ["", "EUR", "USD", "CHF"]
    assert selected_in(page, "currency") == ["EUR"]


def test_the_settings_page_shows_the_chosen_currencies_checked(admin_client):
    save(admin_client, "EUR", ["EUR", "CHF"])

    page = page_of(admin_client.get(CURRENCY_URL))

    assert re.search(r'value="chosen"[^>]*checked', page)
    checked = re.findall(r'name="currencies" value="([A-Z]{3})"[^>]*checked', page)
    assert checked == ["EUR", "CHF"]


def test_a_currency_no_longer_offered_is_refused_on_a_new_contact(admin_client, alice, client):
    save(admin_client, "EUR", ["EUR", "USD"])
    client.force_login(alice)

    response = client.post(
        "/contacts/new/person/",
        form_data(first_name="Marie", currency="JPY", responsible=[alice.pk]),
    )

    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_a_contact_keeps_its_currency_when_it_is_no_longer_offered(
    admin_client, alice, client, make_contact
):
    contact = make_contact(first_name="Marie")
    Contact.objects.filter(pk=contact.pk).update(currency="JPY")
    save(admin_client, "EUR", ["EUR", "USD"])
    client.force_login(alice)

    page = page_of(client.get(f"/contacts/{contact.pk}/edit/"))
    assert options_of(page, "currency") == ["", "EUR", "USD", "JPY"]
    assert selected_in(page, "currency") == ["JPY"]

    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Marie", last_name="Curie", currency="JPY", responsible=[alice.pk]),
    )
    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).currency == "JPY"


def test_a_default_that_is_not_offered_is_refused_with_a_message(admin_client):
    page = page_of(save(admin_client, "GBP", ["EUR", "USD"]))

    assert "The default currency must be among the currencies offered" in page
    assert CrmSettings.load().currencies == []


def test_offering_only_checked_currencies_with_none_checked_is_refused(admin_client):
    page = page_of(admin_client.post(CURRENCY_URL, {"default_currency": "EUR", "offer": "chosen"}))

    assert "Check at least one currency, or offer every one." in page
    assert CrmSettings.load().default_currency == ""


def test_offering_every_currency_again_forgets_the_chosen_ones(admin_client):
    save(admin_client, "EUR", ["EUR", "USD"])

    admin_client.post(
        CURRENCY_URL, {"default_currency": "GBP", "offer": "all", "currencies": ["EUR"]}
    )

    stored = CrmSettings.load()
    assert (stored.default_currency, stored.currencies) == ("GBP", [])
    assert len(config.currency_choices()) > 100
