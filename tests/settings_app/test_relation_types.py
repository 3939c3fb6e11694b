import pytest
from django.urls import reverse

from contacts.models import ContactEvent
from contacts.relations.models import Relation, RelationType
from contacts.relations.services import relation_add

pytestmark = pytest.mark.django_db

LIST = reverse("settings_app:relation_types")
NEW = {
    "label_en": "godparent of",
    "inverse_en": "godchild of",
    "label_fr": "parrain de",
    "inverse_fr": "filleul de",
    "from_kind": "person",
    "to_kind": "person",
}


def labels():
    return list(RelationType.objects.values_list("label_en", flat=True))


def test_the_defaults_are_listed_in_order_with_their_inverse(admin_client):
    page = admin_client.get(LIST).content.decode()
    assert labels() == [
        "assistant of",
        "reports to",
        "spouse of",
        "referred by",
        "subsidiary of",
        "partner of",
    ]
    assert "reports to" in page and "manages" in page and "Relation types" in page


def test_admin_adds_edits_and_moves_a_type(admin_client):
    response = admin_client.post(LIST, NEW)
    assert response.status_code == 302
    godparent = RelationType.objects.get(label_en="godparent of")
    assert labels()[-1] == "godparent of" and godparent.inverse_fr == "filleul de"
    admin_client.post(
        reverse("settings_app:relation_type_edit", args=[godparent.pk]),
        {**NEW, "label_en": "godmother of"},
    )
    admin_client.post(
        reverse("settings_app:relation_type_move", args=[godparent.pk]), {"direction": "up"}
    )
    assert labels()[-2:] == ["godmother of", "partner of"]


def test_a_type_that_is_not_symmetric_needs_its_inverse(admin_client):
    response = admin_client.post(LIST, {**NEW, "inverse_en": ""})
    assert response.status_code == 200
    assert "Give the label read from the other contact." in response.content.decode()
    assert "godparent of" not in labels()


def test_a_symmetric_type_links_contacts_of_one_kind_and_keeps_no_inverse(admin_client):
    mixed = {**NEW, "symmetric": "on", "to_kind": "company"}
    response = admin_client.post(LIST, mixed)
    assert "A symmetric relation links two contacts of the same kind." in (
        response.content.decode()
    )
    admin_client.post(LIST, {**NEW, "symmetric": "on", "label_en": "twin of"})
    assert RelationType.objects.get(label_en="twin of").inverse_en == ""


def test_deleting_a_type_in_use_says_how_many_relations_go_with_it(
    admin_client, admin, alice, make_contact
):
    assistant = RelationType.objects.get(label_en="assistant of")
    relation_add(
        by=alice, contact=make_contact(first_name="A"), other=make_contact(), type=assistant
    )
    url = reverse("settings_app:relation_type_delete", args=[assistant.pk])
    page = admin_client.get(url).content.decode()
    assert "1 relation has the type “assistant of”: it will be deleted with it." in page
    assert RelationType.objects.filter(pk=assistant.pk).exists()
    assert admin_client.post(url).status_code == 302
    assert not RelationType.objects.filter(pk=assistant.pk).exists()
    assert not Relation.objects.exists()
    removed = ContactEvent.objects.filter(changes__0__field="relation", changes__0__new="")
    assert removed.count() == 2  # on both contacts, by the admin
    assert set(removed.values_list("actor", flat=True)) == {admin.pk}


def test_an_unused_type_is_deleted_after_saying_so(admin_client):
    partner = RelationType.objects.get(label_en="partner of")
    url = reverse("settings_app:relation_type_delete", args=[partner.pk])
    assert "No relation has this type." in admin_client.get(url).content.decode()
    admin_client.post(url)
    assert "partner of" not in labels()


def test_the_list_is_in_french_for_a_french_admin(admin_client, admin):
    from accounts.services import profile_update  # why: only this test reads French

    profile_update(user=admin, language="fr")
    page = admin_client.get(LIST).content.decode()
    assert "rend compte à" in page and "encadre" in page and "reports to" not in page


def test_the_settings_menu_links_the_relation_types_beside_the_categories(admin_client):
    page = admin_client.get(reverse("settings_app:task_categories")).content.decode()
    assert f'href="{LIST}"' in page


def test_a_crm_user_may_not_manage_relation_types(alice_client):
    assert alice_client.get(LIST).status_code == 403
    assert alice_client.post(LIST, NEW).status_code == 403
    assert "godparent of" not in labels()


def test_the_cards_offer_a_new_type_at_once(admin_client, make_contact):
    person = make_contact()
    card = reverse("contacts:detail", args=[person.pk])
    assert "godparent of" not in admin_client.get(card).content.decode()
    admin_client.post(LIST, NEW)
    page = admin_client.get(card).content.decode()
    assert ">godparent of</option>" in page and ">godchild of</option>" in page
