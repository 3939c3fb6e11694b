import importlib
from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext
from guardian.shortcuts import get_objects_for_user

from contacts import search_text, services
from contacts.access import GROUP_PERMS_BY_ACCESS, OBJECT_PERMS, contacts_visible_to
from contacts.db import breakdowns
from contacts.demo.address_book import DEMO_TAGS
from contacts.models import (
    CRM_ADMINS_GROUP,
    CRM_USERS_GROUP,
    Address,
    Contact,
    ContactBreakdown,
    ContactGroupObjectPermission,
    ContactInfo,
    ContactType,
    ContactUserObjectPermission,
    TaggedContact,
    WebForm,
)
from contacts.services import ContactData, contact_create

User = get_user_model()


@pytest.fixture(autouse=True)
def _default_rows(db):
    # The demo uses the contact types the migrations wrote. A browser test empties the
    # database after it, and under --dist loadfile one may run before this file on the
    # same worker, depending on the files in the suite: write them again if so.
    defaults = importlib.import_module("contacts.migrations.0002_defaults")
    defaults.create_defaults(apps, None)


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def assert_prints_logins(output, *usernames):
    # The address the server was started on (PORT, SITE_URL), as the settings read it.
    assert settings.SITE_URL.rstrip("/") + "/" in output
    assert "demo1234" in output
    for username in usernames:
        assert username in output


@pytest.mark.django_db
def test_demo_has_three_users_and_sixty_contacts_with_every_kind_of_detail():
    output = seed()

    admin, marie, paul = (User.objects.get(username=n) for n in ("admin", "marie", "paul"))
    # A CRM admin, who needs nothing of Django's admin site.
    assert not (admin.is_staff or admin.is_superuser)
    assert admin.groups.filter(name=CRM_ADMINS_GROUP).exists()
    assert (marie.get_full_name(), paul.get_full_name()) == ("Marie Dupont", "Paul Martin")
    for user in (admin, marie, paul):
        assert user.check_password("demo1234")
        assert user.email == f"{user.username}@example.com"
        assert user.groups.filter(name=CRM_USERS_GROUP).exists()
    assert not (marie.is_staff or paul.is_staff)
    assert_prints_logins(output, "admin", "marie", "paul")

    contacts = Contact.objects.all()
    assert 55 <= contacts.count() <= 65
    assert contacts.filter(kind=Contact.Kind.COMPANY).count() >= 15
    assert contacts.filter(kind=Contact.Kind.PERSON, company__isnull=False).count() >= 20
    assert {c.access for c in contacts} == set(Contact.Access.values)
    assert {"EUR", "USD", "GBP", "CHF", "JPY"} <= {c.currency for c in contacts}
    assert contacts.filter(contact_type__isnull=False).count() >= 30
    assert contacts.exclude(description="").count() >= 15
    assert contacts.filter(responsible__username="admin").exists()
    kinds = set(ContactInfo.objects.values_list("kind", "category"))
    assert {
        ("email", "work"),
        ("email", "home"),
        ("phone", "work"),
        ("phone", "mobile"),
        ("web", "website"),
        ("web", "linkedin"),
        ("web", "github"),
    } <= kinds
    phones = ContactInfo.objects.filter(kind=ContactInfo.Kind.PHONE)
    assert phones.filter(value__startswith="+").exists()
    assert phones.filter(value__startswith="0").exists()
    assert not phones.filter(normalized="").exists()
    assert Address.objects.exclude(street="").exclude(city="").exclude(country="").count() >= 40
    tags = set(TaggedContact.objects.values_list("tag__name", flat=True))
    assert {"Lead", "Customer", "Supplier", "Staff"} < tags

    with_photo = [c for c in contacts if c.photo]
    assert 15 <= len(with_photo) <= 25
    for contact in with_photo:
        assert default_storage.exists(contact.photo.name)
        assert default_storage.exists(contact.photo_thumb.name)
        assert contact.photo.width <= 200 and contact.photo_thumb.width == 64

    everyone = set(contacts.values_list("pk", flat=True))
    seen_by = {
        user.username: set(contacts_visible_to(user).values_list("pk", flat=True))
        for user in (admin, marie, paul)
    }
    assert seen_by["admin"] == everyone
    assert seen_by["marie"] < everyone and seen_by["paul"] < everyone
    assert seen_by["marie"] - seen_by["paul"] and seen_by["paul"] - seen_by["marie"]


@pytest.mark.django_db
def test_if_empty_loads_nothing_when_a_user_exists_but_still_prints_the_logins(make_user):
    make_user("someone")

    output = seed("--if-empty")

    assert not Contact.objects.exists()
    assert not User.objects.filter(username="marie").exists()
    assert_prints_logins(output, "admin", "marie", "paul")


@pytest.mark.django_db
def test_the_logins_name_the_address_the_emails_link_to(make_user, settings):
    settings.SITE_URL = "https://crm.example.com"
    make_user("someone")

    assert "Open https://crm.example.com/ and log in" in seed("--if-empty")


@pytest.mark.slow
def test_population_has_the_benchmark_workload_and_exactly_the_rows_the_services_write():
    now = timezone.now()
    output = seed("--contacts", "500", "--users", "10", "--seed", "1")

    assert "Seeded 500 contacts" in output
    users = list(User.objects.filter(username__startswith="user"))
    assert sorted(u.username for u in users) == sorted(f"user{n}" for n in range(1, 11))
    assert all(u.groups.filter(name=CRM_USERS_GROUP).exists() for u in users)
    assert users[0].check_password("demo1234")

    contacts = list(
        Contact.objects.select_related("company").prefetch_related("infos", "addresses", "tags")
    )
    assert len(contacts) == 500
    kinds = Counter(c.kind for c in contacts)
    assert 0.25 <= kinds["company"] / 500 <= 0.35
    shares = Counter(c.access for c in contacts)
    assert 0.5 <= shares["private"] / 500 <= 0.7
    assert 0.2 <= shares["public_read"] / 500 <= 0.4
    assert 0.04 <= shares["public_rw"] / 500 <= 0.16
    persons = [c for c in contacts if c.kind == Contact.Kind.PERSON]
    assert 0.35 <= sum(1 for c in persons if c.company) / len(persons) <= 0.65
    assert min(c.created_at for c in contacts) < now - timedelta(days=2 * 365)
    assert all(now - timedelta(days=3 * 365 + 1) <= c.created_at <= now for c in contacts)

    responsible = defaultdict(set)
    for contact_id, user_id in Contact.responsible.through.objects.values_list(
        "contact_id", "user_id"
    ):
        responsible[contact_id].add(user_id)
    user_perms = defaultdict(set)
    for row in ContactUserObjectPermission.objects.values_list(
        "content_object_id", "user_id", "permission__codename"
    ):
        user_perms[row[0]].add(row[1:])
    group_perms = defaultdict(set)
    for row in ContactGroupObjectPermission.objects.values_list(
        "content_object_id", "group__name", "permission__codename"
    ):
        group_perms[row[0]].add(row[1:])

    for contact in contacts:
        infos = list(contact.infos.all())
        by_kind = Counter(i.kind for i in infos)
        assert 1 <= by_kind["email"] <= 3 and 1 <= by_kind["phone"] <= 3
        assert Counter(i.kind for i in infos if i.is_primary) == {"email": 1, "phone": 1}
        assert len(contact.addresses.all()) == 1 and contact.addresses.all()[0].is_primary
        assert len(contact.tags.all()) <= 4
        for info in infos:
            assert info.normalized == services.normalized(info.kind, info.value)
        names = (contact.display_name, contact.sort_name)
        contact.compute_names()
        assert names == (contact.display_name, contact.sort_name)
        company_name = contact.company.display_name if contact.company else ""
        rows = [{"kind": i.kind, "value": i.value} for i in sorted(infos, key=lambda i: i.position)]
        assert contact.search_text == search_text.search_text_for(contact, rows, company_name)
        assert 1 <= len(responsible[contact.pk]) <= 3
        assert contact.created_by_id in responsible[contact.pk]
        assert user_perms[contact.pk] == {
            (u, p) for u in responsible[contact.pk] for p in OBJECT_PERMS
        }
        assert group_perms[contact.pk] == {
            (CRM_USERS_GROUP, p) for p in GROUP_PERMS_BY_ACCESS[contact.access]
        }

    # The overview's breakdowns, counted by the bulk writer, as counting the tables gives.
    def kept():
        rows = ContactBreakdown.objects.values_list("part", "family", "name", "number", "value")
        return {row for row in rows if row[-1]}

    written = kept()
    assert len({row[:2] for row in written}) == 4 * 12  # 4 families, live, public, 10 users
    breakdowns.recount()
    assert kept() == written

    # The ids were given by the command: the next contact must still get a free one.
    created = contact_create(
        by=users[0], data=ContactData(kind="company", fields={"company_name": "After"})
    )
    assert created.pk > max(c.pk for c in contacts)


@pytest.mark.django_db
@pytest.mark.slow
def test_population_access_agrees_with_guardian_for_every_user_and_contact():
    seed("--contacts", "500", "--users", "10", "--seed", "1")

    contacts = list(Contact.objects.prefetch_related("responsible"))
    for user in User.objects.filter(username__startswith="user"):
        visible = set(contacts_visible_to(user).values_list("pk", flat=True))
        guardian = get_objects_for_user(
            user, "contacts.view_contact", klass=Contact, accept_global_perms=True
        )
        expected = {
            c.pk
            for c in contacts
            if c.access != Contact.Access.PRIVATE or user in c.responsible.all()
        }
        assert visible == set(guardian.values_list("pk", flat=True)) == expected
        assert 0.3 <= len(visible) / len(contacts) <= 0.6
        for contact in contacts:
            may_change = contact.access == Contact.Access.PUBLIC_RW or user in (
                contact.responsible.all()
            )
            assert user.has_perm("contacts.change_contact", contact) == may_change


@pytest.mark.django_db
@pytest.mark.slow
def test_population_is_reproducible_from_its_seed():
    def names_after(*args):
        last = max(Contact.objects.values_list("pk", flat=True), default=0)
        seed(*args)
        return list(
            Contact.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("display_name", flat=True)
        )

    first = names_after("--contacts", "80", "--users", "3", "--seed", "7")
    again = names_after("--contacts", "80", "--users", "3", "--seed", "7")
    other = names_after("--contacts", "80", "--users", "3", "--seed", "8")

    assert len(first) == 80
    assert first == again
    assert first != other


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "types", "tags", "form"),
    [
        (
            "en",
            ["Client", "Supplier", "Partner", "Competitor"],
            {"Customer", "Lead", "Partner", "Supplier", "Trade show 2025", "VIP"},
            "Contact us",
        ),
        (
            "fr",
            ["Client", "Fournisseur", "Partenaire", "Concurrent"],
            {"Client", "Prospect", "Partenaire", "Fournisseur"},
            "Nous contacter",
        ),
    ],
)
def test_demo_types_tags_and_website_form_are_in_the_sites_language(
    settings, language, types, tags, form
):
    settings.LANGUAGE_CODE = language

    seed()

    assert [t.title for t in ContactType.objects.order_by("position")] == types
    used = set(TaggedContact.objects.values_list("tag__name", flat=True))
    assert tags <= used
    with translation.override(language):
        assert used == {gettext(name) for name in DEMO_TAGS}
    english = {"Customer", "Lead", "Partner", "Supplier", "Staff"}
    assert language == "en" or not used & english
    web_form = WebForm.objects.get()
    assert (web_form.name, web_form.language) == (form, language)
    lead = {"en": "Lead", "fr": "Prospect"}[language]
    assert list(web_form.tags.values_list("name", flat=True)) == [lead]
