"""Saving a contact from its form or its photo dialog, with what came of it.

The pages turn the outcome into a response: the contact saved, possible duplicates to
confirm, someone else's save in between, a disk too full for the photo, or a position
of the person's form refused. The writes themselves are services.contact_create,
contact_update and contact_set_photo, with a person's other positions (positions'
services); this module sits above them and the duplicates (merging's), so that services
depends on no feature package.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

from django.contrib.auth.models import User
from django.db import transaction

from contacts import services
from contacts.merging import duplicates
from contacts.models import Contact
from contacts.positions.services import (
    NewPosition,
    PositionChange,
    PositionsRefused,
    positions_add,
    positions_change,
)
from contacts.services import ContactData, PhotoFiles
from contacts.storage import is_disk_full

DUPLICATE_NAME_FIELDS = ("first_name", "last_name", "company_name")


class SaveOutcome(StrEnum):
    SAVED = "saved"
    DUPLICATES = "duplicates"  # a new contact may already exist: nothing was saved
    CONFLICT = "conflict"  # saved by someone else since it was read: nothing was saved
    DISK_FULL = "disk_full"  # the photo could not be written: nothing was saved
    POSITIONS = "positions"  # a position of the person's form was refused: nothing was saved


@dataclass(frozen=True)
class SaveResult:
    outcome: SaveOutcome
    # The contact saved; on a conflict or a full disk, the one read (None when new).
    contact: Contact | None = None
    duplicates: list[Contact] = field(default_factory=list)
    refused: PositionsRefused | None = None


def contact_save(
    *,
    by: User,
    data: ContactData,
    contact: Contact | None = None,
    check_duplicates: bool = False,
    changes: Sequence[PositionChange] = (),
    new: Sequence[NewPosition] = (),
) -> SaveResult:
    """Create a contact with data, or replace what contact holds with it.

    With check_duplicates, a new contact that would duplicate contacts by may see is not
    created: the result names them. An update saves over the version of contact that was
    read, and only over it. changes and new: what a person's form asks of his other
    positions, saved with him or not at all.
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
        write = partial(services.contact_create, by=by, data=data)
    else:
        write = partial(
            services.contact_update,
            by=by,
            contact=contact,
            data=data,
            expected_version=contact.version,
        )
    if changes or new:
        write = partial(_with_positions, write, by, contact, list(changes), list(new))
    return _outcome(write, contact)


def _with_positions(
    write: Callable[[], Contact],
    by: User,
    contact: Contact | None,
    changes: list[PositionChange],
    new: list[NewPosition],
) -> Contact:
    """Write the contact and his other positions in one transaction, or nothing.

    The positions he holds are changed first: none of them is the primary one, which the
    contact's write keeps as his company and job title say, and the new ones come last,
    at the companies he works at once it is saved.
    """
    refused = PositionsRefused()
    with transaction.atomic():
        if contact is not None:
            positions_change(by=by, person=contact, changes=changes, refused=refused)
        saved = write()
        positions_add(by=by, person=saved, new=new, refused=refused)
        if refused:
            raise refused
    return saved


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
    except PositionsRefused as refused:
        return SaveResult(SaveOutcome.POSITIONS, contact, refused=refused)
    except OSError as error:
        if not is_disk_full(error):
            raise
        # The write's transaction rolled back, and the photo files it wrote with it.
        return SaveResult(SaveOutcome.DISK_FULL, contact)
    return SaveResult(SaveOutcome.SAVED, saved)
