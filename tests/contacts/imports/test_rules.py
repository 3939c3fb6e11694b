"""The row rules, the accounting and bad files."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from taggit.models import Tag

from contacts.access import OBJECT_PERMS
from contacts.custom_fields import services as custom_fields
from contacts.imports import files, services
from contacts.imports.mapping import auto_target
from contacts.models import (
    CRM_USERS_GROUP,
    Address,
    Contact,
    ContactGroupObjectPermission,
    ContactInfo,
    ContactUserObjectPermission,
    TaggedContact,
)
from contacts.services import ContactData, contact_create
from tests.contacts.imports.conftest import assert_accounted, upload
from tests.support import csv_text


def issues(job):
    return {(i.line, i.outcome): i.reason for i in job.issues.all()}


def test_a_last_name_alone_becomes_the_first_name(run_import):
    job = run_import(csv_text(["First name", "Last name", "Company"], ["", "Curie", ""]))
    assert_accounted(job)
    contact = Contact.objects.get()
    assert (contact.kind, contact.first_name, contact.last_name) == ("person", "Curie", "")


def test_a_row_with_only_a_company_name_is_a_company(run_import):
    run_import(csv_text(["First name", "Company"], ["", "  Acme  "]))
    contact = Contact.objects.get()
    assert (contact.kind, contact.company_name, contact.display_name) == ("company", "Acme", "Acme")


def test_a_person_is_linked_to_the_existing_company_of_that_exact_name(run_import, make_contact):
    acme = make_contact("company", company_name="Acme")
    run_import(csv_text(["First name", "Company"], ["Ada", "Acme"], ["Bob", "acme"]))
    assert Contact.objects.get(first_name="Ada").company == acme
    # Another case is another name: a company is created, once.
    bob = Contact.objects.get(first_name="Bob")
    assert bob.company != acme and bob.company.company_name == "acme"
    assert bob.company.source == "import"


def test_a_company_named_by_persons_is_created_once_and_filled_by_its_own_row(run_import):
    job = run_import(
        csv_text(
            ["First name", "Company", "Email"],
            ["Ada", "Acme", "ada@example.com"],
            ["", "Acme", "hello@acme.example"],
            ["Bob", "Acme", ""],
        )
    )
    assert (job.created, job.companies_created) == (3, 0)
    acme = Contact.objects.get(kind="company")
    assert acme.infos.get().value == "hello@acme.example"
    assert set(acme.persons.values_list("first_name", flat=True)) == {"Ada", "Bob"}


def test_several_emails_and_phones_in_one_cell_are_split(run_import):
    run_import(
        csv_text(
            ["First name", "Email", "Phone"],
            ["Ada", "a@x.org; b@x.org,c@x.org", "01 23 45 67 89, +33 6 12 34 56 78"],
        )
    )
    contact = Contact.objects.get()
    emails = list(contact.infos.filter(kind="email").values_list("value", "is_primary"))
    assert emails == [("a@x.org", True), ("b@x.org", False), ("c@x.org", False)]
    phones = list(contact.infos.filter(kind="phone").values_list("normalized", flat=True))
    assert phones == ["+33123456789", "+33612345678"]


def test_google_labels_and_outlook_categories_become_tags(run_import):
    run_import(
        csv_text(
            ["First name", "Labels", "Categories"],
            ["Ada", "* myContacts ::: Lead ::: VIP", "Customer;lead"],
        )
    )
    names = sorted(Contact.objects.get().tags.values_list("name", flat=True))
    assert names == ["Customer", "Lead", "VIP"]


def test_tags_from_several_columns_and_for_every_contact(run_import):
    Tag.objects.get_or_create(name="Customer", defaults={"slug": "customer"})
    run_import(
        csv_text(["First name", "Tag", "Tags"], ["Ada", "customer", "Paris, Lyon"]), tags=["Salon"]
    )
    names = sorted(Contact.objects.get().tags.values_list("name", flat=True))
    assert names == ["Customer", "Lyon", "Paris", "Salon"]
    assert Tag.objects.filter(name__iexact="customer").count() == 1


def test_unknown_contact_types_are_created(run_import):
    run_import(csv_text(["Company", "Contact type"], ["Acme", "Reseller"], ["Beta", "reseller"]))
    assert set(Contact.objects.values_list("contact_type__title", flat=True)) == {"Reseller"}


def test_values_are_trimmed(run_import):
    run_import(
        csv_text(
            ["First name", "Last name", "Email"], ["  Ada ", " Lovelace", " ada@example.com  "]
        )
    )
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("Ada", "Lovelace")
    assert contact.infos.get().value == "ada@example.com"


def test_every_row_is_accounted_for_with_its_line_and_reason(run_import):
    content = (
        "First name,Email,Company\r\n"
        "Ada,ada@example.com,\r\n"  # line 2: created
        "\r\n"  # line 3: empty, skipped
        '"Multi\nline",b@example.com,\r\n'  # line 4, two lines: created
        "Bad,not-an-email,\r\n"  # line 6: rejected
        ",,\r\n"  # line 7: skipped
        "Ragged,r@example.com,Acme,extra\r\n"  # line 8: rejected, a value too many
        "Short\r\n"  # line 9: created, missing cells are empty
        ",nobody@example.com,\r\n"  # line 10: rejected, no name
        f"{'x' * 101},,\r\n"  # line 11: rejected, too long
    )
    job = run_import(content)
    assert_accounted(job)
    assert (job.total_rows, job.created, job.skipped, job.rejected) == (9, 3, 2, 4)
    assert issues(job) == {
        (3, "skipped"): "Empty row.",
        (6, "rejected"): "Invalid email address: “not-an-email”.",
        (7, "skipped"): "Empty row.",
        (8, "rejected"): "This row has 4 values but the header has 3 columns.",
        (10, "rejected"): "This row has no first name, last name or company name.",
        (11, "rejected"): "The first name is longer than 100 characters.",
    }
    assert Contact.objects.get(first_name="Multi\nline").infos.get().value == "b@example.com"


def test_custom_fields_are_import_targets(run_import):
    size = custom_fields.custom_field_create(label="Size", field_type="select", options=["S", "M"])
    vip = custom_fields.custom_field_create(label="VIP", field_type="checkbox")
    since = custom_fields.custom_field_create(label="Client since", field_type="date")
    note = custom_fields.custom_field_create(label="Hobby", field_type="text")
    job = run_import(
        csv_text(
            ["First name", "Size", "VIP", "Client since", "Hobby"],
            ["Ada", "m", "oui", "31/01/2024", "Chess"],
            ["Bob", "XL", "", "", ""],
        )
    )
    assert job.mapping[1:] == [
        f"custom:{size.pk}",
        f"custom:{vip.pk}",
        f"custom:{since.pk}",
        f"custom:{note.pk}",
    ]
    ada = Contact.objects.get(first_name="Ada")
    assert ada.custom == {size.key: "M", vip.key: True, since.key: "2024-01-31", note.key: "Chess"}
    assert "chess" in ada.search_text
    assert issues(job) == {(3, "rejected"): "“XL” is not an option of Size."}


def test_imported_contacts_hold_exactly_what_the_service_writes(run_import, alice, bob, make_user):
    """The bulk writer and contact_create agree row for row (names, search, access, tags)."""
    carol = make_user("carol")
    hobby = custom_fields.custom_field_create(label="Hobby", field_type="text")
    row = {
        "First name": "Émile",
        "Last name": "Lefèvre",
        "Company": "Acme SARL",
        "Job title": "Gérant",
        "E-mail": "emile@example.fr; e.lefevre@example.org",
        "Mobile": "06 12 34 56 78",
        "Web site": "https://emile.example.fr",
        "Street": "1 rue de la Paix",
        "City": "Paris",
        "Tags": "VIP, Lead",
        "Hobby": "Voile",
        "Currency": "eur",
        "Description": "Note",
    }
    job = run_import(
        csv_text(list(row), list(row.values())),
        access="public_read",
        responsible=[alice.pk, carol.pk],
    )
    imported = Contact.objects.get(kind="person")
    company = imported.company
    expected = contact_create(
        by=alice,
        data=ContactData(
            kind="person",
            fields={
                "first_name": "Émile",
                "last_name": "Lefèvre",
                "job_title": "Gérant",
                "currency": "EUR",
                "description": "Note",
            },
            access="public_read",
            responsible=[alice, carol],
            tags=["VIP", "Lead"],
            infos=[
                {"kind": "email", "category": "work", "value": "emile@example.fr"},
                {"kind": "email", "category": "work", "value": "e.lefevre@example.org"},
                {"kind": "phone", "category": "mobile", "value": "06 12 34 56 78"},
                {"kind": "web", "category": "website", "value": "https://emile.example.fr"},
            ],
            addresses=[{"category": "work", "street": "1 rue de la Paix", "city": "Paris"}],
            company=company,
            custom={hobby.key: "Voile"},
        ),
    )

    def state(contact):
        fields = (
            "kind first_name last_name company_name job_title currency description access "
            "display_name sort_name search_text custom company_id contact_type_id version "
            "created_by_id updated_by_id"
        ).split()
        infos = ContactInfo.objects.filter(contact=contact).values_list(
            "kind", "category", "value", "normalized", "is_primary", "position"
        )
        addresses = Address.objects.filter(contact=contact).values_list(
            "category", "street", "city", "region", "postcode", "country", "is_primary", "position"
        )
        perms = ContactUserObjectPermission.objects.filter(content_object=contact).values_list(
            "user_id", "permission__codename"
        )
        group_perms = ContactGroupObjectPermission.objects.filter(
            content_object=contact
        ).values_list("group__name", "permission__codename")
        return {
            "fields": {f: getattr(contact, f) for f in fields},
            "infos": list(infos),
            "addresses": list(addresses),
            "tags": sorted(
                TaggedContact.objects.filter(content_object=contact).values_list(
                    "tag__name", flat=True
                )
            ),
            "responsible": sorted(contact.responsible.values_list("pk", flat=True)),
            "perms": sorted(perms),
            "group_perms": sorted(group_perms),
        }

    assert state(imported) == state(expected)
    assert imported.source == "import" and imported.import_job == job
    assert sorted(state(imported)["perms"]) == sorted(
        (u.pk, p) for u in (alice, carol) for p in OBJECT_PERMS
    )
    assert state(imported)["group_perms"] == [(CRM_USERS_GROUP, "view_contact")]
    assert Group.objects.filter(name=CRM_USERS_GROUP).exists()
    # Bob, a stranger to the import, sees the public contact but cannot change it.
    assert bob.has_perm("contacts.view_contact", imported) is True
    assert bob.has_perm("contacts.change_contact", imported) is False


def test_the_importer_is_always_responsible(run_import, alice, bob):
    job = run_import(csv_text(["First name"], ["Ada"]), responsible=[bob.pk])
    assert_accounted(job)
    assert (job.created, list(job.issues.values_list("reason", flat=True))) == (1, [])
    contact = Contact.objects.get()
    assert sorted(contact.responsible.values_list("username", flat=True)) == ["alice", "bob"]
    assert alice.has_perm("contacts.change_contact", contact)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"First name,Last name\r\n", "The file has a header but no rows to import."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This file is not a CSV text file"),
        ("名前,会社\n山田,株式会社\n".encode("shift_jis") * 20, "is not supported"),
    ],
)
def test_files_that_cannot_be_imported_say_why_and_import_nothing(alice, content, message):
    with pytest.raises(files.ImportFileError, match=message):
        services.job_create(by=alice, upload=upload(content))
    assert Contact.objects.count() == 0


def test_utf8_with_bom_and_utf16_big_endian_are_read(run_import):
    text = "First name,Company\r\nZoé,Café & Co\r\n"
    for data, encoding in [
        (b"\xef\xbb\xbf" + text.encode(), "utf-8-sig"),
        (b"\xfe\xff" + text.encode("utf-16-be"), "utf-16-be"),
        (text.encode("iso-8859-15"), "cp1252"),
    ]:
        job = run_import(data)
        assert job.encoding == encoding
        assert job.header == ["First name", "Company"]
    assert set(Contact.objects.filter(kind="person").values_list("first_name", flat=True)) == {
        "Zoé"
    }
    assert Contact.objects.filter(company_name="Café & Co").count() == 1


def test_reasons_are_written_in_the_importers_language(run_import):
    with translation.override("fr"):
        job = run_import(csv_text(["Prénom", "E-mail"], ["Ada", "nope"]))
    assert job.language == "fr"
    assert job.issues.get().reason == "Adresse e-mail invalide : « nope »."


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Prénom", "first_name"),
        ("NOM", "last_name"),
        ("Nom de l'entreprise", "company_name"),
        ("Téléphone portable", "phone:mobile"),
        ("Courriel", "email:work"),
        ("Code postal", "address:postcode"),
        ("Site internet", "web:website"),
        ("Phone (mobile)", "phone:mobile"),
        ("Web (linkedin)", "web:linkedin"),
        ("Home City", "address:home:city"),
        ("Favourite colour", ""),
    ],
)
def test_headers_are_recognised_in_english_and_french(header, target):
    assert auto_target(header) == target
