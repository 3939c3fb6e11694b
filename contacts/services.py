"""Writes to contacts: every change goes through here, in one transaction."""

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import F, QuerySet, Subquery
from django.utils import timezone
from taggit.models import Tag

from contacts import access, history
from contacts import currencies as config
from contacts.custom_fields import values as custom_fields
from contacts.models import Address, Contact, ContactInfo, TaggedContact, named
from contacts.notifications import notify_assigned
from contacts.positions.primary import company_names, keep_primary, persons_at
from contacts.search_text import normalized, search_text_for
from contacts.storage import delete_files_on_commit

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "contact_type",
    "currency",
    "description",
)
# What saving a contact writes: every column but the last activity (last_activity_refresh).
SAVED_FIELDS = [
    f.name
    for f in Contact._meta.concrete_fields
    if not f.primary_key and f.name != "last_activity_at"
]
ADDRESS_FIELDS = ("category", "street", "city", "region", "postcode", "country", "is_primary")
# An address row as the contact form and the import write it, its position included.
ADDRESS_ROW = (*ADDRESS_FIELDS, "position")
# A photo and its thumbnail, as photos.files.process_photo makes them.
PhotoFiles = tuple[File, File]


@dataclass(frozen=True)
class ConsentData:
    """A consent to marketing e-mail as someone stated it: its status, how it came and
    the words the person was shown."""

    status: str
    source: str
    wording: str = ""
    at: datetime | None = None  # when it was stated; None: now


@dataclass
class ContactData:
    """Everything a contact form or an import row says about one contact."""

    kind: str
    fields: dict[str, Any]
    access: str = Contact.Access.PRIVATE
    responsible: list[User] = field(default_factory=list)
    tags: Sequence[Tag | str] = field(default_factory=list)  # tags, or names of tags
    # dicts: kind, category, value, is_primary
    infos: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)  # dicts of Address fields
    company: Contact | None = None
    new_company_name: str = ""
    # Another company than the primary one: he moved there (the previous one ends).
    company_moved: bool = False
    photo: PhotoFiles | None = None
    remove_photo: bool = False
    # User field values keyed by field id; None keeps those the contact holds.
    custom: dict[str, Any] | None = None
    # The consent to marketing e-mail; None keeps the one the contact holds.
    consent: ConsentData | None = None


@dataclass(frozen=True)
class NewContactDefaults:
    """What a new contact holds unless its data says otherwise, however it comes in."""

    source: str
    created_by: User | None  # None for a website form
    currency: str
    version: int = 1

    def fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Return fields completed with the defaults of the values they leave out."""
        return {"currency": self.currency, **fields}


def new_contact_defaults(
    *, by: User | None, source: str = Contact.Source.MANUAL
) -> NewContactDefaults:
    """Return the defaults of a new contact: the contact form, an import, a website form,
    the demo data and any later way in take them from here, so that they never differ."""
    return NewContactDefaults(source=source, created_by=by, currency=config.default_currency())


def _primary_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep one primary row per kind: the one marked, or else the first."""
    seen = set()
    for row in rows:
        kind = row.get("kind", "address")
        row["is_primary"] = bool(row.get("is_primary")) and kind not in seen
        if row["is_primary"]:
            seen.add(kind)
    for row in rows:
        kind = row.get("kind", "address")
        if kind not in seen:
            row["is_primary"] = True
            seen.add(kind)
    return rows


def _write_details(
    contact: Contact, data: ContactData, stored: history.Stored | None = None
) -> tuple[list[ContactInfo], list[Address], list[Tag] | None]:
    """Replace the contact's details with data's; a new contact (stored None) has none.

    A kind of detail that data holds exactly as stored is left as it is, rather than
    deleted and written again. Return the e-mails, phones and links, the addresses and
    the tags the contact holds now; the tags are None when taggit chose them anew.
    """
    infos = [
        ContactInfo(
            contact=contact,
            kind=i["kind"],
            category=i["category"],
            value=i["value"].strip(),
            normalized=normalized(i["kind"], i["value"]),
            is_primary=i["is_primary"],
            position=n,
        )
        for n, i in enumerate(_primary_first([dict(i) for i in data.infos]))
    ]
    addresses = [
        Address(contact=contact, position=n, **a)
        for n, a in enumerate(_primary_first([dict(a) for a in data.addresses]))
    ]
    given = [t for t in data.tags if isinstance(t, Tag)]  # taggit links exactly these
    if stored is None:
        ContactInfo.objects.bulk_create(infos)
        Address.objects.bulk_create(addresses)
        if data.tags and len(given) == len(data.tags):
            # Tags already found, on a contact that has none: linked in one statement,
            # where taggit's add first reads the links the contact holds.
            links = (TaggedContact(content_object=contact, tag=tag) for tag in dict.fromkeys(given))
            TaggedContact.objects.bulk_create(links)
        elif data.tags:
            contact.tags.add(*data.tags)
        return infos, addresses, None
    if _rows(infos, INFO_FIELDS) == _rows(stored.infos, INFO_FIELDS):
        infos = stored.infos
    else:
        contact.infos.all().delete()
        ContactInfo.objects.bulk_create(infos)
    if _rows(addresses, ADDRESS_ROW) == _rows(stored.addresses, ADDRESS_ROW):
        addresses = stored.addresses
    else:
        contact.addresses.all().delete()
        Address.objects.bulk_create(addresses)
    wanted = {t.name if isinstance(t, Tag) else t for t in data.tags}
    if len(wanted) == len(data.tags) and wanted == {t.name for t in stored.tags}:
        # The same names: taggit would delete the contact's tags and link them again.
        return infos, addresses, stored.tags
    contact.tags.set(data.tags, clear=True)
    return infos, addresses, given if len(given) == len(data.tags) else None


INFO_FIELDS = ("kind", "category", "value", "normalized", "is_primary", "position")


def _rows(rows: Sequence[ContactInfo | Address], names: Sequence[str]) -> list[tuple[Any, ...]]:
    """Return the rows' values of names, in their order of position: equal when the same."""
    return sorted(tuple(getattr(row, name) for name in names) for row in rows)


def _resolve_company(
    by: User | None, data: ContactData, source: str = Contact.Source.MANUAL, notify: bool = True
) -> Contact | None:
    if data.kind != Contact.Kind.PERSON:
        return None
    if data.company is not None or not data.new_company_name.strip():
        return data.company
    name = data.new_company_name.strip()
    companies = access.contacts_visible_to(by) if by is not None else _seen_by_all(data.responsible)
    existing = named(companies, name).filter(kind=Contact.Kind.COMPANY).order_by("pk").first()
    if existing:
        return existing
    # A company typed on the person form is created with the person's access.
    return contact_create(
        by=by,
        data=ContactData(
            kind=Contact.Kind.COMPANY,
            # The person's currency, or the default when the person's data names none.
            fields={"company_name": name, **_fields_named(data.fields, "currency")},
            access=data.access,
            responsible=data.responsible,
        ),
        source=source,
        notify=notify,
    )


def _fields_named(fields: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: fields[name] for name in names if name in fields}


def _seen_by_all(users: Sequence[User]) -> QuerySet[Contact]:
    """Return the contacts every one of users may see; the public ones when there are none.

    Without a user (a website form), a typed company name links only to a company the
    contact's responsible users already see: else the link would reveal, and attach
    persons to, a private company of that name.
    """
    companies = Contact.objects.all() if users else Contact.objects.filter(access__in=access.PUBLIC)
    for user in users:
        companies = access.contacts_visible_to(user, companies)
    return companies


def _set_responsible(
    contact: Contact,
    by: User | None,
    users: Sequence[User],
    notify: bool = True,
    stored: history.Stored | None = None,
) -> None:
    """Make users the contact's responsible users; a new contact (stored None) has none."""
    if stored is None:
        before = set()
        if users:
            contact.responsible.add(*users)
        access.grant_access(contact, contact.access, [u.pk for u in users], new=True)
    else:
        before = {u.pk for u in stored.responsible}
        unchanged = before == {u.pk for u in users} and stored.contact.access == contact.access
        if not unchanged:
            # Nothing to write when both are as stored: the guardian rows already say so.
            contact.responsible.set(users)
            access.grant_access(contact, contact.access, [u.pk for u in users])
    if notify:
        added = [u for u in users if u.pk not in before and (by is None or u.pk != by.pk)]
        notify_assigned(contact=contact, users=added, actor=by)


def _save(contact: Contact, by: User | None, data: ContactData, company: Contact | None) -> None:
    for name in CONTACT_FIELDS:
        if name in data.fields:
            setattr(contact, name, data.fields[name] or ("" if name != "contact_type" else None))
    if data.kind == Contact.Kind.PERSON:
        contact.company = company
        contact.company_name = ""
    contact.access = data.access
    contact.updated_by = by
    if data.photo:
        contact.photo, contact.photo_thumb = data.photo
    elif data.remove_photo:
        contact.photo = contact.photo_thumb = ""
    if data.custom is not None:
        contact.custom = custom_fields.clean_values(contact.kind, data.custom)
    if data.consent is not None:
        _set_consent(contact, data.consent)
    contact.compute_names()
    contact.search_text = search_text_for(
        contact, data.infos, company.display_name if company else ""
    )
    new = contact.pk is None
    if new:
        contact.save()
    else:
        # The last activity is the timeline's to keep: an instance read before an event was
        # written would put back an older one.
        contact.save(update_fields=SAVED_FIELDS)
    if contact.kind == Contact.Kind.PERSON and (company is not None or not new):
        # A new person without a company holds no position: nothing to keep in step.
        _keep_positions(contact, data, company)


def _set_consent(contact: Contact, consent: ConsentData) -> None:
    """Store consent on contact, dated now, unless the contact holds it already: saving a
    form again does not move the date the person consented."""
    if consent.status not in Contact.Consent.values:
        raise ValueError(consent.status)
    if consent.status == contact.consent and (
        consent.wording == contact.consent_wording or not consent.wording
    ):
        return
    contact.consent = consent.status
    contact.consent_source = consent.source if consent.status != Contact.Consent.UNKNOWN else ""
    contact.consent_wording = consent.wording if consent.status != Contact.Consent.UNKNOWN else ""
    stated = consent.at or timezone.now()
    contact.consent_at = stated if consent.status != Contact.Consent.UNKNOWN else None


def _keep_positions(person: Contact, data: ContactData, company: Contact | None) -> None:
    """Keep the person's positions as his company and job title say; when the company was
    taken away and he holds another current position, that one is his company now. He
    is found by the names of all the companies he works at."""
    primary = keep_primary(person, company, person.job_title, moved=data.company_moved)
    fields = ["search_text"]
    if primary is not None and primary.company_id != person.company_id:
        person.company, person.job_title = primary.company, primary.job_title
        fields += ["company", "job_title"]
    names = company_names([person.pk]).get(person.pk, "")
    search_text = search_text_for(person, data.infos, names)
    if search_text != person.search_text:
        person.search_text = search_text
        person.save(update_fields=fields)


@contextmanager
def _new_photo_undone_on_failure(contact: Contact, data: ContactData) -> Iterator[None]:
    """Delete the photo files the save writes when it fails, at any step: its transaction
    rolls back, and they would belong to nothing (the photo when the thumbnail failed)."""
    old = {f.name for f in (contact.photo, contact.photo_thumb) if f}
    try:
        yield
    except BaseException:
        if data.photo:
            for file in (contact.photo, contact.photo_thumb):
                # _committed: the file was written to the storage (missing from the stubs).
                written = file._committed  # type: ignore[attr-defined]
                if file.name and written and file.name not in old:
                    file.storage.delete(file.name)
        raise


@transaction.atomic
def contact_create(
    *,
    by: User | None,
    data: ContactData,
    source: str = Contact.Source.MANUAL,
    notify: bool = True,
    details: dict[str, Any] | None = None,
) -> Contact:
    """Create a person or a company with everything data says.

    by is None when no user acts (a website form); notify=False tells no responsible user.
    details say in the history how it came (the API token, by its name).
    """
    defaults = new_contact_defaults(by=by, source=source)
    data = replace(data, fields=defaults.fields(data.fields))
    company = _resolve_company(by, data, source, notify)
    contact = Contact(
        kind=data.kind,
        source=defaults.source,
        created_by=defaults.created_by,
        version=defaults.version,
    )
    with _new_photo_undone_on_failure(contact, data):
        _save(contact, by, data, company)
        _write_details(contact, data)
        _set_responsible(contact, by, data.responsible, notify)
        history.record(contact, by, history.Verb.CREATED, source=source, details=details)
    return contact


class EditConflict(Exception):
    """The contact was changed by someone else since the version the change started from."""


@transaction.atomic
def contact_update(
    *,
    by: User | None,
    contact: Contact,
    data: ContactData,
    expected_version: int | None = None,
    notify: bool = True,
    source: str | None = None,
    details: dict[str, Any] | None = None,
    verb: str = history.Verb.CHANGED,
) -> Contact:
    """Replace what the contact holds with data.

    With expected_version, raise EditConflict unless the stored contact is still at that
    version: one conditional UPDATE, so two saves at once cannot both pass.
    source and details say in the history how the change came (an import, and which);
    another verb than "changed" (a merge) is recorded even when no value changed.
    """
    if expected_version is not None:
        moved = Contact.objects.filter(pk=contact.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not moved:
            raise EditConflict
        contact.version = expected_version
    if source is None:
        # Only a website form writes without a user.
        source = Contact.Source.MANUAL if by is not None else Contact.Source.WEB_FORM
    stored = history.read_stored(contact)
    before = history.snapshot_of(stored)
    company = _resolve_company(by, data, source, notify)
    old_files = [f.name for f in (contact.photo, contact.photo_thumb) if f and f.name]
    old_name = contact.display_name
    contact.version += 1
    with _new_photo_undone_on_failure(contact, data):
        _save(contact, by, data, company)
        infos, addresses, tags = _write_details(contact, data, stored)
        _set_responsible(contact, by, data.responsible, notify, stored)
        if data.photo or data.remove_photo:
            delete_files_on_commit(old_files)
        if contact.kind == Contact.Kind.COMPANY and contact.display_name != old_name:
            _refresh_persons_search_text(contact)
        # What the contact holds now is what was just written: read again, only the tags
        # that taggit chose.
        now = history.Stored(
            contact=contact,
            responsible=list({u.pk: u for u in data.responsible}.values()),
            tags=history.tags_of(contact) if tags is None else tags,
            infos=infos,
            addresses=addresses,
            custom_fields=stored.custom_fields,
        )
        changes = history.diff(before, history.snapshot_of(now))
        if changes or verb != history.Verb.CHANGED:
            history.record(contact, by, verb, changes=changes, source=source, details=details)
    return contact


def contact_data_of(contact: Contact) -> ContactData:
    """Return ContactData holding what contact holds now: a change of one thing starts here."""
    return ContactData(
        kind=contact.kind,
        fields={name: getattr(contact, name) for name in CONTACT_FIELDS},
        access=contact.access,
        responsible=list(contact.responsible.all()),
        tags=list(contact.tags.all()),
        infos=[
            {"kind": i.kind, "category": i.category, "value": i.value, "is_primary": i.is_primary}
            for i in contact.infos.all()
        ],
        addresses=[
            {name: getattr(a, name) for name in ADDRESS_FIELDS} for a in contact.addresses.all()
        ],
        company=contact.company if contact.company_id else None,
        custom=dict(contact.custom),
    )


def contact_set_photo(
    *, by: User, contact: Contact, photo: PhotoFiles | None = None, remove: bool = False
) -> Contact:
    """Give contact the photo (files from photos.process_photo), or the placeholder.

    The photo dialog's way to the save of the contact form: the same files, history and
    clean-up. Raise EditConflict when the contact changed since it was read.
    """
    data = replace(contact_data_of(contact), photo=photo, remove_photo=remove and not photo)
    return contact_update(by=by, contact=contact, data=data, expected_version=contact.version)


@transaction.atomic
def company_link_person(*, by: User, company: Contact, person: Contact) -> None:
    history.record(
        person,
        by,
        history.Verb.CHANGED,
        changes=[
            history.company_change(
                history.company_value(person.live_company), history.company_value(company)
            )
        ],
    )
    person.company = company
    person.updated_by = by
    person.version += 1
    infos = list(person.infos.values("kind", "value"))
    person.search_text = search_text_for(person, infos, company.display_name)
    person.save(update_fields=["company", "updated_by", "version", "search_text", "updated_at"])
    keep_primary(person, company, person.job_title)
    contacts_refresh_search_text(Contact.objects.filter(pk=person.pk))


def _refresh_persons_search_text(company: Contact) -> None:
    """Let the persons working at company be found by its name as it is now.

    Those whose primary company it is show its name as theirs (the API, vCards): their
    version and moment of change move, so that what syncs from them fetches them again.
    """
    contacts_refresh_search_text(persons_at([company.pk]))
    Contact.objects.filter(company=company).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def contacts_refresh_search_text(contacts: QuerySet[Contact]) -> None:
    """Recompute the search text of contacts, e.g. after a user field was deleted."""
    text_keys = custom_fields.searchable_keys()
    batch = []
    for contact in contacts.prefetch_related("infos").iterator(500):
        batch.append(contact)
        if len(batch) == 500:
            _refresh_batch(batch, text_keys)
            batch = []
    _refresh_batch(batch, text_keys)


def _refresh_batch(contacts: list[Contact], text_keys: Collection[str]) -> None:
    names = company_names(c.pk for c in contacts if c.kind == Contact.Kind.PERSON)
    for contact in contacts:
        infos = [{"kind": i.kind, "value": i.value} for i in contact.infos.all()]
        contact.search_text = search_text_for(contact, infos, names.get(contact.pk, ""), text_keys)
    Contact.objects.bulk_update(contacts, ["search_text"])


@transaction.atomic
def last_activity_refresh(*, contact_ids: Collection[int], latest: Subquery) -> None:
    """Set the contacts' last activity to latest, the time of each one's newest event.

    latest is a subquery on OuterRef("pk") built by the app that keeps the events, which
    contacts never reads. Derived data, not a change of the contact: no history entry,
    and neither its version nor its "last changed" moves.
    """
    if not contact_ids:
        return
    contacts = Contact.all_objects.filter(pk__in=contact_ids)
    # The rows locked first, in the order of their ids, so that the UPDATE reads the events
    # once any other writer of these contacts' events has committed: two events written at
    # once both count. NO KEY: the events' foreign keys share-lock these rows.
    list(contacts.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))
    contacts.update(last_activity_at=latest)


def company_named(*, by: User, name: str, person: Contact) -> Contact:
    """Return the company called name that by may see, or a new one with the person's
    access and responsible users: a company typed for a person, as his form makes it."""
    data = ContactData(
        kind=Contact.Kind.PERSON,
        fields={"currency": person.currency},
        access=person.access,
        responsible=list(person.responsible.all()),
        new_company_name=name,
    )
    company = _resolve_company(by, data)
    assert company is not None  # noqa: S101 - a name was given
    return company
