"""Writing a person's positions; the primary one kept as his company and job title.

Two ways in, one result. The contact service (a form, an import, a website form, a merge)
says a person's company and job title: positions.primary.keep_primary makes the positions
say the same.
The card adds, ends and removes positions (position_add, position_end, position_remove,
position_make_primary), and the person's form edits the others (positions_change,
positions_add, through the same services and position_update): when the primary one
changes, they go through contact_update with the new company and job title, so that the
contact's version, history, search text and duplicate keys follow as for any other
change of company.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import history
from contacts.access import can_change, contacts_visible_to
from contacts.models import Contact
from contacts.positions.models import Position
from contacts.positions.primary import pick_next
from contacts.services import (
    company_named,
    contact_data_of,
    contact_update,
    contacts_refresh_search_text,
)

# What the person's form edits of a position, beside its end.
EDITED_FIELDS = ("job_title", "department", "start_date")


def _fresh(position: Position) -> Position:
    """Return position as stored now, locked with its person until the transaction ends."""
    found = Position.objects.select_for_update().select_related("person", "company")
    return found.get(pk=position.pk)


def _check_change(by: User, person: Contact) -> None:
    if person.kind != Contact.Kind.PERSON or not can_change(by, person):
        raise PermissionDenied


def _text(position: Position) -> tuple[str, int]:
    """Return position as the history names it: its company (and job title), its id."""
    name = position.company.display_name
    return (f"{name} — {position.job_title}" if position.job_title else name, position.company_id)


def _set_primary(by: User, person: Contact, position: Position | None) -> None:
    """Make position (or none) the person's primary one, through the contact service."""
    data = contact_data_of(person)
    fields = {**data.fields, "job_title": position.job_title if position else ""}
    company = position.company if position else None
    contact_update(by=by, contact=person, data=replace(data, fields=fields, company=company))


@transaction.atomic
def position_add(
    *,
    by: User,
    person: Contact,
    company: Contact,
    job_title: str = "",
    department: str = "",
    start_date: date | None = None,
    primary: bool = False,
) -> Position:
    """Give person a current position at company; the primary one if asked or his first."""
    _check_change(by, person)
    if company.kind != Contact.Kind.COMPANY or not contacts_visible_to(by).filter(pk=company.pk):
        raise PermissionDenied
    current = Position.objects.filter(person=person, end_date__isnull=True)
    if current.filter(company=company).exists():
        raise ValidationError(
            _("%(name)s already works at %(company)s: end that position first.")
            % {"name": person.display_name, "company": company.display_name},
            code="duplicate",
        )
    if start_date is not None and start_date > timezone.localdate():
        raise ValidationError(_("A position cannot start in the future."), code="future")
    position = Position.objects.create(
        person=person,
        company=company,
        job_title=job_title,
        department=department,
        start_date=start_date,
    )
    if primary or not current.filter(is_primary=True).exists():
        _set_primary(by, person, position)
    else:
        _record(by, person, history.position_change(None, _text(position)))
    position.refresh_from_db()
    return position


@transaction.atomic
def position_update(
    *, by: User, position: Position, job_title: str, department: str, start_date: date | None
) -> Position:
    """Set a position's job title, department and start date; the primary one's job title
    is the person's."""
    position = _fresh(position)
    person = position.person
    _check_change(by, person)
    if start_date is not None and start_date > timezone.localdate():
        raise ValidationError(_("A position cannot start in the future."), code="future")
    if start_date is not None and position.end_date is not None and position.end_date < start_date:
        raise ValidationError(_("A position cannot end before it starts."), code="order")
    before = _full_text(position)
    retitled = position.job_title != job_title
    position.job_title, position.department, position.start_date = (
        job_title,
        department,
        start_date,
    )
    position.save(update_fields=list(EDITED_FIELDS))
    if position.is_primary and retitled:
        _set_primary(by, person, position)
    if before != _full_text(position):
        _record(by, person, history.position_change(before, _full_text(position)))
    return position


def _full_text(position: Position) -> tuple[str, int]:
    """Return position as the history names a change of it: its text with its department
    and its start."""
    text, company_id = _text(position)
    if position.department:
        text = f"{text}, {position.department}"
    if position.start_date:
        text = f"{text} ({position.start_date.isoformat()} →)"
    return text, company_id


@transaction.atomic
def position_end(*, by: User, position: Position, end_date: date | None = None) -> Position:
    """End a current position (today by default); the next current one becomes primary."""
    position = _fresh(position)
    person = position.person
    _check_change(by, person)
    end_date = end_date or timezone.localdate()
    if end_date > timezone.localdate():
        raise ValidationError(
            _("An end date in the future: leave it empty until the person leaves."), code="future"
        )
    if position.start_date is not None and end_date < position.start_date:
        raise ValidationError(_("A position cannot end before it starts."), code="order")
    if position.end_date is not None:
        raise ValidationError(_("This position has ended already."), code="ended")
    was_primary = position.is_primary
    position.is_primary, position.end_date = False, end_date
    position.save(update_fields=["is_primary", "end_date"])
    _after_leaving(by, person, position, was_primary)
    return position


@transaction.atomic
def position_remove(*, by: User, position: Position) -> None:
    """Delete a position, as if it never was (a mistake); the next current one may lead."""
    position = _fresh(position)
    person = position.person
    _check_change(by, person)
    was_primary = position.is_primary
    position.delete()
    _after_leaving(by, person, position, was_primary)


def _after_leaving(by: User, person: Contact, position: Position, was_primary: bool) -> None:
    if was_primary:
        current = list(Position.objects.filter(person=person, end_date__isnull=True))
        _set_primary(by, person, pick_next(current))
    else:
        after = None
        if position.pk is not None:  # ended, not removed
            text, company_id = _text(position)
            after = (f"{text} (→ {position.end_date.isoformat()})", company_id)
        _record(by, person, history.position_change(_text(position), after))


def _record(by: User, person: Contact, change: history.Change) -> None:
    """Record a change of a position other than the primary one; the person is found by
    the names of the companies he works at now."""
    history.record(person, by, history.Verb.CHANGED, changes=[change])
    contacts_refresh_search_text(Contact.objects.filter(pk=person.pk))


@transaction.atomic
def position_make_primary(*, by: User, position: Position) -> None:
    """Make a current position the person's primary one: his company and job title."""
    position = _fresh(position)
    _check_change(by, position.person)
    if position.end_date is not None:
        raise ValidationError(_("Only a current position can be the primary one."), code="ended")
    _set_primary(by, position.person, position)


@dataclass(frozen=True)
class PositionChange:
    """What the person's form asks of one of his current positions (not the primary one).

    loaded: its fields (EDITED_FIELDS) as the form was loaded with them; typed: as posted.
    Only what the user changed is applied, over what others saved meanwhile.
    """

    row: int  # the form's row, which shows the error
    pk: int
    loaded: dict[str, Any]
    typed: dict[str, Any]
    end_date: date | None = None
    remove: bool = False

    @property
    def changed(self) -> dict[str, Any]:
        """Return the fields the user changed, with their new values."""
        return {k: self.typed[k] for k in EDITED_FIELDS if self.typed[k] != self.loaded[k]}

    @property
    def asks_anything(self) -> bool:
        return self.remove or self.end_date is not None or bool(self.changed)


@dataclass(frozen=True)
class NewPosition:
    """A position typed on the person's form: a company not found is created."""

    row: int
    company: str
    job_title: str = ""
    department: str = ""
    start_date: date | None = None


class PositionsRefused(Exception):
    """Rows of the person's form that could not be saved: nothing was.

    errors: the messages beside each row (by the form's row); notes: about positions the
    form no longer shows (ended or removed by someone else meanwhile).
    """

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[int, list[str]] = {}
        self.notes: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.errors or self.notes)


def positions_change(
    *, by: User, person: Contact, changes: list[PositionChange], refused: PositionsRefused
) -> None:
    """Apply the changes the person's form asks of his positions; what cannot be applied
    goes into refused, the caller rolling everything back when it holds anything."""
    for change in changes:
        try:
            _change(by, person, change)
        except ValidationError as error:
            refused.errors.setdefault(change.row, []).extend(error.messages)
        except _Gone as gone:
            refused.notes.append(str(gone))


class _Gone(Exception):
    """A position the form shows was ended, removed or made primary meanwhile."""


def _change(by: User, person: Contact, change: PositionChange) -> None:
    found = Position.objects.select_for_update().select_related("company")
    position = found.filter(pk=change.pk, person=person).first()
    if position is None or not contacts_visible_to(by).filter(pk=position.company_id).exists():
        if change.asks_anything and not (change.remove and position is None):
            raise _Gone(
                _(
                    "A position you changed was removed by someone else meanwhile: "
                    "your changes to it were not saved."
                )
            )
        return
    if position.end_date is not None or position.is_primary:
        # Never current again, nor changed beside the primary one's fields: told, not done.
        if not change.asks_anything:
            return
        if position.end_date is not None:
            message = _(
                "The position at %(company)s was ended by someone else meanwhile: "
                "your changes to it were not saved."
            )
        else:
            message = _(
                "The position at %(company)s became the primary one meanwhile: change it "
                "in the Company and Job title fields."
            )
        raise _Gone(message % {"company": position.company.display_name})
    if change.remove:
        position_remove(by=by, position=position)
        return
    stored = {name: getattr(position, name) for name in EDITED_FIELDS}
    changed = change.changed
    both = [k for k, v in changed.items() if stored[k] not in (change.loaded[k], v)]
    if both:
        raise ValidationError(
            _(
                "Someone else changed this position meanwhile: the form shows what they "
                "saved, with your changes over it. Save again to keep yours."
            ),
            code="conflict",
        )
    if any(stored[k] != v for k, v in changed.items()):
        position = position_update(by=by, position=position, **{**stored, **changed})
    if change.end_date is not None:
        position_end(by=by, position=position, end_date=change.end_date)


def positions_add(
    *, by: User, person: Contact, new: list[NewPosition], refused: PositionsRefused
) -> None:
    """Add the positions typed on the person's form, creating the companies not found as
    his form creates his company; what cannot be added goes into refused."""
    for row in new:
        try:
            with transaction.atomic():
                company = company_named(by=by, name=row.company, person=person)
                position_add(
                    by=by,
                    person=person,
                    company=company,
                    job_title=row.job_title,
                    department=row.department,
                    start_date=row.start_date,
                )
        except ValidationError as error:
            refused.errors.setdefault(row.row, []).extend(error.messages)
        except PermissionDenied:
            refused.errors.setdefault(row.row, []).append(
                _(
                    "Once saved, you could no longer change this person: add the position "
                    "first, then change the access."
                )
            )
