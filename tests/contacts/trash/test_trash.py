"""The trash: deleted contacts wait there, can come back, and are purged."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contacts.access import contacts_visible_to, count_visible_to
from contacts.models import BulkJob, Contact, ContactEvent
from contacts.trash.services import contact_delete, contact_restore
from tests.support import in_trash, page_of

TRASH = reverse("contacts:trash")


@pytest.fixture
def company_with_everything(make_contact, alice, bob):
    company = make_contact(
        "company",
        company_name="Globex",
        access="public_read",
        responsible=[alice, bob],
        tags=["Partner"],
        infos=[
            {"kind": "email", "category": "work", "value": "info@globex.fr", "is_primary": True}
        ],
        addresses=[{"street": "1 rue de la Paix", "city": "Paris", "category": "work"}],
    )
    person = make_contact(first_name="Hank", last_name="Scorpio", company=company)
    return company, person


def trash(contact, by):
    contact_delete(by=by, contact=contact)


def test_a_trashed_contact_leaves_lists_search_exports_and_counts(
    alice_client, alice, company_with_everything
):
    company, person = company_with_everything
    before = count_visible_to(alice)

    trash(company, alice)

    assert count_visible_to(alice) == before - 1
    assert not contacts_visible_to(alice).filter(pk=company.pk).exists()
    listing = page_of(alice_client.get(reverse("contacts:list")))
    assert "Globex" not in listing
    assert "Hank Scorpio" in listing
    assert "Globex" not in page_of(alice_client.get(reverse("contacts:list"), {"q": "globex"}))
    export = alice_client.get(reverse("contacts:export_csv")).getvalue().decode("utf-8-sig")
    assert "Globex" not in export
    assert alice_client.get(company.get_absolute_url()).status_code == 404


def test_restoring_brings_everything_back(alice_client, alice, bob, company_with_everything):
    company, person = company_with_everything
    trash(company, alice)

    page = page_of(alice_client.get(TRASH))
    assert "Globex" in page
    assert "by Alice Martin" in page
    response = alice_client.post(reverse("contacts:trash_restore", args=[company.pk]), follow=True)

    assert "“Globex” was restored." in page_of(response)
    company = Contact.objects.get(pk=company.pk)
    assert company.deleted_at is None
    assert list(company.tags.names()) == ["Partner"]
    assert list(company.infos.values_list("value", flat=True)) == ["info@globex.fr"]
    assert list(company.addresses.values_list("city", flat=True)) == ["Paris"]
    assert set(company.responsible.all()) == {alice, bob}
    assert company.access == "public_read"
    person.refresh_from_db()
    assert person.live_company == company
    assert "globex" in person.search_text
    assert contacts_visible_to(bob).filter(pk=company.pk).exists()


def test_delete_forever_asks_then_purges_with_the_photo(alice_client, alice, make_contact):
    contact = make_contact(first_name="Gone")
    trash(contact, alice)
    url = reverse("contacts:trash_purge", args=[contact.pk])

    assert "Delete “Gone Dupont” forever?" in page_of(alice_client.get(url))
    assert Contact.all_objects.filter(pk=contact.pk).exists()
    response = alice_client.post(url, follow=True)

    assert "“Gone Dupont” was deleted for good." in page_of(response)
    assert not Contact.all_objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize(
    "persona, sees", [("alice", True), ("bob", False), ("admin", True), ("root", True)]
)
def test_the_trash_lists_what_the_user_could_delete(
    client, make_contact, alice, persona, sees, request
):
    contact = make_contact(first_name="Private")
    trash(contact, alice)
    client.force_login(request.getfixturevalue(persona))

    page = page_of(client.get(TRASH))
    restore = client.post(reverse("contacts:trash_restore", args=[contact.pk]))

    assert ("Private Dupont" in page) == sees
    assert restore.status_code == (302 if sees else 404)
    assert (Contact.objects.filter(pk=contact.pk).exists()) == sees


def test_a_public_read_contact_in_the_trash_is_not_the_readers_to_restore(
    client, make_contact, alice, bob
):
    contact = make_contact(first_name="Readable", access="public_read")
    trash(contact, alice)
    client.force_login(bob)

    assert "Readable" not in page_of(client.get(TRASH))
    # Visible to him, not his to act on: 403, as everywhere else.
    assert client.post(reverse("contacts:trash_restore", args=[contact.pk])).status_code == 403
    assert client.get(reverse("contacts:trash_purge", args=[contact.pk])).status_code == 403
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_anonymous_is_sent_to_log_in(client, make_contact, alice):
    contact = make_contact()
    trash(contact, alice)

    for url in (
        TRASH,
        reverse("contacts:trash_restore", args=[contact.pk]),
        reverse("contacts:trash_purge", args=[contact.pk]),
    ):
        response = client.post(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert Contact.all_objects.filter(pk=contact.pk).exists()


def test_a_live_contact_cannot_be_restored_or_purged(alice_client, contact):
    assert alice_client.post(reverse("contacts:trash_purge", args=[contact.pk])).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_the_purge_deletes_only_what_expired(make_contact, alice, settings):
    settings.TRASH_DAYS = 30
    old, recent, live = (make_contact(first_name=n) for n in ("Old", "Recent", "Live"))
    trash(old, alice)
    trash(recent, alice)
    Contact.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    call_command("purge_trash", stdout=open("/dev/null", "w"))

    assert set(Contact.all_objects.values_list("first_name", flat=True)) == {"Recent", "Live"}


def test_the_daily_purge_is_scheduled_once(db, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("purge_trash", "--schedule", stdout=open("/dev/null", "w"))
    call_command("purge_trash", "--schedule", stdout=open("/dev/null", "w"))

    [waiting] = DBTaskResult.objects.filter(task_path="contacts.trash.services.purge_trash")
    assert waiting.args_kwargs["kwargs"] == {"reschedule": True}


def test_restore_of_a_person_whose_company_is_still_in_the_trash(alice, company_with_everything):
    company, person = company_with_everything
    trash(company, alice)
    trash(person, alice)

    contact_restore(by=alice, contact=person)

    person = Contact.objects.get(pk=person.pk)
    assert person.live_company is None
    assert person.company_id == company.pk


RESTORE_SELECTED = "/contacts/trash/restore/"
PURGE_SELECTED = "/contacts/trash/purge/"


@pytest.fixture
def trashed_three(make_contact, alice):
    contacts = [make_contact(first_name=name, last_name="Binned") for name in ("Ann", "Ben", "Cy")]
    for contact in contacts:
        trash(contact, alice)
    return contacts


def test_the_trash_offers_to_tick_rows_and_act_on_them(alice_client, trashed_three):
    page = page_of(alice_client.get(TRASH))

    assert 'data-select-all="trash-form"' in page
    for contact in trashed_three:
        assert f'name="selected" value="{contact.pk}" form="trash-form"' in page
    assert f'action="{RESTORE_SELECTED}"' in page
    assert "Restore selected" in page
    assert f'formaction="{PURGE_SELECTED}"' in page
    assert "Delete forever selected" in page


def test_the_trash_selection_in_french(alice_client, trashed_three):
    page = page_of(alice_client.get(TRASH, HTTP_ACCEPT_LANGUAGE="fr"))

    assert '<html lang="fr"' in page
    assert "Corbeille" in page
    assert f'name="selected" value="{trashed_three[0].pk}" form="trash-form"' in page
    assert f'formaction="{PURGE_SELECTED}"' in page


@pytest.mark.parametrize(
    "language, deleted, purged, select",
    [
        ("en", "4 Mar 2026, 11:30 by Alice Martin", "3 Apr 2026", "Select Ann Binned"),
        ("fr", "4 mars 2026 11:30 par Alice Martin", "3 avr. 2026", "Sélectionner Ann Binned"),
    ],
)
def test_each_row_says_who_deleted_it_when_and_when_it_goes_for_good(
    alice_client, trashed_three, language, deleted, purged, select
):
    ann = trashed_three[0]
    moment = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)  # 11:30 in Paris
    Contact.all_objects.filter(pk=ann.pk).update(deleted_at=moment)

    page = page_of(alice_client.get(TRASH, HTTP_ACCEPT_LANGUAGE=language))

    row = page[page.index(f'value="{ann.pk}"') :].split("</tr>")[0]
    assert row.count(deleted) == 2  # beside the name on a phone, in its column otherwise
    assert purged in row and f'aria-label="{select}"' in row
    assert f'action="{reverse("contacts:trash_restore", args=[ann.pk])}"' in row
    assert f'href="{reverse("contacts:trash_purge", args=[ann.pk])}"' in row


def test_restore_selected_brings_back_the_ticked_contacts_only(alice_client, trashed_three):
    ann, ben, cy = trashed_three

    response = alice_client.post(RESTORE_SELECTED, {"selected": [ann.pk, cy.pk]}, follow=True)

    assert "2 contacts were restored." in page_of(response)
    assert (in_trash(ann), in_trash(ben), in_trash(cy)) == (False, True, False)
    assert ContactEvent.objects.filter(contact=ann, verb="restored").count() == 1
    assert ContactEvent.objects.filter(contact=ben, verb="restored").count() == 0


def test_restore_selected_leaves_what_the_user_may_not_delete(client, bob, make_contact, alice):
    theirs = make_contact(first_name="Readonly", access="public_read")
    trash(theirs, alice)
    client.force_login(bob)

    response = client.post(RESTORE_SELECTED, {"selected": [theirs.pk]}, follow=True)

    assert "Select the contacts to restore first." in page_of(response)
    assert in_trash(theirs)


def test_delete_forever_selected_asks_first_then_purges(alice_client, trashed_three):
    ann, ben, cy = trashed_three

    confirm = page_of(alice_client.post(PURGE_SELECTED, {"selected": [ann.pk, ben.pk]}))

    assert "Delete 2 contacts forever?" in confirm
    assert "Ann Binned" in confirm and "Ben Binned" in confirm and "Cy Binned" not in confirm
    assert Contact.all_objects.filter(pk__in=[ann.pk, ben.pk]).count() == 2

    data = {"selected": [ann.pk, ben.pk], "confirm": "1"}
    done = page_of(alice_client.post(PURGE_SELECTED, data, follow=True))

    assert "2 contacts were deleted for good." in done
    assert not Contact.all_objects.filter(pk__in=[ann.pk, ben.pk]).exists()
    assert in_trash(cy)


def test_delete_forever_selected_respects_who_may_purge(client, bob, make_contact, alice):
    theirs = make_contact(first_name="Readonly", access="public_read")
    shared = make_contact(first_name="Shared", access="public_rw")
    trash(theirs, alice)
    trash(shared, alice)
    client.force_login(bob)

    confirm = page_of(client.post(PURGE_SELECTED, {"selected": [theirs.pk, shared.pk]}))
    assert "Delete 1 contact forever?" in confirm
    assert "Readonly" not in confirm
    client.post(PURGE_SELECTED, {"selected": [theirs.pk, shared.pk], "confirm": "1"})

    assert in_trash(theirs)
    assert not Contact.all_objects.filter(pk=shared.pk).exists()


def test_deleting_offers_undo_that_restores_and_returns_to_the_contact(alice_client, contact):
    deleted = alice_client.post(reverse("contacts:delete", args=[contact.pk]), follow=True)

    undo = reverse("contacts:trash_restore", args=[contact.pk])
    page = page_of(deleted)
    assert "was moved to the trash" in page
    assert f'<form method="post" action="{undo}"' in page
    assert "csrfmiddlewaretoken" in page.split(f'action="{undo}"')[1].split("</form>")[0]
    assert "Undo" in page
    assert in_trash(contact)

    response = alice_client.post(undo)

    assert response.url == contact.get_absolute_url()
    assert not in_trash(contact)
    assert "“Jean Dupont” was restored." in page_of(alice_client.get(response.url))


def test_deleting_offers_undo_in_french(alice_client, contact):
    response = alice_client.post(
        reverse("contacts:delete", args=[contact.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="fr"
    )

    page = page_of(response)
    assert '<html lang="fr"' in page
    assert "corbeille" in page
    assert f'action="{reverse("contacts:trash_restore", args=[contact.pk])}"' in page


def test_a_bulk_delete_offers_undo_for_what_it_trashed(alice_client, alice, make_contact):
    one, two = make_contact(first_name="One"), make_contact(first_name="Two")
    before = make_contact(first_name="Before")
    trash(before, alice)
    data = {"action": "delete", "selected": [one.pk, two.pk], "confirm": "1"}

    page = page_of(alice_client.post(reverse("contacts:bulk"), data, follow=True))

    job = BulkJob.objects.get()
    undo = f"/contacts/bulk/{job.pk}/undo/"
    assert "2 contacts moved to the trash." in page
    assert f'action="{undo}"' in page
    assert in_trash(one) and in_trash(two)

    restored = page_of(alice_client.post(undo, follow=True))

    assert "2 contacts were restored." in restored
    assert not in_trash(one) and not in_trash(two)
    assert in_trash(before)


def test_a_bulk_delete_with_skipped_contacts_offers_undo_on_its_result(
    alice_client, make_contact, bob
):
    mine = make_contact(first_name="Mine")
    readonly = make_contact(first_name="Readonly", by=bob, access="public_read")
    data = {"action": "delete", "selected": [mine.pk, readonly.pk], "confirm": "1"}

    page = page_of(alice_client.post(reverse("contacts:bulk"), data, follow=True))

    job = BulkJob.objects.get()
    assert f'action="{f"/contacts/bulk/{job.pk}/undo/"}"' in page
    alice_client.post(f"/contacts/bulk/{job.pk}/undo/")
    assert not in_trash(mine)


def test_only_the_user_who_bulk_deleted_may_undo_it(client, alice, bob, make_contact):
    mine = make_contact(first_name="Mine", access="public_rw")
    client.force_login(alice)
    client.post(
        reverse("contacts:bulk"), {"action": "delete", "selected": [mine.pk], "confirm": "1"}
    )
    undo = f"/contacts/bulk/{BulkJob.objects.get().pk}/undo/"
    client.force_login(bob)

    assert client.post(undo).status_code == 404
    assert in_trash(mine)
    client.force_login(alice)
    assert client.post(undo).status_code == 302
    assert not in_trash(mine)
