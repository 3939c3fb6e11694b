"""The CardDAV protocol as a client speaks it: discovery, PROPFIND, REPORT, GET."""

import base64

import pytest
from defusedxml import ElementTree

from accounts.app_passwords import app_password_create
from carddav import books
from contacts.models import Contact
from contacts.services import ContactData, contact_update
from contacts.trash.services import contact_delete

NS = {"d": "DAV:", "card": "urn:ietf:params:xml:ns:carddav", "cs": "http://calendarserver.org/ns/"}


def basic(username, password):
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


@pytest.fixture
def alice_dav(alice):
    return basic("alice", app_password_create(user=alice, name="Phone")[1])


@pytest.fixture
def bob_dav(bob):
    return basic("bob", app_password_create(user=bob, name="Phone")[1])


def dav(client, method, path, auth, body="", **headers):
    response = client.generic(method, path, body, content_type="application/xml", **auth, **headers)
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    return response, content


def responses(content):
    """Return {href: {property local name: element}} of the 200 propstats, and 404 hrefs."""
    root = ElementTree.fromstring(content)
    found, gone = {}, set()
    for item in root.findall("d:response", NS):
        href = item.findtext("d:href", namespaces=NS)
        if item.find("d:status", NS) is not None:
            gone.add(href)
            continue
        props = {}
        for propstat in item.findall("d:propstat", NS):
            if "200" in propstat.findtext("d:status", namespaces=NS):
                for prop in propstat.find("d:prop", NS):
                    props[prop.tag.split("}")[1]] = prop
        found[href] = props
    return found, gone


PROPS = """<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
<d:prop><d:getetag/><d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/></d:prop></d:propfind>"""


def test_well_known_sends_clients_to_the_dav_root(client):
    response = client.generic("PROPFIND", "/.well-known/carddav")

    assert response.status_code == 301
    assert response["Location"] == "/dav/"


def test_discovery_leads_from_the_root_to_the_books(client, alice_dav):
    body = '<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>'
    response, content = dav(client, "PROPFIND", "/dav/", alice_dav, body, HTTP_DEPTH="0")
    assert response.status_code == 207
    found, _gone = responses(content)
    principal = found["/dav/"]["current-user-principal"].findtext("d:href", namespaces=NS)
    assert principal == "/dav/principals/alice/"

    body = (
        '<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">'
        "<d:prop><card:addressbook-home-set/><d:nonsense/></d:prop></d:propfind>"
    )
    response, content = dav(client, "PROPFIND", principal, alice_dav, body, HTTP_DEPTH="0")
    found, _gone = responses(content)
    home = found[principal]["addressbook-home-set"].findtext("d:href", namespaces=NS)
    assert home == "/dav/addressbooks/alice/"
    assert "<d:nonsense/></d:prop><d:status>HTTP/1.1 404 Not Found" in content

    response, content = dav(client, "PROPFIND", home, alice_dav, PROPS, HTTP_DEPTH="1")
    found, _gone = responses(content)
    assert set(found) == {home, f"{home}mine/", f"{home}all/"}
    book = found[f"{home}all/"]
    assert book["resourcetype"].find("card:addressbook", NS) is not None
    assert book["displayname"].text == "All visible contacts"
    assert book["getctag"].text and book["sync-token"].text


def test_options_names_the_dav_classes(client, alice_dav):
    response, _content = dav(client, "OPTIONS", "/dav/addressbooks/alice/all/", alice_dav)

    assert response.status_code == 200
    assert response["DAV"] == "1, 3, addressbook"
    assert "PROPFIND" in response["Allow"] and "PUT" in response["Allow"]


def test_a_book_lists_the_contacts_visible_to_its_user_with_their_etags(
    client, alice, bob, make_contact, alice_dav, bob_dav
):
    own = make_contact(first_name="Own", last_name="Private")
    public = make_contact(first_name="Pub", last_name="Lic", access=Contact.Access.PUBLIC_READ)
    bobs = make_contact(by=bob, first_name="Bobs", last_name="Secret")

    _response, content = dav(
        client, "PROPFIND", "/dav/addressbooks/alice/all/", alice_dav, PROPS, HTTP_DEPTH="1"
    )
    found, _gone = responses(content)
    cards = {href: props["getetag"].text for href, props in found.items() if href.endswith(".vcf")}
    assert cards == {
        f"/dav/addressbooks/alice/all/{own.pk}.vcf": f'"{own.pk}-{own.version}"',
        f"/dav/addressbooks/alice/all/{public.pk}.vcf": f'"{public.pk}-{public.version}"',
    }
    _response, content = dav(
        client, "PROPFIND", "/dav/addressbooks/bob/all/", bob_dav, PROPS, HTTP_DEPTH="1"
    )
    found, _gone = responses(content)
    assert {href for href in found if href.endswith(".vcf")} == {
        f"/dav/addressbooks/bob/all/{public.pk}.vcf",
        f"/dav/addressbooks/bob/all/{bobs.pk}.vcf",
    }
    assert "Own" not in content and "Private" not in content


def test_my_contacts_are_those_i_am_responsible_for(client, alice, bob, make_contact, bob_dav):
    make_contact(first_name="Alices", access=Contact.Access.PUBLIC_RW)
    bobs = make_contact(by=bob, first_name="Bobs")

    _response, content = dav(
        client, "PROPFIND", "/dav/addressbooks/bob/mine/", bob_dav, PROPS, HTTP_DEPTH="1"
    )
    found, _gone = responses(content)
    assert {href for href in found if href.endswith(".vcf")} == {
        f"/dav/addressbooks/bob/mine/{bobs.pk}.vcf"
    }


def test_get_returns_the_vcard_with_its_etag_and_uid(client, make_contact, alice_dav):
    contact = make_contact(first_name="Jeanne", last_name="Arc", job_title="Pilot")

    response, content = dav(
        client, "GET", f"/dav/addressbooks/alice/mine/{contact.pk}.vcf", alice_dav
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["ETag"] == f'"{contact.pk}-{contact.version}"'
    assert "FN:Jeanne Arc" in content and "TITLE:Pilot" in content
    assert f"UID:{books.uid_of(contact.pk)}" in content
    again, _content = dav(
        client,
        "GET",
        f"/dav/addressbooks/alice/mine/{contact.pk}.vcf",
        alice_dav,
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304


def test_a_card_is_vcard_3_unless_the_client_asks_for_4(client, alice, make_contact, alice_dav):
    company = make_contact("company", company_name="Radium Institute")
    company.infos.create(kind="phone", category="work", value="01 23 45 67 89", is_primary=True)
    url = f"/dav/addressbooks/alice/mine/{company.pk}.vcf"

    response, card = dav(client, "GET", url, alice_dav)
    asked, modern = dav(client, "GET", url, alice_dav, HTTP_ACCEPT="text/vcard; version=4.0")

    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    lines = card.splitlines()
    assert "VERSION:3.0" in lines and "X-ADDRESSBOOKSERVER-KIND:org" in lines
    assert "N:;;;;" in lines  # a 3.0 card must have one, a company's too
    assert "TEL;TYPE=work,voice,pref:01 23 45 67 89" in lines
    assert asked["Content-Type"] == "text/vcard; charset=utf-8; version=4.0"
    assert "VERSION:4.0" in modern.splitlines() and "KIND:org" in modern.splitlines()
    assert "TEL;PREF=1;TYPE=work,voice:01 23 45 67 89" in modern.splitlines()


def test_a_report_gives_the_vcard_version_its_address_data_names(client, contact, alice_dav):
    book = "/dav/addressbooks/alice/all/"
    body = f"""<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="{NS["card"]}">
    <d:prop><d:getetag/><card:address-data{{}}/></d:prop><d:href>{book}{contact.pk}.vcf</d:href>
    </card:addressbook-multiget>"""

    _response, plain = dav(client, "REPORT", book, alice_dav, body.format(""))
    _response, modern = dav(
        client, "REPORT", book, alice_dav, body.format(' content-type="text/vcard" version="4.0"')
    )

    card = responses(plain)[0][f"{book}{contact.pk}.vcf"]["address-data"].text
    assert "VERSION:3.0" in card.splitlines()
    card = responses(modern)[0][f"{book}{contact.pk}.vcf"]["address-data"].text
    assert "VERSION:4.0" in card.splitlines()


def test_a_card_names_the_company_only_to_who_may_see_it(client, make_contact, alice_dav, bob_dav):
    secret = make_contact("company", company_name="Secret Labs")
    person = make_contact(last_name="Curie", access="public_read", company=secret)

    _response, alices = dav(
        client, "GET", f"/dav/addressbooks/alice/all/{person.pk}.vcf", alice_dav
    )
    _response, bobs = dav(client, "GET", f"/dav/addressbooks/bob/all/{person.pk}.vcf", bob_dav)

    assert "ORG:Secret Labs" in alices.splitlines()
    assert "FN:Jean Curie" in bobs.splitlines()
    assert "Secret Labs" not in bobs


def test_another_users_private_contact_is_never_fetched(client, alice, make_contact, bob_dav):
    contact = make_contact(first_name="Hidden", last_name="Person")

    for book in ("all", "mine"):
        response, content = dav(
            client, "GET", f"/dav/addressbooks/bob/{book}/{contact.pk}.vcf", bob_dav
        )
        assert response.status_code == 404
        assert "Hidden" not in content


def test_another_users_addresses_answer_404(client, alice, make_contact, bob_dav):
    contact = make_contact(access=Contact.Access.PUBLIC_READ)
    for path in (
        "/dav/principals/alice/",
        "/dav/addressbooks/alice/",
        "/dav/addressbooks/alice/all/",
        f"/dav/addressbooks/alice/all/{contact.pk}.vcf",
    ):
        response, _content = dav(client, "PROPFIND", path, bob_dav, PROPS, HTTP_DEPTH="0")
        assert response.status_code == 404, path
        response, _content = dav(client, "GET", path, bob_dav)
        assert response.status_code == 404, path


def test_multiget_returns_the_cards_asked_for_and_404_for_the_others(
    client, alice, bob, make_contact, alice_dav
):
    mine = make_contact(first_name="Mine")
    bobs = make_contact(by=bob, first_name="Secretive")
    book = "/dav/addressbooks/alice/all/"
    body = f"""<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="{NS["card"]}">
    <d:prop><d:getetag/><card:address-data/></d:prop>
    <d:href>{book}{mine.pk}.vcf</d:href><d:href>{book}{bobs.pk}.vcf</d:href>
    <d:href>{book}999999.vcf</d:href><d:href>/dav/addressbooks/bob/all/{bobs.pk}.vcf</d:href>
    </card:addressbook-multiget>"""

    response, content = dav(client, "REPORT", book, alice_dav, body, HTTP_DEPTH="1")

    assert response.status_code == 207
    found, gone = responses(content)
    assert set(found) == {f"{book}{mine.pk}.vcf"}
    assert "FN:Mine Dupont" in found[f"{book}{mine.pk}.vcf"]["address-data"].text
    assert gone == {
        f"{book}{bobs.pk}.vcf",
        f"{book}999999.vcf",
        f"/dav/addressbooks/bob/all/{bobs.pk}.vcf",
    }
    assert "Secretive" not in content


SYNC = """<d:sync-collection xmlns:d="DAV:">
<d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"""


def sync(client, auth, token=""):
    response, content = dav(
        client, "REPORT", "/dav/addressbooks/alice/all/", auth, SYNC.format(token)
    )
    if response.status_code != 207:
        return response, content, None, None
    found, gone = responses(content)
    new_token = ElementTree.fromstring(content).findtext("d:sync-token", namespaces=NS)
    return response, found, gone, new_token


def test_sync_collection_sends_everything_then_what_changed_and_what_was_trashed(
    client, alice, make_contact, alice_dav
):
    first = make_contact(first_name="First")
    second = make_contact(first_name="Second")
    book = "/dav/addressbooks/alice/all/"

    response, found, gone, token = sync(client, alice_dav)
    assert set(found) == {f"{book}{first.pk}.vcf", f"{book}{second.pk}.vcf"}
    assert token.startswith("http://crm.invalid/ns/sync/")

    _response, found, gone, _token = sync(client, alice_dav, token)
    # Changed within the margin before the token: sent again, in case.
    assert set(found) == {f"{book}{first.pk}.vcf", f"{book}{second.pk}.vcf"}
    Contact.objects.update(updated_at=first.updated_at.replace(year=2020))
    _response, found, gone, _token = sync(client, alice_dav, token)
    assert found == {} and gone == set()

    data = ContactData(
        kind="person",
        fields={"first_name": "Changed", "last_name": "X"},
        access="private",
        responsible=[alice],
    )
    contact_update(by=alice, contact=first, data=data)
    contact_delete(by=alice, contact=second)
    _response, found, gone, _token = sync(client, alice_dav, token)
    assert set(found) == {f"{book}{first.pk}.vcf"}
    first.refresh_from_db()
    assert found[f"{book}{first.pk}.vcf"]["getetag"].text == f'"{first.pk}-{first.version}"'
    assert gone == {f"{book}{second.pk}.vcf"}


def test_a_contact_that_left_access_makes_the_token_invalid(
    client, alice, bob, make_contact, bob_dav
):
    contact = make_contact(access=Contact.Access.PUBLIC_READ)
    response, content = dav(
        client, "REPORT", "/dav/addressbooks/bob/all/", bob_dav, SYNC.format("")
    )
    token = ElementTree.fromstring(content).findtext("d:sync-token", namespaces=NS)
    data = ContactData(
        kind="person",
        fields={"first_name": "Jean", "last_name": "Dupont"},
        access=Contact.Access.PRIVATE,
        responsible=[alice],
    )
    contact_update(by=alice, contact=contact, data=data)

    response, content = dav(
        client, "REPORT", "/dav/addressbooks/bob/all/", bob_dav, SYNC.format(token)
    )

    assert response.status_code == 403
    assert "<d:valid-sync-token/>" in content


def test_a_made_up_sync_token_is_refused_with_the_precondition(client, alice_dav):
    for token in (
        "nonsense",
        "http://crm.invalid/ns/sync/99999999999999999999999-abc",
        "http://crm.invalid/ns/sync/1-abc",
    ):
        response, content, _gone, _token = sync(client, alice_dav, token)
        assert response.status_code == 403, token
        assert "<d:valid-sync-token/>" in content


@pytest.mark.parametrize("method", ["PROPPATCH", "MKCOL", "POST", "MOVE"])
def test_writing_methods_other_than_put_and_delete_are_refused(client, contact, alice_dav, method):
    response, content = dav(
        client, method, f"/dav/addressbooks/alice/all/{contact.pk}.vcf", alice_dav, "BEGIN:VCARD"
    )

    assert response.status_code == 403
    assert "nothing else" in content
    assert Contact.objects.filter(pk=contact.pk, version=contact.version).exists()


@pytest.mark.parametrize(
    "body",
    [
        "<d:propfind xmlns:d='DAV:'><d:prop>",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        '<d:propfind xmlns:d="DAV:"><d:prop>&a;</d:prop></d:propfind>',
        "<d:propfind xmlns:d='DAV:'><d:nothing/></d:propfind>",
        "\x00\xff",
    ],
)
def test_a_bad_body_is_a_400_with_a_dav_error(client, alice_dav, body):
    response, content = dav(
        client, "PROPFIND", "/dav/addressbooks/alice/all/", alice_dav, body, HTTP_DEPTH="0"
    )

    assert response.status_code == 400
    assert "<d:error" in content


def test_an_unknown_report_is_refused(client, alice_dav):
    body = '<card:addressbook-nonsense xmlns:card="urn:ietf:params:xml:ns:carddav"/>'
    response, content = dav(client, "REPORT", "/dav/addressbooks/alice/all/", alice_dav, body)

    assert response.status_code == 403
    assert "<d:supported-report/>" in content


def test_depth_infinity_on_a_collection_is_refused(client, alice_dav):
    response, content = dav(
        client, "PROPFIND", "/dav/addressbooks/alice/", alice_dav, PROPS, HTTP_DEPTH="infinity"
    )

    assert response.status_code == 403
    assert "propfind-finite-depth" in content


def test_a_report_elsewhere_than_on_a_book_is_refused(client, alice_dav):
    body = '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:prop/></d:sync-collection>'
    response, content = dav(client, "REPORT", "/dav/addressbooks/alice/", alice_dav, body)

    assert response.status_code == 403
    assert "<d:supported-report/>" in content


def test_a_collection_without_its_last_slash_is_answered_too(client, contact, alice_dav):
    response, content = dav(
        client, "PROPFIND", "/dav/addressbooks/alice/mine", alice_dav, PROPS, HTTP_DEPTH="1"
    )

    assert response.status_code == 207
    found, _gone = responses(content)
    assert f"/dav/addressbooks/alice/mine/{contact.pk}.vcf" in found


def test_a_books_members_are_streamed(client, make_contact, alice_dav):
    for n in range(3):
        make_contact(first_name=f"Streamed{n}")

    response = client.generic(
        "PROPFIND", "/dav/addressbooks/alice/all/", PROPS, HTTP_DEPTH="1", **alice_dav
    )

    assert response.status_code == 207 and response.streaming
    content = b"".join(response.streaming_content).decode()
    assert content.count("<d:response>") == 4  # the book and its 3 cards


def test_a_visible_contact_of_someone_else_is_in_all_but_not_in_mine(
    client, bob, make_contact, alice_dav
):
    public = make_contact(by=bob, first_name="Shared", access=Contact.Access.PUBLIC_READ)

    mine, _content = dav(client, "GET", f"/dav/addressbooks/alice/mine/{public.pk}.vcf", alice_dav)
    everyone, content = dav(
        client, "GET", f"/dav/addressbooks/alice/all/{public.pk}.vcf", alice_dav
    )

    assert mine.status_code == 404
    assert everyone.status_code == 200 and "FN:Shared Dupont" in content


def test_a_trashed_contact_is_no_longer_fetched(client, alice, contact, alice_dav):
    contact_delete(by=alice, contact=contact)

    response, _content = dav(
        client, "GET", f"/dav/addressbooks/alice/all/{contact.pk}.vcf", alice_dav
    )

    assert response.status_code == 404


def test_hrefs_that_name_no_card_are_each_a_404(client, alice_dav):
    book = "/dav/addressbooks/alice/all/"
    hrefs = ["", "not a path", f"{book}abc.vcf", f"{book}{'9' * 30}.vcf", "http://x/%ZZ"]
    body = (
        f'<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="{NS["card"]}">'
        + "".join(f"<d:href>{href}</d:href>" for href in hrefs)
        + "</card:addressbook-multiget>"
    )

    response, content = dav(client, "REPORT", book, alice_dav, body)

    assert response.status_code == 207
    found, gone = responses(content)
    assert found == {} and gone == set(hrefs)


def test_propname_lists_the_names_alone(client, contact, alice_dav):
    body = '<d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>'

    response, content = dav(
        client, "PROPFIND", "/dav/addressbooks/alice/all/", alice_dav, body, HTTP_DEPTH="0"
    )

    assert response.status_code == 207
    assert "<cs:getctag/>" in content and "<d:sync-token/>" in content
    assert "All visible contacts" not in content


def test_head_gives_a_cards_headers_without_it(client, contact, alice_dav):
    path = f"/dav/addressbooks/alice/all/{contact.pk}.vcf"
    full, card = dav(client, "GET", path, alice_dav)

    head, content = dav(client, "HEAD", path, alice_dav)

    assert head.status_code == 200 and content == ""
    assert head["ETag"] == full["ETag"]
    assert head["Content-Length"] == str(len(card.encode()))
