"""The bulk writer stores every value as the ORM would (PostgreSQL: a binary COPY)."""

from contacts.custom_fields import services as custom_fields
from contacts.models import Address, Contact, ContactEvent, ContactInfo
from contacts.services import ContactData, contact_create
from tests.contacts.test_search import names_on
from tests.support import csv_text

# What a text COPY would have to escape, or a binary one get wrong: tabs, line breaks,
# backslashes and the text format's own markers, quotes, JSON-looking text, any script.
TRICKY = [
    "Tab\there",
    "Line 1\nLine 2\r\nLine 3\rend",
    "Back\\slash \\N \\. \\t \\\\",
    "\\N",
    '"quoted" \'single\' {"not": "json"} [1, 2] null true',
    "Émile ß Ωμέγα 😀 עברית 中文 \u00a0nbsp",
]


def state(contact):
    contact.refresh_from_db()
    fields = (
        "kind first_name last_name company_name job_title currency description access "
        "display_name sort_name search_text custom company_id contact_type_id version "
        "created_by_id updated_by_id deleted_at deleted_by_id"
    ).split()
    return {
        "fields": {f: getattr(contact, f) for f in fields},
        "infos": list(
            ContactInfo.objects.filter(contact=contact).values_list(
                "kind", "category", "value", "normalized", "is_primary", "position"
            )
        ),
        "addresses": list(
            Address.objects.filter(contact=contact).values_list(
                "category", "street", "city", "region", "postcode", "country", "is_primary"
            )
        ),
    }


def test_tricky_values_are_stored_as_the_service_stores_them(run_import, alice):
    hobby = custom_fields.custom_field_create(label="Hobby", field_type="text")
    vip = custom_fields.custom_field_create(label="VIP", field_type="checkbox")
    header = [
        "First name",
        "Last name",
        "Job title",
        "Description",
        "Street",
        "Hobby",
        "VIP",
        "Phone",
    ]
    rows = [
        [f"Ada {n}", value, value, value, value, value, "yes", "+33 1 23 45 67 89"]
        for n, value in enumerate(TRICKY)
    ]
    job = run_import(csv_text(header, *rows))
    assert job.created == len(TRICKY), job.error

    for n, value in enumerate(TRICKY):
        imported = Contact.objects.get(first_name=f"Ada {n}")
        expected = contact_create(
            by=alice,
            data=ContactData(
                kind="person",
                fields={
                    "first_name": f"Ada {n}",
                    "last_name": value.strip(),
                    "job_title": value.strip(),
                    "description": value.strip(),
                },
                access=job.access,
                responsible=[alice],
                tags=[],
                infos=[{"kind": "phone", "category": "work", "value": "+33 1 23 45 67 89"}],
                addresses=[{"category": "work", "street": value.strip()}],
                custom={hobby.key: value.strip(), vip.key: True},
            ),
        )
        assert state(imported) == state(expected), value
        assert imported.last_name == value.strip()
        assert imported.custom == {hobby.key: value.strip(), vip.key: True}
        assert imported.company_id is None and imported.deleted_at is None


def test_json_columns_hold_json_values_not_strings(run_import, alice):
    """A binary COPY would store a str meant for a jsonb column as a JSON string."""
    hobby = custom_fields.custom_field_create(label="Hobby", field_type="text")
    job = run_import(csv_text(["First name", "Hobby"], ["Ada", "{}"], ["Bob", ""]))

    ada, bob = Contact.objects.get(first_name="Ada"), Contact.objects.get(first_name="Bob")
    assert ada.custom == {hobby.key: "{}"}
    assert bob.custom == {}
    assert Contact.objects.filter(custom__has_key=hobby.key).get() == ada
    event = ContactEvent.objects.get(contact=bob)
    assert (event.changes, event.details) == ([], {"import": job.pk})
    assert ContactEvent.objects.filter(contact=bob, details__import=job.pk).exists()


def test_an_imported_name_is_found_in_ascii(run_import, alice_client):
    job = run_import("First name,Last name,Company\nŁukasz,Nowak,Søren Œuvray\n")
    assert job.created == 1, job.error

    assert sorted(names_on(alice_client.get("/contacts/", {"q": "lukasz soren"}))) == [
        "Łukasz Nowak"
    ]
    assert names_on(alice_client.get("/contacts/", {"q": "oeuvray"})) == [
        "Łukasz Nowak",
        "Søren Œuvray",
    ]
