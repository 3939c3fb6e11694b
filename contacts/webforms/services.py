"""Website forms: store them, and turn a visitor's submission into a contact."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import task
from taggit.models import Tag

from accounts.preferences import EmailKind, speaking_to, wants_email
from contacts import history, text
from contacts import tags as tag_services
from contacts.access import contacts_visible_to
from contacts.links import absolute_url
from contacts.models import Contact, ContactInfo, Notification, WebForm, new_web_form_key
from contacts.personal_data import suppression
from contacts.services import (
    CONTACT_FIELDS,
    ConsentData,
    ContactData,
    contact_create,
    contact_update,
)
from contacts.webforms.fields import ADDRESS_PARTS, CONSENT_FIELD

NEW, UPDATED = "web_form_created", "web_form_updated"
# An e-mail, phone or web site, or an address, as ContactData takes them.
Row = dict[str, Any]
# What the visitor sent, as listed to the users notified: (label, text).
Values = Sequence[tuple[str, str]]


@dataclass
class WebFormData:
    """Everything the settings page says about one website form."""

    name: str
    kind: str
    language: str
    fields: list[dict[str, Any]]  # name, required, label
    success_url: str = ""
    allowed_hosts: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # names
    responsible: list[User] = field(default_factory=list)
    access: str = Contact.Access.PRIVATE
    notify: list[User] = field(default_factory=list)
    update_existing: bool = False
    is_active: bool = True
    consent_wording: str = ""


def _tags_named(names: Iterable[str]) -> list[Tag]:
    """Return the tags of these names, creating those that do not exist."""
    found = []
    for name in names:
        name = tag_services.validate_tag_name(name)
        found.append(tag_services.tag_named(name) or tag_services.tag_create(name=name))
    return found


@transaction.atomic
def web_form_save(*, web_form: WebForm | None = None, data: WebFormData) -> WebForm:
    """Create a website form, or store data on web_form; its kind never changes."""
    web_form = web_form or WebForm(kind=data.kind)
    web_form.name = data.name
    web_form.language = data.language
    web_form.fields = data.fields
    web_form.success_url = data.success_url
    web_form.allowed_hosts = data.allowed_hosts
    web_form.access = data.access
    web_form.update_existing = data.update_existing
    web_form.is_active = data.is_active
    web_form.consent_wording = data.consent_wording.strip()
    web_form.save()
    web_form.tags.set(_tags_named(data.tags))
    web_form.responsible.set(data.responsible)
    web_form.notify.set(data.notify)
    return web_form


def web_form_regenerate_key(*, web_form: WebForm) -> WebForm:
    """Give the form a new secret key: copies of its old HTML stop working."""
    web_form.secret_key = new_web_form_key()
    web_form.save(update_fields=["secret_key", "updated_at"])
    return web_form


def web_form_set_active(*, web_form: WebForm, active: bool) -> WebForm:
    web_form.is_active = active
    web_form.save(update_fields=["is_active", "updated_at"])
    return web_form


def web_form_delete(*, web_form: WebForm) -> None:
    """Delete the form; the contacts it created stay."""
    web_form.delete()


@dataclass
class Submission:
    contact: Contact | None  # None when nothing was stored (an erased person)
    created: bool


def _visitor_data(
    web_form: WebForm, cleaned: Mapping[str, Any]
) -> tuple[dict[str, object], list[Row], Row, dict[str, object], str]:
    """Return (fields, infos, address, custom values, company name) from the cleaned values."""
    values = {k: v for k, v in cleaned.items() if v not in (None, "", False)}
    fields: dict[str, object] = {
        name: values[name]
        for name in ("first_name", "last_name", "job_title", "description")
        if name in values
    }
    company_name = " ".join(values.get("company_name", "").split())
    if web_form.kind == Contact.Kind.COMPANY:
        fields["company_name"] = company_name
        company_name = ""
    infos: list[Row] = []
    for name, kind, category in (
        ("email", ContactInfo.Kind.EMAIL, "work"),
        ("phone", ContactInfo.Kind.PHONE, "work"),
        ("website", ContactInfo.Kind.WEB, "website"),
    ):
        if name in values:
            infos.append({"kind": kind, "category": category, "value": values[name]})
    address = {part: values[part] for part in ADDRESS_PARTS if part in values}
    custom = {
        name.removeprefix("cf_"): value for name, value in values.items() if name.startswith("cf_")
    }
    return fields, infos, address, custom, company_name


def _info_key(info: Row) -> tuple[str, str]:
    if info["kind"] == ContactInfo.Kind.EMAIL:
        return (info["kind"], info["value"].strip().lower())
    if info["kind"] == ContactInfo.Kind.PHONE:
        return (info["kind"], text.normalize_phone(info["value"]) or text.digits(info["value"]))
    return (info["kind"], info["value"].strip().lower())


def _address_key(address: Row) -> tuple[str, ...]:
    return tuple(" ".join(str(address.get(p, "")).split()).lower() for p in ADDRESS_PARTS)


def _matching_contact(web_form: WebForm, infos: list[Row]) -> Contact | None:
    """Return the oldest contact of the form's kind with the email submitted, locked."""
    emails = [i["value"].strip().lower() for i in infos if i["kind"] == ContactInfo.Kind.EMAIL]
    if not emails:
        return None
    pk = (
        ContactInfo.objects.filter(
            kind=ContactInfo.Kind.EMAIL,
            normalized=emails[0],
            contact__kind=web_form.kind,
            contact__deleted_at__isnull=True,  # not one in the trash
        )
        .order_by("contact_id")
        .values_list("contact_id", flat=True)
        .first()
    )
    return Contact.objects.select_for_update().filter(pk=pk).first() if pk else None


def _merged(
    contact: Contact, infos: list[Row], address: Row, custom: dict[str, object], tags: list[Tag]
) -> ContactData:
    """Return ContactData: contact as it is, with the visitor's new details added.

    A visitor is anyone who knows the contact's email: new emails, phones, web sites, an
    address, the user fields still empty and the form's tags are added; the names, job
    title, company, description, access and responsible users stay as they are.
    """
    kept = {name: getattr(contact, name) for name in CONTACT_FIELDS}
    old_infos = [
        {"kind": i.kind, "category": i.category, "value": i.value, "is_primary": i.is_primary}
        for i in contact.infos.all()
    ]
    known = {_info_key(i) for i in old_infos}
    new_infos = [i for i in infos if _info_key(i) not in known]
    old_addresses = [
        {
            "category": a.category,
            "is_primary": a.is_primary,
            **{p: getattr(a, p) for p in ADDRESS_PARTS},
        }
        for a in contact.addresses.all()
    ]
    addresses = old_addresses
    if address and _address_key(address) not in {_address_key(a) for a in old_addresses}:
        addresses = old_addresses + [{"category": "work", **address}]
    old_tags = list(contact.tags.all())
    filled = {key: value for key, value in contact.custom.items() if value not in (None, "")}
    return ContactData(
        kind=contact.kind,
        fields=kept,
        access=contact.access,
        responsible=list(contact.responsible.all()),
        tags=old_tags + [t for t in tags if t not in old_tags],
        infos=old_infos + new_infos,
        addresses=addresses,
        company=contact.company,
        custom={**contact.custom, **custom, **filled},
    )


def _consent_details(consent: ConsentData | None) -> dict[str, str] | None:
    """Return what the history keeps of a consent given on a form: its exact words."""
    return {"consent": consent.wording} if consent is not None else None


def _record_visit(
    web_form: WebForm,
    contact: Contact,
    values: Values,
    update: ContactData,
    consent: ConsentData | None = None,
) -> Contact:
    """Update contact with update, and record on it what the visitor sent, even if nothing new."""
    details = {"web_form": web_form.name, "submitted": [[label, value] for label, value in values]}
    details.update(_consent_details(consent) or {})
    last = contact.events.order_by("-pk").values_list("pk", flat=True).first() or 0
    contact = contact_update(by=None, contact=contact, data=update, notify=False, details=details)
    if not contact.events.filter(pk__gt=last).exists():
        history.record(
            contact, None, history.Verb.CHANGED, source=Contact.Source.WEB_FORM, details=details
        )
    return contact


@transaction.atomic
def web_form_submit(*, web_form: WebForm, cleaned: Mapping[str, Any], values: Values) -> Submission:
    """Create (or update, per the form) the contact a visitor sent; notify the chosen users.

    cleaned: the visitor's validated fields; values: [(label, text)] listed to the users
    notified. Tags, responsible users and access come from the stored form only.
    """
    fields, infos, address, custom, company_name = _visitor_data(web_form, cleaned)
    if suppression.is_suppressed(
        emails=[i["value"] for i in infos if i["kind"] == ContactInfo.Kind.EMAIL],
        phones=[i["value"] for i in infos if i["kind"] == ContactInfo.Kind.PHONE],
    ):
        # Erased at the person's request: nothing of the visit is kept, and the visitor is
        # thanked as anyone else, so the form tells nobody who was erased.
        return Submission(contact=None, created=False)
    consent = None
    if web_form.consent_wording and cleaned.get(CONSENT_FIELD) is True:
        consent = ConsentData(
            status=Contact.Consent.GIVEN,
            source=Contact.ConsentSource.WEB_FORM,
            wording=web_form.consent_wording,
        )
    tags = list(web_form.tags.all())
    responsible = list(web_form.responsible.filter(is_active=True))
    existing = _matching_contact(web_form, infos) if web_form.update_existing else None
    if existing is not None:
        data = replace(_merged(existing, infos, address, custom, tags), consent=consent)
        contact = _record_visit(web_form, existing, values, data, consent)
    else:
        data = ContactData(
            kind=web_form.kind,
            fields=fields,
            access=web_form.access,
            responsible=responsible,
            tags=tags,
            infos=[{**i, "is_primary": True} for i in infos],
            addresses=[{"category": "work", "is_primary": True, **address}] if address else [],
            new_company_name=company_name,
            custom=custom,
            consent=consent,
        )
        contact = contact_create(
            by=None,
            data=data,
            source=Contact.Source.WEB_FORM,
            notify=False,
            details=_consent_details(consent),
        )
    created = existing is None
    counter = "created_count" if created else "updated_count"
    WebForm.objects.filter(pk=web_form.pk).update(
        **{counter: F(counter) + 1}, last_submission_at=timezone.now()
    )
    # The form's responsible users are told of an update instead of being made responsible.
    _notify(web_form, contact, created, values, also=[] if created else responsible)
    return Submission(contact=contact, created=created)


def _notify(
    web_form: WebForm,
    contact: Contact,
    created: bool,
    values: Values,
    also: Iterable[User] = (),
) -> None:
    users = list(web_form.notify.filter(is_active=True))
    users += [u for u in also if u not in users]
    verb = NEW if created else UPDATED
    Notification.objects.bulk_create(
        Notification(recipient=u, contact=contact, web_form=web_form, verb=verb) for u in users
    )
    listed = [[label, value] for label, value in values]
    sent_at = timezone.now().isoformat()
    for user in users:
        if user.email:
            transaction.on_commit(
                partial(
                    send_web_form_email.enqueue,
                    user_id=user.pk,
                    contact_id=contact.pk,
                    web_form_id=web_form.pk,
                    created=created,
                    values=listed,
                    sent_at=sent_at,
                )
            )


@task()
def send_web_form_email(
    *,
    user_id: int,
    contact_id: int,
    web_form_id: int,
    created: bool,
    values: list[list[str]],
    sent_at: str | None = None,
) -> None:
    """Email a user what a visitor sent through a website form, as far as he may see it."""
    user = get_user_model().objects.filter(pk=user_id).first()
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None or user is None or not user.is_active or not user.email:
        return
    if not wants_email(user, EmailKind.WEB_FORM):
        return  # he reads it under the bell only
    web_form = WebForm.objects.filter(pk=web_form_id).first()
    # Asked when sent: the contact may have been made private since the visit. What the
    # visitor typed names the contact, so it goes only to those who may see him.
    visible = contacts_visible_to(user).filter(pk=contact.pk).exists()
    context = {
        "user": user,
        "visible": visible,
        "contact": contact if visible else None,
        "form_name": web_form.name if web_form else "",
        "created": created,
        "values": values if visible else [],
        "sent_at": parse_datetime(sent_at) if sent_at else None,
        "url": absolute_url(contact.get_absolute_url()) if visible else "",
    }
    with speaking_to(user):
        subject = render_to_string("contacts/email/web_form_subject.txt", context).strip()
        body = render_to_string("contacts/email/web_form.txt", context)
    send_mail(subject, body, None, [user.email])
