"""Adding and removing relations: both directions, the rules, the rights, the history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from contacts import history
from contacts.models import ContactEvent
from contacts.relations.models import Relation
from contacts.relations.services import relation_add, relation_remove

pytestmark = pytest.mark.django_db


def relations():
    return list(Relation.objects.values_list("from_contact", "type__label_en", "to_contact"))


def test_a_relation_is_stored_as_read_from_the_contact(alice, marie, jean, assistant):
    relation_add(by=alice, contact=marie, other=jean, type=assistant)
    assert relations() == [(marie.pk, "assistant of", jean.pk)]


def test_the_inverse_label_stores_the_relation_the_other_way_round(alice, marie, jean, assistant):
    # "Jean has assistant Marie", added from Jean's card.
    relation = relation_add(by=alice, contact=jean, other=marie, type=assistant, inverse=True)
    assert relations() == [(marie.pk, "assistant of", jean.pk)]
    assert relation.created_by == alice


def test_the_same_relation_twice_is_refused_from_either_side(alice, marie, jean, assistant):
    relation_add(by=alice, contact=marie, other=jean, type=assistant)
    with pytest.raises(ValidationError, match="exists already"):
        relation_add(by=alice, contact=jean, other=marie, type=assistant, inverse=True)
    assert len(relations()) == 1


def test_a_symmetric_relation_is_the_same_both_ways(alice, marie, jean, spouse):
    relation_add(by=alice, contact=marie, other=jean, type=spouse)
    with pytest.raises(ValidationError):
        relation_add(by=alice, contact=jean, other=marie, type=spouse)
    assert relations() == [(marie.pk, "spouse of", jean.pk)]


def test_a_contact_cannot_be_related_to_itself(alice, marie, assistant):
    with pytest.raises(ValidationError, match="itself"):
        relation_add(by=alice, contact=marie, other=marie, type=assistant)
    assert relations() == []


def test_kinds_that_do_not_fit_the_type_are_refused_in_the_readers_language(
    alice, marie, make_contact, assistant, subsidiary
):
    acme = make_contact("company", company_name="Acme")
    with pytest.raises(ValidationError) as error:
        relation_add(by=alice, contact=marie, other=acme, type=assistant)
    assert error.value.messages == ["“assistant of” links a person to a person."]
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        relation_add(by=alice, contact=marie, other=acme, type=subsidiary)
    assert error.value.messages == ["« filiale de » relie une société à une société."]
    assert relations() == []


def test_a_user_who_may_not_change_the_contact_is_refused(bob, make_contact, jean, assistant):
    readable = make_contact(first_name="Read", last_name="Only", access="public_read")
    public = make_contact(first_name="Pub", last_name="Lic", access="public_rw")
    with pytest.raises(PermissionDenied):
        relation_add(by=bob, contact=readable, other=public, type=assistant)
    assert relations() == []


def test_a_user_who_may_not_see_the_other_is_refused(bob, make_contact, jean, assistant):
    public = make_contact(first_name="Pub", last_name="Lic", access="public_rw")
    with pytest.raises(PermissionDenied):
        relation_add(by=bob, contact=public, other=jean, type=assistant)  # jean is private
    assert relations() == []


def test_a_contact_in_the_trash_cannot_be_related(alice, marie, jean, assistant):
    from contacts.trash.services import contact_delete  # why: only this test trashes

    contact_delete(by=alice, contact=jean)
    with pytest.raises(PermissionDenied):
        relation_add(by=alice, contact=marie, other=jean, type=assistant)


def test_removing_needs_to_see_both_ends(alice, bob, make_contact, jean, assistant):
    public = make_contact(first_name="Pub", last_name="Lic", access="public_rw")
    relation = relation_add(by=alice, contact=public, other=jean, type=assistant)
    with pytest.raises(PermissionDenied):
        relation_remove(by=bob, relation=relation)
    relation_remove(by=alice, relation=relation)
    assert relations() == []


def changes_of(contact):
    event = ContactEvent.objects.filter(contact=contact).first()
    return event.verb, [history.readable(event)[0][k] for k in ("field", "old", "new")]


def test_the_history_of_both_contacts_tells_of_the_relation_each_from_its_side(
    alice, marie, jean, assistant
):
    relation = relation_add(by=alice, contact=marie, other=jean, type=assistant)
    assert changes_of(marie) == ("changed", ["relation", "", "assistant of Jean Dupont"])
    assert changes_of(jean) == ("changed", ["relation", "", "has assistant Marie Curie"])
    with translation.override("fr"):
        assert changes_of(jean)[1][2] == "a pour assistant Marie Curie"
    relation_remove(by=alice, relation=relation)
    assert changes_of(marie) == ("changed", ["relation", "assistant of Jean Dupont", ""])
    assert changes_of(jean) == ("changed", ["relation", "has assistant Marie Curie", ""])


def test_the_history_names_the_other_only_to_whoever_may_see_it(
    alice, bob, make_contact, jean, assistant
):
    public = make_contact(first_name="Pub", last_name="Lic", access="public_read")
    relation_add(by=alice, contact=public, other=jean, type=assistant)
    events = list(ContactEvent.objects.filter(contact=public)[:1])
    hidden = history.hidden_companies(bob, events)
    assert hidden == {jean.pk}
    [row] = history.readable(events[0], hidden)
    assert row == {"field": "relation_hidden", "label": "relations", "old": "", "new": "-"}
    assert history.readable(events[0], history.hidden_companies(alice, events))[0]["new"] == (
        "assistant of Jean Dupont"
    )
