"""Relations between contacts and the types CRM admins keep: the writes, and the types'
list, cached.

Every card that may add a relation offers the types: they are kept in the cache
(contacts.kept_rows), so that the card reads them without a query.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import history, ordering
from contacts.access import can_change, contacts_visible_to
from contacts.kept_rows import KeptRows
from contacts.models import Contact
from contacts.relations.models import Relation, RelationType

KIND_PHRASES = {
    Contact.Kind.PERSON: gettext_lazy("a person"),
    Contact.Kind.COMPANY: gettext_lazy("a company"),
    "": gettext_lazy("any contact"),
}


# The types


_kept = KeptRows("relation-types", lambda: list(RelationType.objects.all()))
# The types in their order, read from the table once per version.
relation_types_cached = _kept.get
forget_cached = _kept.forget


def relation_types_with_counts() -> QuerySet[RelationType]:
    """Return the types, each with use_count, how many relations have it."""
    return RelationType.objects.annotate(use_count=Count("relations"))


def relation_type_use_count(relation_type: RelationType) -> int:
    return Relation.objects.filter(type=relation_type).count()


def relation_type_create(**fields: Any) -> RelationType:
    last = RelationType.objects.aggregate(last=Max("position"))["last"]
    return RelationType.objects.create(**fields, position=0 if last is None else last + 1)


def relation_type_update(*, relation_type: RelationType, **fields: Any) -> RelationType:
    for name, value in fields.items():
        setattr(relation_type, name, value)
    relation_type.save(update_fields=list(fields))
    return relation_type


@transaction.atomic
def relation_type_move(*, relation_type: RelationType, direction: str) -> None:
    """Swap the type with its neighbour above or below."""
    ordering.move(RelationType, relation_type, direction)
    forget_cached()  # bulk_update sends no post_save


@transaction.atomic
def relation_type_delete(*, by: User, relation_type: RelationType) -> int:
    """Delete the type and its relations, which the histories of their contacts tell;
    return how many relations went with it."""
    relations = list(
        Relation.objects.filter(type=relation_type).select_related(
            "type", "from_contact", "to_contact"
        )
    )
    changes: dict[int, list[history.Change]] = defaultdict(list)
    for relation in relations:
        for end in (relation.from_contact, relation.to_contact):
            changes[end.pk].append(_relation_change(relation, end, added=False))
    history.record_many(changes, by, history.Verb.CHANGED, changes_by_id=changes)
    relation_type.delete()
    return len(relations)


# The relations


def _visible_ids(by: User, contacts: Iterable[Contact]) -> set[int]:
    """Return the ids among contacts that by may see now (the trash is seen by nobody)."""
    ids = [c.pk for c in contacts]
    return set(contacts_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))


def _relation_change(relation: Relation, side: Contact, *, added: bool) -> history.Change:
    """Return the change that tells side's history of the relation, read from side."""
    relation_type = relation.type
    is_from = relation.from_contact_id == side.pk
    other = relation.to_contact if is_from else relation.from_contact
    if is_from or relation_type.symmetric:
        words = {"en": relation_type.label_en, "fr": relation_type.label_fr}
    else:
        words = {"en": relation_type.inverse_en, "fr": relation_type.inverse_fr}
    # The other's name as it was, with its id: the history names it only to whoever may
    # see it (history.hidden_companies), as it does a person's company.
    name, pk = other.display_name, other.pk
    change = history.change("relation", "" if added else name, name if added else "")
    change["old_id"], change["new_id"] = (None, pk) if added else (pk, None)
    change["relation"] = {key: value for key, value in words.items() if value}
    return change


def _record(by: User, relation: Relation, *, added: bool) -> None:
    ends = (relation.from_contact, relation.to_contact)
    changes = {end.pk: [_relation_change(relation, end, added=added)] for end in ends}
    history.record_many(changes, by, history.Verb.CHANGED, changes_by_id=changes)


def _check_kinds(relation_type: RelationType, from_contact: Contact, to_contact: Contact) -> None:
    if not relation_type.fits(from_contact.kind, to_contact.kind):
        raise ValidationError(
            _("“%(relation)s” links %(from)s to %(to)s.")
            % {
                "relation": relation_type.label,
                "from": KIND_PHRASES[relation_type.from_kind],
                "to": KIND_PHRASES[relation_type.to_kind],
            }
        )


def _exists(relation_type: RelationType, from_contact: Contact, to_contact: Contact) -> bool:
    ends = Q(from_contact=from_contact, to_contact=to_contact)
    if relation_type.symmetric:  # the same relation whichever way it was written
        ends |= Q(from_contact=to_contact, to_contact=from_contact)
    return Relation.objects.filter(ends, type=relation_type).exists()


@transaction.atomic
def relation_add(
    *,
    by: User,
    contact: Contact,
    other: Contact,
    type: RelationType,
    inverse: bool = False,
) -> Relation:
    """Relate contact to other: “contact <label> other”, or with inverse, “contact
    <inverse label> other”, which is stored as “other <label> contact”."""
    if contact.pk == other.pk:
        raise ValidationError(_("A contact cannot be related to itself."))
    visible = _visible_ids(by, [contact, other])
    if not can_change(by, contact) or visible != {contact.pk, other.pk}:
        raise PermissionDenied
    from_contact, to_contact = (
        (other, contact) if inverse and not type.symmetric else (contact, other)
    )
    _check_kinds(type, from_contact, to_contact)
    if _exists(type, from_contact, to_contact):
        raise ValidationError(
            _("This relation exists already: “%(contact)s” %(relation)s “%(other)s”.")
            % {
                "contact": contact,
                "relation": type.inverse if from_contact is other else type.label,
                "other": other,
            }
        )
    relation = Relation.objects.create(
        from_contact=from_contact, to_contact=to_contact, type=type, created_by=by
    )
    _record(by, relation, added=True)
    return relation


@transaction.atomic
def relation_remove(*, by: User, relation: Relation) -> None:
    """Remove the relation: by must see both ends and may change one of them."""
    ends = (relation.from_contact, relation.to_contact)
    if _visible_ids(by, ends) != {end.pk for end in ends}:
        raise PermissionDenied
    if not any(can_change(by, end) for end in ends):
        raise PermissionDenied
    _record(by, relation, added=False)
    relation.delete()


def relations_move(*, keep: Contact, other: Contact) -> int:
    """Give keep the relations of other (a merge): but those keep has already, and those
    that would relate keep to itself. Return how many moved."""
    mine = Relation.objects.filter(Q(from_contact=keep) | Q(to_contact=keep))
    have = {(r.from_contact_id, r.to_contact_id, r.type_id) for r in mine}
    moved = []
    theirs = Relation.objects.filter(Q(from_contact=other) | Q(to_contact=other))
    for relation in theirs.select_related("type"):
        from_id, to_id = (
            keep.pk if pk == other.pk else pk
            for pk in (relation.from_contact_id, relation.to_contact_id)
        )
        reverse = (to_id, from_id, relation.type_id)
        wanted = (from_id, to_id, relation.type_id)
        if from_id == to_id or wanted in have or (relation.type.symmetric and reverse in have):
            continue
        have.add(wanted)
        relation.from_contact_id, relation.to_contact_id = from_id, to_id
        moved.append(relation)
    Relation.objects.bulk_update(moved, ["from_contact", "to_contact"])
    return len(moved)
