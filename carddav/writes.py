"""What a phone writes: a card's vCard put (a new contact, or a change) or deleted.

A card is checked by the contact form itself (contacts.forms.ContactEditor), filled as a
browser would post it, over what the contact holds: what the vCard has no place for
(user fields, access, responsible users, the contact type, the currency; the tags when
the card has no CATEGORIES) stays as it is. The services behind are the form's, with
the phone's app password named in the history. A new contact takes the form's
defaults: private, the phone's user responsible.

The ETags are the cards' (books.etag): If-Match must name the card's current one and
If-None-Match: * refuses to replace a card, so that a phone never overwrites a change it
has not seen (412). A new card is known by its UID first: the phone's own (PhoneCard),
or the CRM's for a contact of that name, so that a phone that uploads again a card it
already has changes that contact rather than making a copy.
"""

import re
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase

from carddav import books, dav, resources, vcards
from carddav.auth import app_password_name
from carddav.dav import CARDDAV, DAV, tag
from carddav.models import PhoneCard
from contacts.access import Perm, contacts_visible_to, get_contact_for_user
from contacts.forms import ContactEditor, posted_data
from contacts.models import Address, Contact, ContactEvent, ContactInfo
from contacts.personal_data import suppression
from contacts.services import ADDRESS_FIELDS, EditConflict, contact_create, contact_update
from contacts.trash.services import contact_delete

METHODS = ("PUT", "DELETE")
# A card with a phone's photo stays far below this; a bigger body is refused unread.
MAX_CARD_BYTES = 1_000_000
CARD_TYPES = ("text/vcard", "text/x-vcard", "text/directory")
# The name a phone may give a new card: what phones use (a UUID, the UID), no path.
CARD_NAME = re.compile(r"[^\x00-\x1f\x7f/\\]{1,255}")


class Refused(Exception):
    """The write is refused: the DAV error to answer."""

    def __init__(self, answer: HttpResponse) -> None:
        super().__init__()
        self.answer = answer


def _refused(code: int, condition: str, message: str) -> Refused:
    return Refused(dav.error(code, condition, message))


def card_write(
    request: HttpRequest, user: User, username: str, book: str, card: str
) -> HttpResponseBase:
    """Answer PUT or DELETE on a card of user's book."""
    if user.get_username() != username or book not in books.BOOKS:
        return dav.error(404, tag(dav.CRM, "not-found"), "Nothing here.")
    try:
        if request.method == "DELETE":
            return _delete(request, user, book, card)
        return _put(request, user, book, card)
    except Refused as refused:
        return refused.answer


def _located(user: User, book: str, name: str) -> Contact | None:
    """Return the contact of the card at name in user's book, None when there is none;
    refuse a name a new card may not take: a contact's id, or another card's name."""
    pk = resources.contact_id(name)
    if pk is not None:
        found = books.book_contacts(user, book).filter(pk=pk).first()
        if found is not None:
            return found
        # Whether the contact exists is not told: the same answer as for no contact.
        raise _refused(
            404,
            tag(dav.CRM, "not-found"),
            "No card here, and a new card cannot take this name: save it under another one.",
        )
    if not CARD_NAME.fullmatch(name):
        raise _refused(403, tag(dav.CRM, "bad-card-name"), "A card's name has no such characters.")
    return None


def _checked(user: User, pk: int, perm: Perm) -> Contact:
    """Return the contact user may act on as perm says: 404 unseen, 403 not his to act."""
    try:
        return get_contact_for_user(user, pk, perm)
    except Http404:
        raise _refused(404, tag(dav.CRM, "not-found"), "Nothing here.") from None
    except PermissionDenied:
        message = {
            Perm.CHANGE: "You may read this contact but not change it.",
            Perm.DELETE: "You may not delete this contact.",
        }[perm]
        raise _refused(403, tag(DAV, "need-privileges"), message) from None


def _preconditions(request: HttpRequest, contact: Contact | None) -> None:
    """Refuse (412) a write whose If-Match or If-None-Match the card does not meet."""
    current = books.etag(contact.pk, contact.version) if contact is not None else None
    if_match = request.headers.get("If-Match")
    if if_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_match.split(",")}
        if current is None or not ("*" in tags or current in tags):
            raise _stale("The card was changed or deleted since you read it: sync again.")
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None and current is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if "*" in tags or current in tags:
            raise _stale("This card exists already: sync to read it first.")


def _stale(message: str) -> Refused:
    return _refused(412, tag(dav.CRM, "precondition-failed"), message)


def _body(request: HttpRequest) -> Any:
    media_type = request.content_type or ""
    if media_type and media_type.lower() not in CARD_TYPES:
        raise _refused(
            415,
            tag(CARDDAV, "supported-address-data"),
            f"A card is a vCard (text/vcard), not {media_type[:100]}.",
        )
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_CARD_BYTES:
        raise _too_large()
    try:
        body = request.body
    except RequestDataTooBig:
        raise _too_large() from None
    if len(body) > MAX_CARD_BYTES:
        raise _too_large()
    try:
        return vcards.parse(body)
    except vcards.BadCard as bad:
        raise _refused(400, tag(CARDDAV, "valid-address-data"), str(bad)) from None


def _too_large() -> Refused:
    return _refused(
        413,
        tag(CARDDAV, "max-resource-size"),
        f"A card is at most {MAX_CARD_BYTES // 1000} kB: this one is larger.",
    )


def _values(card: Any, kind: str | None = None) -> vcards.CardValues:
    try:
        return vcards.values_of(card, kind)
    except vcards.BadCard as bad:
        raise _refused(400, tag(CARDDAV, "valid-address-data"), str(bad)) from None


def _put(request: HttpRequest, user: User, book: str, name: str) -> HttpResponseBase:
    card = _body(request)
    contact = _located(user, book, name)
    _preconditions(request, contact)
    _not_suppressed(_values(card))
    if contact is None:
        contact = _known_by_uid(user, _values(card))
    if contact is None:
        return _create(request, user, book, name, card)
    return _update(request, user, book, contact, card)


def _not_suppressed(values: vcards.CardValues) -> None:
    """Refuse the e-mails and phones of a person erased at their request, as the API does:
    a phone that kept his card must not bring him back."""
    emails = [info["value"] for info in values.infos if info["kind"] == ContactInfo.Kind.EMAIL]
    phones = [info["value"] for info in values.infos if info["kind"] == ContactInfo.Kind.PHONE]
    if suppression.is_suppressed(emails=emails, phones=phones):
        raise _refused(
            403,
            tag(dav.CRM, "erased-person"),
            "This person was erased at their request: their e-mail addresses and phone "
            "numbers may not be added again.",
        )


def _known_by_uid(user: User, values: vcards.CardValues) -> Contact | None:
    """Return the contact whose card has this UID, when user may see it; refuse a UID of
    a contact he may not see."""
    if not values.uid:
        return None
    found = PhoneCard.objects.filter(uid=values.uid).values_list("contact_id", flat=True).first()
    if found is None:
        # A card the CRM wrote, uploaded again under a name of the phone's: the CRM's UIDs
        # cannot be read back to an id, so they are compared among the contacts of its name.
        probe = Contact(kind=values.kind, **values.fields)
        probe.compute_names()
        same_name = contacts_visible_to(user).filter(kind=values.kind, sort_name=probe.sort_name)
        ids = same_name.order_by("pk").values_list("pk", flat=True)[:50]
        return next(
            (Contact.objects.get(pk=pk) for pk in ids if books.uid_of(pk) == values.uid), None
        )
    if not contacts_visible_to(user).filter(pk=found).exists():
        raise _refused(
            409,
            tag(CARDDAV, "no-uid-conflict"),
            "Another card has this UID: give the card another UID.",
        )
    return Contact.objects.get(pk=found)


def _details(request: HttpRequest) -> dict[str, Any]:
    return {"app_password": app_password_name(request)}


def _editor(user: User, values: vcards.CardValues, contact: Contact | None) -> ContactEditor:
    """Return the contact form, checked, holding the card over what contact holds."""
    loaded = ContactEditor(kind=values.kind, user=user, contact=contact)
    given: dict[str, Any] = {k: v for k, v in values.fields.items() if k in loaded.form.fields}
    if "company_input" in loaded.form.fields:
        given["company_input"] = values.company
    if values.tags is not None:
        given["tags"] = ", ".join(values.tags)
    if contact is not None:
        vcards.keep_stored_categories(values, contact)
    data = posted_data(loaded, given, vcards.form_rows(values))
    editor = ContactEditor(data, kind=values.kind, user=user, contact=contact)
    if not editor.is_valid():
        raise _refused(400, tag(CARDDAV, "valid-address-data"), _errors(editor))
    return editor


def _errors(editor: ContactEditor) -> str:
    """Return the form's errors in a line: what the phone's user reads."""
    found = []
    for name, errors in editor.form.errors.items():
        label = editor.form.fields[name].label if name in editor.form.fields else ""
        found += [f"{label}: {error}" if label else str(error) for error in errors]
    for formset in editor.formsets.values():
        for row in formset.errors:
            for errors in row.values():
                found += [str(error) for error in errors]
        found += [str(error) for error in formset.non_form_errors()]
    return "The contact cannot be saved: " + " ".join(found)


def _create(request: HttpRequest, user: User, book: str, name: str, card: Any) -> HttpResponseBase:
    values = _values(card)
    editor = _editor(user, values, None)
    try:
        with transaction.atomic():
            contact = contact_create(
                by=user,
                data=editor.contact_data(),
                source=Contact.Source.CARDDAV,
                details=_details(request),
            )
            PhoneCard.objects.create(
                contact=contact, name=name, uid=values.uid or books.uid_of(contact.pk)
            )
    except IntegrityError:  # another request took the name or the UID meanwhile
        raise _stale("This card was written meanwhile: sync again.") from None
    return _saved(request, user, book, contact, card, status=201)


def _update(
    request: HttpRequest, user: User, book: str, contact: Contact, card: Any
) -> HttpResponseBase:
    expected = contact.version
    contact = _checked(user, contact.pk, Perm.CHANGE)
    if contact.version != expected:
        raise _stale("The card was changed since you read it: sync again.")
    editor = _editor(user, _values(card, contact.kind), contact)
    events = ContactEvent.objects.filter(contact=contact)
    last_event = events.order_by("-pk").values_list("pk", flat=True).first()
    details_before = _detail_rows(contact)
    try:
        with transaction.atomic():
            contact_update(
                by=user,
                contact=contact,
                data=editor.contact_data(),
                expected_version=expected,
                source=Contact.Source.CARDDAV,
                details=_details(request),
            )
            unrecorded = events.order_by("-pk").values_list("pk", flat=True).first() == last_event
            if unrecorded and _detail_rows(contact) == details_before:
                # Nothing changed, neither what the history tells nor a detail's category:
                # the card was the contact's already, and its version (its ETag) stays.
                raise _Unchanged
    except EditConflict:
        raise _stale("The card was changed since you read it: sync again.") from None
    except _Unchanged:
        contact.refresh_from_db()
    return _saved(request, user, book, contact, card, status=204)


def _detail_rows(contact: Contact) -> list[tuple[Any, ...]]:
    """Return the contact's details as stored, in an order of their own: the history
    tells their values, not their categories."""
    infos = ContactInfo.objects.filter(contact=contact)
    addresses = Address.objects.filter(contact=contact)
    rows = [tuple(i) for i in infos.values_list("kind", "category", "value", "is_primary")]
    rows += [tuple(a) for a in addresses.values_list(*ADDRESS_FIELDS)]
    return sorted(rows, key=repr)


class _Unchanged(Exception):
    """The card says what the contact holds: the write is undone."""


def _saved(
    request: HttpRequest, user: User, book: str, contact: Contact, card: Any, status: int
) -> HttpResponseBase:
    """Answer a stored card: its ETag only when the card the CRM serves now is the one
    sent, else the phone reads it again and sees what was kept (RFC 6352, 6.3.2.3)."""
    answer = HttpResponse(status=status)
    lines = card.contents.get("version")
    version = books.version_asked(None, str(lines[0].value) if lines else None)
    served = next(
        books.cards_of(user, contacts_visible_to(user).filter(pk=contact.pk), version), None
    )
    if served is None:  # saved, and no longer his to see
        return answer
    saved, text = served
    if _same_card(text, request.body):
        answer["ETag"] = books.etag(saved.pk, saved.version)
    if status == 201:
        phone_card = books.phone_card_of(saved)
        answer["Location"] = resources.card_path(
            user, book, saved.pk, phone_card.name if phone_card else None
        )
    return answer


def _same_card(served: str, body: bytes) -> bool:
    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]

    return lines(served) == lines(body.decode("utf-8-sig", errors="replace"))


def _delete(request: HttpRequest, user: User, book: str, name: str) -> HttpResponseBase:
    pk = resources.contact_id(name)
    found = books.book_contacts(user, book).filter(pk=pk).first() if pk is not None else None
    if found is None:
        return dav.error(404, tag(dav.CRM, "not-found"), "Nothing here.")
    _preconditions(request, found)
    with transaction.atomic():
        contact = _checked(user, found.pk, Perm.DELETE)
        locked = Contact.objects.select_for_update().filter(pk=contact.pk, version=found.version)
        if not locked.exists():
            raise _stale("The card was changed since you read it: sync again.")
        contact_delete(
            by=user, contact=contact, source=Contact.Source.CARDDAV, details=_details(request)
        )
    return HttpResponse(status=204)
