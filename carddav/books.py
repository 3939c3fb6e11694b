"""The address books a user syncs: their members, and what changed since a sync token.

Two books per user: "mine", the contacts he is responsible for, and "all", every contact
he may see; both through contacts_visible_to, so that a phone never holds a contact its
owner could not open in the browser.

A sync token names a moment and a fingerprint of the book's members then (their count
and two sums of their ids). At the next sync the members changed since the moment are
sent, and those moved to the trash since are reported gone; the fingerprint of what is
left must then be the one of the token, else a member left in a way the CRM keeps no
trace of (access taken away, purged from the trash) and the token is refused: the
client syncs the whole book again, which is always right.
"""

import datetime
import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, F, Max, QuerySet, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac

from carddav.models import PhoneCard
from contacts.access import contacts_visible_to, with_company_visibility
from contacts.exports.services import exported_contacts, vcard
from contacts.models import Contact

BOOKS = {"mine": "My contacts", "all": "All visible contacts"}
# Changes are read from this long before the token's moment: a contact saved just before
# it, in a transaction that committed just after, is not missed.
MARGIN = datetime.timedelta(seconds=10)
# Rows read per query when a book is listed: memory stays flat however long the book.
CHUNK = 1000
# A prime under 2**16: the sum of squares stays far from overflowing on any database.
SQUARE_MODULUS = 65521
# The last is the name a phone gave the card of a contact it created (None: "<id>.vcf").
CARD_FIELDS = ("pk", "version", "updated_at", "display_name", "phone_card__name")
# The vCard every CardDAV client reads, the one RFC 6352 makes a server give; 4.0 when a
# client asks for it.
DEFAULT_VERSION = "3.0"


def book_contacts(
    user: User, book: str, queryset: QuerySet[Contact] | None = None
) -> QuerySet[Contact]:
    """Return the contacts of user's book (queryset narrows them: the trash, some ids)."""
    contacts = Contact.objects.all() if queryset is None else queryset
    if book == "mine":
        contacts = contacts.filter(responsible=user)
    return contacts_visible_to(user, contacts)


def etag(pk: int, version: int) -> str:
    """Return a card's ETag: it changes with every version of the contact."""
    return f'"{pk}-{version}"'


def uid_of(pk: int) -> str:
    """Return the UID of a contact's card: stable, and unlike another CRM's for its id."""
    digest = salted_hmac("carddav.uid", str(pk)).digest()
    return f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=4)}"


def phone_card_of(contact: Contact) -> "PhoneCard | None":
    """Return the name and UID a phone gave contact's card, None for the CRM's own."""
    try:
        return contact.phone_card
    except PhoneCard.DoesNotExist:
        return None


def card_uid(contact: Contact) -> str:
    """Return the UID of contact's card: the phone's that created it, else the CRM's."""
    found = phone_card_of(contact)
    return found.uid if found is not None else uid_of(contact.pk)


def cards_of(
    user: User, contacts: QuerySet[Contact], version: str = DEFAULT_VERSION
) -> Iterator[tuple[Contact, str]]:
    """Yield each contact with its vCard, prefetched per chunk as the export does; a
    person's company (ORG) only where user may see it."""
    ordered = with_company_visibility(user, contacts.select_related("phone_card").order_by("pk"))
    for contact in exported_contacts(ordered):
        yield contact, vcard(contact, uid=card_uid(contact), version=version)


def version_asked(media_type: str | None, version: str | None = None) -> str:
    """Return the vCard version a client asks for, in an Accept header's media type or an
    address-data element's version: 4.0 only when it says so."""
    if version is None:
        found = re.search(r"version\s*=\s*\"?([\d.]+)", media_type or "")
        version = found[1] if found else None
    return "4.0" if version == "4.0" else DEFAULT_VERSION


CardRow = tuple[int, int, datetime.datetime, str, str | None]


def card_rows(contacts: QuerySet[Contact]) -> Iterator[CardRow]:
    """Yield (id, version, last change, name, card name) of contacts by id, a chunk at a
    time."""
    rows = contacts.order_by("pk").values_list(*CARD_FIELDS)
    return rows.iterator(chunk_size=CHUNK)


@dataclass(frozen=True)
class Fingerprint:
    count: int = 0
    ids: int = 0
    squares: int = 0

    def __add__(self, other: "Fingerprint") -> "Fingerprint":
        return Fingerprint(
            self.count + other.count, self.ids + other.ids, self.squares + other.squares
        )

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.count}:{self.ids}:{self.squares}".encode()).hexdigest()[:20]


def _aggregate(contacts: QuerySet[Contact]) -> tuple[Fingerprint, datetime.datetime | None]:
    rest = F("pk") % SQUARE_MODULUS
    found = contacts.order_by().aggregate(
        count=Count("pk"), ids=Sum("pk"), squares=Sum(rest * rest), last=Max("updated_at")
    )
    fingerprint = Fingerprint(found["count"], int(found["ids"] or 0), int(found["squares"] or 0))
    return fingerprint, found["last"]


def ctag(user: User, book: str) -> str:
    """Return a text that changes whenever a member of the book changes, comes or goes."""
    fingerprint, last = _aggregate(book_contacts(user, book))
    return f"{fingerprint.digest}-{last.timestamp() if last else 0}"


def _micros(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _moment(micros: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(micros / 1_000_000, tz=datetime.UTC)


def new_token(user: User, book: str, moment: datetime.datetime | None = None) -> str:
    """Return the token of the book as it is now: "<moment>-<fingerprint>".

    moment, when given, is an earlier one: the token a client would have been given then,
    had no member left the book since (what the bench asks an incremental sync with).
    """
    moment = moment or timezone.now()
    fingerprint, _last = _aggregate(book_contacts(user, book).filter(created_at__lte=moment))
    return f"{_micros(moment)}-{fingerprint.digest}"


def _trashed_since(user: User, book: str, moment: datetime.datetime) -> QuerySet[Contact]:
    return book_contacts(user, book, Contact.all_objects.filter(deleted_at__gte=moment))


@dataclass(frozen=True)
class Changes:
    changed: QuerySet[Contact]
    trashed: QuerySet[Contact]


def changes_since(user: User, book: str, token: str) -> Changes | None:
    """Return what changed in the book since token, or None when token cannot tell."""
    moment_text, _dash, digest = token.partition("-")
    if not moment_text.isdigit() or len(moment_text) > 20:
        return None
    try:
        moment = _moment(int(moment_text))
    except (OverflowError, OSError, ValueError):
        return None
    then = Contact.objects.filter(created_at__lte=moment)
    kept, _last = _aggregate(book_contacts(user, book, then))
    trashed, _last = _aggregate(_trashed_since(user, book, moment).filter(created_at__lte=moment))
    if (kept + trashed).digest != digest:
        return None
    since = moment - MARGIN
    return Changes(
        changed=book_contacts(user, book).filter(updated_at__gte=since),
        trashed=_trashed_since(user, book, since),
    )
