"""What the rows of an import name by name: users, contact types, tags and companies.

Each is looked up once per run and kept by name; a contact type, tag or company that
does not exist yet is created, once, as the contact form would create it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Trim
from django.utils.translation import gettext as _
from taggit.models import Tag

from contacts.access import contacts_visible_to
from contacts.contact_types import contact_type_create
from contacts.imports.batches import Tally
from contacts.imports.models import ImportJob
from contacts.imports.rows import Row
from contacts.imports.writer import ContactWriter
from contacts.models import Contact, ContactType, sort_name_of
from contacts.tags import _unique_slug, tag_named

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A company name longer than this makes no company (the row keeps it as written).
COMPANY_NAME_MAX_LENGTH = 200


class References:
    """The users, contact types, tags and companies of one run, by the names rows use."""

    def __init__(self, job: ImportJob, user: User) -> None:
        self.job = job
        self.user = user
        self.responsible = job_responsible(job)
        # A name several users share is kept as None: it names none of them.
        self.users: dict[str, int | None] = {}
        self.types = types_by_title()
        self.tags: dict[str, int] = {}
        # A company by its name: (id, display name).
        self.companies: dict[str, tuple[int, str]] = {}

    def with_known_users(self, rows: list[Row], tally: Tally) -> list[Row]:
        """Return the rows whose responsible users all exist; reject the others."""
        self._look_up_users({n for row in rows for n in row.usernames if n not in self.users})
        kept = []
        for row in rows:
            unknown = [n for n in row.usernames if n not in self.users]
            shared = [n for n in row.usernames if n in self.users and self.users[n] is None]
            if unknown:
                reason = _("Unknown user: “%(name)s”.") % {"name": unknown[0]}
            elif shared:
                reason = _(
                    "Several users are named “%(name)s”: write the user name of the one meant."
                ) % {"name": shared[0]}
            else:
                kept.append(row)
                continue
            tally.issue(row.line, row.cells, "rejected", reason)
        return kept

    def _look_up_users(self, wanted: set[str]) -> None:
        if not wanted:
            return
        active = get_user_model().objects.filter(is_active=True)
        self.users.update(active.filter(username__in=wanted).values_list("username", "pk"))
        # The rest by their full names, as the card and the export show them.
        named: dict[str, list[int]] = {}
        for name, pk in (
            active.annotate(full_name=Trim(Concat("first_name", Value(" "), "last_name")))
            .filter(full_name__in=wanted - set(self.users))
            .values_list("full_name", "pk")
        ):
            named.setdefault(name, []).append(pk)
        self.users.update({name: pks[0] if len(pks) == 1 else None for name, pks in named.items()})

    def responsible_for(self, row: Row) -> list[int]:
        """Return the job's responsible users followed by those the row names."""
        users = list(self.responsible)
        for name in row.usernames:
            pk = self.users[name]
            if pk is not None and pk not in users:
                users.append(pk)
        return users

    def type_id(self, title: str) -> int | None:
        """Return the id of the contact type titled so (any case), created if need be."""
        if not title:
            return None
        key = title.casefold()
        if key not in self.types:
            try:
                with transaction.atomic():
                    self.types[key] = contact_type_create(title=title).pk
            except ValidationError:
                # Created meanwhile under another case: use it.
                self.types = types_by_title()
        return self.types.get(key)

    def all_tags(self, row: Row) -> list[str]:
        """Return the row's tags and the job's, each once whatever its case."""
        seen: dict[str, str] = {}
        for name in [*row.tags, *self.job.tags]:
            seen.setdefault(name.casefold(), name)
        return list(seen.values())

    def tag_ids(self, row: Row) -> list[int]:
        """Return the ids of the row's tags and the job's, after add_tags has seen them."""
        return [self.tags[name.casefold()] for name in self.all_tags(row)]

    def add_tags(self, names: list[str]) -> None:
        """Find, or create, the tags named and the job's, each once per run."""
        for name in names + list(self.job.tags):
            key = name.casefold()
            if key in self.tags:
                continue
            tag = tag_named(name)
            if tag is None:
                tag = Tag.objects.create(name=name, slug=_unique_slug(name))
            self.tags[key] = tag.pk

    def add_companies(self, persons: list[Row], writer: ContactWriter) -> int:
        """Find or create the companies the persons name; return how many were created."""
        missing = {r.company_name for r in persons} - set(self.companies)
        if not missing:
            return 0
        # The folded names narrow them first: their index finds the few candidates where
        # the names alone would read every contact (a batch's lookup at a million).
        keys = {sort_name_of(name) for name in missing}
        found = (
            contacts_visible_to(self.user)
            .filter(kind=Contact.Kind.COMPANY, sort_name__in=keys, display_name__in=missing)
            .order_by("-pk")
            .values_list("display_name", "pk")
        )
        # Ordered newest first so that the oldest of several namesakes wins.
        for name, pk in found:
            self.companies[name] = (pk, name)
        # Each new company once, with the currency of the first person naming it.
        new: dict[str, Row] = {}
        for row in persons:
            name = row.company_name
            if name not in self.companies and len(name) <= COMPANY_NAME_MAX_LENGTH:
                new.setdefault(name, row)
        for name, row in new.items():
            writer.add(
                kind=Contact.Kind.COMPANY,
                fields={"company_name": name, "currency": row.fields.get("currency", "")},
                infos=[],
                addresses=[],
                tags=[],
                custom={},
                access=self.job.access,
                responsible=self.responsible,
            )
        for company in writer.flush():
            self.companies[company["display_name"]] = (company["id"], company["display_name"])
        return len(new)


def types_by_title() -> dict[str, int]:
    """Return the id of each contact type by its title, case folded."""
    return {t.title.casefold(): t.pk for t in ContactType.objects.all()}


def job_responsible(job: ImportJob) -> list[int]:
    """Return the ids of the active users the job makes responsible, its importer first."""
    users = get_user_model().objects.filter(pk__in=job.responsible, is_active=True)
    responsible = list(users.values_list("pk", flat=True))
    if job.created_by_id not in responsible:
        responsible.insert(0, job.created_by_id)
    return responsible
