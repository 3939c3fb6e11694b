"""CSV and vCard exports of the contact list and of one contact."""

import csv
import io

import pytest
import vobject
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile
from contacts.csv_columns import escape_cell, escape_phone_cell, unescape_cell
from contacts.custom_fields import services as custom_fields
from contacts.exports import services as exports
from contacts.models import Contact, ContactType

ENGLISH_COLUMNS = [
    "Person or company",
    "First name",
    "Last name",
    "Company name",
    "Job title",
    "Contact type",
    "Currency",
    "Description",
    "Tags",
    "Access",
    "Responsible users",
]


def csv_of(response, delimiter=","):
    """Return the rows of a CSV response as dicts, and its raw text."""
    assert response.status_code == 200
    raw = b"".join(response.streaming_content).decode("utf-8")
    rows = csv.DictReader(io.StringIO(raw.removeprefix("\ufeff")), delimiter=delimiter)
    return list(rows), raw


def vcards_of(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(vobject.readComponents(content.decode("utf-8")))


@pytest.fixture
def acme(make_contact):
    return make_contact(
        "company",
        company_name="Acme",
        description="Makers of anvils",
        tags=["Supplier"],
        infos=[
            {"kind": "email", "category": "work", "value": "hello@acme.example"},
            {"kind": "web", "category": "website", "value": "https://acme.example"},
        ],
    )


@pytest.fixture
def jean(make_contact, alice, bob, acme):
    person = make_contact(
        first_name="Jean",
        last_name="Dupont",
        job_title="Buyer",
        company=acme,
        tags=["Lead", "VIP"],
        responsible=[alice, bob],
        infos=[
            {"kind": "email", "category": "work", "value": "jean@acme.example"},
            {"kind": "email", "category": "work", "value": "jd@acme.example"},
            {"kind": "email", "category": "home", "value": "jean@home.example"},
            {"kind": "phone", "category": "mobile", "value": "+33 6 12 34 56 78"},
            {"kind": "web", "category": "linkedin", "value": "jeandupont"},
        ],
        addresses=[
            {
                "category": "home",
                "street": "1 rue de la Paix",
                "city": "Paris",
                "region": "IDF",
                "postcode": "75002",
                "country": "France",
            }
        ],
    )
    person.contact_type = ContactType.objects.get(title="Client")
    person.currency = "EUR"
    person.save()
    return person


def test_csv_has_the_bom_the_header_and_crlf_line_ends(client, alice, jean):
    client.force_login(alice)

    response = client.get("/contacts/export.csv")
    rows, raw = csv_of(response)

    assert isinstance(response, StreamingHttpResponse)
    assert raw.startswith("\ufeffPerson or company,First name,Last name,Company name,")
    assert raw.endswith("\r\n")
    assert raw.count("\n") == raw.count("\r\n")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-20')
    assert response["Content-Disposition"].endswith('.csv"')
    header = raw.removeprefix("\ufeff").split("\r\n", 1)[0].split(",")
    assert header[: len(ENGLISH_COLUMNS)] == ENGLISH_COLUMNS
    assert "Email (Work)" in header
    assert "Phone (Mobile)" in header
    assert "Web (LinkedIn)" in header
    assert header[-9:] == [
        "Street",
        "City",
        "State/region",
        "Postcode",
        "Country",
        "Address category",
        "Last activity",
        "Companies",
        "Marketing email consent",
    ]


def test_csv_rows_hold_persons_and_companies_as_their_cards_show_them(client, alice, jean, acme):
    client.force_login(alice)

    rows, _raw = csv_of(client.get("/contacts/export.csv"))

    person, company = rows
    assert person["Person or company"] == "Person"
    assert person["First name"] == "Jean"
    assert person["Last name"] == "Dupont"
    assert person["Company name"] == "Acme"
    assert person["Job title"] == "Buyer"
    assert person["Contact type"] == "Client"
    assert person["Currency"] == "Euro (EUR)"
    assert person["Tags"] == "Lead, VIP"
    assert person["Access"] == "Only responsible users"
    assert person["Responsible users"] == "Alice Martin, Bob Durand"
    assert person["Email (Work)"] == "jean@acme.example, jd@acme.example"
    assert person["Email (Home)"] == "jean@home.example"
    assert person["Phone (Mobile)"] == "+33 6 12 34 56 78"
    assert person["Web (LinkedIn)"] == "jeandupont"
    assert person["Street"] == "1 rue de la Paix"
    assert person["City"] == "Paris"
    assert person["State/region"] == "IDF"
    assert person["Postcode"] == "75002"
    assert person["Country"] == "France"
    assert person["Address category"] == "Home"
    assert company["Person or company"] == "Company"
    assert company["Company name"] == "Acme"
    assert company["First name"] == ""
    assert company["Description"] == "Makers of anvils"
    assert company["Email (Work)"] == "hello@acme.example"
    assert company["Web (Web site)"] == "https://acme.example"
    assert company["Tags"] == "Supplier"
    assert company["Access"] == "Only responsible users"
    # Newest first, like the list.
    assert [row["First name"] for row in rows] == ["Jean", ""]


def test_french_csv_is_semicolon_separated_with_french_headers_and_words(client, alice, jean, acme):
    Profile.objects.create(user=alice, language="fr")
    jean.access = Contact.Access.PUBLIC_RW
    jean.save()
    client.force_login(alice)

    rows, raw = csv_of(client.get("/contacts/export.csv"), delimiter=";")

    assert raw.startswith(
        "\ufeffPersonne ou entreprise;Prénom;Nom;Nom de l’entreprise;Poste;Type de contact;"
        "Devise;Description;Tags;Accès;Responsables;E-mail (Travail);"
    )
    person = rows[0]
    assert person["Personne ou entreprise"] == "Personne"
    assert person["Prénom"] == "Jean"
    assert person["Devise"] == "euro (EUR)"
    assert person["Accès"] == "Tous les utilisateurs du CRM peuvent consulter et modifier"
    assert person["Responsables"] == "Alice Martin, Bob Durand"
    assert person["E-mail (Travail)"] == "jean@acme.example, jd@acme.example"
    assert person["Téléphone (Mobile)"] == "+33 6 12 34 56 78"
    assert person["Rue"] == "1 rue de la Paix"
    assert person["Code postal"] == "75002"
    assert person["Pays"] == "France"
    assert rows[1]["Personne ou entreprise"] == "Entreprise"


def test_responsible_users_sharing_a_full_name_are_written_by_user_name(
    client, alice, make_user, make_contact
):
    twin = make_user("alice2", first_name="Alice", last_name="Martin")
    nameless = make_user("nameless", first_name="", last_name="")
    make_user("Zed", first_name="Zoltan", last_name="Ede")
    impostor = make_user("zed2", first_name="Zed", last_name="")
    make_contact(first_name="Shared", responsible=[alice, twin, nameless, impostor])
    client.force_login(alice)

    [row], _raw = csv_of(client.get("/contacts/export.csv"))

    # In the card's order; "Zed" is another user's user name.
    assert row["Responsible users"] == "nameless, alice, alice2, zed2"


def test_csv_has_a_column_per_user_field_with_the_values(client, alice, make_contact):
    region = custom_fields.custom_field_create(
        label="Region of sale", field_type="select", options=["North", "South"]
    )
    vip = custom_fields.custom_field_create(
        label="Key account", field_type="checkbox", applies_to="company"
    )
    custom_fields.custom_field_create(label="Notes", field_type="heading")
    make_contact(first_name="Lea", custom={region.key: "South"})
    make_contact("company", company_name="Big", custom={vip.key: True})
    client.force_login(alice)

    rows, raw = csv_of(client.get("/contacts/export.csv"))

    header = raw.removeprefix("\ufeff").split("\r\n", 1)[0].split(",")
    assert header[-2:] == ["Region of sale", "Key account"]
    assert "Notes" not in header
    by_name = {row["First name"] or row["Company name"]: row for row in rows}
    assert by_name["Lea"]["Region of sale"] == "South"
    assert by_name["Lea"]["Key account"] == ""
    assert by_name["Big"]["Key account"] == "Yes"


def test_a_user_field_named_as_a_column_gets_its_own_header_in_each_language(
    client, alice, make_contact
):
    city = custom_fields.custom_field_create(label="City", field_type="text")
    make_contact(first_name="Lea", custom={city.key: "Lyon"})
    client.force_login(alice)

    english, _ = csv_of(client.get("/contacts/export.csv"))
    french, _ = csv_of(client.get("/contacts/export.csv", HTTP_ACCEPT_LANGUAGE="fr"), delimiter=";")

    assert english[0]["City (user field)"] == "Lyon"
    assert french[0]["City"] == "Lyon"


def test_csv_escapes_cells_a_spreadsheet_would_run_as_formulas(client, alice, make_contact):
    make_contact(
        first_name="@admin",
        last_name="-1+2",
        job_title="+cmd",
        description='=HYPERLINK("http://evil.example","click")',
    )
    client.force_login(alice)

    rows, _raw = csv_of(client.get("/contacts/export.csv"))

    [row] = rows
    assert row["Description"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["First name"] == "'@admin"
    assert row["Last name"] == "'-1+2"
    assert row["Job title"] == "'+cmd"


@pytest.mark.parametrize(
    "value",
    ["", "plain", "=1+1", "+33 6", "-", "@x", "\tx", "\rx", "'", "'=x", "''=x", "'plain", "'''"],
)
def test_unescape_cell_gives_back_what_escape_cell_was_given(value):
    assert unescape_cell(escape_cell(value)) == value


def test_escape_cell_leaves_harmless_text_alone_and_escapes_formulas():
    assert escape_cell("Jean") == "Jean"
    assert escape_cell("=SUM(A1)") == "'=SUM(A1)"
    assert escape_cell("\t=1") == "'\t=1"
    assert escape_cell(None) == ""


def test_export_follows_the_search_and_the_filters(client, alice, make_contact):
    make_contact(first_name="Zoe", tags=["Lead"])
    make_contact(first_name="Zack")
    make_contact(first_name="Anna", tags=["Lead"])
    client.force_login(alice)

    searched, _ = csv_of(client.get("/contacts/export.csv?q=zoe"))
    tagged, _ = csv_of(client.get("/contacts/export.csv?tag=Lead"))
    both = vcards_of(client.get("/contacts/export.vcf?q=z&tag=Lead"))

    assert [r["First name"] for r in searched] == ["Zoe"]
    assert [r["First name"] for r in tagged] == ["Anna", "Zoe"]
    assert [card.fn.value for card in both] == ["Zoe Dupont"]


def test_exports_never_include_contacts_the_user_may_not_see(client, alice, bob, make_contact):
    private = make_contact(first_name="Secret")
    public = make_contact(first_name="Open", access=Contact.Access.PUBLIC_READ)
    own = make_contact(first_name="Bobs", by=bob)
    client.force_login(bob)

    rows, _ = csv_of(client.get("/contacts/export.csv"))
    cards = vcards_of(client.get("/contacts/export.vcf"))
    selected = vcards_of(
        client.get(f"/contacts/export.vcf?ids={private.pk},{public.pk},{own.pk},x")
    )
    selected_csv, _ = csv_of(client.get(f"/contacts/export.csv?ids={private.pk}"))

    assert sorted(r["First name"] for r in rows) == ["Bobs", "Open"]
    assert sorted(card.fn.value for card in cards) == ["Bobs Dupont", "Open Dupont"]
    assert sorted(card.fn.value for card in selected) == ["Bobs Dupont", "Open Dupont"]
    assert selected_csv == []


def test_selection_exports_only_the_selected_contacts(client, alice, make_contact):
    first = make_contact(first_name="First")
    make_contact(first_name="Second")
    client.force_login(alice)

    rows, _ = csv_of(client.get(f"/contacts/export.csv?ids={first.pk}"))

    assert [r["First name"] for r in rows] == ["First"]


@pytest.mark.parametrize(
    "path", ["/contacts/export.csv", "/contacts/export.vcf", "/contacts/{pk}/vcard/"]
)
def test_anonymous_user_is_sent_to_login(client, contact, path):
    response = client.get(path.format(pk=contact.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_stranger_gets_404_on_a_private_contacts_vcard(client, bob, contact):
    client.force_login(bob)

    assert client.get(f"/contacts/{contact.pk}/vcard/").status_code == 404


def test_reader_downloads_the_vcard_of_a_public_contact(client, bob, make_contact):
    public = make_contact(first_name="Élodie", access=Contact.Access.PUBLIC_READ)
    client.force_login(bob)

    response = client.get(f"/contacts/{public.pk}/vcard/")

    assert response["Content-Disposition"] == 'attachment; filename="elodie-dupont.vcf"'
    assert [card.fn.value for card in vcards_of(response)] == ["Élodie Dupont"]


def test_admin_exports_a_private_contact_he_is_not_responsible_for(client, admin, contact):
    client.force_login(admin)

    card = client.get(f"/contacts/{contact.pk}/vcard/")
    csv_text = b"".join(client.get("/contacts/export.csv").streaming_content).decode("utf-8-sig")

    assert [c.fn.value for c in vcards_of(card)] == ["Jean Dupont"]
    assert "Jean" in csv_text and "Dupont" in csv_text


def test_vcard_parses_back_with_the_names_emails_phones_address_and_tags(client, alice, jean):
    client.force_login(alice)

    response = client.get(f"/contacts/{jean.pk}/vcard/")
    [card] = vcards_of(response)

    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert card.version.value == "4.0"
    assert card.fn.value == "Jean Dupont"
    assert card.n.value.given == "Jean"
    assert card.n.value.family == "Dupont"
    assert card.org.value == ["Acme"]
    assert card.title.value == "Buyer"
    emails = {(e.value, tuple(e.params.get("TYPE", []))) for e in card.contents["email"]}
    assert emails == {
        ("jean@acme.example", ("work",)),
        ("jd@acme.example", ("work",)),
        ("jean@home.example", ("home",)),
    }
    [tel] = card.contents["tel"]
    assert tel.value == "+33 6 12 34 56 78"
    assert tel.params["TYPE"] == ["cell"]
    assert card.url.value == "https://www.linkedin.com/in/jeandupont"
    [adr] = card.contents["adr"]
    assert adr.value.street == "1 rue de la Paix"
    assert adr.value.city == "Paris"
    assert adr.value.code == "75002"
    assert adr.value.country == "France"
    assert adr.params["TYPE"] == ["home"]
    assert card.categories.value == ["Lead", "VIP"]


def test_company_vcard_has_the_org_and_the_note(client, alice, acme):
    client.force_login(alice)

    [card] = vcards_of(client.get(f"/contacts/{acme.pk}/vcard/"))

    assert card.fn.value == "Acme"
    assert card.org.value == ["Acme"]
    assert card.note.value == "Makers of anvils"
    assert "n" not in card.contents


def test_card_and_list_offer_the_downloads_with_the_current_query(client, alice, contact):
    client.force_login(alice)

    card = client.get(f"/contacts/{contact.pk}/").content.decode()
    listing = client.get("/contacts/?q=dup&tag=Lead").content.decode()

    assert f'href="/contacts/{contact.pk}/vcard/"' in card
    assert "Download vCard" in card
    assert 'href="/contacts/export.csv?q=dup&amp;tag=Lead"' in listing
    assert 'href="/contacts/export.vcf?q=dup&amp;tag=Lead"' in listing


@pytest.mark.parametrize("path", ["/contacts/export.csv", "/contacts/export.vcf"])
def test_export_queries_do_not_grow_with_the_number_of_contacts(client, alice, make_contact, path):
    def queries_for(count):
        Contact.objects.all().delete()
        for n in range(count):
            make_contact(
                first_name=f"P{n}",
                tags=["Lead"],
                infos=[{"kind": "email", "category": "work", "value": f"p{n}@example.com"}],
                addresses=[{"city": "Lyon"}],
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            body = b"".join(response.streaming_content)
        assert body.count(b"example.com") == count
        return len(queries)

    client.force_login(alice)

    assert queries_for(5) == queries_for(30)


def test_list_vcard_is_a_streamed_vcf_attachment(client, alice, contact):
    client.force_login(alice)

    response = client.get("/contacts/export.vcf")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-20')
    assert response["Content-Disposition"].endswith('.vcf"')
    assert [card.fn.value for card in vcards_of(response)] == ["Jean Dupont"]


def test_export_follows_the_responsible_me_and_kind_filters(client, alice, bob, make_contact):
    make_contact(first_name="Mine", access=Contact.Access.PUBLIC_READ, by=bob)
    make_contact(first_name="Hers", access=Contact.Access.PUBLIC_READ)
    make_contact("company", company_name="Shop", access=Contact.Access.PUBLIC_READ, by=bob)
    client.force_login(bob)

    rows, _ = csv_of(client.get("/contacts/export.csv?responsible=me&kind=person"))

    assert [r["First name"] for r in rows] == ["Mine"]


def test_csv_export_follows_the_sort_of_the_list(client, alice, make_contact):
    make_contact(first_name="Zoe", last_name="Adams")
    make_contact(first_name="Anna", last_name="Zeller")
    client.force_login(alice)

    # Newest first would put Anna first.
    body = b"".join(client.get("/contacts/export.csv?sort=-first_name").streaming_content)
    text = body.decode("utf-8-sig")

    assert text.index("Zoe") < text.index("Anna")


FORMULAS = ["=1+1", "+cmd", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


def test_no_cell_of_the_csv_starts_as_a_formula_whatever_the_field(client, alice, make_contact):
    field = custom_fields.custom_field_create(label="=label", field_type="text")
    ContactType.objects.create(title="@type", position=99)
    company = make_contact("company", company_name="+company")
    person = make_contact(
        first_name="=first",
        last_name="-last",
        job_title="@job",
        description="\t=description",
        company=company,
        tags=["=tag", "+other"],
        infos=[
            {"kind": "email", "category": "work", "value": "=x@example.com"},
            {"kind": "phone", "category": "work", "value": "+33 1 23 45 67 89"},
            {"kind": "phone", "category": "mobile", "value": "+1+cmd|' /C calc'!A0"},
            {"kind": "phone", "category": "home", "value": "-1+1"},
            {"kind": "web", "category": "website", "value": "=HYPERLINK(1)"},
        ],
        addresses=[{"street": "\r=street", "city": "=city", "postcode": "-1", "country": "+c"}],
        custom={field.key: "=value"},
    )
    person.contact_type = ContactType.objects.get(title="@type")
    person.save()
    client.force_login(alice)

    response = client.get("/contacts/export.csv")
    raw = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(raw)) for cell in row]

    assert "'=label" in cells
    assert "'=first" in cells
    assert "'@type" in cells
    assert "'+other, =tag" in cells
    assert "'=value" in cells
    assert "'+1+cmd|' /C calc'!A0" in cells
    assert "'-1+1" in cells
    # A phone number is written as it is: it cannot run anything.
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == ["+33 1 23 45 67 89"]


@pytest.mark.parametrize("value", FORMULAS)
def test_escape_cell_prefixes_each_formula_start_with_an_apostrophe(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["+33 6 12 34 56 78", "+1 (555) 010-0100", "+44 20.7946.0000", "+33 1 23, 06 11 22 33 44"],
)
def test_a_cell_of_phone_numbers_is_written_as_it_is(value):
    assert escape_phone_cell(value) == value
    assert unescape_cell(escape_phone_cell(value)) == value


@pytest.mark.parametrize(
    "value",
    [*FORMULAS, "+1+A1", "+33 6 12 34 56 78 x12", "+1,=2", "+SUM(1)", "+1\n=2", "+1 '", "+"],
)
def test_a_phone_cell_that_holds_more_than_phone_numbers_is_escaped(value):
    assert escape_phone_cell(value) == "'" + value


def test_a_user_made_responsible_while_the_export_runs_is_written_by_name(
    alice, make_user, make_contact
):
    contact = make_contact(first_name="Late")
    lines = exports.csv_lines(Contact.objects.all(), alice, "en")
    newcomer = make_user("newcomer", first_name="New", last_name="Comer")
    contact.responsible.add(newcomer)

    [row] = list(csv.DictReader(io.StringIO("".join(lines).removeprefix("\ufeff"))))

    assert row["Responsible users"] == "Alice Martin, New Comer"


def test_the_companies_column_lists_every_current_company_the_reader_may_see(
    client, alice, bob, make_contact, jean
):
    from contacts.positions.services import position_add  # why: only this test adds one

    globex = make_contact("company", company_name="Globex", access="public_read")
    hidden = make_contact("company", company_name="Hidden Ltd", by=bob, responsible=[bob])
    position_add(by=alice, person=jean, company=globex)
    Contact.objects.get(pk=jean.pk).positions.create(company=hidden)
    client.force_login(alice)
    rows, _raw = csv_of(client.get("/contacts/export.csv"))
    person = next(row for row in rows if row["First name"] == "Jean")
    assert person["Company name"] == "Acme" and person["Companies"] == "Acme, Globex"
    client.force_login(bob)
    rows, _raw = csv_of(client.get("/contacts/export.csv"))
    person = next(row for row in rows if row["First name"] == "Jean")
    assert "Globex" in person["Companies"] and "Hidden Ltd" in person["Companies"]
