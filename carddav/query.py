"""The addressbook-query report: a client's filter on a book's cards, asked of the database.

A filter holds prop-filters on vCard properties, each with text-matches (or
is-not-defined), combined by "anyof" (the default) or "allof". The properties a client
searches on are answered from the columns that write them: FN from the contact's name,
N from the first and last names, EMAIL and TEL from its details, ORG from the company's
name (a person's company only where the reader may see it); NICKNAME, which no contact
has, is never defined. Anything else (another property, a param-filter, a collation
other than the two every server must know) is refused with the precondition the RFC
names, not guessed at.

The collations fold case: on PostgreSQL the database folds every letter; SQLite folds
only ASCII letters, so a needle is also tried as lower, upper and title case, which
finds the names as people write them ("Étienne" for "étienne").
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Any
from xml.etree.ElementTree import Element  # noqa: S405 - only the type; parsing is defused

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace

from carddav.dav import CARDDAV, tag
from contacts.access import contacts_visible_to
from contacts.models import Contact, ContactInfo

COLLATIONS = ("i;unicode-casemap", "i;ascii-casemap")
MATCH_TYPES = {
    "equals": "iexact",
    "contains": "icontains",
    "starts-with": "istartswith",
    "ends-with": "iendswith",
}
# Past this many results asked, the answer is the whole match, streamed.
MAX_NRESULTS = 100_000
NEEDLE_MAX = 200
PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")


class UnsupportedFilter(Exception):
    """The filter asks what this server cannot answer: the precondition element says which."""

    def __init__(self, condition: str, message: str) -> None:
        super().__init__(message)
        self.condition = condition


@dataclass(frozen=True)
class TextMatch:
    text: str
    lookup: str  # iexact, icontains, ...
    negate: bool


def _variants(text: str) -> set[str]:
    if connection.vendor != "sqlite" or text.isascii():
        return {text}
    return {text, text.lower(), text.upper(), text.title(), text.capitalize()}


def _matches(column: str, match: TextMatch) -> Q:
    """Return the condition that column passes match (negated as it says)."""
    found = reduce(or_, (Q(**{f"{column}__{match.lookup}": v}) for v in _variants(match.text)))
    return ~found if match.negate else found


def _name(match: TextMatch) -> Q:
    return _matches("display_name", match)


def _n(match: TextMatch) -> Q:
    # N is the family and given names: a match on either (negated: on neither).
    either = _matches("last_name", TextMatch(match.text, match.lookup, False)) | _matches(
        "first_name", TextMatch(match.text, match.lookup, False)
    )
    return Q(kind=Contact.Kind.PERSON) & (~either if match.negate else either)


def _org(user: User) -> Callable[[TextMatch], Q]:
    def org(match: TextMatch) -> Q:
        plain = TextMatch(match.text, match.lookup, False)
        companies = contacts_visible_to(
            user, Contact.objects.filter(_matches("company_name", plain))
        )
        found = (
            Q(kind=Contact.Kind.COMPANY, company_name__gt="") & _matches("company_name", plain)
        ) | Q(kind=Contact.Kind.PERSON, company__in=companies.values("pk"))
        typed = Q(kind=Contact.Kind.PERSON, company__isnull=True, company_name__gt="")
        found |= typed & _matches("company_name", plain)
        if not match.negate:
            return found
        # A card without an ORG has no value to fail the match: it does not pass either.
        has_org = (
            Q(kind=Contact.Kind.COMPANY, company_name__gt="")
            | Q(kind=Contact.Kind.PERSON, company__in=contacts_visible_to(user).values("pk"))
            | typed
        )
        return has_org & ~found

    return org


def _detail(kind: str) -> Callable[[list[TextMatch], bool], Q]:
    """Return how a prop-filter on EMAIL or TEL reads the contact's details of kind: the
    card passes when one of them passes the text-matches (all of them, or any)."""

    def detail(matches: list[TextMatch], every: bool) -> Q:
        conditions = []
        for match in matches:
            condition = _matches("value", TextMatch(match.text, match.lookup, False))
            digits = PHONE_PUNCTUATION.sub("", match.text)
            if kind == ContactInfo.Kind.PHONE and digits:
                # "0612 3456" finds "06 12 34 56 78", and "+336" its E.164 form.
                condition |= Q(**{f"bare__{match.lookup}": digits})
                condition |= Q(**{f"normalized__{match.lookup}": digits})
            conditions.append(~condition if match.negate else condition)
        combined = reduce(and_ if every else or_, conditions) if conditions else Q()
        infos = ContactInfo.objects.filter(contact=OuterRef("pk"), kind=kind)
        if kind == ContactInfo.Kind.PHONE:
            bare: Any = F("value")
            for mark in " .-/()":
                bare = Replace(bare, Value(mark), Value(""))
            infos = infos.alias(bare=bare)
        infos = infos.filter(combined)
        return Q(Exists(infos))

    return detail


def _defined(kind: str) -> Q:
    return Q(Exists(ContactInfo.objects.filter(contact=OuterRef("pk"), kind=kind)))


def _text_match(element: Element) -> TextMatch:
    collation = element.get("collation", "i;unicode-casemap")
    if collation not in COLLATIONS:
        raise UnsupportedFilter(
            "supported-collation", f"The collation {collation!r} is not supported here."
        )
    match_type = element.get("match-type", "contains")
    if match_type not in MATCH_TYPES:
        raise UnsupportedFilter("supported-filter", f"No match-type {match_type!r}.")
    text = (element.text or "")[:NEEDLE_MAX]
    return TextMatch(text, MATCH_TYPES[match_type], element.get("negate-condition") == "yes")


def _any_or_all(element: Element) -> bool:
    """Return True for "allof", False for "anyof" (the default)."""
    test = element.get("test", "anyof")
    if test not in ("anyof", "allof"):
        raise UnsupportedFilter("supported-filter", f"No test {test!r}.")
    return test == "allof"


def _prop_filter(user: User, element: Element) -> Q:
    name = (element.get("name") or "").upper()
    every = _any_or_all(element)
    children = [child for child in element if isinstance(child.tag, str)]
    if any(child.tag == tag(CARDDAV, "param-filter") for child in children):
        raise UnsupportedFilter("supported-filter", "Filters on parameters are not supported.")
    unknown = [c.tag for c in children if c.tag not in (TEXT_MATCH, IS_NOT_DEFINED)]
    if unknown:
        raise UnsupportedFilter("supported-filter", f"Unknown filter element {unknown[0]}.")
    matches = [_text_match(child) for child in children if child.tag == TEXT_MATCH]
    not_defined = any(child.tag == IS_NOT_DEFINED for child in children)
    details = {"EMAIL": ContactInfo.Kind.EMAIL, "TEL": ContactInfo.Kind.PHONE}
    single: dict[str, Callable[[TextMatch], Q]] = {"FN": _name, "N": _n, "ORG": _org(user)}
    if name in details:
        if not_defined:
            return ~_defined(details[name])
        return _detail(details[name])(matches, every) if matches else _defined(details[name])
    if name in single:
        if not_defined:
            # FN and N are on every card (N a person's); ORG on a card with a company.
            return Q(pk__in=[]) if name != "ORG" else ~_org(user)(TextMatch("", "icontains", False))
        conditions = [single[name](match) for match in matches]
        return reduce(and_ if every else or_, conditions) if conditions else Q()
    if name == "NICKNAME":
        return Q() if not_defined else Q(pk__in=[])
    raise UnsupportedFilter(
        "supported-filter", f"Filters on {name or 'no property'} are not supported."
    )


TEXT_MATCH = tag(CARDDAV, "text-match")
IS_NOT_DEFINED = tag(CARDDAV, "is-not-defined")
PROP_FILTER = tag(CARDDAV, "prop-filter")


def matching(user: User, contacts: QuerySet[Contact], root: Element) -> QuerySet[Contact]:
    """Return the contacts among contacts that pass the query's filter; raise
    UnsupportedFilter for a filter this server does not answer."""
    found = root.find(tag(CARDDAV, "filter"))
    if found is None:
        raise UnsupportedFilter("valid-filter", "An addressbook-query needs a filter.")
    every = _any_or_all(found)
    children = [child for child in found if isinstance(child.tag, str)]
    if any(child.tag != PROP_FILTER for child in children):
        raise UnsupportedFilter("supported-filter", "A filter holds prop-filters only.")
    conditions = [_prop_filter(user, child) for child in children]
    if not conditions:
        return contacts
    return contacts.filter(reduce(and_ if every else or_, conditions))


def limit_of(root: Element) -> int | None:
    """Return the number of results the query asks at most, None for all of them."""
    text = root.findtext(f"{tag(CARDDAV, 'limit')}/{tag(CARDDAV, 'nresults')}")
    if text is None:
        return None
    text = text.strip()
    if not text.isdigit() or len(text) > 9:
        raise UnsupportedFilter("supported-filter", "nresults must be a whole number.")
    return min(int(text), MAX_NRESULTS)
