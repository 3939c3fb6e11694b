"""The card's Relations section, and the pages that add and remove a relation."""

import pytest
from django.urls import reverse

from contacts.models import Contact, ContactEvent
from contacts.relations.models import Relation
from contacts.relations.services import relation_add
from contacts.trash.services import contact_delete, contact_restore

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(make_contact):
    """A public person that bob, a CRM user responsible for nothing, may read."""
    return make_contact(first_name="Paul", last_name="Public", access="public_read")


def card(client, contact):
    response = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_card_lists_relations_both_ways_each_read_from_the_contact(
    alice_client, alice, marie, jean, assistant
):
    relation_add(by=alice, contact=marie, other=jean, type=assistant)
    page = card(alice_client, marie)
    assert "assistant of" in page and jean.get_absolute_url() in page
    page = card(alice_client, jean)
    assert "has assistant" in page and "Marie Curie" in page
    assert reverse("contacts:relation_remove", args=[jean.pk, Relation.objects.get().pk]) in page


def test_a_reader_who_cannot_see_the_other_end_sees_nothing_of_the_relation(
    client, alice, bob, shared, jean, assistant
):
    relation_add(by=alice, contact=shared, other=jean, type=assistant)
    client.force_login(bob)
    page = card(client, shared)
    assert "Dupont" not in page and "assistant of" not in page
    assert "No relation yet." in page
    assert "Remove the relation" not in page and "Add a relation" not in page  # read only


def section(page):
    """Return the card's Relations section."""
    start = page.index('id="relations"')
    return page[start : page.index("</section>", start)]


def test_a_relation_to_a_contact_in_the_trash_vanishes_and_comes_back_on_restore(
    alice_client, alice, marie, jean, assistant
):
    relation_add(by=alice, contact=marie, other=jean, type=assistant)
    contact_delete(by=alice, contact=jean)
    relations = section(card(alice_client, marie))
    assert "Dupont" not in relations and "No relation yet." in relations
    assert Relation.objects.count() == 1  # kept while in the trash
    contact_restore(by=alice, contact=jean)
    assert "Jean Dupont" in section(card(alice_client, marie))


def test_french_readers_read_the_french_labels(alice_client, alice, marie, jean, assistant):
    from accounts.services import profile_update  # why: only this test reads French

    relation_add(by=alice, contact=marie, other=jean, type=assistant)
    profile_update(user=alice, language="fr")
    page = card(alice_client, jean)
    assert "a pour assistant" in page and "has assistant" not in page


def test_the_add_form_offers_each_type_fitting_the_kind_both_ways(alice_client, marie):
    page = card(alice_client, marie)
    for label in ("assistant of", "has assistant", "spouse of", "referred by", "referred"):
        assert f">{label}</option>" in page
    assert "subsidiary of" not in page  # companies only
    assert page.count(">spouse of</option>") == 1  # symmetric: once


def test_searching_lists_only_contacts_the_user_may_see_then_adding_relates_them(
    client, alice, bob, make_contact, jean, assistant
):
    mine = make_contact(first_name="Bea", last_name="Dupont", access="public_rw", by=bob)
    other = make_contact(first_name="Ana", last_name="Dupont", access="public_read", by=bob)
    client.force_login(bob)
    url = reverse("contacts:relation_add", args=[mine.pk])
    page = client.get(url, {"type": str(assistant.pk), "q": "dupont"}).content.decode()
    assert "Ana Dupont" in page and "Jean Dupont" not in page  # jean is alice's, private
    response = client.post(url, {"type": f"{assistant.pk}-inverse", "other": other.pk})
    assert response.status_code == 302
    assert list(Relation.objects.values_list("from_contact", "to_contact")) == [(other.pk, mine.pk)]
    response = client.post(url, {"type": str(assistant.pk), "other": jean.pk})
    assert response.status_code == 200 and "Choose a contact among those found." in (
        response.content.decode()
    )
    assert Relation.objects.count() == 1


def test_a_refused_relation_comes_back_with_the_reason(alice_client, marie, jean, assistant):
    url = reverse("contacts:relation_add", args=[marie.pk])
    alice_client.post(url, {"type": str(assistant.pk), "other": jean.pk})
    response = alice_client.post(url, {"type": str(assistant.pk), "other": jean.pk})
    assert "This relation exists already" in response.content.decode()
    assert Relation.objects.count() == 1


def test_removing_from_the_card_deletes_it_and_both_histories_say_so(
    alice_client, alice, marie, jean, assistant
):
    relation = relation_add(by=alice, contact=marie, other=jean, type=assistant)
    url = reverse("contacts:relation_remove", args=[jean.pk, relation.pk])
    assert alice_client.post(url).status_code == 302
    assert not Relation.objects.exists()
    page = card(alice_client, marie)
    assert "removed the relation “assistant of Jean Dupont”" in page
    assert "added the relation “assistant of Jean Dupont”" in page
    assert ContactEvent.objects.filter(contact=jean, changes__0__field="relation").count() == 2


def test_a_relation_cannot_be_removed_from_a_card_it_is_not_on(
    alice_client, alice, marie, jean, make_contact, assistant
):
    relation = relation_add(by=alice, contact=marie, other=jean, type=assistant)
    third = make_contact(first_name="Tiers", last_name="Person")
    url = reverse("contacts:relation_remove", args=[third.pk, relation.pk])
    assert alice_client.post(url).status_code == 404
    assert Relation.objects.exists()


def test_a_public_rw_user_cannot_remove_a_relation_to_a_contact_he_cannot_see(
    client, alice, bob, make_contact, jean, assistant
):
    public = make_contact(first_name="Pub", last_name="Lic", access="public_rw")
    relation = relation_add(by=alice, contact=public, other=jean, type=assistant)
    client.force_login(bob)
    url = reverse("contacts:relation_remove", args=[public.pk, relation.pk])
    assert client.post(url).status_code == 404
    assert Relation.objects.exists()


def test_the_history_hides_the_name_of_a_contact_the_reader_cannot_see(
    client, alice, bob, shared, jean, assistant
):
    relation_add(by=alice, contact=shared, other=jean, type=assistant)
    client.force_login(bob)
    page = client.get(reverse("contacts:history", args=[shared.pk])).content.decode()
    assert "added a relation to a contact you cannot see" in page
    assert "Dupont" not in page and "assistant" not in page


def test_purging_a_contact_from_the_trash_deletes_its_relations(alice, marie, jean, assistant):
    from contacts.trash.services import contacts_purge  # why: only this test purges

    relation_add(by=alice, contact=marie, other=jean, type=assistant)
    contact_delete(by=alice, contact=jean)
    contacts_purge(Contact.all_objects.filter(pk=jean.pk))
    assert not Relation.objects.exists()


def test_a_company_card_offers_the_company_types_both_ways(alice_client, make_contact):
    acme = make_contact("company", company_name="Acme")
    page = card(alice_client, acme)
    assert ">subsidiary of</option>" in page and ">parent of</option>" in page
    assert ">assistant of</option>" not in page and ">partner of</option>" in page


def test_a_type_deleted_by_another_process_is_refused_not_an_error(
    alice_client, marie, jean, make_contact
):
    from contacts.relations.models import RelationType  # why: only this test makes one

    doomed = RelationType.objects.create(label_en="doomed", inverse_en="doomed by")
    assert ">doomed</option>" in card(alice_client, marie)  # now in the cache
    # Deleted where this process's cache is not told: as by another process.
    RelationType.objects.filter(pk=doomed.pk)._raw_delete(using="default")
    url = reverse("contacts:relation_add", args=[marie.pk])
    response = alice_client.post(url, {"type": str(doomed.pk), "other": jean.pk})
    assert response.status_code == 200
    assert "This relation type was deleted meanwhile." in response.content.decode()
    assert not Relation.objects.exists()


def test_the_cards_search_typed_with_a_script_gets_the_contacts_found_only(
    alice_client, marie, jean, assistant
):
    url = reverse("contacts:relation_add", args=[marie.pk])
    params = {"type": str(assistant.pk), "q": "dupont"}
    page = alice_client.get(url, params, headers={"HX-Request": "true"}).content.decode()
    assert "Jean Dupont" in page and "<html" not in page
    assert f'action="{url}"' in page  # its buttons post to the page that adds
