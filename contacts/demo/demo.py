"""The demo data for a first run: three users and about 60 contacts, written through the
contact services as a user's would be (history, notifications, photos and all)."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.dispatch import Signal
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext
from PIL import Image, ImageDraw

from contacts import services, text
from contacts.demo.address_book import (
    COMPANIES,
    CURRENCY_BY_COUNTRY,
    DEFAULT_TYPES,
    DEMO_TAGS,
    DEMO_USERS,
    FREEMAIL,
    PASSWORD,
    PERSONS,
    SKIN_TONES,
    Company,
    Person,
)
from contacts.models import Contact, ContactType
from contacts.photos.files import process_photo
from contacts.services import ContactData
from contacts.team.services import Role, user_create
from contacts.webforms.services import WebFormData, web_form_save

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# create(kind, fields, row, infos, addresses, company=None) → the contact created
Create = Callable[..., Contact]

# Sent when the demo contacts are made, with users (by name): the apps built on contacts
# add their own demo data to them, through their services.
demo_seeded = Signal()


@transaction.atomic
def seed_demo() -> int:
    """Create the demo users and about 60 contacts through the services; return the count."""
    users = _demo_users()
    types = _default_types_in_site_language()
    with translation.override(settings.LANGUAGE_CODE):
        demo_tags = {name: gettext(name) for name in DEMO_TAGS}
    rng = random.Random(0)
    count = 0

    def create(kind, fields, row, infos, addresses, company=None):
        nonlocal count
        type_index = fields.pop("type", getattr(row, "type", None))
        if type_index is not None and type_index < len(types):
            fields["contact_type"] = types[type_index]
        data = ContactData(
            kind=kind,
            fields=fields,
            access=row.access,
            responsible=[users[name] for name in row.owners],
            tags=[demo_tags[tag] for tag in row.tags],
            infos=infos,
            addresses=addresses,
            company=company,
            photo=_photo(rng, kind, fields) if count % 3 == 0 else None,
        )
        count += 1
        # The first responsible user creates it: the others get an assignment notice.
        return services.contact_create(by=users[row.owners[0]], data=data)

    companies = _create_companies(create)
    _create_persons(create, companies)
    _demo_web_form(users, demo_tags)
    demo_seeded.send(sender=seed_demo, users=users)
    return count


def _create_companies(create: Create) -> dict[str, tuple[Company, Contact]]:
    """Create the demo's companies; return each with its row, by its key."""
    companies = {}
    for n, c in enumerate(COMPANIES):
        infos = [
            _info("email", "work", f"contact@{c.domain}"),
            _info("phone", "work", c.phone),
            _info("web", "website", f"https://www.{c.domain}/"),
            _info("web", "linkedin", f"https://www.linkedin.com/company/{c.key}"),
        ]
        if n % 4 == 0:
            infos.insert(1, _info("email", "other", f"accounts@{c.domain}"))
        fields = {"company_name": c.name, "currency": c.currency, "description": c.about}
        addresses = [_address("work", c.address)]
        companies[c.key] = c, create(Contact.Kind.COMPANY, fields, c, infos, addresses)
    return companies


def _create_persons(create: Create, companies: dict[str, tuple[Company, Contact]]) -> None:
    """Create the demo's persons, most of them at its companies."""
    for n, p in enumerate(PERSONS):
        company_row, company = companies.get(p.company, (None, None))
        infos = _person_infos(n, p, company_row)
        if p.home:
            addresses = [_address("home", p.home)]
        else:
            addresses = [_address("work", company_row.address)] if company_row else []
        country = p.home[4] if p.home else ""
        fields = {
            "first_name": p.first,
            "last_name": p.last,
            "job_title": p.job,
            "description": p.about,
            "type": company_row.type if company_row else None,
        }
        # The company's currency, the country's, or else the one every new contact gets.
        currency = company.currency if company else CURRENCY_BY_COUNTRY.get(country)
        if currency:
            fields["currency"] = currency
        create(Contact.Kind.PERSON, fields, p, infos, addresses, company=company)


def _person_infos(n: int, p: Person, company_row: Company | None) -> list[dict[str, Any]]:
    """Return a person's e-mails (at work, and at home for some), phones and web sites."""
    local = re.sub(r"[^a-z.-]", "", text.fold(f"{p.first}.{p.last}"))
    infos = []
    if company_row:
        infos.append(_info("email", "work", f"{local}@{company_row.domain}"))
    if not company_row or n % 4 == 0:
        infos.append(_info("email", "home", f"{local}@{FREEMAIL[n % len(FREEMAIL)]}"))
    infos += [_info("phone", category, value) for category, value in p.phones]
    infos += [_info("web", category, url) for category, url in p.links]
    return infos


def _default_types_in_site_language() -> list[ContactType]:
    """Return the contact types, the migration's own renamed in the site's language.

    The migration named them in the language the site had when it ran; a type an admin
    renamed since keeps its name.
    """
    types = list(ContactType.objects.order_by("position", "id"))
    for contact_type, default in zip(types, DEFAULT_TYPES, strict=False):
        names = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(gettext(default))
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext(default)
        taken = ContactType.objects.filter(title__iexact=title).exists()
        if contact_type.title in names and not taken:
            contact_type.title = title
            contact_type.save(update_fields=["title"])
    return types


def _demo_web_form(users: dict[str, User], demo_tags: dict[str, str]) -> None:
    """Add a website form for persons, ready to paste into a site."""
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("Contact us")
    fields = [
        {"name": field, "required": field in ("last_name", "email"), "label": ""}
        for field in ("last_name", "company_name", "email", "phone", "description")
    ]
    web_form_save(
        data=WebFormData(
            name=name,
            kind=Contact.Kind.PERSON,
            language=settings.LANGUAGE_CODE,
            fields=fields,
            tags=[demo_tags["Lead"]],
            responsible=[users["marie"]],
            notify=[users["marie"]],
        )
    )


def _demo_users() -> dict[str, User]:
    # Through the service that Settings › Users and the invitations use: a CRM admin
    # who needs nothing of Django's admin site, and two CRM users.
    return {
        username: user_create(
            username=username,
            email=f"{username}@example.com",
            first_name=first,
            last_name=last,
            password=PASSWORD,
            role=Role.ADMIN if username == "admin" else Role.USER,
        )
        for username, first, last, _role in DEMO_USERS
    }


def _info(kind: str, category: str, value: str) -> dict[str, Any]:
    return {"kind": kind, "category": category, "value": value, "is_primary": False}


def _address(category: str, address: tuple[str, str, str, str, str]) -> dict[str, str]:
    street, postcode, city, region, country = address
    return {
        "category": category,
        "street": street,
        "postcode": postcode,
        "city": city,
        "region": region,
        "country": country,
    }


def _photo(
    rng: random.Random, kind: str, fields: dict[str, Any]
) -> tuple[ContentFile, ContentFile]:
    """Draw a portrait or a logo and process it like an upload."""
    name = fields.get("company_name") or f"{fields['first_name']} {fields['last_name']}"
    size = (300, 400) if kind == "person" else (400, 400)
    top, bottom = (tuple(rng.randrange(40, 230) for _ in range(3)) for _ in range(2))
    mask = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    draw = ImageDraw.Draw(image)
    ink = tuple(rng.randrange(20, 160) for _ in range(3))
    if kind == "person":
        draw.ellipse((40, 230, 260, 500), fill=ink)
        draw.ellipse((100, 80, 200, 210), fill=rng.choice(SKIN_TONES))
    else:
        for _ in range(3):
            x, y, r = rng.randrange(80, 320), rng.randrange(80, 320), rng.randrange(30, 90)
            shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
            shape((x - r, y - r, x + r, y + r), fill=ink, outline="white", width=6)
    out = io.BytesIO()
    fmt, ext = ("PNG", "png") if kind == "company" else ("JPEG", "jpg")
    image.save(out, fmt)
    upload = SimpleUploadedFile(f"{slugify(name)}.{ext}", out.getvalue(), f"image/{fmt.lower()}")
    return process_photo(upload)
