"""A large reproducible population for the bench: contacts shared among numbered users.

Written through contacts.db.bulk, the import's own bulk path: the rows are those the
services write (names, search text, normalised e-mails and phones, primary details,
responsible users and guardian's rows), and the list's data version and counts are kept
as for any bulk write.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from taggit.models import Tag

from contacts import text
from contacts.db.bulk import Grants, NewContact, allocate_ids, bulk_writes, column_defaults
from contacts.db.statistics import refresh_grown_tables
from contacts.demo.address_book import DEFAULT_TAGS, FREEMAIL, PASSWORD
from contacts.demo.population_words import (
    ACCESS_SHARES,
    CITIES,
    COMPANY_NOUNS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    CURRENCIES,
    CURRENCY_WEIGHTS,
    DESCRIPTIONS,
    FIRST_NAMES,
    INFO_KINDS_CATEGORIES,
    JOB_TITLES,
    LAST_NAMES,
    STREETS,
    TAG_PLACES,
    TAG_TOPICS,
    THREE_YEARS,
)
from contacts.models import (
    CRM_USERS_GROUP,
    Address,
    Contact,
    ContactGroupObjectPermission,
    ContactInfo,
    ContactType,
    ContactUserObjectPermission,
    DuplicateCount,
    TaggedContact,
)
from contacts.search_text import PhoneParts, phone_parts, search_text_for

BULK_MODELS: list[type[models.Model]] = [
    Contact,
    ContactInfo,
    Address,
    TaggedContact,
    Contact.responsible.through,
    ContactUserObjectPermission,
    ContactGroupObjectPermission,
    DuplicateCount,
]
CHUNK = 5000
# Parsing a phone number costs ~0.25 ms: 100k contacts draw their phones from a pool of
# numbers parsed once each, so that a number is shared by about 40 contacts.
PHONE_POOL = 5000


def seed_population(n_contacts: int, n_users: int, seed: int) -> None:
    """Create n_contacts contacts shared among n_users users, with the rows the services write."""
    rng = random.Random(seed)
    with _fast_sqlite(), transaction.atomic(), _indexes_rebuilt(BULK_MODELS):
        population = Population(rng, _bulk_users(n_users))
        # Companies first, so that persons can work at companies of the same run.
        n_companies = n_contacts * 3 // 10
        kinds = [
            (Contact.Kind.COMPANY, n_companies),
            (Contact.Kind.PERSON, n_contacts - n_companies),
        ]
        written, analyzed_at = 0, 0
        with bulk_writes() as write:
            for kind, total in kinds:
                for start in range(0, total, CHUNK):
                    ids = allocate_ids(min(CHUNK, total - start))
                    contacts = [population.fake(pk, kind) for pk in ids]
                    write.insert_contacts(contacts, population.grants, population.phones)
                    written += len(ids)
                    if written >= 2 * analyzed_at:
                        refresh_grown_tables()
                        analyzed_at = written


class Population:
    """Random contacts drawn from the words, the users, tags and types of one run."""

    def __init__(self, rng: random.Random, users: list[int]) -> None:
        self.rng = rng
        self.now = timezone.now()
        self.users = users
        self.tags = _bulk_tags()
        self.types = [*ContactType.objects.values_list("pk", flat=True), None]
        self.phone_pool = _phone_pool(rng)
        # The pool's numbers, each parsed the first time a contact draws it.
        self.phones: dict[str, PhoneParts] = {}
        self.grants = Grants.read()
        # (id, name, e-mail domain) of the companies drawn so far, for persons to work at.
        self.companies: list[tuple[int, str, str]] = []
        # One reused instance computes the names as the model does: building a Contact per
        # row would cost more than everything else here.
        self.scratch = Contact()
        self.defaults = column_defaults()
        self.created_at = Contact._meta.get_field("created_at")

    def fake(self, pk: int, kind: str) -> NewContact:
        """Return one random contact with the rows that belong to it."""
        rng = self.rng
        created = self.now - timedelta(seconds=rng.uniform(0, THREE_YEARS))
        created = self.created_at.get_db_prep_save(created, connection)
        draw = rng.random()
        access = next(value for share, value in ACCESS_SHARES if draw < share)
        responsible = rng.sample(self.users, min(rng.randint(1, 3), len(self.users)))
        row = dict(self.defaults)
        row.update(
            id=pk,
            kind=kind,
            access=access,
            contact_type_id=rng.choice(self.types),
            currency=rng.choices(CURRENCIES, CURRENCY_WEIGHTS)[0],
            description=rng.choice(DESCRIPTIONS) if rng.random() < 0.3 else "",
            created_at=created,
            updated_at=created,
            created_by_id=responsible[0],
            updated_by_id=responsible[0],
        )
        company, local, domain = self._names(row, kind)
        infos = self._infos(local, domain)
        address = self._address(kind, company)
        self._name(row, infos, company)
        if kind == Contact.Kind.COMPANY:
            self.companies.append((pk, row["display_name"], domain))
        tags = rng.sample(self.tags, rng.randint(0, min(4, len(self.tags))))
        return NewContact(row, infos, [address], tags, responsible)

    def _names(
        self, row: dict[str, Any], kind: str
    ) -> tuple[tuple[int, str, str] | None, str, str]:
        """Draw the contact's names; return its company and the parts of its e-mails."""
        rng = self.rng
        company = None
        if kind == Contact.Kind.PERSON:
            row["first_name"] = rng.choice(FIRST_NAMES)
            row["last_name"] = rng.choice(LAST_NAMES)
            row["job_title"] = rng.choice(JOB_TITLES)
            if self.companies and rng.random() < 0.5:
                company = rng.choice(self.companies)
                row["company_id"] = company[0]
            local = text.fold(f"{row['first_name']}.{row['last_name']}")
            domain = company[2] if company else rng.choice(FREEMAIL)
        else:
            words = [
                rng.choice(COMPANY_WORDS),
                rng.choice(COMPANY_NOUNS),
                rng.choice(COMPANY_SUFFIXES),
            ]
            row["company_name"] = " ".join(w for w in words if w)
            local, domain = "contact", text.fold(f"{words[0]}-{words[1]}.com")
        local, domain = (re.sub(r"[^a-z0-9.-]", "", s) for s in (local, domain))
        return company, local, domain

    def _infos(self, local: str, domain: str) -> list[dict[str, str]]:
        """Draw one to three e-mails and one to three phones."""
        rng = self.rng
        infos = []
        for kind, categories in INFO_KINDS_CATEGORIES.items():
            for n in range(rng.randint(1, 3)):
                if kind == ContactInfo.Kind.EMAIL:
                    number = rng.randrange(100) if n else ""
                    value = f"{local}{number}@{domain if n < 2 else 'gmail.com'}"
                else:
                    value = rng.choice(self.phone_pool)
                    if value not in self.phones:
                        self.phones[value] = phone_parts(value)
                infos.append({"kind": kind, "category": categories[n], "value": value})
        return infos

    def _address(self, kind: str, company: tuple[int, str, str] | None) -> dict[str, str]:
        city, postcode, region, country = self.rng.choice(CITIES)
        street = f"{self.rng.randint(1, 180)} {self.rng.choice(STREETS)}"
        category = "work" if kind == Contact.Kind.COMPANY or company else "home"
        return {
            "category": category,
            "street": street,
            "city": city,
            "region": region,
            "postcode": postcode,
            "country": country,
        }

    def _name(
        self, row: dict[str, Any], infos: list[dict[str, str]], company: tuple[int, str, str] | None
    ) -> None:
        """Fill the row's display and sort names and its search text, as the services do."""
        scratch = self.scratch
        for name in ("kind", "first_name", "last_name", "company_name", "job_title"):
            setattr(scratch, name, row[name])
        scratch.compute_names()
        row["display_name"], row["sort_name"] = scratch.display_name, scratch.sort_name
        company_name = company[1] if company else ""
        row["search_text"] = search_text_for(scratch, infos, company_name, phones=self.phones)


def _bulk_users(n_users: int) -> list[int]:
    """Return the ids of the users user1 … user<n_users>, created if need be."""
    User = get_user_model()
    names = [f"user{n}" for n in range(1, n_users + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(PASSWORD)
    rng = random.Random(n_users)
    User.objects.bulk_create(
        User(
            username=name,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"{name}@example.com",
            password=password,
        )
        for name in names
        if name not in existing
    )
    ids = list(User.objects.filter(username__in=names).order_by("pk").values_list("pk", flat=True))
    # bulk_create sends no post_save: add the group membership the signal would add.
    group = Group.objects.get_or_create(name=CRM_USERS_GROUP)[0]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=uid, group_id=group.pk) for uid in ids],
        ignore_conflicts=True,
    )
    return ids


def _bulk_tags() -> list[int]:
    with translation.override(settings.LANGUAGE_CODE):
        names = [gettext(name) for name in sorted(DEFAULT_TAGS)]
    names += [f"{topic} {place}" for topic in TAG_TOPICS for place in TAG_PLACES][:196]
    Tag.objects.bulk_create(
        [Tag(name=name, slug=slugify(name)) for name in names], ignore_conflicts=True
    )
    return list(Tag.objects.filter(name__in=names).order_by("pk").values_list("pk", flat=True))


def _phone_pool(rng: random.Random) -> list[str]:
    def digits(n: int) -> str:
        return f"{rng.randrange(10**n):0{n}d}"

    def pairs(n: int) -> str:
        return " ".join(digits(2) for _ in range(n))

    styles = [
        lambda: f"0{rng.choice('12345')} {pairs(4)}",
        lambda: f"0{rng.choice('67')} {pairs(4)}",
        lambda: f"+33 {rng.choice('1234567')} {pairs(4)}",
        lambda: f"+44 20 7946 {digits(4)}",
        lambda: f"+1 {rng.choice(['212', '415', '617', '312'])}-555-{digits(4)}",
        lambda: f"+41 {rng.choice(['22', '44', '79'])} {digits(3)} {pairs(2)}",
    ]
    return list(dict.fromkeys(rng.choice(styles)() for _ in range(PHONE_POOL)))


@contextmanager
def _indexes_rebuilt(models_: list[type[models.Model]]) -> Iterator[None]:
    """On SQLite, drop the tables' indexes during the load and create them again after."""
    # Sorting once per index is ~5 times faster than 1.6 million random inserts into
    # them. A failure rolls the drop back with the rest of the transaction.
    if connection.vendor != "sqlite":
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'")
        indexes = [(name, sql) for name, table, sql in cursor.fetchall() if sql and table in tables]
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)


@contextmanager
def _fast_sqlite() -> Iterator[None]:
    """Skip fsync during the load: a crash only loses demo data."""
    # SQLite refuses to change this inside a transaction, as in tests.
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={int(before)}")
