"""What contacts refer to, through the API: types, tags, user fields, users."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.tokens import token_create
from contacts import contact_types
from contacts.custom_fields import services as custom_fields
from contacts.models import CRM_USERS_GROUP


@pytest.fixture
def api(alice):
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(user=alice, name='R', scope='read')[1]}"
    )


def test_contact_types_in_their_order(api):
    gold = contact_types.contact_type_create(title="Gold")
    lead = contact_types.contact_type_create(title="Lead")

    types = api.get("/api/v1/contact-types").json()

    assert types[-2:] == [{"id": gold.pk, "name": "Gold"}, {"id": lead.pk, "name": "Lead"}]


def test_tags_a_to_z_and_found_by_part_of_their_name(api, make_contact):
    make_contact(tags=["VIP", "Lead", "Vip Paris"])

    names = api.get("/api/v1/tags").json()

    assert {"Lead", "VIP", "Vip Paris"} <= set(names)
    assert names == sorted(names)
    assert api.get("/api/v1/tags?q=vip").json() == ["VIP", "Vip Paris"]
    assert api.get("/api/v1/tags?q=vip&limit=1").json() == ["VIP"]


def test_user_fields_name_the_keys_of_the_contacts_values(api, make_contact):
    field = custom_fields.custom_field_create(
        label="Segment", field_type="select", options=["Retail", "Public"]
    )
    contact = make_contact(custom={field.key: "Retail"})

    listed = api.get("/api/v1/user-fields").json()
    custom = api.get(f"/api/v1/contacts/{contact.pk}").json()["custom"]

    assert listed == [
        {
            "id": field.pk,
            "label": "Segment",
            "type": "select",
            "applies_to": "both",
            "options": ["Retail", "Public"],
        }
    ]
    assert custom == {str(field.pk): "Retail"}


def test_users_are_the_active_crm_users(api, alice, bob, make_user):
    gone = make_user("gone")
    gone.is_active = False
    gone.save()
    outside = make_user("outside")
    outside.groups.remove(Group.objects.get(name=CRM_USERS_GROUP))

    usernames = [u["username"] for u in api.get("/api/v1/users").json()]

    assert sorted(usernames) == ["alice", "bob"]
