"""Reading positions as a user may: a person's, a company's people."""

from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet

from contacts.access import AnyUser, contacts_visible_to
from contacts.models import Contact
from contacts.positions.models import Position

# A company's card lists its current people by pages of this many.
PEOPLE_PER_PAGE = 25


def positions_of(user: AnyUser, person: Contact) -> list[Position]:
    """Return person's positions at the companies user may see: current ones first (the
    primary first), then the former ones, last ended first."""
    found = Position.objects.filter(person=person).select_related("company")
    found = found.filter(Exists(contacts_visible_to(user).filter(pk=OuterRef("company_id"))))

    def order(p: Position) -> tuple[bool, bool, int, int]:
        latest = p.end_date or p.start_date or date.min
        return (p.end_date is not None, not p.is_primary, -latest.toordinal(), -p.pk)

    return sorted(found, key=order)


def people_of(user: AnyUser, company: Contact, *, current: bool) -> QuerySet[Position]:
    """Return the positions at company of the persons user may see, by their names."""
    # Probed for each of the company's positions: not all the persons user may see.
    seen = Exists(contacts_visible_to(user).filter(pk=OuterRef("person_id")))
    found = Position.objects.filter(seen, company=company, end_date__isnull=current)
    return found.select_related("person").order_by("person__sort_name", "person_id", "-id")


def people_page(user: AnyUser, company: Contact, number: object) -> Page:
    """Return a page of company's current people that user may see."""
    return Paginator(people_of(user, company, current=True), PEOPLE_PER_PAGE).get_page(number)
