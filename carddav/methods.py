"""The WebDAV and CardDAV methods the address books answer to read.

PROPFIND lists properties (a book's cards streamed, a chunk of rows at a time); REPORT
answers addressbook-multiget (the cards of given hrefs) and sync-collection (what changed
since a sync token); GET returns one card. A card's PUT and DELETE are carddav.writes';
the other writing methods are refused with a 403 that says why, before any body is read.
"""

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from xml.etree.ElementTree import Element  # noqa: S405 - only the type; parsing is defused

from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse

from carddav import books, dav, query, resources
from carddav.dav import CARDDAV, DAV, tag
from carddav.resources import Resource
from contacts.models import Contact

# How a collection lists its members; None for a card.
Members = Callable[[], Iterator[Resource]] | None

READ_METHODS = ("OPTIONS", "GET", "HEAD", "PROPFIND", "REPORT")
# A card is written by PUT and deleted by DELETE (carddav.writes); the rest is the CRM's.
WRITE_METHODS = ("PUT", "DELETE", "PROPPATCH", "MKCOL", "POST", "MOVE", "COPY", "LOCK", "UNLOCK")
ALLOW = ", ".join((*READ_METHODS, "PUT", "DELETE"))
# A multiget names at most this many cards. Some clients ask for a whole book in one
# (vdirsyncer's first sync does): the request body's limit (DATA_UPLOAD_MAX_MEMORY_SIZE)
# is reached about there anyway.
MAX_HREFS = 100_000
ADDRESS_DATA = tag(CARDDAV, "address-data")
MULTIGET = tag(CARDDAV, "addressbook-multiget")
QUERY = tag(CARDDAV, "addressbook-query")
SYNC_COLLECTION = tag(DAV, "sync-collection")


def options() -> HttpResponseBase:
    answer = HttpResponse(status=200)
    answer["DAV"] = "1, 3, addressbook"
    answer["Allow"] = ALLOW
    answer["Content-Length"] = "0"
    return answer


def get(request: HttpRequest, user: User, resource: Resource, members: Members) -> HttpResponseBase:
    """Answer GET: a card's vCard (304 when the client has this version), or a word."""
    if members is not None or not resource.pk:
        message = "An address book server: add it to your contacts app as a CardDAV account."
        return HttpResponse(message, content_type="text/plain; charset=utf-8")
    contacts = books.book_contacts(user, resource.book).filter(pk=resource.pk)
    version = books.version_asked(request.META.get("HTTP_ACCEPT"))
    found = next(books.cards_of(user, contacts, version), None)
    if found is None:  # gone since the view found it
        return dav.error(404, tag(dav.CRM, "not-found"), "Nothing here.")
    contact, card = found
    etag = books.etag(contact.pk, contact.version)
    if request.META.get("HTTP_IF_NONE_MATCH", "").strip() == etag:
        answer = HttpResponse(status=304)
    else:
        media_type = (
            resources.CARD_TYPE
            if version == books.DEFAULT_VERSION
            else f"{resources.CARD_TYPE}; version={version}"
        )
        answer = HttpResponse(card, content_type=media_type)
        if request.method == "HEAD":  # the headers of a GET, its length too, without the card
            answer["Content-Length"] = str(len(answer.content))
            answer.content = b""
    answer["ETag"] = etag
    return answer


def no_report() -> HttpResponseBase:
    return dav.error(403, tag(DAV, "supported-report"), "This report is not supported here.")


def read_only() -> HttpResponseBase:
    return dav.error(
        403,
        tag(DAV, "need-privileges"),
        "A phone writes cards (PUT) and deletes them (DELETE), nothing else: "
        "change the rest in the CRM.",
    )


def not_allowed() -> HttpResponseBase:
    answer = dav.error(405, tag(DAV, "method-not-allowed"), "This method is not supported here.")
    answer["Allow"] = ALLOW
    return answer


def body_of(request: HttpRequest) -> Element | None:
    """Return the request's XML, None when empty; raise dav.BadRequestBody."""
    try:
        return dav.parse(request.body)
    except RequestDataTooBig as exc:
        raise dav.BadRequestBody("The body is too large.") from exc


def bad_body(reason: str) -> HttpResponseBase:
    return dav.error(
        400, tag(dav.CRM, "bad-request-body"), f"The XML body cannot be read: {reason}"
    )


def wanted_properties(root: Element | None) -> list[str] | None:
    """Return the property names a PROPFIND (or REPORT) asks for, None for all of them."""
    if root is None or root.find(tag(DAV, "allprop")) is not None:
        return None
    prop = root.find(tag(DAV, "prop"))
    if prop is None:
        if root.find(tag(DAV, "propname")) is not None:
            return resources.PROPNAME
        raise dav.BadRequestBody("no prop, allprop or propname")
    return [child.tag for child in prop if isinstance(child.tag, str)]


def multistatus(responses: Iterable[str], tail: str = "") -> StreamingHttpResponse:
    answer = StreamingHttpResponse(dav.multistatus(responses, tail), content_type=dav.XML_TYPE)
    answer.status_code = 207
    return answer


def propfind(
    request: HttpRequest, user: User, resource: Resource, members: Members
) -> HttpResponseBase:
    """Answer PROPFIND: the resource, and its members at depth 1 (members() yields them)."""
    depth = request.META.get("HTTP_DEPTH", "infinity").strip().lower()
    if depth not in ("0", "1"):
        if members is not None:
            return dav.error(403, tag(DAV, "propfind-finite-depth"), "Depth 0 or 1 only.")
        depth = "0"
    try:
        wanted = wanted_properties(body_of(request))
    except dav.BadRequestBody as exc:
        return bad_body(str(exc))
    responses = [resource.answer(wanted)]
    if depth == "1" and members is not None:
        return multistatus(chain(responses, (member.answer(wanted) for member in members())))
    return multistatus(responses)


def book_members(user: User, book: str) -> Iterator[Resource]:
    for row in books.card_rows(books.book_contacts(user, book)):
        yield resources.card(user, book, row)


def report(request: HttpRequest, user: User, book: str) -> HttpResponseBase:
    """Answer REPORT on a book: addressbook-multiget, addressbook-query or sync-collection."""
    try:
        root = body_of(request)
        if root is None:
            raise dav.BadRequestBody("a REPORT needs a body")
        if root.tag not in (MULTIGET, SYNC_COLLECTION, QUERY):
            return no_report()
        # Without a prop (or with allprop), what every client of a report wants.
        asked = wanted_properties(root) if root.find(tag(DAV, "prop")) is not None else None
        wanted = asked or [tag(DAV, "getetag"), ADDRESS_DATA]
        data = root.find(f"{tag(DAV, 'prop')}/{ADDRESS_DATA}")
        version = books.version_asked(None, data.get("version") if data is not None else "")
    except dav.BadRequestBody as exc:
        return bad_body(str(exc))
    if root.tag == SYNC_COLLECTION:
        return _sync_collection(user, book, root, wanted, version)
    if root.tag == QUERY:
        return _query(user, book, root, wanted, version)
    hrefs = [h.text or "" for h in root.findall(tag(DAV, "href"))]
    if len(hrefs) > MAX_HREFS:
        return bad_body(f"at most {MAX_HREFS} hrefs in one multiget")
    return multistatus(_multiget(user, book, hrefs, wanted, version))


def _card_response(user: User, book: str, contact: Contact, card: str, wanted: list[str]) -> str:
    phone_card = books.phone_card_of(contact)
    name = phone_card.name if phone_card is not None else None
    row = (contact.pk, contact.version, contact.updated_at, contact.display_name, name)
    resource = resources.card(user, book, row)
    resource.properties[ADDRESS_DATA] = lambda: dav.text(card)
    return resource.answer(wanted)


def _multiget(
    user: User, book: str, hrefs: list[str], wanted: list[str], version: str
) -> Iterator[str]:
    ids = resources.card_ids(user, book, hrefs)
    wanted_ids = sorted({pk for pk in ids.values() if pk is not None})
    found: set[int] = set()
    for start in range(0, len(wanted_ids), books.CHUNK):
        chunk = wanted_ids[start : start + books.CHUNK]
        contacts = books.book_contacts(user, book).filter(pk__in=chunk)
        for contact, card in books.cards_of(user, contacts, version):
            found.add(contact.pk)
            yield _card_response(user, book, contact, card, wanted)
    for href, pk in ids.items():
        if pk not in found:
            yield dav.gone(href)


def _query(
    user: User, book: str, root: Element, wanted: list[str], version: str
) -> HttpResponseBase:
    """Answer addressbook-query: the cards that pass its filter, at most its limit's number
    (then a 507 for the book says there were more)."""
    try:
        contacts = query.matching(user, books.book_contacts(user, book), root)
        limit = query.limit_of(root)
    except query.UnsupportedFilter as exc:
        return dav.error(403, tag(CARDDAV, exc.condition), str(exc))
    tail = ""
    if limit is not None:
        ids = list(contacts.order_by("pk").values_list("pk", flat=True)[: limit + 1])
        if len(ids) > limit:
            # The first ones by id: those up to the last one kept, without a list of ids.
            contacts = contacts.filter(pk__lte=ids[limit - 1]) if limit else contacts.none()
            tail = dav.truncated(resources.book_path(user, book), limit)
    return multistatus(_members_with(user, book, contacts, wanted, version), tail)


def _sync_collection(
    user: User, book: str, root: Element, wanted: list[str], version: str
) -> HttpResponseBase:
    given = (root.findtext(tag(DAV, "sync-token")) or "").strip()
    token = books.new_token(user, book)
    tail = f"<d:sync-token>{dav.text(resources.SYNC_URI + token)}</d:sync-token>"
    if not given:
        contacts = books.book_contacts(user, book)
        return multistatus(_members_with(user, book, contacts, wanted, version), tail)
    changes = None
    if given.startswith(resources.SYNC_URI):
        changes = books.changes_since(user, book, given.removeprefix(resources.SYNC_URI))
    if changes is None:
        return dav.error(
            403, tag(DAV, "valid-sync-token"), "This sync token is unknown or too old: sync again."
        )
    # In the order they went, along the trash's index: ordered by id, SQLite read every
    # contact in the order of ids rather than sort the few trashed.
    trashed = (
        dav.gone(resources.card_path(user, book, pk, name))
        for pk, name in changes.trashed.order_by("deleted_at", "pk")
        .values_list("pk", "phone_card__name")
        .iterator()
    )
    changed = _members_with(user, book, changes.changed, wanted, version)
    return multistatus(chain(changed, trashed), tail)


def _members_with(
    user: User, book: str, contacts: QuerySet[Contact], wanted: list[str], version: str
) -> Iterator[str]:
    """Yield the <response> of each contact: whole cards only when address-data is asked."""
    if ADDRESS_DATA in wanted:
        for contact, card in books.cards_of(user, contacts, version):
            yield _card_response(user, book, contact, card, wanted)
        return
    for row in books.card_rows(contacts):
        yield resources.card(user, book, row).answer(wanted)
