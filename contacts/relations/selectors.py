"""What a user may read of the relations: a card's, in one query, and the choices and
contacts the form to add one offers."""

from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.models import User
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.lookups import IsNull

from contacts import selectors
from contacts.access import AnyUser, contacts_visible_to, visible_among
from contacts.models import Contact
from contacts.relations.models import Relation, RelationType
from contacts.relations.services import relation_types_cached

INVERSE = "-inverse"  # the end of a choice's value that reads a type from its other end
CANDIDATES = 20


class Other(NamedTuple):
    """The other end of a relation, as its line names it."""

    pk: int
    display_name: str
    sort_name: str

    def __str__(self) -> str:
        return self.display_name


@dataclass
class Shown:
    """A relation as a contact's card reads it: its label from that contact, and the other."""

    pk: int
    label: str
    other: Other
    order: tuple[int, int]  # its type's place among the types


def visible_relations(user: AnyUser, contact: Contact) -> QuerySet[Relation]:
    """Return the contact's relations, both ways, whose other end user may see now."""
    other_end = Case(When(from_contact=contact, then=F("to_contact")), default=F("from_contact"))
    # A LIMIT 1 probe of the other end by its id, once per relation: an IN over the
    # contacts user may see, PostgreSQL may answer by reading them all (access.py).
    probe = contacts_visible_to(user).filter(pk=OuterRef("other_end")).values("pk")[:1]
    return (
        Relation.objects.filter(Q(from_contact=contact) | Q(to_contact=contact))
        .annotate(other_end=other_end)
        .filter(IsNull(Subquery(probe), False))
    )


def relations_of(user: AnyUser, contact: Contact) -> list[Shown]:
    """Return the contact's relations whose other end user may see, both ways.

    The caller has checked that user may see contact. A relation to a contact user may not
    see, or to one in the trash, is left out entirely. Most contacts have none: one plain
    query tells; the other ends are read in a second one only when there are some. Plain
    values: a person may have fifty relations, whose models would cost more than the rest
    of the card; the types come from the cache.
    """
    found = list(
        Relation.objects.filter(Q(from_contact=contact) | Q(to_contact=contact)).values_list(
            "pk", "from_contact_id", "to_contact_id", "type_id"
        )
    )
    if not found:
        return []
    ends = {to if start == contact.pk else start for _pk, start, to, _type in found}
    visible = visible_among(user, ends, ["id", "display_name", "sort_name"])
    others = {row[0]: Other(*row) for row in visible}
    types = {t.pk: t for t in relation_types_cached()}
    missing = {type_id for *_ends, type_id in found} - set(types)
    if missing:  # made since the cache was filled, by another process
        types.update(RelationType.objects.in_bulk(missing))
    shown = []
    for pk, start, to, type_id in found:
        outgoing = start == contact.pk
        other = others.get(to if outgoing else start)
        relation_type = types[type_id]
        if other is not None:
            label = relation_type.label if outgoing else relation_type.inverse
            shown.append(Shown(pk, label, other, (relation_type.position, type_id)))
    shown.sort(key=lambda s: (s.order, s.other.sort_name))
    return shown


def type_choices(kind: str) -> list[tuple[str, str]]:
    """Return [(value, label)] of the relations a contact of kind may have, read from it:
    each type's label, and its inverse label (the value ending in INVERSE) unless the type
    is symmetric."""
    choices = []
    for relation_type in relation_types_cached():
        if relation_type.from_kind in ("", kind):
            choices.append((str(relation_type.pk), relation_type.label))
        if not relation_type.symmetric and relation_type.to_kind in ("", kind):
            choices.append((f"{relation_type.pk}{INVERSE}", relation_type.inverse))
    return choices


def chosen_type(value: str) -> tuple[RelationType | None, bool]:
    """Return (type, inverse) named by a value of type_choices, (None, False) if none."""
    inverse = value.endswith(INVERSE)
    pk = value.removesuffix(INVERSE)
    # From the table, not the cache: another process's cache may still offer a type
    # deleted since.
    found = RelationType.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    return (found, inverse) if found else (None, False)


def candidates(
    user: User, contact: Contact, relation_type: RelationType, inverse: bool, query: str
) -> QuerySet[Contact]:
    """Return the contacts user may see matching query that contact may be related to by
    relation_type (read from its other end with inverse), by name."""
    kind = relation_type.from_kind if inverse else relation_type.to_kind
    found = contacts_visible_to(user).exclude(pk=contact.pk)
    if kind:
        found = found.filter(kind=kind)
    return selectors.contact_search(found, query).order_by("sort_name", "pk")[:CANDIDATES]
