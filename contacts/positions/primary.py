"""A person's primary position, kept as his company and job title say."""

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from contacts.models import Contact
from contacts.positions.models import Position


def pick_next(current: list[Position]) -> Position | None:
    """Return the position that becomes primary among current ones: the latest started."""
    if not current:
        return None
    return max(current, key=lambda p: (p.start_date or date.min, p.created_at, p.pk))


def _today_or_later(position: Position) -> date:
    """Return the day a position ends now: today, or its start when that is later."""
    today = timezone.localdate()
    return max(today, position.start_date or today)


def keep_primary(
    person: Contact, company: Contact | None, job_title: str, *, moved: bool = False
) -> Position | None:
    """Make person's positions agree with his company and job title, as just saved.

    A company he has a current position at makes it primary, with that job title; another
    company is a new current position, the primary one; no company ends the primary
    position today and, when he holds another current one, it becomes primary; moved:
    another company than the primary one ends that one today. Return the primary position
    (None without one): the caller writes its company and job title on the person when
    they are not what he saved.
    """
    current = list(Position.objects.filter(person=person, end_date__isnull=True))
    primary = next((p for p in current if p.is_primary), None)
    if company is None:
        if primary is None:
            return None
        primary.is_primary = False
        primary.end_date = _today_or_later(primary)
        primary.save(update_fields=["is_primary", "end_date"])
        following = pick_next([p for p in current if p.pk != primary.pk])
        if following is not None:
            following.is_primary = True
            following.save(update_fields=["is_primary"])
        return following
    at = next((p for p in current if p.company_id == company.pk), None)
    if primary is not None and primary is not at:
        # One primary at a time, also between the two writes.
        primary.is_primary = False
        if moved:
            primary.end_date = _today_or_later(primary)
        primary.save(update_fields=["is_primary", "end_date"])
    if at is None:
        return Position.objects.create(
            person=person, company=company, job_title=job_title, is_primary=True
        )
    if not at.is_primary or at.job_title != job_title:
        at.is_primary, at.job_title = True, job_title
        at.save(update_fields=["is_primary", "job_title"])
    return at


def company_names(ids: Iterable[int]) -> dict[int, str]:
    """Return, for each person of ids, the names of the live companies of his current
    positions, the primary one first: what his search text holds of them."""
    rows = (
        Position.objects.filter(
            person_id__in=list(ids), end_date__isnull=True, company__deleted_at__isnull=True
        )
        .order_by("person_id", "-is_primary", "pk")
        .values_list("person_id", "company__display_name")
    )
    names: dict[int, list[str]] = {}
    for person_id, name in rows:
        names.setdefault(person_id, []).append(name)
    return {pk: " ".join(found) for pk, found in names.items()}


def persons_at(company_ids: Iterable[int]) -> QuerySet[Contact]:
    """Return the persons holding a current position at one of the companies."""
    held = Position.objects.filter(company_id__in=list(company_ids), end_date__isnull=True)
    return Contact.all_objects.filter(pk__in=held.values("person_id"))


def lead_again(ids: Iterable[int]) -> None:
    """Give each person of ids who holds current positions but no primary one (his primary
    company was deleted for good) the latest started as primary: his company and job
    title are its."""
    found: dict[int, list[Position]] = {}
    for position in Position.objects.filter(person_id__in=list(ids), end_date__isnull=True):
        found.setdefault(position.person_id, []).append(position)
    for person_id, current in found.items():
        following = pick_next(current)
        if following is None or any(p.is_primary for p in current):
            continue
        following.is_primary = True
        following.save(update_fields=["is_primary"])
        Contact.all_objects.filter(pk=person_id).update(
            company_id=following.company_id, job_title=following.job_title
        )
