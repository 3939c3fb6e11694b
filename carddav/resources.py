"""What a client finds at each DAV address, and the properties each answers.

The tree, every path but the root the signed-in user's own (another user's answers 404):
/dav/ → principals/<user>/ → addressbooks/<user>/ (the home set) → mine/ and all/ (the
books) → <contact id>.vcf (the cards). A property is computed only when it is asked for:
a book's ctag and sync token each read the whole book.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from django.contrib.auth.models import User
from django.utils.http import http_date

from carddav import books, dav
from carddav.dav import CALENDARSERVER, CARDDAV, DAV, tag
from carddav.models import PhoneCard

CARD_TYPE = "text/vcard; charset=utf-8"
SYNC_URI = "http://crm.invalid/ns/sync/"
# Phones offer to edit a book's cards only where it says they may be written; a card a
# user may only read is refused when it is put (403, with the reason).
PRIVILEGES = (
    "<d:privilege><d:read/></d:privilege>"
    "<d:privilege><d:read-current-user-privilege-set/></d:privilege>"
    "<d:privilege><d:write/></d:privilege>"
    "<d:privilege><d:write-content/></d:privilege>"
    "<d:privilege><d:bind/></d:privilege>"
    "<d:privilege><d:unbind/></d:privilege>"
)
CARD_PATH = re.compile(r"^/dav/addressbooks/(?P<user>[^/]+)/(?P<book>[^/]+)/(?P<name>[^/]+)$")
# The CRM's own name of a card: its contact's id. A phone's card has the name it chose.
CRM_CARD_NAME = re.compile(r"(?P<pk>[0-9]{1,18})\.vcf")

Property = Callable[[], str]
# What a PROPFIND asking for the properties' names alone (propname) wants: this very list.
PROPNAME: list[str] = []


def _user_part(user: User) -> str:
    return quote(user.get_username(), safe="@+.-_")


def principal_path(user: User) -> str:
    return f"/dav/principals/{_user_part(user)}/"


def home_path(user: User) -> str:
    return f"/dav/addressbooks/{_user_part(user)}/"


def book_path(user: User, book: str) -> str:
    return f"{home_path(user)}{book}/"


def card_path(user: User, book: str, pk: int, name: str | None = None) -> str:
    """Return the address of a contact's card: the name a phone gave it, else its id's."""
    return f"{book_path(user, book)}{quote(name) if name else f'{pk}.vcf'}"


def card_ids(user: User, book: str, hrefs: list[str]) -> dict[str, int | None]:
    """Return the contact id each client's href names in user's book (None: none)."""
    names = {}
    for href in hrefs:
        match = CARD_PATH.match(unquote(urlsplit(href.strip()).path))
        if match is not None and match["book"] == book and match["user"] == user.get_username():
            names[href] = match["name"]
    phones = dict(
        PhoneCard.objects.filter(
            name__in=[n for n in names.values() if not CRM_CARD_NAME.fullmatch(n)]
        ).values_list("name", "contact_id")
    )
    return {href: contact_id(names.get(href, ""), phones) for href in hrefs}


def contact_id(name: str, phones: dict[str, int] | None = None) -> int | None:
    """Return the contact id a card's name gives: its own, or the one a phone gave it
    (looked up in phones, {name: id}, or read when phones is None)."""
    crm = CRM_CARD_NAME.fullmatch(name)
    if crm:
        return int(crm["pk"])
    if phones is None:
        return PhoneCard.objects.filter(name=name).values_list("contact_id", flat=True).first()
    return phones.get(name)


@dataclass
class Resource:
    """One address of the tree: its path, whether it has members, its properties."""

    path: str
    properties: dict[str, Property] = field(default_factory=dict)
    book: str = ""  # the book it is or holds
    pk: int = 0  # a card's contact

    def answer(self, wanted: list[str] | None) -> str:
        """Write this resource's <response>: wanted properties, all when None, or only
        their names when wanted is PROPNAME."""
        if wanted is PROPNAME:
            return dav.response(self.path, dict.fromkeys(self.properties, ""))
        names = list(self.properties) if wanted is None else wanted
        found = {name: self.properties[name]() for name in names if name in self.properties}
        return dav.response(self.path, found, [name for name in names if name not in found])


def _common(user: User) -> dict[str, Property]:
    return {
        tag(DAV, "current-user-principal"): lambda: dav.href(principal_path(user)),
        tag(DAV, "current-user-privilege-set"): lambda: PRIVILEGES,
        tag(DAV, "owner"): lambda: dav.href(principal_path(user)),
    }


def root(user: User) -> Resource:
    props = {
        tag(DAV, "resourcetype"): lambda: "<d:collection/>",
        tag(DAV, "displayname"): lambda: "CRM",
        **_common(user),
    }
    return Resource("/dav/", props)


def principal(user: User) -> Resource:
    props = {
        tag(DAV, "resourcetype"): lambda: "<d:collection/><d:principal/>",
        tag(DAV, "displayname"): lambda: dav.text(user.get_full_name() or user.get_username()),
        tag(DAV, "principal-URL"): lambda: dav.href(principal_path(user)),
        tag(CARDDAV, "addressbook-home-set"): lambda: dav.href(home_path(user)),
        **_common(user),
    }
    return Resource(principal_path(user), props)


def home(user: User) -> Resource:
    props = {
        tag(DAV, "resourcetype"): lambda: "<d:collection/>",
        tag(DAV, "displayname"): lambda: "Address books",
        **_common(user),
    }
    return Resource(home_path(user), props)


def book(user: User, name: str, title: str) -> Resource:
    reports = "".join(
        f"<d:supported-report><d:report>{report}</d:report></d:supported-report>"
        for report in (
            "<card:addressbook-multiget/>",
            "<card:addressbook-query/>",
            "<d:sync-collection/>",
        )
    )
    props = {
        tag(DAV, "resourcetype"): lambda: "<d:collection/><card:addressbook/>",
        tag(DAV, "displayname"): lambda: dav.text(title),
        tag(CARDDAV, "addressbook-description"): lambda: dav.text(title),
        tag(CARDDAV, "supported-address-data"): lambda: (
            '<card:address-data-type content-type="text/vcard" version="3.0"/>'
            '<card:address-data-type content-type="text/vcard" version="4.0"/>'
        ),
        tag(CALENDARSERVER, "getctag"): lambda: dav.text(books.ctag(user, name)),
        tag(DAV, "sync-token"): lambda: dav.text(SYNC_URI + books.new_token(user, name)),
        tag(DAV, "supported-report-set"): lambda: reports,
        **_common(user),
    }
    return Resource(book_path(user, name), props, book=name)


def card(user: User, name: str, row: books.CardRow) -> Resource:
    pk, version, updated_at, display_name, card_name = row
    props = {
        tag(DAV, "resourcetype"): lambda: "",
        tag(DAV, "getetag"): lambda: dav.text(books.etag(pk, version)),
        tag(DAV, "getcontenttype"): lambda: CARD_TYPE,
        tag(DAV, "getlastmodified"): lambda: http_date(updated_at.timestamp()),
        tag(DAV, "displayname"): lambda: dav.text(display_name),
        **_common(user),
    }
    return Resource(card_path(user, name, pk, card_name), props, book=name, pk=pk)
