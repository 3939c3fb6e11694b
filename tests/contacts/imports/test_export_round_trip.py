"""The CSV export opened in the import, in English and in French, as a user would."""

import pytest
from django.urls import reverse

from accounts.models import Profile
from contacts.custom_fields import services as custom_fields
from contacts.imports.forms import SettingsForm
from contacts.imports.mapping import auto_mapping
from contacts.imports.models import ImportJob
from contacts.models import Contact, ContactType
from contacts.services import ContactData, contact_create
from tests.contacts.imports.conftest import contacts_snapshot, upload


@pytest.fixture
def address_book(alice, bob):
    """Contacts that use every column of the export, and values that need escaping."""
    client_type = ContactType.objects.get_or_create(title="Client")[0]
    size = custom_fields.custom_field_create(label="Size", field_type="select", options=["S", "M"])
    vip = custom_fields.custom_field_create(label="VIP", field_type="checkbox")
    met = custom_fields.custom_field_create(label="Met on", field_type="date")
    motto = custom_fields.custom_field_create(label="City", field_type="text")
    acme = contact_create(
        by=alice,
        data=ContactData(
            kind="company",
            fields={"company_name": "Acme & Fils", "contact_type": client_type, "currency": "EUR"},
            access="public_rw",
            responsible=[alice, bob],
            tags=["Customer"],
            infos=[
                {"kind": "email", "category": "work", "value": "hello@acme.example"},
                {"kind": "phone", "category": "fax", "value": "+33 4 78 00 00 00"},
                {"kind": "web", "category": "website", "value": "https://acme.example"},
            ],
            addresses=[
                {
                    "category": "billing",
                    "street": "1 rue X\n2e étage",
                    "city": "Lyon",
                    "region": "Rhône",
                    "postcode": "69001",
                    "country": "France",
                }
            ],
            custom={vip.key: True, motto.key: "=1+1"},
        ),
    )
    contact_create(
        by=alice,
        data=ContactData(
            kind="person",
            fields={
                "first_name": "Zoé",
                "last_name": "=Lefèvre",
                "job_title": "CTO; R&D",
                "description": 'Line one\nline two, with "quotes"; and more',
                "currency": "CHF",
            },
            company=acme,
            access="public_read",
            responsible=[alice, bob],
            tags=["Lead", "Salon 2026"],
            infos=[
                {"kind": "email", "category": "work", "value": "zoe@acme.example"},
                {"kind": "email", "category": "home", "value": "zoe@home.example"},
                {"kind": "phone", "category": "mobile", "value": "+33 6 12 34 56 78"},
                {"kind": "phone", "category": "mobile", "value": "06 11 22 33 44"},
                {"kind": "phone", "category": "direct", "value": "+1 (555) 010-0100"},
                {"kind": "web", "category": "linkedin", "value": "zoe-lefevre"},
            ],
            addresses=[{"category": "home", "street": "2 place Bellecour", "city": "Lyon"}],
            custom={size.key: "M", met.key: "2026-03-04"},
        ),
    )
    contact_create(
        by=alice,
        data=ContactData(kind="person", fields={"first_name": "Solo"}, responsible=[alice]),
    )


def import_as_a_user(client, content):
    """Upload content, keep what step 1 and the mapping step propose, and run the import."""
    response = client.post(reverse("contacts:import_new"), {"file": upload(content)})
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("contacts:import_settings", args=[job.pk])
    proposed = SettingsForm(job=job).initial
    response = client.post(
        reverse("contacts:import_settings", args=[job.pk]),
        {**proposed, "has_header": "on", "responsible": []},
    )
    assert response["Location"] == reverse("contacts:import_mapping", args=[job.pk])
    job.refresh_from_db()
    columns = {f"col_{n}": target for n, target in enumerate(job.mapping)}
    response = client.post(reverse("contacts:import_mapping", args=[job.pk]), columns)
    assert response["Location"] == reverse("contacts:import_detail", args=[job.pk])
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(
    ("language", "delimiter", "shown"),
    [
        ("en", ",", ["Euro (EUR)", "All CRM users can view", "Alice Martin, Bob Durand"]),
        (
            "fr",
            ";",
            ["euro (EUR)", "Tous les utilisateurs du CRM peuvent consulter", "Facturation"],
        ),
    ],
)
def test_the_import_gives_back_the_contacts_of_its_own_export(
    client, alice, address_book, language, delimiter, shown, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=alice, language=language)
    client.force_login(alice)
    before = contacts_snapshot(primary=False)

    exported = b"".join(client.get(reverse("contacts:export_csv")).streaming_content)
    Contact.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        job = import_as_a_user(client, exported)

    text = exported.decode("utf-8-sig")
    assert [value for value in shown if value in text] == shown
    assert "+33 6 12 34 56 78" in text and "'+33" not in text
    assert (job.delimiter, job.encoding) == (delimiter, "utf-8-sig")
    # Every column of the export found its target by itself, user fields included, but
    # the last activity, which the timeline's events make, and the companies, whose
    # primary one is the company name's column.
    unmapped = [h for h, t in zip(job.header, job.mapping, strict=True) if not t]
    expected = {"en": ["Last activity", "Companies"], "fr": ["Dernière activité", "Entreprises"]}
    assert unmapped == expected[language]
    assert (job.status, job.total_rows, job.created, job.rejected) == ("done", 3, 3, 0)
    assert contacts_snapshot(primary=False) == before


def test_the_import_maps_the_export_headers_of_either_language_whatever_the_page_language(
    alice, settings
):
    motto = custom_fields.custom_field_create(label="City", field_type="text")
    french = ["Personne ou entreprise", "Accès", "Téléphone (Ligne directe)", "Région/état"]
    english = ["Person or company", "Access", "Phone (Direct)", "State/region", "City (user field)"]
    settings.LANGUAGE_CODE = "en"

    assert auto_mapping([*french, "Ville", "City"]) == [
        "kind",
        "access",
        "phone:direct",
        "address:region",
        "address:city",
        f"custom:{motto.pk}",
    ]
    assert auto_mapping(english) == [
        "kind",
        "access",
        "phone:direct",
        "address:region",
        f"custom:{motto.pk}",
    ]


def test_a_responsible_user_is_found_by_full_name_unless_several_share_it(
    run_import, alice, bob, make_user
):
    make_user("alice2", first_name="Alice", last_name="Martin")
    content = (
        "First name;Responsible users;Access\r\n"
        "Ann;Bob Durand;Tous les utilisateurs du CRM peuvent consulter\r\n"
        "Ben;Alice Martin;private\r\n"
        "Cy;bob, alice2;Only responsible users\r\n"
    )

    job = run_import(content)

    assert (job.created, job.rejected) == (2, 1)
    ann = Contact.objects.get(first_name="Ann")
    assert sorted(ann.responsible.values_list("username", flat=True)) == ["alice", "bob"]
    assert ann.access == "public_read"
    cy = Contact.objects.get(first_name="Cy")
    assert sorted(cy.responsible.values_list("username", flat=True)) == ["alice", "alice2", "bob"]
    assert cy.access == "private"
    assert job.issues.get().reason == (
        "Several users are named “Alice Martin”: write the user name of the one meant."
    )
