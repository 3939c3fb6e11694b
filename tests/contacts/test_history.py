"""A contact's history: every write path records who changed what, and when."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from contacts import contact_types as config
from contacts import tags
from contacts.bulk.services import bulk_start
from contacts.custom_fields import services as custom_fields
from contacts.models import Contact, ContactEvent
from contacts.services import company_link_person
from contacts.trash.services import contact_delete, contact_restore
from tests.support import form_data, make_web_form, page_of, posted, submit_url


def events(contact, verb=None):
    found = ContactEvent.objects.filter(contact_id=contact.pk).order_by("id")
    return list(found.filter(verb=verb) if verb else found)


def changes(event):
    return {c["field"]: (c["old"], c["new"]) for c in event.changes}


def test_creating_and_editing_through_the_form(alice_client, alice, bob):
    alice_client.post(
        "/contacts/new/person/",
        form_data(
            first_name="Marie",
            last_name="Dupont",
            responsible=[alice.pk],
            tags="Lead",
            phone=[{"category": "mobile", "value": "06 12 34 56 78", "is_primary": "on"}],
        ),
    )
    contact = Contact.objects.get()
    [created] = events(contact)
    assert (created.verb, created.actor, created.source) == ("created", alice, "manual")

    alice_client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(
            first_name="Marie",
            last_name="Durand",
            responsible=[alice.pk, bob.pk],
            access="public_read",
            tags="Lead, VIP",
            phone=[{"category": "mobile", "value": "06 99 99 99 99", "is_primary": "on"}],
            version=str(contact.version),
        ),
    )

    [changed] = events(contact, "changed")
    assert changed.actor == alice
    assert changes(changed) == {
        "last_name": ("Dupont", "Durand"),
        "access": ("private", "public_read"),
        "responsible": ("Alice Martin", "Alice Martin, Bob Durand"),
        "tags": ("Lead", "Lead, VIP"),
        "phone": ("06 12 34 56 78", "06 99 99 99 99"),
    }
    card = page_of(alice_client.get(contact.get_absolute_url()))
    assert "Alice Martin" in card and "changed:" in card
    assert "Last name</span>: <span" in card and "Durand" in card
    assert "All CRM users can view" in card  # the access, as the user reads it
    assert "created this contact" in card


def test_a_user_field_change_is_recorded_with_its_label(alice_client, alice):
    field = custom_fields.custom_field_create(label="Shoe size", field_type="text")
    contact_url = "/contacts/new/person/"
    alice_client.post(contact_url, form_data(first_name="Ann", responsible=[alice.pk]))
    contact = Contact.objects.get()

    alice_client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Ann", responsible=[alice.pk], **{f"cf_{field.pk}": "42"}),
    )

    [changed] = events(contact, "changed")
    assert changed.changes == [
        {"field": f"custom:{field.pk}", "label": "Shoe size", "old": "", "new": "42"}
    ]


def test_bulk_actions_are_recorded_on_each_contact(alice, bob, make_contact):
    contacts = [make_contact(first_name=f"C{n}", tags=["Old"]) for n in range(3)]
    chosen = Contact.objects.filter(pk__in=[c.pk for c in contacts])

    bulk_start(by=alice, action="add_tag", params={"tag": "New"}, contacts=chosen)
    bulk_start(by=alice, action="set_access", params={"access": "public_rw"}, contacts=chosen)
    bulk_start(
        by=alice,
        action="set_responsible",
        params={"users": [bob.pk], "mode": "add"},
        contacts=chosen,
    )
    bulk_start(by=alice, action="delete", params={}, contacts=chosen)

    for contact in contacts:
        recorded = [changes(e) for e in events(contact, "changed")]
        assert recorded == [
            {"tags": ("Old", "New, Old")},
            {"access": ("private", "public_rw")},
            {"responsible": ("Alice Martin", "Alice Martin, Bob Durand")},
        ]
        assert [e.actor for e in events(contact, "deleted")] == [alice]


def test_trash_and_restore_are_recorded(alice, contact):
    contact_delete(by=alice, contact=contact)
    contact_restore(by=alice, contact=contact)

    assert [e.verb for e in events(contact)] == ["created", "deleted", "restored"]


def test_linking_a_person_to_a_company_is_recorded(alice, make_contact):
    company = make_contact("company", company_name="Globex")
    person = make_contact(first_name="Hank")

    company_link_person(by=alice, company=company, person=person)

    [changed] = events(person, "changed")
    assert changes(changed) == {"company": ("", "Globex")}


def test_a_website_form_submission_is_recorded_as_such(client, alice, settings):
    settings.WEBFORM_MIN_SECONDS = 0
    cache.clear()
    web_form = make_web_form(responsible=[alice])

    client.post(
        submit_url(web_form),
        posted(web_form, first_name="Ann", last_name="Lee", email="ann@example.com"),
    )

    [created] = events(Contact.objects.get())
    assert (created.verb, created.actor, created.source) == ("created", None, "web_form")


def test_settings_changes_that_rewrite_values_are_recorded(admin, make_contact):
    customer = config.contact_type_create(title="Gold")
    partner = config.contact_type_create(title="Silver")
    field = custom_fields.custom_field_create(label="Size", field_type="select", options=["S", "M"])
    contact = make_contact(first_name="Ann", tags=["Fair"])
    Contact.objects.filter(pk=contact.pk).update(contact_type=customer, custom={field.key: "S"})
    tag = tags.tag_named("Fair")

    tags.tag_rename(tag=tag, name="Trade fair", by=admin)
    custom_fields.custom_field_update(
        field=field, label="Size", applies_to="both", options=[("S", "Small"), ("M", "M")], by=admin
    )
    config.contact_type_delete(contact_type=customer, replacement=partner, by=admin)
    custom_fields.custom_field_delete(field=field, by=admin)

    recorded = [(e.actor, changes(e)) for e in events(contact, "changed")]
    assert recorded == [
        (admin, {"tags": ("Fair", "Trade fair")}),
        (admin, {f"custom:{field.pk}": ("S", "Small")}),
        (admin, {"contact_type": ("Gold", "Silver")}),
        (admin, {f"custom:{field.pk}": ("Small", "")}),
    ]


@pytest.mark.parametrize(
    "persona, status", [("alice", 200), ("bob", 404), ("admin", 200), ("root", 200)]
)
def test_the_history_page_follows_the_contacts_access(client, contact, persona, status, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("contacts:history", args=[contact.pk]))

    assert response.status_code == status
    if status == 200:
        assert "created this contact" in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, contact):
    response = client.get(reverse("contacts:history", args=[contact.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_public_reader_sees_the_history(client, make_contact, bob):
    contact = make_contact(access="public_read")
    client.force_login(bob)

    assert "created this contact" in page_of(client.get(contact.get_absolute_url()))


def test_after_a_merge_the_history_says_merged_once_and_created_once(
    alice_client, alice, make_contact
):
    keep = make_contact(first_name="Ada", last_name="Lovelace", job_title="Analyst")
    other = make_contact(first_name="Augusta", last_name="Lovelace", job_title="Countess")
    alice_client.post(
        f"/contacts/{other.pk}/edit/",
        form_data(
            first_name="Augusta",
            last_name="Lovelace",
            job_title="Mathematician",
            currency=other.currency,
            responsible=[alice.pk],
            version=str(other.version),
        ),
    )
    alice_client.post(
        reverse("contacts:merge"), {"keep": keep.pk, "other": other.pk, "f-job_title": "other"}
    )

    page = page_of(alice_client.get(reverse("contacts:history", args=[keep.pk])))

    assert page.count("created this contact") == 1
    assert page.count("merged “Augusta Lovelace” into it") == 1
    assert page.count("changed:") == 1  # Augusta's own change, told as hers
    assert page.count("on “Augusta Lovelace”, merged into this contact since") == 1
    [merged] = events(keep, "merged")
    assert changes(merged)["job_title"] == ("Analyst", "Mathematician")
