"""The address books a user syncs: their members, and what changed since a sync token.

The books a user chose in his profile among: "mine", the contacts he is responsible for,
"all", every contact he may see, and "tag-<id>", those of them that carry a tag; each
through contacts_visible_to, so that a phone never holds a contact its owner could not
open in the browser.

A sync token names a moment, how many members the book had then and the user's roles.
At the next sync the members changed since the moment are sent, and those moved to the
trash since are reported gone. A member may also leave in a way the CRM keeps no trace
of on the contact (access taken away, a tag removed, purged from the trash): the count
and the contacts' history tell whether one may have (changes_since), and then the token
is refused: the client syncs the whole book again, which is always right. What a sync
reads follows what changed since the token, not the size of the book.
"""

import base64
import datetime
import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from taggit.models import Tag

from accounts.address_books import address_books_of
from carddav.models import PhoneCard
from contacts.access import (
    contacts_visible_to,
    count_visible_to,
    is_crm_admin,
    sees_public_contacts,
    with_company_visibility,
)
from contacts.exports.services import vcard
from contacts.models import Address, Contact, ContactEvent, ContactInfo, TaggedContact

BOOKS = {"mine": "My contacts", "all": "All visible contacts"}
# A book made from a tag: "tag-<tag id>", the id and not the name, which may change.
TAG_BOOK = re.compile(r"^tag-(?P<pk>[0-9]{1,18})$")
# Changes are read from this long before the token's moment: a contact saved just before
# it, in a transaction that committed just after, is not missed.
MARGIN = datetime.timedelta(seconds=10)
# Rows read per query when a book is listed: memory stays flat however long the book.
CHUNK = 1000
# What may bring a contact into a book or take it out, as its history records it.
MOVING_FIELDS = frozenset({"access", "responsible", "tags"})
MOVING_VERBS = frozenset(
    {ContactEvent.Verb.HANDED_OVER, ContactEvent.Verb.RESTORED, ContactEvent.Verb.MERGED}
)
# The last is the name a phone gave the card of a contact it created (None: "<id>.vcf").
CARD_FIELDS = ("pk", "version", "updated_at", "display_name", "phone_card__name")
# The vCard every CardDAV client reads, the one RFC 6352 makes a server give; 4.0 when a
# client asks for it.
DEFAULT_VERSION = "3.0"
# A stored photo is far smaller; a larger file is not a photo the CRM made.
PHOTO_MAX_BYTES = 1_000_000


def offered_books(user: User) -> dict[str, str]:
    """Return {book: its name} of the books user chose to be offered, in his order."""
    chosen = address_books_of(user)
    offered = {
        book: BOOKS[book]
        for book, wanted in (("mine", chosen.mine), ("all", chosen.everyone))
        if wanted
    }
    offered.update({f"tag-{tag.pk}": tag.name for tag in chosen.tags})
    return offered


def book_contacts(
    user: User, book: str, queryset: QuerySet[Contact] | None = None
) -> QuerySet[Contact]:
    """Return the contacts of user's book (queryset narrows them: the trash, some ids)."""
    contacts = Contact.objects.all() if queryset is None else queryset
    if book == "mine":
        contacts = contacts.filter(responsible=user)
    elif match := TAG_BOOK.match(book):
        tagged = TaggedContact.objects.filter(
            tag_id=int(match["pk"]), content_object=OuterRef("pk")
        )
        contacts = contacts.filter(Exists(tagged))
    elif book != "all":
        return contacts.none()
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
    """Yield each contact with its vCard, a chunk of contacts read at a time with what
    the card writes; a person's company (ORG) only where user may see it."""
    contacts = with_company_visibility(user, contacts.order_by("pk"))
    contacts = contacts.select_related("company", "phone_card")
    contacts = contacts.prefetch_related(
        Prefetch("infos", queryset=ContactInfo.objects.all()),
        Prefetch("addresses", queryset=Address.objects.all()),
    )
    chunk: list[Contact] = []
    for contact in contacts.iterator(chunk_size=CHUNK):
        chunk.append(contact)
        if len(chunk) == CHUNK:
            yield from _cards(chunk, version)
            chunk = []
    yield from _cards(chunk, version)


def _cards(contacts: list[Contact], version: str) -> Iterator[tuple[Contact, str]]:
    # The tags of a chunk in one query, held as Django's prefetch holds them (what
    # prefetch_one_level sets): taggit's own prefetch builds a filtered query object per
    # contact to hold them, which took a third of the time of reading a book.
    tags: dict[int, list[Tag]] = {contact.pk: [] for contact in contacts}
    rows = TaggedContact.objects.filter(content_object_id__in=list(tags)).select_related("tag")
    for row in rows.order_by("pk"):
        tags[row.content_object_id].append(row.tag)
    for contact in contacts:
        held = Tag.objects.all()
        held._result_cache, held._prefetch_done = tags[contact.pk], True  # type: ignore[attr-defined]
        contact._prefetched_objects_cache["tags"] = held  # type: ignore[attr-defined]
        card = vcard(contact, uid=card_uid(contact), version=version)
        yield contact, with_photo(card, contact.photo.name or "", version)


def with_photo(card: str, name: str, version: str) -> str:
    """Return card with the contact's photo inline, read from storage now: a book's cards
    each hold one photo in memory at a time, however many are streamed.

    The photo kept is already a phone's size (at most 200 by 300 pixels, re-encoded when
    it was saved); the 64-pixel thumbnail would be blurred on a phone's contact screen.
    """
    if not name:
        return card
    try:
        with default_storage.open(name, "rb") as photo:
            data = base64.b64encode(photo.read(PHOTO_MAX_BYTES + 1)).decode()
    except OSError:  # gone from storage: the card without it
        return card
    if len(data) > PHOTO_MAX_BYTES * 4 // 3 + 4:
        return card
    png = name.endswith(".png")
    if version == "4.0":
        line = f"PHOTO:data:image/{'png' if png else 'jpeg'};base64,{data}"
    else:
        line = f"PHOTO;ENCODING=b;TYPE={'PNG' if png else 'JPEG'}:{data}"
    # Lines of at most 75 characters, the next ones starting with a space (RFC 6350, 3.2).
    folded = "\r\n ".join([line[:75], *(line[i : i + 74] for i in range(75, len(line), 74))])
    end = card.rindex("END:VCARD")
    return f"{card[:end]}{folded}\r\n{card[end:]}"


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


def book_count(user: User, book: str) -> int:
    """Return how many contacts are in user's book now."""
    if book == "all":  # the counts the triggers keep: no row read
        return count_visible_to(user)
    return book_contacts(user, book).count()


def _roles(user: User, book: str) -> str:
    # What "all" holds follows the user's roles: a CRM admin made an ordinary user sees
    # fewer contacts, and no contact's history says so.
    roles = f"{book}:{is_crm_admin(user)}:{sees_public_contacts(user)}"
    return hashlib.sha256(roles.encode()).hexdigest()[:8]


def ctag(user: User, book: str) -> str:
    """Return a text that changes whenever a member of the book changes, comes or goes.

    A member that changes, or comes, is the book's latest change; one that goes changes
    the count.
    """
    last = (
        book_contacts(user, book)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    moment = _micros(last) if last else 0
    return f"{book_count(user, book)}-{moment}-{_roles(user, book)}"


def _micros(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _moment(micros: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(micros / 1_000_000, tz=datetime.UTC)


def new_token(user: User, book: str, moment: datetime.datetime | None = None) -> str:
    """Return the token of the book as it is now: "<moment>-<members>-<roles>".

    moment, when given, is an earlier one: the token a client would have been given then,
    had no member left the book since (what the bench asks an incremental sync with).
    """
    now = timezone.now()  # before the count: a member that comes meanwhile is seen as new
    moment = moment or now
    count = book_count(user, book)
    if moment < now:
        count -= book_contacts(user, book).filter(created_at__gt=moment).count()
    return f"{_micros(moment)}-{count}-{_roles(user, book)}"


def _trashed_since(user: User, book: str, moment: datetime.datetime) -> QuerySet[Contact]:
    return book_contacts(user, book, Contact.all_objects.filter(deleted_at__gte=moment))


def _made_by(contacts: QuerySet[Contact], moment: datetime.datetime) -> QuerySet[Contact]:
    """Return those of contacts created no later than moment.

    Written NOT (created_at > moment), which no index answers (a creation is never
    null), so that the contacts are read along the index of those changed since:
    SQLite, weighing that against created_at <= moment, read along the newest-first
    index every live contact made before the moment, a whole book for a few changes.
    """
    return contacts.exclude(created_at__gt=moment)


def _moved(contacts: QuerySet[Contact], since: datetime.datetime) -> bool:
    """Return whether one of contacts may have come into or left a book since: its history
    records a change of access, responsible users or tags, a hand-over, restore or merge."""
    events = ContactEvent.objects.filter(contact__in=contacts.values("pk"), created_at__gte=since)
    for verb, changes in events.values_list("verb", "changes").iterator():
        if verb in MOVING_VERBS:
            return True
        if any(isinstance(c, dict) and c.get("field") in MOVING_FIELDS for c in changes or ()):
            return True
    return False


@dataclass(frozen=True)
class Changes:
    changed: QuerySet[Contact]
    trashed: QuerySet[Contact]


def changes_since(user: User, book: str, token: str) -> Changes | None:
    """Return what changed in the book since token, or None when token cannot tell.

    Counting tells whether a member left unseen: the members then, less those trashed
    since, are those still in the book from before the moment, unless some left without
    a trace in the trash (access taken away, a tag removed, purged) and as many came
    (access given, a tag added, restored). Coming in is a change the history records:
    when none was (and no contact went), nothing left unseen; when some were, the
    contacts changed since outside the book must not have moved either. Every query
    reads the contacts changed, made or trashed since the token, not the book.
    """
    parts = token.split("-")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 20 for p in parts[:2]):
        return None
    try:
        moment = _moment(int(parts[0]))
    except (OverflowError, OSError, ValueError):
        return None
    if parts[2] != _roles(user, book):
        return None
    since = moment - MARGIN
    members = book_contacts(user, book)
    made = members.filter(created_at__gt=moment).count()
    trashed = _made_by(_trashed_since(user, book, moment), moment).count()
    left = int(parts[1]) - trashed - (book_count(user, book) - made)
    if left > 0:
        return None
    changed = members.filter(updated_at__gte=since)
    if left < 0 or _moved(_made_by(changed, moment), since):
        recent = _made_by(Contact.objects.filter(updated_at__gte=since), moment)
        outside = recent.exclude(pk__in=book_contacts(user, book, recent).values("pk"))
        if _moved(outside, since):
            return None
    return Changes(changed=changed, trashed=_trashed_since(user, book, since))
