"""A contact's history: what the services record, and how the card reads it.

The services call `record` (one contact) or `record_many` (a bulk action, a settings
change) in the transaction of the change. A change is a list of
{"field", "label", "old", "new"} with the values as the user read them then.
"""

from django.utils.translation import gettext_lazy as _

from contacts.access import contacts_visible_to
from contacts.custom_fields import values as custom_fields
from contacts.models import Contact, ContactEvent, ContactInfo, CustomField, TaggedContact

Verb = ContactEvent.Verb

LABELS = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "company_name": _("company name"),
    "company": _("company"),
    "job_title": _("job title"),
    "contact_type": _("type"),
    "currency": _("currency"),
    "description": _("description"),
    "photo": _("photo"),
    "access": _("access"),
    "responsible": _("responsible users"),
    "tags": _("tags"),
    ContactInfo.Kind.EMAIL: _("emails"),
    ContactInfo.Kind.PHONE: _("phones"),
    ContactInfo.Kind.WEB: _("web sites"),
    "address": _("addresses"),
}
SEPARATOR = ", "


def user_name(user):
    return (user.get_full_name() or user.username) if user else ""


def custom_key(field):
    return f"custom:{field.pk}"


def snapshot(contact):
    """Return {field: value as read} for everything a change can touch, from the database."""
    contact = (
        Contact.all_objects.select_related("company", "contact_type")
        .prefetch_related("responsible", "tags", "infos", "addresses")
        .get(pk=contact.pk)
    )
    values = {
        name: getattr(contact, name)
        for name in ("first_name", "last_name", "company_name", "job_title", "currency")
    }
    values["description"] = contact.description
    values["company"] = company_value(contact.company if contact.company_id else None)
    values["contact_type"] = contact.contact_type.title if contact.contact_type_id else ""
    values["photo"] = contact.photo.name or ""
    values["access"] = contact.access
    values["responsible"] = names_list(user_name(u) for u in contact.responsible.all())
    values["tags"] = tag_list(t.name for t in contact.tags.all())
    infos = sorted(contact.infos.all(), key=lambda i: (not i.is_primary, i.position, i.pk))
    for kind in ContactInfo.Kind.values:
        values[kind] = SEPARATOR.join(i.value for i in infos if i.kind == kind)
    values["address"] = "; ".join(address_line(a) for a in contact.addresses.all())
    for field in CustomField.objects.exclude(field_type=CustomField.Type.HEADING):
        value = contact.custom.get(field.key)
        values[custom_key(field)] = (
            (field.label, custom_fields.shown_value(field, value)) if value is not None else None
        )
    return values


def tag_list(names):
    return SEPARATOR.join(sorted(names, key=str.lower))


def address_line(address):
    parts = (address.street, address.postcode, address.city, address.region, address.country)
    return " ".join(" ".join(p.split()) for p in parts if p)


def diff(before, after):
    """Return the changes from one snapshot to the next."""
    changes = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "company":
            changes.append(company_change(old, new))
        elif key.startswith("custom:"):
            label = (new or old)[0]
            changes.append(change(key, (old or ("", ""))[1], (new or ("", ""))[1], label=label))
        else:
            changes.append(change(key, old or "", new or ""))
    return changes


def change(field, old, new, label=""):
    return {"field": field, "label": label, "old": str(old), "new": str(new)}


def company_value(company):
    """Return a person's company as a snapshot holds it: (name, id), or None."""
    return (company.display_name, company.pk) if company is not None else None


def company_change(old, new):
    """Return the change of a person's company, with the ids that say who may read it."""
    old, new = old or ("", None), new or ("", None)
    return {**change("company", old[0], new[0]), "old_id": old[1], "new_id": new[1]}


def hidden_companies(user, events):
    """Return the ids of the companies named in events that user may not see."""
    ids = {
        item.get(key)
        for event in events
        for item in event.changes
        if item["field"] == "company"
        for key in ("old_id", "new_id")
    } - {None}
    if not ids:
        return set()
    companies = Contact.all_objects.filter(pk__in=ids)
    return ids - set(contacts_visible_to(user, companies).values_list("pk", flat=True))


def record(contact, by, verb, *, changes=(), source="", details=None):
    return ContactEvent.objects.create(
        contact_id=contact.pk,
        actor=by,
        verb=verb,
        source=source,
        changes=list(changes),
        details=details or {},
    )


def record_many(ids, by, verb, *, changes_by_id=None, source="", details=None):
    """Record one event on each contact of ids (with its own changes, when given)."""
    events = []
    for pk in ids:
        changes = changes_by_id.get(pk) if changes_by_id is not None else []
        if changes_by_id is not None and not changes:
            continue
        events.append(
            ContactEvent(
                contact_id=pk,
                actor=by,
                verb=verb,
                source=source,
                changes=changes,
                details=details or {},
            )
        )
    ContactEvent.objects.bulk_create(events, batch_size=500)


def readable(event, hidden=frozenset()):
    """Return the event's changes with the labels and values to show.

    The companies whose ids are in hidden are not named: the reader may not see them.
    """
    rows = []
    for item in event.changes:
        field = item["field"]
        label = item.get("label") or LABELS.get(field, field)
        old, new = item["old"], item["new"]
        if field == "access":
            old, new = _access_label(old), _access_label(new)
        elif field == "company":
            unseen = _("a company you cannot see")
            old = unseen if item.get("old_id") in hidden and old else old
            new = unseen if item.get("new_id") in hidden and new else new
        rows.append({"field": field, "label": label, "old": old, "new": new})
    return rows


def _access_label(value):
    try:
        return Contact.Access(value).label
    except ValueError:
        return value


def tags_by_contact(ids):
    """Return {contact id: [tag names]} for many contacts, in one query."""
    found = {pk: [] for pk in ids}
    rows = TaggedContact.objects.filter(content_object_id__in=ids)
    for pk, name in rows.values_list("content_object_id", "tag__name"):
        found[pk].append(name)
    return found


def responsible_by_contact(ids):
    """Return {contact id: {user id: name}} for many contacts, in one query."""
    found = {pk: {} for pk in ids}
    rows = Contact.responsible.through.objects.filter(contact_id__in=ids).select_related("user")
    for row in rows:
        found[row.contact_id][row.user_id] = user_name(row.user)
    return found


def names_list(names):
    return SEPARATOR.join(sorted(names))


def record_tag_changes(by, before):
    """Record, on each contact of before ({id: tag names}), how its tags changed since."""
    after = tags_by_contact(list(before))
    changes = {
        pk: [change("tags", tag_list(before[pk]), tag_list(after[pk]))]
        for pk in before
        if sorted(before[pk]) != sorted(after[pk])
    }
    record_many(changes, by, Verb.CHANGED, changes_by_id=changes)
