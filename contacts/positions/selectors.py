"""Reading positions as a user may: a person's, a company's people."""

from dataclasses import dataclass
from datetime import date

from django.db import connection, models

from contacts.access import AnyUser, rights_sql, visible_among
from contacts.models import Contact
from contacts.positions.models import Position

# A company's card lists its current people by pages of this many.
PEOPLE_PER_PAGE = 25
# A position's own columns, read with the fields of its other end that its line shows.
POSITION_FIELDS = [
    "person",
    "company",
    "job_title",
    "department",
    "start_date",
    "end_date",
    "is_primary",
]
# What a line of a company's people shows of a person.
PERSON_FIELDS = [
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "display_name",
    "photo_thumb",
    "access",
    "version",
]


def positions_of(user: AnyUser, person: Contact) -> list[Position]:
    """Return person's positions at the companies user may see: current ones first (the
    primary first), then the former ones, last ended first."""
    found = list(
        Position.objects.filter(person=person)
        .select_related("company")
        .only(*POSITION_FIELDS, "company__kind", "company__display_name", "company__deleted_at")
    )
    # His company as the card's header has it (company_visible, read with him; a company
    # in the trash is left out); the other companies, when he has some, probed in one query.
    seen: dict[int, bool] = {}
    if person.company_id and hasattr(person, "company_visible"):
        seen[person.company_id] = bool(person.company_visible)
    others = {p.company_id for p in found} - set(seen)
    if others:
        seen.update(dict.fromkeys(others, False))
        seen.update((pk, True) for (pk,) in visible_among(user, others))
    found = [p for p in found if seen[p.company_id] and p.company.deleted_at is None]

    def order(p: Position) -> tuple[bool, bool, int, int]:
        latest = p.end_date or p.start_date or date.min
        return (p.end_date is not None, not p.is_primary, -latest.toordinal(), -p.pk)

    return sorted(found, key=order)


def other_positions_of(user: AnyUser, person: Contact) -> list[Position]:
    """Return person's current positions but the primary one, at the live companies user
    may see, the latest started first: what his form edits.

    His positions first, by his id; their companies probed in a second query only when he
    has some (an IN over every company user may see would read them all).
    """
    found = list(
        Position.objects.filter(person=person, end_date__isnull=True, is_primary=False)
        .select_related("company")
        .only(*POSITION_FIELDS, "company__kind", "company__display_name", "company__deleted_at")
    )
    if found:
        ids = {p.company_id for p in found}
        seen = {pk for (pk,) in visible_among(user, ids)}
        found = [p for p in found if p.company_id in seen]
    return sorted(found, key=lambda p: ((p.start_date or date.min).toordinal(), p.pk), reverse=True)


@dataclass
class PeoplePage:
    """A page of a company's people: their positions there, by the persons' names."""

    object_list: list[Position]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def people_of(user: AnyUser, company: Contact, *, start: int, stop: int) -> list[Position]:
    """Return the current positions at company of the persons user may see, by the
    persons' names, from start to stop.

    Read along the company's current positions in the order of their persons' names (the
    copy each position keeps), each person probed: a page costs what comes before it,
    neither the company's thousands of people nor every person of the customer base.
    """
    return _people(
        user,
        company,
        "pos.end_date IS NULL AND contacts_contact.kind = %s",
        [Contact.Kind.PERSON],
        "pos.sort_name, pos.person_id",
        start,
        stop,
    )


def former_people(user: AnyUser, company: Contact, limit: int) -> list[Position]:
    """Return the ended positions at company of the persons user may see, the last ended
    first: read on the company's positions in that order, each person probed."""
    # In the order of the index (company, end_date, person): no sort of all of them.
    order = "pos.end_date DESC, pos.person_id DESC, pos.id DESC"
    return _people(user, company, "pos.end_date IS NOT NULL", [], order, 0, limit)


def _columns(model: type[models.Model], names: set[str]) -> list[str]:
    """Return the columns of names in the model's order, the order from_db reads them in."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in names]


# A line of a company's people: the position's columns, then its person's.
LINE_POSITION = _columns(
    Position, {"id", "person_id", "company_id", "job_title", "start_date", "end_date"}
)
LINE_PERSON = _columns(Contact, {"id", *PERSON_FIELDS})


def _people(
    user: AnyUser,
    company: Contact,
    which: str,
    params: list[object],
    order: str,
    start: int,
    stop: int,
) -> list[Position]:
    """Return company's positions which (SQL) holds, of the live persons user may see, in
    order, from start to stop: one statement with the persons' rights written in it.

    Plain SQL, as access.rights_sql is for: the ORM's building of the probe of each
    person cost several times what the database took to answer. The company's id is
    written in the statement, not sent apart: a prepared statement's generic plan cannot
    tell a company of five thousand people from one of two.
    """
    if not (user.is_authenticated and user.is_active):
        return []
    may_view, rights = rights_sql(user, ["may_view"])["may_view"]
    columns = [f"pos.{name}" for name in LINE_POSITION]
    columns += [f"contacts_contact.{name}" for name in LINE_PERSON]
    sql = (
        # safe-sql: this module's columns, conditions, order; rights_sql's rights; ints.
        f"SELECT {', '.join(columns)} FROM contacts_position pos "  # noqa: S608
        "JOIN contacts_contact ON contacts_contact.id = pos.person_id "
        f"WHERE pos.company_id = {int(company.pk)} AND {which} "
        f"AND contacts_contact.deleted_at IS NULL AND {may_view} "
        f"ORDER BY {order} LIMIT {int(stop) - int(start)} OFFSET {int(start)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *rights])
        rows = cursor.fetchall()
    split = len(LINE_POSITION)
    found = []
    for row in rows:
        position = Position.from_db(connection.alias, LINE_POSITION, row[:split])
        position.person = Contact.from_db(connection.alias, LINE_PERSON, row[split:])
        found.append(position)
    return found


def people_page(user: AnyUser, company: Contact, number: object) -> PeoplePage:
    """Return a page of company's current people that user may see, and whether more follow."""
    number = max(1, int(number)) if str(number).isdigit() and len(str(number)) < 7 else 1
    start = (number - 1) * PEOPLE_PER_PAGE
    found = people_of(user, company, start=start, stop=start + PEOPLE_PER_PAGE + 1)
    return PeoplePage(found[:PEOPLE_PER_PAGE], number, len(found) > PEOPLE_PER_PAGE)
