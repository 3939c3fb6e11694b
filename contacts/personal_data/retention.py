"""The retention review: the contacts nobody has worked with for a while, for an admin to
keep, export or erase. Nothing here deletes anything.
"""

import calendar
import datetime
from collections.abc import Collection

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from contacts.access import contacts_visible_to
from contacts.db import freshness
from contacts.models import Contact, CrmSettings

MAX_MONTHS = 600
# The contacts due that the review page lists, least recently changed first: more are
# said to be there, as a search says it, and the list and the export reach them all.
# Counting them all would read every contact due, most of a large base.
REVIEW_LISTED = 1000


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """Return moment months earlier, on the same day or the month's last one."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def review_months() -> int | None:
    """Return the setting: review contacts idle for this many months; None when off."""
    return CrmSettings.load().review_after_months or None


def review_cutoff(now: datetime.datetime | None = None) -> datetime.datetime | None:
    months = review_months()
    if months is None:
        return None
    return months_before(now or timezone.now(), months)


def to_review(contacts: QuerySet[Contact], cutoff: datetime.datetime) -> QuerySet[Contact]:
    """Narrow contacts to those with neither activity nor change since cutoff, and not
    kept since then."""
    return contacts.filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=cutoff),
        Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=cutoff),
        updated_at__lt=cutoff,
    )


def contacts_to_review(user: User) -> QuerySet[Contact]:
    """Return the contacts user may see that are due for review, least recently changed
    first; none while the review is off."""
    cutoff = review_cutoff()
    if cutoff is None:
        return Contact.objects.none()
    return to_review(contacts_visible_to(user), cutoff).order_by("updated_at", "id")


def ids_to_review(user: User) -> list[int]:
    """Return the ids of the first contacts due for review that user may see, in the
    review's order: one more than REVIEW_LISTED when there are more."""
    contacts = contacts_to_review(user).values_list("pk", flat=True)
    return list(contacts[: REVIEW_LISTED + 1])


def contacts_in_order(user: User, ids: list[int]) -> list[Contact]:
    """Return the contacts of ids that user may see, in the order of ids."""
    found = contacts_visible_to(user).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@transaction.atomic
def review_settings_update(*, months: int | None) -> CrmSettings:
    """Review the contacts idle for months months; None turns the review off."""
    crm_settings = CrmSettings.objects.select_for_update().get_or_create(pk=1)[0]
    crm_settings.review_after_months = months
    crm_settings.save(update_fields=["review_after_months"])
    # The list's filter "due for review" reads this setting: a new data version, so that
    # the list's cache shows no page of it read under the old one.
    with freshness.bulk_writes():
        pass
    return crm_settings


def contacts_keep(*, by: User, ids: Collection[int]) -> int:
    """Mark the contacts of ids that by may see as reviewed now: they leave the review
    until they have been idle that long again. Return how many.

    Not a change of the contact: neither its version, its "last changed" nor its history
    moves, as the last activity's refresh.
    """
    contacts = contacts_visible_to(by).filter(pk__in=list(ids))
    return contacts.update(reviewed_at=timezone.now())
