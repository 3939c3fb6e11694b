"""The books a user chose in his profile: only those are offered, tag books hold only
what their user may see."""

import pytest
from taggit.models import Tag

from accounts.address_books import address_books_choose
from contacts.models import Contact
from tests.carddav.test_protocol import PROPS, alice_dav, bob_dav, dav, responses

__all__ = ["alice_dav", "bob_dav"]  # fixtures


@pytest.fixture
def vip():
    return Tag.objects.create(name="VIP", slug="vip")


def test_the_home_lists_only_the_chosen_books_and_the_others_answer_404(
    client, alice, vip, alice_dav
):
    address_books_choose(user=alice, mine=False, everyone=True, tags=[vip])
    home = "/dav/addressbooks/alice/"

    _response, content = dav(client, "PROPFIND", home, alice_dav, PROPS, HTTP_DEPTH="1")

    found, _gone = responses(content)
    assert set(found) == {home, f"{home}all/", f"{home}tag-{vip.pk}/"}
    assert found[f"{home}tag-{vip.pk}/"]["displayname"].text == "VIP"
    for path in (f"{home}mine/", f"{home}tag-999/", f"{home}tag-x/"):
        response, _content = dav(client, "PROPFIND", path, alice_dav, PROPS, HTTP_DEPTH="0")
        assert response.status_code == 404, path


def test_a_tag_book_holds_the_visible_contacts_with_the_tag_and_no_other(
    client, alice, bob, vip, make_contact, bob_dav
):
    public = make_contact(first_name="Pub", tags=[vip], access=Contact.Access.PUBLIC_READ)
    make_contact(first_name="Hidden", last_name="Secret", tags=[vip])  # alice's private one
    bobs = make_contact(by=bob, first_name="Bobs", tags=[vip])
    make_contact(by=bob, first_name="Untagged")
    address_books_choose(user=bob, mine=True, everyone=True, tags=[vip])
    book = f"/dav/addressbooks/bob/tag-{vip.pk}/"

    _response, content = dav(client, "PROPFIND", book, bob_dav, PROPS, HTTP_DEPTH="1")

    found, _gone = responses(content)
    assert {href for href in found if href.endswith(".vcf")} == {
        f"{book}{public.pk}.vcf",
        f"{book}{bobs.pk}.vcf",
    }
    assert "Hidden" not in content and "Secret" not in content


def test_a_hidden_contact_with_the_tag_is_never_fetched_from_a_tag_book(
    client, alice, bob, vip, make_contact, bob_dav
):
    hidden = make_contact(first_name="Hidden", tags=[vip])
    untagged = make_contact(by=bob, first_name="Untagged")
    address_books_choose(user=bob, mine=True, everyone=True, tags=[vip])
    book = f"/dav/addressbooks/bob/tag-{vip.pk}/"

    for contact in (hidden, untagged):
        response, content = dav(client, "GET", f"{book}{contact.pk}.vcf", bob_dav)
        assert response.status_code == 404
        assert "Hidden" not in content


def test_a_book_no_longer_chosen_is_no_longer_answered(client, alice, contact, alice_dav):
    url = f"/dav/addressbooks/alice/mine/{contact.pk}.vcf"
    assert dav(client, "GET", url, alice_dav)[0].status_code == 200

    address_books_choose(user=alice, mine=False, everyone=True, tags=[])

    assert dav(client, "GET", url, alice_dav)[0].status_code == 404


def test_a_deleted_tag_takes_its_book_away(client, alice, vip, alice_dav):
    address_books_choose(user=alice, mine=True, everyone=True, tags=[vip])
    pk = vip.pk
    vip.delete()

    response, _content = dav(
        client, "PROPFIND", f"/dav/addressbooks/alice/tag-{pk}/", alice_dav, PROPS, HTTP_DEPTH="0"
    )

    assert response.status_code == 404


def test_a_multiget_of_a_whole_large_book_at_once_is_answered(client, contact, alice_dav):
    book = "/dav/addressbooks/alice/all/"
    hrefs = [f"{book}{contact.pk}.vcf", *(f"{book}{pk}.vcf" for pk in range(10**6, 10**6 + 9999))]
    body = (
        '<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">'
        "<d:prop><d:getetag/></d:prop>"
        + "".join(f"<d:href>{href}</d:href>" for href in hrefs)
        + "</card:addressbook-multiget>"
    )

    response, content = dav(client, "REPORT", book, alice_dav, body)

    assert response.status_code == 207
    found, gone = responses(content)
    assert set(found) == {hrefs[0]} and len(gone) == 9999
