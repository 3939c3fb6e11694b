"""A merge gives the kept contact the other's relations."""

import pytest

from contacts.merging.merge import contacts_merge
from contacts.relations.models import Relation
from contacts.relations.services import relation_add

pytestmark = pytest.mark.django_db


def test_the_kept_contact_takes_the_others_relations_but_duplicates_and_itself(
    alice, make_contact, assistant, spouse
):
    keep = make_contact(first_name="Jean", last_name="Dupont")
    other = make_contact(first_name="Jean", last_name="Dupond")
    boss = make_contact(first_name="Big", last_name="Boss")
    wife = make_contact(first_name="Anne", last_name="Dupont")
    relation_add(by=alice, contact=keep, other=boss, type=assistant)
    relation_add(by=alice, contact=other, other=boss, type=assistant)  # a duplicate
    relation_add(by=alice, contact=wife, other=other, type=spouse)  # moves, other way round
    relation_add(by=alice, contact=other, other=keep, type=spouse)  # would be keep to keep

    contacts_merge(by=alice, keep=keep, other=other)

    kept = set(
        Relation.objects.filter(
            to_contact__deleted_at__isnull=True, from_contact__deleted_at__isnull=True
        ).values_list("from_contact", "type__label_en", "to_contact")
    )
    assert kept == {(keep.pk, "assistant of", boss.pk), (wife.pk, "spouse of", keep.pk)}
    # What could not move stays with the other, in the trash, and vanishes with it.
    assert Relation.objects.filter(from_contact=other).count() == 2
