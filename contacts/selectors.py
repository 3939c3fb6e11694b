"""Reads of many contacts. Callers pass a queryset from access.contacts_visible_to."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Prefetch
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from taggit.models import Tag

from . import custom_fields, text
from .access import contacts_visible_to
from .models import ContactInfo, ContactType, CustomField, TaggedContact

SUGGESTIONS = 10
DEFAULT_SORT = "-created"
# Each key's ascending order; "-key" reverses every term. "id" last keeps ties stable.
# Companies have no first or last name: under those sorts they come together (first
# when ascending, last when descending), in the order of their name (sort_name).
SORTS = {
    "name": (F("sort_name"), F("id")),
    "first_name": (Lower("first_name"), F("sort_name"), F("id")),
    "last_name": (Lower("last_name"), F("sort_name"), F("id")),
    "type": (
        F("contact_type__position"),
        F("contact_type__title"),
        F("sort_name"),
        F("id"),
    ),
    "created": (F("created_at"), F("id")),
    "changed": (F("updated_at"), F("id")),
}


def contact_search(contacts, query):
    """Narrow contacts to those whose name, company, email or phone match query."""
    query = query.replace("\x00", "")
    if not query:
        return contacts
    if text.is_phone_query(query):
        return contacts.filter(search_text__contains=text.digits(query))
    for word in text.fold(query).split()[:8]:
        contacts = contacts.filter(search_text__contains=word)
    return contacts


def contact_filter(contacts, params):
    """Narrow contacts by the list filters in params; return them and the active filters.

    Each active filter is (parameter, value, label) so the page can offer to remove it.
    """
    active = []
    type_id = params.get("type", "")
    if type_id == "none":
        contacts = contacts.filter(contact_type__isnull=True)
        active.append(("type", type_id, _("Type: not specified")))
    elif type_id.isdigit():
        contact_type = ContactType.objects.filter(pk=type_id).first()
        contacts = contacts.filter(contact_type_id=type_id)
        title = contact_type.title if contact_type else "?"
        active.append(("type", type_id, _("Type: %(title)s") % {"title": title}))
    for name in params.getlist("tag")[:10]:
        name = name.replace("\x00", "").strip()[:100]
        if name:
            tags = Tag.objects.filter(name__iexact=name).values("pk")
            contacts = contacts.filter(
                Exists(TaggedContact.objects.filter(content_object=OuterRef("pk"), tag__in=tags))
            )
            active.append(("tag", name, _("Tag: %(name)s") % {"name": name}))
    contacts = _custom_field_filter(contacts, params, active)
    return contacts, active


def _custom_field_filter(contacts, params, active):
    """Narrow contacts by ?cf_<id>=<option> (select box) or ?cf_<id>=1|0 (checkbox)."""
    wanted = {}
    for key in params:
        field_id = key.removeprefix(custom_fields.FILTER_PREFIX)
        value = params.get(key, "").replace("\x00", "").strip()[:200]
        is_id = field_id.isascii() and field_id.isdigit() and len(field_id) < 18
        if key.startswith(custom_fields.FILTER_PREFIX) and is_id and value:
            wanted[int(field_id)] = (key, value)
        if len(wanted) == 20:
            break
    if not wanted:
        return contacts
    fields = CustomField.objects.filter(pk__in=wanted, field_type__in=custom_fields.FILTERABLE)
    for field in fields:
        key, value = wanted[field.pk]
        found = custom_fields.value_filter(field, value)
        if found:
            condition, label = found
            contacts = contacts.filter(condition)
            active.append((key, value, label))
    return contacts


def contact_sort(contacts, sort):
    """Order contacts by sort ("name", "-created", ...); return them and the sort applied.

    An unknown sort falls back to the default, newest first.
    """
    key = sort.removeprefix("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.removeprefix("-")
    descending = sort.startswith("-")
    terms = []
    for term in SORTS[key]:
        if isinstance(term, F) and term.name.startswith("contact_type__"):
            # "Not specified" after the types when ascending, the exact reverse otherwise.
            term = term.desc(nulls_first=True) if descending else term.asc(nulls_last=True)
        else:
            term = term.desc() if descending else term.asc()
        terms.append(term)
    return contacts.order_by(*terms), sort


def with_list_details(contacts):
    """Return the page's contacts with what a list row shows, in a fixed number of queries."""
    primary = ContactInfo.objects.filter(
        is_primary=True, kind__in=[ContactInfo.Kind.EMAIL, ContactInfo.Kind.PHONE]
    )
    rows = list(
        contacts.select_related("company", "contact_type").prefetch_related(
            *ordered_tags_and_responsible(),
            Prefetch("infos", queryset=primary, to_attr="primary_infos"),
        )
    )
    for contact in rows:
        by_kind = {i.kind: i for i in contact.primary_infos}
        contact.primary_email = by_kind.get(ContactInfo.Kind.EMAIL)
        contact.primary_phone = by_kind.get(ContactInfo.Kind.PHONE)
    return rows


def ordered_tags_and_responsible():
    """Return prefetches for tags and responsible users, the users in a stable order."""
    # taggit's manager takes no custom queryset: templates sort tags with dictsort.
    return [
        "tags",
        Prefetch(
            "responsible",
            queryset=get_user_model().objects.order_by("first_name", "last_name", "username"),
        ),
    ]


def tag_suggestions(query):
    """Return tag names containing query: the tags are the CRM's shared vocabulary."""
    tags = Tag.objects.filter(name__icontains=query) if query else Tag.objects.all()
    return list(tags.order_by("name").values_list("name", flat=True)[:SUGGESTIONS])


def name_suggestions(user, kind, query):
    contacts = contact_search(contacts_visible_to(user).filter(kind=kind), query)
    return list(contacts.order_by("sort_name").values_list("display_name", flat=True)[:SUGGESTIONS])
