"""Writing a person's positions; the primary one kept as his company and job title.

Two ways in, one result. The contact service (a form, an import, a website form, a merge)
says a person's company and job title: positions.primary.keep_primary makes the positions
say the same.
The card adds, ends and removes positions (position_add, position_end, position_remove,
position_make_primary): when the primary one changes, they go through contact_update
with the new company and job title, so that the contact's version, history, search text
and duplicate keys follow as for any other change of company.
"""

from dataclasses import replace
from datetime import date

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
from contacts.services import contact_data_of, contact_update, contacts_refresh_search_text


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
