"""Sync tokens: what a phone is told since its last sync, however the members came or went."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from accounts.address_books import address_books_choose
from contacts.access import CRM_ADMINS_GROUP
from contacts.models import Contact
from contacts.services import ContactData, contact_update
from contacts.trash.services import contact_delete, contact_restore, contacts_purge
from tests.carddav.test_protocol import SYNC, alice_dav, bob_dav, dav, responses

__all__ = ["alice_dav", "bob_dav"]  # fixtures

from defusedxml import ElementTree  # noqa: E402

NS = {"d": "DAV:"}


def sync(client, auth, user, book="all", token=""):
    """Return (status, {href}, {gone href}, new token) of a sync-collection."""
    response, content = dav(
        client, "REPORT", f"/dav/addressbooks/{user}/{book}/", auth, SYNC.format(token)
    )
    if response.status_code != 207:
        assert "<d:valid-sync-token/>" in content
        return response.status_code, None, None, None
    found, gone = responses(content)
    new = ElementTree.fromstring(content).findtext("d:sync-token", namespaces=NS)
    return 207, set(found), gone, new


def age(*contacts):
    """Move contacts' changes before the token margin: the next sync need not resend them."""
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    Contact.all_objects.filter(pk__in=[c.pk for c in contacts]).update(
        updated_at=old, created_at=old
    )


def change(contact, by, **values):
    fields = {"first_name": contact.first_name, "last_name": contact.last_name}
    fields.update(values.pop("fields", {}))
    data = ContactData(
        kind="person",
        fields=fields,
        access=values.pop("access", contact.access),
        responsible=values.pop("responsible", list(contact.responsible.all())),
        tags=values.pop("tags", list(contact.tags.all())),
    )
    contact_update(by=by, contact=contact, data=data)


def test_a_change_to_a_contact_bob_never_saw_keeps_his_token(
    client, alice, bob, make_contact, bob_dav
):
    public = make_contact(by=bob, first_name="Public", access=Contact.Access.PUBLIC_READ)
    secret = make_contact(first_name="Secret")
    age(public, secret)
    _status, _found, _gone, token = sync(client, bob_dav, "bob")

    change(secret, alice, fields={"last_name": "Changed"}, responsible=[alice])
    status, found, gone, _token = sync(client, bob_dav, "bob", token=token)

    assert status == 207 and found == set() and gone == set()


def test_a_contact_given_and_another_withdrawn_at_once_refuse_the_token(
    client, alice, bob, make_contact, bob_dav
):
    shared = make_contact(first_name="Shared", access=Contact.Access.PUBLIC_READ)
    hidden = make_contact(first_name="Hidden")
    age(shared, hidden)
    _status, found, _gone, token = sync(client, bob_dav, "bob")
    assert found == {f"/dav/addressbooks/bob/all/{shared.pk}.vcf"}

    change(shared, alice, access=Contact.Access.PRIVATE)
    change(hidden, alice, access=Contact.Access.PUBLIC_READ)
    status, _found, _gone, _token = sync(client, bob_dav, "bob", token=token)

    assert status == 403  # the count alone is unchanged: one came, one went


def test_a_contact_made_visible_or_restored_arrives_at_the_next_sync(
    client, alice, bob, make_contact, bob_dav
):
    hidden = make_contact(first_name="Hidden")
    trashed = make_contact(first_name="Trashed", access=Contact.Access.PUBLIC_READ)
    contact_delete(by=alice, contact=trashed)
    age(hidden, trashed)
    _status, found, _gone, token = sync(client, bob_dav, "bob")
    assert found == set()

    change(hidden, alice, access=Contact.Access.PUBLIC_READ)
    contact_restore(by=alice, contact=trashed)
    status, found, _gone, _token = sync(client, bob_dav, "bob", token=token)

    assert status == 207
    assert found == {
        f"/dav/addressbooks/bob/all/{hidden.pk}.vcf",
        f"/dav/addressbooks/bob/all/{trashed.pk}.vcf",
    }


def test_a_member_purged_from_the_trash_between_syncs_refuses_the_token(
    client, alice, make_contact, alice_dav
):
    kept = make_contact(first_name="Kept")
    gone = make_contact(first_name="Gone")
    age(kept, gone)
    _status, _found, _gone, token = sync(client, alice_dav, "alice")

    contact_delete(by=alice, contact=gone)
    contacts_purge([gone])
    status, *_rest = sync(client, alice_dav, "alice", token=token)

    assert status == 403


def test_untagging_a_contact_takes_it_out_of_the_tag_book(client, alice, make_contact, alice_dav):
    vip = Tag.objects.create(name="VIP", slug="vip")
    address_books_choose(user=alice, mine=True, everyone=True, tags=[vip])
    tagged = make_contact(first_name="Tagged", tags=[vip])
    other = make_contact(first_name="Other", tags=[vip])
    age(tagged, other)
    book = f"tag-{vip.pk}"
    _status, found, _gone, token = sync(client, alice_dav, "alice", book)
    assert len(found) == 2

    change(tagged, alice, tags=[])
    status, *_rest = sync(client, alice_dav, "alice", book, token)

    assert status == 403


def test_an_admin_made_an_ordinary_user_syncs_again(client, alice, bob, make_contact, bob_dav):
    make_contact(first_name="Secret")
    admins = Group.objects.get(name=CRM_ADMINS_GROUP)
    bob.groups.add(admins)
    _status, found, _gone, token = sync(client, bob_dav, "bob")
    assert len(found) == 1

    bob.groups.remove(admins)
    status, *_rest = sync(client, bob_dav, "bob", token=token)

    assert status == 403


@pytest.mark.parametrize("token", ["1-2", "1-2-3-4", "x-1-abc", "1-x-abc", f"{'9' * 21}-1-abc"])
def test_a_malformed_token_is_refused(client, alice_dav, token):
    status, *_rest = sync(client, alice_dav, "alice", token=f"http://crm.invalid/ns/sync/{token}")

    assert status == 403


def test_a_sync_reads_the_contacts_changed_or_trashed_since_not_the_whole_book(
    client, alice, make_contact, alice_dav
):
    """The changed contacts made by the token's moment are read along the index of the
    contacts changed, not along the newest-first one, which holds every contact made
    before the moment (a whole book); the trashed ones come in the order they went, as
    the trash's index holds them."""
    old = [make_contact(first_name=f"Old{n}") for n in range(5)]
    age(*old)
    _status, _found, _gone, token = sync(client, alice_dav, "alice")
    change(old[0], alice, fields={"first_name": "Changed"})
    for contact in (old[4], old[2]):
        contact_delete(by=alice, contact=contact)

    with CaptureQueriesContext(connection) as queries:
        response, content = dav(
            client, "REPORT", "/dav/addressbooks/alice/all/", alice_dav, SYNC.format(token)
        )

    assert response.status_code == 207
    found, _gone = responses(content)
    gone = [
        item.findtext("d:href", namespaces=NS)
        for item in ElementTree.fromstring(content).findall("d:response", NS)
        if item.find("d:status", NS) is not None
    ]
    assert set(found) == {f"/dav/addressbooks/alice/all/{old[0].pk}.vcf"}
    assert gone == [f"/dav/addressbooks/alice/all/{c.pk}.vcf" for c in (old[4], old[2])]
    changed = [q["sql"] for q in queries if '"updated_at" >=' in q["sql"]]
    assert changed
    if connection.vendor != "sqlite":
        return  # PostgreSQL's planner weighs the two ranges by their statistics
    with connection.cursor() as cursor:
        for sql in changed:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "contact_newest" not in plan, plan
