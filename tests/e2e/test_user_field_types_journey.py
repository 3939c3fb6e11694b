"""Number and web address user fields on a phone, in French: typed as French writes a
number, shown on the card, found again by the list's from/to filter."""

from playwright.sync_api import expect

from accounts.models import Profile
from contacts.custom_fields import services as custom_fields
from contacts.models import Contact, CustomField
from tests.e2e.test_journey import assert_page_was_healthy, log_in


def test_a_number_typed_the_french_way_is_shown_so_and_filtered_by_range(page, shot, alice):
    revenue = custom_fields.custom_field_create(
        label="Chiffre d’affaires", field_type=CustomField.Type.NUMBER
    )
    portfolio = custom_fields.custom_field_create(
        label="Portfolio", field_type=CustomField.Type.URL
    )
    Profile.objects.update_or_create(user=alice, defaults={"language": "fr"})
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page)

    page.goto("/contacts/new/person/")
    page.get_by_label("Prénom").fill("Irène")
    page.get_by_label("Chiffre d’affaires").fill("1 234,5")
    page.get_by_label("Portfolio").fill("www.example.com/irene")
    shot("form")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    contact = Contact.objects.get(first_name="Irène")
    assert contact.custom == {revenue.key: 1234.5, portfolio.key: "https://www.example.com/irene"}
    expect(page.locator("dd", has_text="234,5")).to_have_text("1\u00a0234,5")
    link = page.get_by_role("link", name="https://www.example.com/irene")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    shot("card")

    page.goto("/contacts/")
    page.get_by_role("button", name="Filtres").click()
    page.locator(f"#filter-cf_{revenue.pk}_min").fill("1 000")
    page.locator(f"#filter-cf_{revenue.pk}_max").fill("2 000,5")
    shot("filters")
    page.get_by_role("button", name="Appliquer les filtres").click()

    expect(page.get_by_role("link", name="Irène", exact=False).first).to_be_visible()
    chips = page.get_by_role("group", name="Filtres actifs")
    expect(chips).to_contain_text("1\u00a0000")
    expect(chips).to_contain_text("2\u00a0000,5")
    # The page does not scroll sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_page_was_healthy(page)
