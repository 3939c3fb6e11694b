"""Saving from the contact form and the photo dialog: each outcome and what it leaves."""

import errno

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact
from contacts.photos.files import process_photo
from contacts.saving import SaveOutcome, contact_photo_save, contact_save
from contacts.services import ContactData, contact_data_of, contact_update
from contacts.storage import WholeFileSystemStorage
from tests.picture_server import png


def person(first_name="Marie", email="", **extra):
    infos = [{"kind": "email", "category": "work", "value": email}] if email else []
    fields = {"first_name": first_name, "last_name": "Curie"}
    return ContactData(kind="person", fields=fields, infos=infos, **extra)


def photo_files():
    return process_photo(SimpleUploadedFile("me.png", png(), content_type="image/png"))


@pytest.fixture
def full_disk(monkeypatch):
    def no_space(storage, out, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(WholeFileSystemStorage, "_write", no_space)


def test_a_new_contact_is_saved(alice):
    result = contact_save(by=alice, data=person(responsible=[alice]))

    assert result.outcome == SaveOutcome.SAVED
    assert Contact.objects.get().pk == result.contact.pk
    assert result.contact.display_name == "Marie Curie"


def test_a_new_contact_like_one_the_user_sees_is_not_saved_and_the_other_is_named(
    alice, make_contact
):
    known = make_contact(
        first_name="Pierre", infos=[{"kind": "email", "category": "work", "value": "p@example.com"}]
    )

    result = contact_save(by=alice, data=person(email="P@example.com"), check_duplicates=True)

    assert result.outcome == SaveOutcome.DUPLICATES
    assert result.duplicates == [known]
    assert result.contact is None
    assert list(Contact.objects.all()) == [known]


def test_a_duplicate_is_saved_when_the_user_asks_for_no_check(alice, make_contact):
    make_contact(first_name="Marie", last_name="Curie")

    result = contact_save(by=alice, data=person(responsible=[alice]))

    assert result.outcome == SaveOutcome.SAVED
    assert Contact.objects.filter(display_name="Marie Curie").count() == 2


def test_a_contact_the_user_may_not_see_is_no_duplicate_to_him(alice, bob, make_contact):
    make_contact(first_name="Marie", last_name="Curie", by=bob)

    result = contact_save(by=alice, data=person(responsible=[alice]), check_duplicates=True)

    assert result.outcome == SaveOutcome.SAVED
    assert Contact.objects.filter(display_name="Marie Curie").count() == 2


def test_an_update_over_a_version_saved_meanwhile_is_a_conflict_and_changes_nothing(
    alice, bob, contact
):
    read = Contact.objects.get(pk=contact.pk)
    meanwhile = contact_data_of(contact)
    meanwhile.fields["job_title"] = "Chemist"
    contact_update(by=bob, contact=contact, data=meanwhile)

    result = contact_save(by=alice, data=person(responsible=[alice]), contact=read)

    assert result.outcome == SaveOutcome.CONFLICT
    assert result.contact == read
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.first_name, stored.job_title) == ("Jean", "Chemist")


def test_an_update_over_the_version_read_is_saved(alice, contact):
    result = contact_save(by=alice, data=person(responsible=[alice]), contact=contact)

    assert result.outcome == SaveOutcome.SAVED
    assert Contact.objects.get(pk=contact.pk).display_name == "Marie Curie"


def test_a_photo_that_does_not_fit_on_the_disk_saves_nothing(alice, full_disk):
    result = contact_save(by=alice, data=person(responsible=[alice], photo=photo_files()))

    assert result.outcome == SaveOutcome.DISK_FULL
    assert not Contact.objects.exists()


def test_another_error_of_the_disk_is_not_taken_for_a_full_one(alice, monkeypatch):
    def refused(storage, out, content):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(WholeFileSystemStorage, "_write", refused)

    with pytest.raises(PermissionError):
        contact_save(by=alice, data=person(responsible=[alice], photo=photo_files()))


def test_a_photo_is_saved_on_the_contact(alice, contact):
    result = contact_photo_save(by=alice, contact=contact, photo=photo_files())

    assert result.outcome == SaveOutcome.SAVED
    assert Contact.objects.get(pk=contact.pk).photo


def test_a_photo_for_a_contact_changed_meanwhile_is_a_conflict(alice, bob, contact):
    read = Contact.objects.get(pk=contact.pk)
    contact_update(by=bob, contact=contact, data=contact_data_of(contact))

    result = contact_photo_save(by=alice, contact=read, photo=photo_files())

    assert result.outcome == SaveOutcome.CONFLICT
    assert not Contact.objects.get(pk=contact.pk).photo


def test_a_photo_that_does_not_fit_on_the_disk_leaves_the_placeholder(alice, contact, full_disk):
    version = contact.version

    result = contact_photo_save(by=alice, contact=contact, photo=photo_files())

    assert result.outcome == SaveOutcome.DISK_FULL
    stored = Contact.objects.get(pk=contact.pk)
    assert not stored.photo
    assert stored.version == version
