"""The import_contacts command and the export → import round trip."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from contacts.custom_fields import services as custom_fields
from contacts.models import Contact, ContactType
from contacts.services import ContactData, contact_create
from tests.contacts.imports.conftest import DATA, contacts_snapshot


def run_command(capsys, *args):
    call_command("import_contacts", *args)
    return capsys.readouterr().out


def test_the_command_prints_the_counts_as_json(alice, capsys, tmp_path):
    source = (DATA / "google-contacts.csv").read_text("utf-8-sig").splitlines(keepends=True)
    # One more row, whose e-mail address is not one: it is rejected, with its reason.
    broken = tmp_path / "google.csv"
    broken.write_text("".join(source) + source[1].replace("@", " at ", 1), "utf-8")
    out = run_command(capsys, str(broken), "--user", "alice", "--json", "--tags", "Google")
    result = json.loads(out)
    assert {k: result[k] for k in ("rows", "created", "updated", "skipped", "rejected")} == {
        "rows": 31,
        "created": 30,
        "updated": 0,
        "skipped": 0,
        "rejected": 1,
    }
    with open(result["rejects"], encoding="utf-8-sig", newline="") as rejects:
        header, row = list(csv.reader(rejects))
    assert header[-1] == "error"
    assert row[-1].startswith("Invalid email address")
    assert Contact.objects.filter(kind="person", tags__name="Google").count() == 30


def test_the_command_takes_the_settings_and_a_mapping(alice, bob, capsys, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Prénom": "first_name", "Société": "company_name"}))
    out = run_command(
        capsys,
        str(DATA / "excel-fr-semicolon-cp1252.csv"),
        "--user=alice",
        "--delimiter=semicolon",
        "--encoding=cp1252",
        "--duplicates=update",
        "--match=name",
        "--access=public_rw",
        "--responsible=bob",
        f"--mapping={mapping}",
        "--json",
    )
    first = json.loads(out)
    # Two rows name the same first name at the same company: one contact.
    assert (first["rows"], first["created"], first["skipped"]) == (25, 24, 1)
    contact = Contact.objects.get(first_name="Ana", company__company_name="Ébénisterie Martin")
    # Only the two mapped columns were imported.
    assert (contact.last_name, contact.infos.count(), contact.access) == ("", 0, "public_rw")
    assert sorted(contact.responsible.values_list("username", flat=True)) == ["alice", "bob"]
    # Again, matched on the name: every row updates the same contacts.
    again = json.loads(
        run_command(
            capsys,
            str(DATA / "excel-fr-semicolon-cp1252.csv"),
            "--user=alice",
            "--duplicates=update",
            "--match=name",
            f"--mapping={mapping}",
            "--json",
        )
    )
    assert (again["created"], again["updated"], again["skipped"]) == (0, 24, 1)


def test_the_command_takes_files_over_the_upload_limit(alice, capsys, settings):
    settings.IMPORT_MAX_BYTES = 100
    out = run_command(capsys, str(DATA / "linkedin-connections.csv"), "--user", "alice", "--json")
    assert json.loads(out)["created"] == 30


def test_the_command_says_what_is_wrong(alice, tmp_path):
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_contacts", str(DATA / "google-contacts.csv"), "--user", "nobody")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        call_command("import_contacts", str(empty), "--user", "alice")
    nameless = tmp_path / "nameless.csv"
    nameless.write_text("Email,Phone\r\na@x.org,0123456789\r\n")
    with pytest.raises(CommandError, match="First name"):
        call_command("import_contacts", str(nameless), "--user", "alice")


def test_export_then_import_gives_the_same_contacts_back(
    alice_client, alice, bob, tmp_path, capsys
):
    ContactType.objects.get_or_create(title="Client")
    client_type = ContactType.objects.get(title="Client")
    size = custom_fields.custom_field_create(label="Size", field_type="select", options=["S", "M"])
    vip = custom_fields.custom_field_create(label="VIP", field_type="checkbox")
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
                {"kind": "web", "category": "website", "value": "https://acme.example"},
            ],
            addresses=[
                {
                    "category": "billing",
                    "street": "1 rue X\n2e étage",
                    "city": "Lyon",
                    "postcode": "69001",
                    "country": "France",
                }
            ],
            custom={vip.key: True},
        ),
    )
    contact_create(
        by=alice,
        data=ContactData(
            kind="person",
            fields={
                "first_name": "Zoé",
                "last_name": "=Lefèvre",
                "job_title": "CTO",
                "description": 'Line one\nline two, with "quotes"',
                "currency": "CHF",
            },
            company=acme,
            responsible=[alice],
            tags=["Lead", "Salon 2026"],
            infos=[
                {"kind": "email", "category": "work", "value": "zoe@acme.example"},
                {"kind": "email", "category": "home", "value": "zoe@home.example"},
                {"kind": "phone", "category": "mobile", "value": "+33 6 12 34 56 78"},
                {"kind": "phone", "category": "mobile", "value": "06 11 22 33 44"},
                {"kind": "web", "category": "linkedin", "value": "zoe-lefevre"},
            ],
            custom={size.key: "M"},
        ),
    )
    contact_create(
        by=alice,
        data=ContactData(kind="person", fields={"first_name": "Solo"}, responsible=[alice]),
    )

    before = contacts_snapshot()
    response = alice_client.get("/contacts/export.csv")
    exported = tmp_path / "export.csv"
    exported.write_bytes(b"".join(response.streaming_content))
    Contact.objects.all().delete()
    result = json.loads(run_command(capsys, str(exported), "--user", "alice", "--json"))
    assert (result["rows"], result["created"], result["rejected"]) == (3, 3, 0)
    assert contacts_snapshot() == before
