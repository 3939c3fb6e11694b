"""Writing contacts through the API: create, change, move to the trash.

A body is checked by the contact form itself (contacts.forms.ContactEditor), filled as
a browser would post it: the same rules and messages as the pages (in English, each with
its code), and the same services behind. A change starts from what the contact holds and
replaces only what the body names; it must name the version it read (If-Match), so that
it never overwrites a change it did not see.
"""

import dataclasses
import re
from typing import Any, Literal, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field

from api.auth import token_name
from api.contacts import ContactOut, _fields, _out, _rows, router
from api.ids import MAX_ID, Id
from api.problems import Problem
from contacts.access import Perm, contacts_visible_to, get_contact_for_user
from contacts.custom_fields.values import FILTER_PREFIX
from contacts.forms import INFO_CATEGORIES, ContactEditor, UnknownField, posted_data
from contacts.models import Contact
from contacts.personal_data import suppression
from contacts.services import ContactData, EditConflict, contact_create, contact_update
from contacts.trash.services import contact_delete

# The body's lists of details and the form's formsets they fill.
DETAIL_SETS = {"emails": "email", "phones": "phone", "urls": "web"}
ADDRESS_FIELDS = ("category", "street", "city", "region", "postcode", "country")


class DetailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(max_length=254)
    category: str = Field("", description="work, home, mobile…: the first one if empty")
    primary: bool = False


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""
    primary: bool = False


class ContactChange(BaseModel):
    """What to change: every field left out keeps its value; a list replaces the list."""

    model_config = ConfigDict(extra="forbid")
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = Field(None, description="A company's name")
    job_title: str | None = None
    company: str | None = Field(
        None,
        description="A person's primary company, by name: one the caller sees, or a new one",
    )
    contact_type: int | None = Field(
        None, ge=0, le=MAX_ID, description="A contact type's id; 0 for none"
    )
    currency: str | None = None
    description: str | None = None
    access: Literal["private", "public_read", "public_rw"] | None = None
    emails: list[DetailIn] | None = None
    phones: list[DetailIn] | None = None
    urls: list[DetailIn] | None = None
    addresses: list[AddressIn] | None = None
    tags: list[str] | None = None
    responsible: list[Id] | None = Field(None, description="Users' ids")
    custom: dict[str, Any] | None = Field(None, description="User field values by field id")
    consent: Literal["unknown", "given", "refused"] | None = Field(
        None, description="Consent to marketing e-mail; dated now when it changes"
    )
    consent_wording: str | None = Field(
        None, max_length=2000, description="The words the person agreed to or refused"
    )


class ContactNew(ContactChange):
    kind: Literal["person", "company"]


class ContactReplacement(ContactChange):
    """The whole contact: every field left out is emptied or takes a new contact's default."""

    kind: Literal["person", "company"] | None = Field(None, description="Unchangeable")


def _given(body: BaseModel) -> dict[str, Any]:
    """Return the fields the body sets to a value (a detail's own defaults filled in): a
    null leaves the field as it is."""
    dumped = body.model_dump()
    return {name: dumped[name] for name in body.model_fields_set if dumped[name] is not None}


def _form_data(editor: ContactEditor, body: dict[str, Any]) -> QueryDict:
    """Return what a browser would post: the form as loaded, with the body's values."""
    names = {"company": "company_input"}
    given = {names.get(k, k): v for k, v in body.items() if k not in (*DETAIL_SETS, "addresses")}
    if "custom" in given:
        given.update({f"{FILTER_PREFIX}{key}": v for key, v in (given.pop("custom") or {}).items()})
    if "tags" in given:
        given["tags"] = ", ".join(given["tags"])
    if given.get("contact_type") == 0:
        given["contact_type"] = None
    rows = {
        prefix: [_row(prefix, row) for row in body[key]]
        for key, prefix in (*DETAIL_SETS.items(), ("addresses", "address"))
        if key in body
    }
    try:
        return posted_data(editor, given, rows)
    except UnknownField as unknown:
        field = unknown.name.replace("company_input", "company")
        raise Problem(422, "invalid", f"A {editor.kind} has no field {field}.") from None


def _row(prefix: str, row: dict[str, Any]) -> dict[str, Any]:
    if prefix == "address":
        values = {f: row[f] for f in ADDRESS_FIELDS}
        values["category"] = values["category"] or "work"
        return {**values, "is_primary": row["primary"]}
    category = row["category"] or INFO_CATEGORIES[prefix][0][0]
    return {"value": row["value"], "category": category, "is_primary": row["primary"]}


def _errors(editor: ContactEditor) -> list[dict[str, str]]:
    """Return the form's errors as the problem lists them, named as the body names them."""
    names = {"company_input": "company", "__all__": ""}
    found = []
    for name, errors in editor.form.errors.as_data().items():
        field = names.get(name, name)
        if field.startswith(FILTER_PREFIX):
            field = f"custom.{field.removeprefix(FILTER_PREFIX)}"
        found += [_error(field, error) for error in errors]
    sets = {v: k for k, v in DETAIL_SETS.items()} | {"address": "addresses"}
    for prefix, formset in editor.formsets.items():
        for n, row_errors in enumerate(formset.errors):
            for name, errors in row_errors.as_data().items():
                found += [_error(f"{sets[prefix]}.{n}.{name}", error) for error in errors]
        found += [_error(sets[prefix], e) for e in formset.non_form_errors().as_data()]
    return found


def _error(field: str, error: Any) -> dict[str, str]:
    message = " ".join(str(m) for m in error.messages)
    return {"field": field, "code": error.code or "invalid", "message": message}


def _checked(editor: ContactEditor) -> ContactEditor:
    if not editor.is_valid():
        raise Problem(
            422, "invalid", "The contact is not valid: see errors.", errors=_errors(editor)
        )
    return editor


def _expected_version(request: HttpRequest) -> int:
    """Return the version If-Match names: a change must say which one it started from."""
    header = request.headers.get("If-Match", "")
    match = re.fullmatch(r'\s*(?:W/)?"(\d+)"\s*', header)
    if not header:
        raise Problem(
            428, "if_match_required", 'Send If-Match with the version read (its ETag, "3").'
        )
    if match is None:
        raise Problem(412, "version_mismatch", "If-Match names no version of this contact.")
    return int(match[1])


def _stale(contact: Contact) -> Problem:
    return Problem(
        412,
        "version_mismatch",
        "The contact was changed since that version: read it again, then change it.",
        version=contact.version,
    )


def _not_suppressed(body: dict[str, Any]) -> None:
    """Refuse the e-mails and phones of a person erased at their request."""
    emails = [row["value"] for row in body.get("emails") or []]
    phones = [row["value"] for row in body.get("phones") or []]
    if suppression.is_suppressed(emails=emails, phones=phones):
        raise Problem(
            409,
            "erased_person",
            "This person was erased at their request: their e-mail addresses and phone "
            "numbers may not be added again.",
        )


def _data(editor: ContactEditor) -> ContactData:
    """Return the editor's ContactData, a consent it states coming from the API."""
    data = editor.contact_data()
    if data.consent is not None:
        data = dataclasses.replace(
            data, consent=dataclasses.replace(data.consent, source=Contact.ConsentSource.API)
        )
    return data


def _token_details(request: HttpRequest) -> dict[str, Any]:
    return {"token": token_name(request)}


def _answer(request: HttpRequest, response: HttpResponse, contact: Contact) -> dict[str, Any]:
    user = cast(User, request.user)
    rows = _rows(user, contacts_visible_to(user).filter(pk=contact.pk))
    if not rows:  # saved, and no longer his to see (he left himself out)
        return {"id": contact.pk}
    response["ETag"] = f'"{rows[0]["version"]}"'
    return _out(request, user, rows, _fields(""))[0]


@router.post(
    "/contacts", response={201: ContactOut}, exclude_unset=True, summary="Create a contact"
)
def contact_new(
    request: HttpRequest, response: HttpResponse, body: ContactNew
) -> Status[dict[str, Any]]:
    """Create a person or a company, as the form does (the caller responsible by default)."""
    user = cast(User, request.user)
    values = _given(body)
    values.pop("kind")
    values.setdefault("responsible", [user.pk])
    _not_suppressed(values)
    editor = ContactEditor(kind=body.kind, user=user)
    editor = _checked(ContactEditor(_form_data(editor, values), kind=body.kind, user=user))
    with transaction.atomic():
        contact = contact_create(
            by=user,
            data=_data(editor),
            source=Contact.Source.API,
            details=_token_details(request),
        )
    response["Location"] = f"/api/v1/contacts/{contact.pk}"
    return Status(201, _answer(request, response, contact))


@router.patch(
    "/contacts/{contact_id}", response=ContactOut, exclude_unset=True, summary="Change a contact"
)
def contact_change(
    request: HttpRequest, response: HttpResponse, contact_id: Id, body: ContactChange
) -> dict[str, Any]:
    """Change what the body names; the rest stays. If-Match: the version read."""
    return _save(request, response, contact_id, body, replace=False)


@router.put(
    "/contacts/{contact_id}", response=ContactOut, exclude_unset=True, summary="Replace a contact"
)
def contact_replace(
    request: HttpRequest, response: HttpResponse, contact_id: Id, body: ContactReplacement
) -> dict[str, Any]:
    """Replace the contact by the body: what it leaves out takes the value a new contact
    gets from the form (empty, or the default currency and access, the caller responsible).
    If-Match: the version read."""
    return _save(request, response, contact_id, body, replace=True)


def _save(
    request: HttpRequest,
    response: HttpResponse,
    contact_id: int,
    body: ContactChange,
    *,
    replace: bool,
) -> dict[str, Any]:
    user = cast(User, request.user)
    contact = get_contact_for_user(user, contact_id, Perm.CHANGE)
    expected = _expected_version(request)
    if contact.version != expected:
        raise _stale(contact)
    values = _given(body)
    if values.pop("kind", contact.kind) != contact.kind:
        raise Problem(422, "kind_mismatch", f"This contact is a {contact.kind}.")
    _not_suppressed(values)
    if replace and "consent" not in values:
        # A consent is a record of what the person said: a client that does not know of it
        # keeps it rather than erasing it.
        values["consent"] = contact.consent
        values.setdefault("consent_wording", contact.consent_wording)
    # Replacing starts from the blank form, as a new contact does; changing from the contact.
    loaded = ContactEditor(kind=contact.kind, user=user, contact=None if replace else contact)
    posted = ContactEditor(
        _form_data(loaded, values), kind=contact.kind, user=user, contact=contact
    )
    editor = _checked(posted)
    try:
        contact_update(
            by=user,
            contact=contact,
            data=_data(editor),
            expected_version=expected,
            source=Contact.Source.API,
            details=_token_details(request),
        )
    except EditConflict:
        raise _stale(Contact.objects.get(pk=contact.pk)) from None
    return _answer(request, response, contact)


@router.delete(
    "/contacts/{contact_id}", response={204: None}, summary="Move a contact to the trash"
)
def contact_trash(request: HttpRequest, contact_id: Id) -> Status[None]:
    """Move the contact to the trash, where it can be restored. If-Match: the version read."""
    user = cast(User, request.user)
    expected = _expected_version(request)
    with transaction.atomic():
        contact = get_contact_for_user(user, contact_id, Perm.DELETE)
        locked = Contact.objects.select_for_update().filter(pk=contact.pk, version=expected)
        if not locked.exists():
            raise _stale(contact)
        contact_delete(by=user, contact=contact)
    return Status(204, None)
