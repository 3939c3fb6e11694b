"""The list keeps its rendered results under the data version: never shown after a write.

Each write below goes a different way (the service, a queryset update, raw SQL, taggit,
guardian, the auth tables); after each, the list must show the change at once.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.access import grant_access_many
from contacts.db import freshness
from contacts.models import (
    CRM_ADMINS_GROUP,
    Contact,
    ContactInfo,
    ContactType,
    DataVersion,
    TaggedContact,
)
from contacts.services import ContactData, contact_create, contact_update
from tests.support import page_of

LIST = reverse("contacts:list")
pytestmark = pytest.mark.django_db


def listed(client, url=LIST):
    with CaptureQueriesContext(connection) as captured:
        page = page_of(client.get(url))
    return page, len(captured)


def test_a_second_visit_is_served_from_the_cache_with_fewer_queries(alice_client, contact):
    first, first_queries = listed(alice_client)
    second, second_queries = listed(alice_client)
    assert "Jean Dupont" in second
    assert second_queries < first_queries
    assert second.count("<tr>") == first.count("<tr>")


def test_without_the_cache_every_visit_reads_the_database(settings, alice_client, contact):
    settings.LIST_CACHE_SECONDS = 0
    _, first_queries = listed(alice_client)
    _, second_queries = listed(alice_client)
    assert second_queries == first_queries


def test_the_pages_keep_to_a_cache_of_their_own_of_a_few_pages(settings, alice_client, contact):
    local = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {
        "default": {"BACKEND": local, "OPTIONS": {"MAX_ENTRIES": 3}},
        "lists": {"BACKEND": local, "LOCATION": "lists", "OPTIONS": {"MAX_ENTRIES": 3}},
    }
    caches["default"].set("rate-limit-counter", 7)
    _, first_visit = listed(alice_client)
    _, served_again = listed(alice_client)
    assert served_again < first_visit
    for sort in ("name", "-name", "created", "changed"):
        listed(alice_client, f"{LIST}?sort={sort}")

    # Four more pages pushed the first out of its three places, and nothing else out.
    _, after_others = listed(alice_client)
    assert after_others > served_again
    assert caches["default"].get("rate-limit-counter") == 7


def rename_with_the_service(contact, alice):
    fields = {"first_name": "Jean", "last_name": "Changed"}
    data = ContactData(kind="person", fields=fields, responsible=[alice])
    contact_update(by=alice, contact=contact, data=data)


def rename_with_a_queryset_update(contact, alice):
    Contact.objects.filter(pk=contact.pk).update(display_name="Jean Changed")


def rename_with_raw_sql(contact, alice):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contact SET display_name = %s WHERE id = %s",
            ["Jean Changed", contact.pk],
        )


def tag_through_taggit(contact, alice):
    contact.tags.add("Changed")


def rename_the_tag(contact, alice):
    tag = TaggedContact.objects.get(content_object=contact).tag
    type(tag).objects.filter(pk=tag.pk).update(name="Changed")


def change_the_email(contact, alice):
    ContactInfo.objects.filter(contact=contact, kind="email").update(value="Changed@example.com")


def rename_the_type(contact, alice):
    ContactType.objects.filter(contacts=contact).update(title="Changed")


def rename_the_responsible_user(contact, alice):
    type(alice).objects.filter(pk=alice.pk).update(last_name="Changed")


@pytest.mark.parametrize(
    "write",
    [
        rename_with_the_service,
        rename_with_a_queryset_update,
        rename_with_raw_sql,
        tag_through_taggit,
        rename_the_tag,
        change_the_email,
        rename_the_type,
        rename_the_responsible_user,
    ],
)
def test_every_kind_of_write_shows_at_once(alice, alice_client, write):
    contact = contact_create(
        by=alice,
        data=ContactData(
            kind="person",
            fields={
                "first_name": "Jean",
                "last_name": "Dupont",
                "contact_type": ContactType.objects.create(title="Old type"),
            },
            responsible=[alice],
            tags=["Old"],
            infos=[{"kind": "email", "category": "work", "value": "jean@example.com"}],
        ),
    )
    before, _ = listed(alice_client)
    assert "Changed" not in before
    write(contact, alice)
    assert "Changed" in listed(alice_client)[0]


def set_access(contact, access):
    Contact.objects.filter(pk=contact.pk).update(access=access)
    grant_access_many([contact.pk], access)


def test_access_granted_or_revoked_shows_at_once(client, bob, make_contact):
    contact = make_contact(last_name="Secret")
    client.force_login(bob)
    assert "Secret" not in listed(client)[0]
    set_access(contact, Contact.Access.PUBLIC_READ)
    assert "Secret" in listed(client)[0]
    set_access(contact, Contact.Access.PRIVATE)
    assert "Secret" not in listed(client)[0]


def test_joining_the_admins_shows_every_contact_at_once(client, bob, make_contact):
    make_contact(last_name="Secret")
    client.force_login(bob)
    assert "Secret" not in listed(client)[0]
    bob.groups.add(Group.objects.get(name=CRM_ADMINS_GROUP))
    assert "Secret" in listed(client)[0]


def test_a_page_kept_for_one_user_is_never_shown_to_another(client, alice, bob, make_contact):
    make_contact(last_name="Secret")
    client.force_login(alice)
    assert "Secret" in listed(client)[0]
    client.force_login(bob)
    assert "Secret" not in listed(client)[0]


def test_each_language_and_address_has_its_own_page(alice_client, contact):
    english, _ = listed(alice_client)
    french = page_of(alice_client.get(LIST, headers={"accept-language": "fr"}))
    assert "Select the contacts of this page" in english
    assert "Sélectionner les contacts de cette page" in french
    assert "Jean Dupont" not in listed(alice_client, LIST + "?q=nobody")[0]


def test_a_rolled_back_write_leaves_nothing_behind(alice_client, contact):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(display_name="Jean Rolledback")
        assert "Rolledback" in listed(alice_client)[0]
        raise IntegrityError
    assert "Rolledback" not in listed(alice_client)[0]


def test_the_version_row_comes_back_when_the_table_was_emptied(alice_client, contact):
    DataVersion.objects.all().delete()
    assert "Jean Dupont" in listed(alice_client)[0]
    assert DataVersion.objects.filter(pk=1).exists()


def test_the_htmx_results_come_from_the_same_cache(alice_client, contact):
    full, _ = listed(alice_client)
    fragment = alice_client.get(LIST, headers={"hx-request": "true", "hx-target": "results"})
    assert fragment.content.decode() in full


def version():
    return DataVersion.objects.get(pk=1).value


def test_bulk_writes_change_the_version_once_at_the_end(alice_client, contact):
    before = version()
    with transaction.atomic(), freshness.bulk_writes():
        Contact.objects.filter(pk=contact.pk).update(display_name="Jean Bulk")
        ContactInfo.objects.create(contact=contact, kind="email", value="bulk@example.com")
        # The row triggers stood aside.
        assert version() == before
    assert version() != before
    assert "Jean Bulk" in listed(alice_client)[0]
    # Afterwards the triggers fire again for every write.
    after = version()
    Contact.objects.filter(pk=contact.pk).update(display_name="Jean Again")
    assert version() != after
    assert not DataVersion.objects.get(pk=1).bulk


def test_bulk_writes_rolled_back_leave_the_triggers_on(alice_client, contact):
    before = version()
    with pytest.raises(IntegrityError), transaction.atomic(), freshness.bulk_writes():
        Contact.objects.filter(pk=contact.pk).update(display_name="Jean Rolledback")
        raise IntegrityError
    assert version() == before
    assert not DataVersion.objects.get(pk=1).bulk
    Contact.objects.filter(pk=contact.pk).update(display_name="Jean Changed")
    assert version() != before
    assert "Jean Changed" in listed(alice_client)[0]
