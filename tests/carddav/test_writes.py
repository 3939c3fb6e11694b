"""What phones write: a card put creates or changes its contact, a card deleted goes to the
trash, through the contact form's rules and services, never over a change not seen."""

from pathlib import Path

import pytest

from accounts.app_passwords import app_password_create
from carddav.models import PhoneCard
from contacts import tags
from contacts.custom_fields import services as custom_fields
from contacts.models import Contact, ContactEvent, ContactType
from contacts.services import ContactData, contact_update
from tests.carddav.test_protocol import NS, PROPS, basic, dav, responses

SAMPLES = Path("/work/shared/data/vcards")
BOOK = "/dav/addressbooks/alice/{}/"

CARD = """BEGIN:VCARD
VERSION:3.0
UID:{uid}
FN:Marie Curie
N:Curie;Marie;;;
EMAIL;TYPE=INTERNET,WORK,pref:marie@radium.example
TEL;TYPE=CELL:+33 6 11 22 33 44
END:VCARD
"""


def put(client, auth, path, card, content_type="text/vcard; charset=utf-8", **headers):
    response = client.generic(
        "PUT",
        path,
        card.encode() if isinstance(card, str) else card,
        content_type=content_type,
        **auth,
        **headers,
    )
    return response, response.content.decode()


def delete(client, auth, path, **headers):
    response = client.generic("DELETE", path, **auth, **headers)
    return response, response.content.decode()


def get(client, auth, path, **headers):
    response = client.get(path, **auth, **headers)
    return response, response.content.decode()


def history(contact):
    return list(
        ContactEvent.objects.filter(contact=contact).order_by("pk").values_list("verb", "source")
    )


def history_page(client, contact):
    return client.get(f"/contacts/{contact.pk}/history/").content.decode()


@pytest.fixture
def alice_dav(alice):
    return basic("alice", app_password_create(user=alice, name="Phone")[1])


@pytest.fixture
def bob_dav(bob):
    return basic("bob", app_password_create(user=bob, name="Phone")[1])


@pytest.fixture
def phone_contact(client, alice, alice_dav):
    """A contact alice's phone created: its card at the name and with the UID it chose."""
    response, _content = put(
        client, alice_dav, BOOK.format("mine") + "phone-1.vcf", CARD.format(uid="phone-uid-1")
    )
    assert response.status_code == 201
    return Contact.objects.get(phone_card__name="phone-1.vcf")


def test_a_new_ios_card_creates_the_contact_as_the_form_would(
    client, alice, alice_dav, alice_client
):
    card = (SAMPLES / "apple-ios-3.0.vcf").read_bytes()
    path = BOOK.format("mine") + "6F1C3E8A.vcf"

    response, _content = put(client, alice_dav, path, card, HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 201
    assert response["Location"] == path
    contact = Contact.objects.get(last_name="Wiśniewski")
    assert (contact.first_name, contact.job_title) == ("Łukasz", "Responsable achats")
    assert contact.company.company_name == "Boulangeries Lefèvre SAS"
    assert contact.description == "Rencontré au salon SIRHA.\nPréfère être appelé le matin."
    assert contact.source == Contact.Source.CARDDAV
    assert contact.access == Contact.Access.PRIVATE
    assert list(contact.responsible.all()) == [alice]
    infos = {(i.kind, i.category, i.value, i.is_primary) for i in contact.infos.all()}
    assert infos == {
        ("email", "other", "lukasz.w@lefevre-boulangeries.fr", True),
        ("email", "other", "lukasz.perso@example.net", False),
        ("phone", "mobile", "+33 6 12 34 56 78", True),
        ("phone", "work", "01 43 57 21 90", False),
        ("web", "linkedin", "https://www.linkedin.com/in/lukasz-w", True),
    }
    [address] = contact.addresses.all()
    assert (address.category, address.street, address.city, address.postcode) == (
        "work",
        "12 rue de la Roquette",
        "Paris",
        "75011",
    )
    assert sorted(contact.tags.names()) == ["Lead", "VIP"]
    assert PhoneCard.objects.get(contact=contact).uid == "6F1C3E8A-2B4D-4C0E-9A55-1D2E3F4A5B6C"
    page = history_page(alice_client, contact)
    assert "created this contact from a phone (CardDAV, app password “Phone”)" in page
    french = alice_client.get(f"/contacts/{contact.pk}/history/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "depuis un téléphone (CardDAV, mot de passe d’application « Phone »)" in (
        french.content.decode()
    )


def test_a_new_vcard_4_creates_the_contact_in_all_visible_contacts(client, alice, alice_dav):
    card = (SAMPLES / "thunderbird-4.0.vcf").read_bytes()

    response, _content = put(client, alice_dav, BOOK.format("all") + "priya.vcf", card)

    assert response.status_code == 201
    contact = Contact.objects.get(first_name="Priya")
    assert contact.last_name == "Shah" and contact.description == "Prefers e-mail."
    assert list(contact.responsible.all()) == [alice]
    assert [(i.kind, i.value) for i in contact.infos.all()] == [
        ("email", "priya@shah-consulting.example"),
        ("phone", "+44 7700 900123"),
    ]


def test_a_company_card_creates_a_company(client, alice_dav):
    company_card = (SAMPLES / "google-3.0.vcf").read_text().split("END:VCARD\n")[1] + "END:VCARD\n"

    response, _content = put(client, alice_dav, BOOK.format("all") + "blue.vcf", company_card)

    assert response.status_code == 201
    company = Contact.objects.get(company_name="Blue Ocean Ltd")
    assert company.kind == Contact.Kind.COMPANY


def test_the_card_a_phone_created_is_served_at_its_name_with_its_uid(
    client, alice_dav, phone_contact
):
    path = BOOK.format("mine") + "phone-1.vcf"

    response, card = get(client, alice_dav, path)
    _response, listing = dav(
        client, "PROPFIND", BOOK.format("mine"), alice_dav, PROPS, HTTP_DEPTH="1"
    )

    assert response.status_code == 200 and "UID:phone-uid-1" in card.splitlines()
    found, _gone = responses(listing)
    assert set(found) == {BOOK.format("mine"), path}
    assert response["ETag"] == found[path]["getetag"].text


def test_putting_the_same_uid_again_changes_the_contact_rather_than_making_a_copy(
    client, alice_dav, phone_contact
):
    changed = CARD.format(uid="phone-uid-1").replace("Marie Curie", "Marie Skłodowska-Curie")
    changed = changed.replace("N:Curie;", "N:Skłodowska-Curie;")

    again, _content = put(client, alice_dav, BOOK.format("mine") + "phone-1.vcf", changed)
    elsewhere, _content = put(
        client, alice_dav, BOOK.format("all") + "other-name.vcf", changed.replace("pref", "home")
    )

    assert (again.status_code, elsewhere.status_code) == (204, 204)
    assert Contact.objects.count() == 1
    phone_contact.refresh_from_db()
    assert phone_contact.last_name == "Skłodowska-Curie"
    assert list(PhoneCard.objects.values_list("name", flat=True)) == ["phone-1.vcf"]


def test_a_crm_card_uploaded_again_under_a_new_name_changes_its_contact(
    client, make_contact, alice_dav
):
    contact = make_contact(first_name="Ada", last_name="Lovelace")
    _response, card = get(client, alice_dav, f"{BOOK.format('all')}{contact.pk}.vcf")

    response, _content = put(
        client, alice_dav, BOOK.format("all") + "copy.vcf", card, HTTP_IF_NONE_MATCH="*"
    )
    changed, _content = put(
        client,
        alice_dav,
        BOOK.format("all") + "copy.vcf",
        card.replace("END:VCARD", "TITLE:Countess\r\nEND:VCARD"),
    )

    assert (response.status_code, changed.status_code) == (204, 204)
    assert Contact.objects.count() == 1
    contact.refresh_from_db()
    assert contact.job_title == "Countess"


def test_if_none_match_star_never_replaces_an_existing_card(client, contact, alice_dav):
    path = f"{BOOK.format('all')}{contact.pk}.vcf"

    response, content = put(client, alice_dav, path, CARD.format(uid="x"), HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 412
    assert "exists already" in content
    contact.refresh_from_db()
    assert contact.first_name == "Jean" and contact.version == 1


def test_a_stale_etag_is_refused_and_the_current_one_changes_the_contact(
    client, alice, contact, alice_dav, alice_client
):
    path = f"{BOOK.format('all')}{contact.pk}.vcf"
    read, card = get(client, alice_dav, path)
    data = ContactData(
        kind="person", fields={"first_name": "Jean", "last_name": "Dupond"}, responsible=[alice]
    )
    contact_update(by=alice, contact=contact, data=data)
    edited = card.replace("Dupont", "Durand")

    stale, content = put(client, alice_dav, path, edited, HTTP_IF_MATCH=read["ETag"])

    assert stale.status_code == 412 and "changed or deleted since you read it" in content
    contact.refresh_from_db()
    assert contact.last_name == "Dupond"

    fresh, _card = get(client, alice_dav, path)
    saved, _content = put(
        client, alice_dav, path, _card.replace("Dupond", "Durand"), HTTP_IF_MATCH=fresh["ETag"]
    )

    assert saved.status_code == 204
    contact.refresh_from_db()
    assert contact.last_name == "Durand"
    assert history(contact)[-1] == ("changed", "carddav")
    page = history_page(alice_client, contact)
    assert "changed it from a phone (CardDAV, app password “Phone”):" in page
    # What was sent is what is served: the phone may keep its card, with the new ETag.
    assert saved["ETag"] == f'"{contact.pk}-{contact.version}"'


def test_a_card_the_crm_stores_otherwise_is_answered_without_etag(client, contact, alice_dav):
    path = f"{BOOK.format('all')}{contact.pk}.vcf"
    _read, card = get(client, alice_dav, path)

    response, _content = put(
        client, alice_dav, path, card.replace("END:VCARD", "BDAY:1990-01-01\r\nEND:VCARD")
    )

    assert response.status_code == 204
    assert "ETag" not in response  # the phone reads it again: no birthday kept


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_card_sent_back_unchanged_changes_nothing(
    client, alice, bob, make_contact, alice_dav, version
):
    kind = ContactType.objects.create(title="Synced type")
    field = custom_fields.custom_field_create(label="Size", field_type="text")
    company = make_contact("company", company_name="Radium Institute")
    contact = make_contact(
        first_name="Marie",
        last_name="Curie",
        job_title="Physicist",
        description="Two Nobel prizes.\nPolish and French.",
        company=company,
        access=Contact.Access.PUBLIC_READ,
        responsible=[alice, bob],
        tags=[tags.tag_create(name="VIP"), "Science"],
        infos=[
            {"kind": "email", "category": "work", "value": "marie@radium.example", "is_primary": 1},
            {"kind": "email", "category": "other", "value": "mc@example.org", "is_primary": 0},
            {"kind": "phone", "category": "direct", "value": "01 23 45 67 89", "is_primary": 0},
            {"kind": "phone", "category": "mobile", "value": "06 11 22 33 44", "is_primary": 1},
            {"kind": "web", "category": "linkedin", "value": "mariecurie", "is_primary": 1},
        ],
        addresses=[
            {
                "category": "postal",
                "street": "1 rue Pierre et Marie Curie",
                "city": "Paris",
                "region": "",
                "postcode": "75005",
                "country": "France",
                "is_primary": True,
            },
            {
                "category": "home",
                "street": "36 quai de Béthune",
                "city": "Paris",
                "region": "",
                "postcode": "75004",
                "country": "",
                "is_primary": False,
            },
        ],
        custom={field.key: "M"},
    )
    contact.contact_type = kind
    contact.save(update_fields=["contact_type"])
    path = f"{BOOK.format('all')}{contact.pk}.vcf"
    accept = {"HTTP_ACCEPT": "text/vcard; version=4.0"} if version == "4.0" else {}
    read, card = get(client, alice_dav, path, **accept)
    before = history(contact)

    response, _content = put(client, alice_dav, path, card, HTTP_IF_MATCH=read["ETag"])

    assert response.status_code == 204
    assert response["ETag"] == read["ETag"]
    assert history(contact) == before
    contact.refresh_from_db()
    assert contact.version == 1 and contact.contact_type == kind
    assert contact.custom == {field.key: "M"}
    assert sorted(i.category for i in contact.infos.all()) == [
        "direct",
        "linkedin",
        "mobile",
        "other",
        "work",
    ]
    assert sorted(a.category for a in contact.addresses.all()) == ["home", "postal"]
    _again, card_after = get(client, alice_dav, path, **accept)
    assert card_after == card


def test_what_the_card_does_not_carry_is_kept(client, alice, bob, make_contact, alice_dav):
    kind = ContactType.objects.create(title="Synced type")
    field = custom_fields.custom_field_create(label="Size", field_type="text")
    contact = make_contact(
        access=Contact.Access.PUBLIC_RW,
        responsible=[alice, bob],
        tags=["VIP"],
        custom={field.key: "M"},
    )
    contact.contact_type = kind
    contact.save(update_fields=["contact_type"])
    path = f"{BOOK.format('all')}{contact.pk}.vcf"
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jean Valjean\r\nN:Valjean;Jean;;;\r\nEND:VCARD\r\n"

    response, _content = put(client, alice_dav, path, card)

    assert response.status_code == 204
    contact.refresh_from_db()
    assert contact.last_name == "Valjean"
    assert contact.access == Contact.Access.PUBLIC_RW
    assert set(contact.responsible.all()) == {alice, bob}
    assert contact.contact_type == kind and contact.custom == {field.key: "M"}
    assert list(contact.tags.names()) == ["VIP"]  # no CATEGORIES: the tags stay


def test_categories_on_the_card_replace_the_tags(client, make_contact, alice_dav):
    contact = make_contact(tags=["VIP"])
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Dupont;Jean;;;\r\nCATEGORIES:Lead,Paris\r\nEND:VCARD\r\n"
    )

    put(client, alice_dav, f"{BOOK.format('all')}{contact.pk}.vcf", card)

    assert sorted(contact.tags.names()) == ["Lead", "Paris"]


def test_a_reader_may_not_change_nor_delete_and_a_stranger_finds_nothing(
    client, bob, make_contact, bob_dav
):
    shared = make_contact(access=Contact.Access.PUBLIC_READ)
    hidden = make_contact(first_name="Hidden")
    card = CARD.format(uid="u")

    for contact, status in ((shared, 403), (hidden, 404)):
        for book in ("all", "mine"):
            path = f"/dav/addressbooks/bob/{book}/{contact.pk}.vcf"
            written, content = put(client, bob_dav, path, card)
            deleted, _content = delete(client, bob_dav, path)
            expected = status if book == "all" else 404
            assert (written.status_code, deleted.status_code) == (expected, expected), book
            assert "Hidden" not in content
    assert Contact.objects.filter(version=1, deleted_at__isnull=True).count() == 2


def test_a_public_read_write_contact_may_be_changed_by_another_user(
    client, bob, make_contact, bob_dav
):
    shared = make_contact(access=Contact.Access.PUBLIC_RW)
    path = f"/dav/addressbooks/bob/all/{shared.pk}.vcf"
    _read, card = get(client, bob_dav, path)

    response, _content = put(client, bob_dav, path, card.replace("Dupont", "Durand"))

    assert response.status_code == 204
    shared.refresh_from_db()
    assert shared.last_name == "Durand" and shared.updated_by == bob


def test_delete_moves_the_contact_to_the_trash_with_the_phone_in_its_history(
    client, contact, alice_dav, alice_client
):
    path = f"{BOOK.format('mine')}{contact.pk}.vcf"
    read, _card = get(client, alice_dav, path)

    stale, _content = delete(client, alice_dav, path, HTTP_IF_MATCH='"0-0"')
    response, _content = delete(client, alice_dav, path, HTTP_IF_MATCH=read["ETag"])

    assert (stale.status_code, response.status_code) == (412, 204)
    trashed = Contact.all_objects.get(pk=contact.pk)
    assert trashed.deleted_at is not None
    assert history(trashed)[-1] == ("deleted", "carddav")
    assert get(client, alice_dav, path)[0].status_code == 404
    assert delete(client, alice_dav, path)[0].status_code == 404


def test_a_phones_card_is_deleted_at_its_own_name(client, alice_dav, phone_contact):
    response, _content = delete(client, alice_dav, BOOK.format("all") + "phone-1.vcf")

    assert response.status_code == 204
    assert Contact.all_objects.get(pk=phone_contact.pk).deleted_at is not None


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        ("not a vcard at all", "text/vcard", 400, "valid-address-data"),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", "text/vcard", 400, "names no one"),
        (CARD.format(uid="a") + CARD.format(uid="b"), "text/vcard", 400, "exactly one vCard"),
        (CARD.format(uid="a"), "application/json", 415, "supported-address-data"),
        (CARD.format(uid="a").replace("marie@", "marie at "), "text/vcard", 400, "valid email"),
        (b"BEGIN:VCARD\r\nFN:\xff\xfe\r\nEND:VCARD\r\n", "text/vcard", 400, "not UTF-8"),
        (CARD.format(uid="u" * 300), "text/vcard", 400, "UID is longer"),
        (
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=Window-1252:=E9;x"
            "\r\nEND:VCARD\r\n",
            "text/vcard",
            400,
            "unknown encoding",
        ),
        ("BEGIN:VCARD\r\nN:" + "x" * 300 + ";Jean;;;\r\nEND:VCARD\r\n", "text/vcard", 400, "100"),
        (
            CARD.format(uid="a").replace("END:VCARD", "NOTE:" + "x" * 1_100_000 + "\r\nEND:VCARD"),
            "text/vcard",
            413,
            "max-resource-size",
        ),
    ],
)
def test_a_bad_card_is_a_dav_error_that_says_why(
    client, alice_dav, body, content_type, status, reason
):
    response, content = put(client, alice_dav, BOOK.format("all") + "bad.vcf", body, content_type)

    assert response.status_code == status
    assert "<d:error" in content and reason in content
    assert not Contact.objects.exists()


def test_a_new_card_may_not_take_the_name_of_a_contact_nor_of_another_card(
    client, bob, make_contact, alice_dav, bob_dav, phone_contact
):
    hidden = make_contact(by=bob, first_name="Bobs")

    by_id, _content = put(
        client, alice_dav, f"{BOOK.format('all')}{hidden.pk}.vcf", CARD.format(uid="n")
    )
    taken, _content = put(
        client, bob_dav, "/dav/addressbooks/bob/all/phone-1.vcf", CARD.format(uid="m")
    )
    unknown, _content = put(
        client, alice_dav, f"{BOOK.format('all')}99999.vcf", CARD.format(uid="o")
    )

    assert (by_id.status_code, taken.status_code, unknown.status_code) == (404, 404, 404)
    assert Contact.objects.count() == 2


def test_a_uid_of_a_contact_one_may_not_see_is_refused(client, bob_dav, phone_contact):
    response, content = put(
        client, bob_dav, "/dav/addressbooks/bob/all/mine.vcf", CARD.format(uid="phone-uid-1")
    )

    assert response.status_code == 409
    assert "<card:no-uid-conflict/>" in content and "Curie" not in content
    assert Contact.objects.count() == 1


def test_a_change_of_one_phone_is_synced_to_another_at_the_phones_name(
    client, alice_dav, phone_contact
):
    body = """<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level>
    <d:prop><d:getetag/></d:prop></d:sync-collection>"""

    _response, content = dav(client, "REPORT", BOOK.format("all"), alice_dav, body)

    found, _gone = responses(content)
    assert set(found) == {BOOK.format("all") + "phone-1.vcf"}


def test_a_phones_card_moved_to_the_trash_is_reported_gone_at_its_name(
    client, alice_dav, phone_contact
):
    body = """<d:sync-collection xmlns:d="DAV:"><d:sync-token>{}</d:sync-token>
    <d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"""
    _response, content = dav(client, "REPORT", BOOK.format("all"), alice_dav, body.format(""))
    token = content.split("<d:sync-token>")[1].split("</d:sync-token>")[0]

    delete(client, alice_dav, BOOK.format("all") + "phone-1.vcf")
    _response, content = dav(client, "REPORT", BOOK.format("all"), alice_dav, body.format(token))

    _found, gone = responses(content)
    assert gone == {BOOK.format("all") + "phone-1.vcf"}


def test_a_multiget_finds_a_phones_card_at_its_name(client, alice_dav, phone_contact):
    path = BOOK.format("all") + "phone-1.vcf"
    body = f"""<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="{NS["card"]}">
    <d:prop><d:getetag/><card:address-data/></d:prop><d:href>{path}</d:href>
    <d:href>{BOOK.format("all")}unknown.vcf</d:href></card:addressbook-multiget>"""

    _response, content = dav(client, "REPORT", BOOK.format("all"), alice_dav, body)

    found, gone = responses(content)
    assert "UID:phone-uid-1" in found[path]["address-data"].text.splitlines()
    assert gone == {BOOK.format("all") + "unknown.vcf"}


def test_a_google_card_leaves_its_system_group_out_and_reads_its_escaped_web_address(
    client, alice_dav
):
    person_card = (SAMPLES / "google-3.0.vcf").read_text().split("END:VCARD\n")[0] + "END:VCARD\n"

    response, _content = put(client, alice_dav, BOOK.format("all") + "soren.vcf", person_card)

    assert response.status_code == 201
    soren = Contact.objects.get(first_name="Søren")
    assert list(soren.tags.names()) == ["Partner"]
    assert [i.value for i in soren.infos.filter(kind="web")] == ["https://blue-ocean.example"]
    assert soren.company.company_name == "Blue Ocean Ltd"
    assert {(a.category, a.city) for a in soren.addresses.all()} == {("work", "København")}


def test_an_outlook_21_card_that_cannot_be_read_is_refused_with_the_reason(client, alice_dav):
    card = (SAMPLES / "outlook-2.1.vcf").read_bytes()

    response, content = put(client, alice_dav, BOOK.format("all") + "emilie.vcf", card)

    assert response.status_code == 400
    assert "<card:valid-address-data/>" in content and "cannot be read" in content


def test_a_detail_whose_type_alone_changed_on_the_phone_is_saved(client, make_contact, alice_dav):
    infos = [{"kind": "phone", "category": "mobile", "value": "06 11 22 33 44", "is_primary": 1}]
    contact = make_contact(infos=infos)
    path = f"{BOOK.format('all')}{contact.pk}.vcf"
    read, card = get(client, alice_dav, path)

    response, _content = put(
        client, alice_dav, path, card.replace("TYPE=cell", "TYPE=home"), HTTP_IF_MATCH=read["ETag"]
    )

    assert response.status_code == 204
    assert [i.category for i in contact.infos.all()] == ["home"]
    contact.refresh_from_db()
    assert contact.version == 2


def test_a_phone_cannot_bring_back_a_person_erased_at_their_request(client, alice, alice_dav):
    from contacts.personal_data.suppression import suppress

    suppress(emails=[" Marie@Radium.example "], by=alice)
    card = CARD.format(uid="erased-1")

    response, content = put(client, alice_dav, f"{BOOK.format('mine')}erased-1.vcf", card)

    assert response.status_code == 403 and "erased-person" in content
    assert "erased at their request" in content
    assert not Contact.objects.filter(last_name="Curie").exists()
    # A reformatted phone of the erased person is refused as well.
    suppress(phones=["06 11 22 33 44"], by=alice)
    other = card.replace("marie@radium.example", "someone@else.example")
    response, _content = put(client, alice_dav, f"{BOOK.format('mine')}erased-2.vcf", other)
    assert response.status_code == 403
