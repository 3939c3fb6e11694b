"""The trash: contacts deleted from the CRM wait here, restorable, for settings.TRASH_DAYS;
then a daily task purges them for good, photos included.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from contacts import history
from contacts.db.statistics import refresh_statistics
from contacts.models import Contact
from contacts.positions.primary import lead_again, persons_at
from contacts.services import contacts_refresh_search_text
from contacts.storage import delete_files_on_commit


@transaction.atomic
def contact_delete(
    *, by: User, contact: Contact, source: str = "", details: dict[str, Any] | None = None
) -> None:
    """Move the contact to the trash; its company link and details stay.

    source and details say in the history how it came (a phone, by its app password).
    """
    contacts_trash(by=by, ids=[contact.pk], source=source, details=details)


def contacts_trash(
    *, by: User, ids: Iterable[int], source: str = "", details: dict[str, Any] | None = None
) -> None:
    """Move contacts to the trash; the persons of a trashed company are no longer found
    by its name, and restoring brings everything back."""
    now = timezone.now()
    contacts = Contact.objects.filter(pk__in=ids)
    ids = list(contacts.values_list("pk", flat=True))
    contacts.update(
        deleted_at=now, deleted_by=by, updated_by=by, updated_at=now, version=F("version") + 1
    )
    history.record_many(ids, by, history.Verb.DELETED, source=source, details=details)
    contacts_refresh_search_text(persons_at(ids))


@transaction.atomic
def contact_restore(*, by: User, contact: Contact) -> None:
    """Bring a contact back from the trash, as it was."""
    contacts_restore(by=by, ids=[contact.pk])


@transaction.atomic
def contacts_restore(*, by: User, ids: Iterable[int]) -> int:
    """Bring contacts back from the trash, as they were; return how many came back."""
    trashed = Contact.all_objects.filter(pk__in=ids, deleted_at__isnull=False)
    ids = list(trashed.values_list("pk", flat=True))
    trashed.update(
        deleted_at=None,
        deleted_by=None,
        updated_by=by,
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    history.record_many(ids, by, history.Verb.RESTORED)
    contacts_refresh_search_text(persons_at(ids))
    return len(ids)


@transaction.atomic
def contacts_purge(contacts: Iterable[Contact]) -> int:
    """Delete contacts for good, with their photos; a company's persons stay, unlinked."""
    contacts = Contact.all_objects.filter(pk__in=[c.pk for c in contacts])
    files = [name for pair in contacts.values_list("photo", "photo_thumb") for name in pair if name]
    staff = list(persons_at(contacts.values_list("pk", flat=True)).values_list("pk", flat=True))
    count = contacts.delete()[1].get(Contact._meta.label, 0)
    # Their positions there went with the companies: another current one leads.
    lead_again(staff)
    contacts_refresh_search_text(Contact.all_objects.filter(pk__in=staff))
    delete_files_on_commit(files)
    return count


def trash_purge_expired() -> int:
    """Purge the contacts that have been in the trash longer than settings.TRASH_DAYS."""
    limit = timezone.now() - timedelta(days=settings.TRASH_DAYS)
    expired = Contact.all_objects.filter(deleted_at__lt=limit)
    purged = 0
    while batch := list(expired.only("pk")[:500]):
        purged += contacts_purge(batch)
    return purged


@task()
def purge_trash(*, reschedule: bool = False) -> int:
    """Purge the contacts in the trash for longer than settings.TRASH_DAYS.

    With reschedule, it enqueues itself again for tomorrow: one daily run, kept going by
    the worker, started by `manage.py purge_trash --schedule`.
    """
    purged = trash_purge_expired()
    refresh_statistics()  # daily
    if reschedule:
        schedule_purge_trash()
    return purged


def schedule_purge_trash(delay: timedelta = timedelta(days=1)) -> None:
    """Enqueue the daily purge for later, unless the backend cannot defer tasks."""
    if purge_trash.get_backend().supports_defer:
        purge_trash.using(run_after=timezone.now() + delay).enqueue(reschedule=True)
