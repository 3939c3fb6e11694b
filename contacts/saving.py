"""Saving a contact from its form or its photo dialog, with what came of it.

The pages turn the outcome into a response: the contact saved, possible duplicates to
confirm, someone else's save in between, or a disk too full for the photo. The writes
themselves are services.contact_create, contact_update and contact_set_photo; this
module sits above them and the duplicates (merging's), so that services depends on no
feature package.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

from django.contrib.auth.models import User

from contacts import services
from contacts.merging import duplicates
from contacts.models import Contact
from contacts.services import ContactData, PhotoFiles
from contacts.storage import is_disk_full

DUPLICATE_NAME_FIELDS = ("first_name", "last_name", "company_name")


class SaveOutcome(StrEnum):
    SAVED = "saved"
    DUPLICATES = "duplicates"  # a new contact may already exist: nothing was saved
    CONFLICT = "conflict"  # saved by someone else since it was read: nothing was saved
    DISK_FULL = "disk_full"  # the photo could not be written: nothing was saved


@dataclass(frozen=True)
class SaveResult:
    outcome: SaveOutcome
    # The contact saved; on a conflict or a full disk, the one read (None when new).
    contact: Contact | None = None
    duplicates: list[Contact] = field(default_factory=list)


def contact_save(
    *,
    by: User,
    data: ContactData,
    contact: Contact | None = None,
    check_duplicates: bool = False,
) -> SaveResult:
    """Create a contact with data, or replace what contact holds with it.

    With check_duplicates, a new contact that would duplicate contacts by may see is not
    created: the result names them. An update saves over the version of contact that was
    read, and only over it.
    """
    if contact is None and check_duplicates:
        likely = duplicates.matches(
            by,
            kind=data.kind,
            infos=data.infos,
            company=data.company,
            new_company=data.new_company_name,
            **{name: data.fields.get(name) or "" for name in DUPLICATE_NAME_FIELDS},
        )
        if likely:
            return SaveResult(SaveOutcome.DUPLICATES, duplicates=likely)
    if contact is None:
        return _outcome(partial(services.contact_create, by=by, data=data), None)
    write = partial(
        services.contact_update,
        by=by,
        contact=contact,
        data=data,
        expected_version=contact.version,
    )
    return _outcome(write, contact)


def contact_photo_save(*, by: User, contact: Contact, photo: PhotoFiles | None) -> SaveResult:
    """Give contact the photo files, or the placeholder when there are none."""
    write = partial(
        services.contact_set_photo, by=by, contact=contact, photo=photo, remove=not photo
    )
    return _outcome(write, contact)


def _outcome(write: Callable[[], Contact], contact: Contact | None) -> SaveResult:
    try:
        saved = write()
    except services.EditConflict:
        return SaveResult(SaveOutcome.CONFLICT, contact)
    except OSError as error:
        if not is_disk_full(error):
            raise
        # The write's transaction rolled back, and the photo files it wrote with it.
        return SaveResult(SaveOutcome.DISK_FULL, contact)
    return SaveResult(SaveOutcome.SAVED, saved)
