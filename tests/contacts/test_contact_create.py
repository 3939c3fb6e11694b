"""Every way a contact comes in gives it the same defaults as the contact form."""

import importlib
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from contacts import currencies as config
from contacts.db import counts
from contacts.imports import services as import_services
from contacts.models import Contact, ContactEvent
from contacts.search_text import search_text_for
from contacts.services import ContactData, contact_create
from tests.support import form_data, make_web_form, page_of, posted, submit_url

DEFAULT = "CHF"  # neither the site language's currency nor any the paths name


@pytest.fixture(autouse=True)
def _default_currency(db):
    # The contact types the demo data uses, as the migrations wrote them.
    importlib.import_module("contacts.migrations.0002_defaults").create_defaults(apps, None)
    config.currency_settings_update(default_currency=DEFAULT, currencies=[])


def by_form(client, alice):
    """Post the person form as a browser does: with the currency the form proposed."""
    client.force_login(alice)
    page = page_of(client.get(reverse("contacts:create", args=["person"])))
    select = re.search(r'<select name="currency".*?</select>', page, re.S).group(0)
    proposed = re.search(r'<option value="(\w*)" selected>', select).group(1)
    data = form_data(first_name="Ada", last_name="Lovelace", responsible=[alice.pk])
    data["currency"] = proposed
    client.post(reverse("contacts:create", args=["person"]), data)
    return Contact.objects.get(last_name="Lovelace"), alice, Contact.Source.MANUAL


def by_import(client, alice):
    upload = ContentFile(b"First name,Last name,Email\nAda,Lovelace,ada@example.com\n", "a.csv")
    job = import_services.job_create(by=alice, upload=upload)
    import_services.job_start(job=job)
    return Contact.objects.get(last_name="Lovelace"), alice, Contact.Source.IMPORT


def by_web_form(client, alice, settings):
    settings.WEBFORM_MIN_SECONDS = 0
    web_form = make_web_form(responsible=[alice])
    data = posted(web_form, first_name="Ada", last_name="Lovelace", email="ada@example.com")
    client.post(submit_url(web_form), data)
    return Contact.objects.get(last_name="Lovelace"), None, Contact.Source.WEB_FORM


def by_merge(client, alice):
    """Merge two contacts a service caller created without naming a currency."""
    made = [
        contact_create(
            by=alice,
            data=ContactData(
                kind="person",
                fields={"first_name": first, "last_name": "Lovelace"},
                responsible=[alice],
            ),
        )
        for first in ("Ada", "Augusta")
    ]
    client.force_login(alice)
    client.post(reverse("contacts:merge"), {"keep": made[0].pk, "other": made[1].pk})
    return Contact.objects.get(last_name="Lovelace"), alice, Contact.Source.MANUAL


def by_seed_demo(client, alice):
    """Load the demo data: Léa Martin has no company and no home to tell a currency."""
    call_command("seed_demo", stdout=StringIO())
    lea = Contact.objects.get(first_name="Léa", last_name="Martin")
    return lea, lea.responsible.get(), Contact.Source.MANUAL


def defaults(contact):
    contact = Contact.objects.select_related("company").get(pk=contact.pk)
    infos = [{"kind": i.kind, "value": i.value} for i in contact.infos.all()]
    company = contact.company.display_name if contact.company else ""
    events = ContactEvent.objects.filter(contact=contact)
    return {
        "currency": contact.currency,
        "created_by": contact.created_by,
        "source": contact.source,
        "search text": contact.search_text == search_text_for(contact, infos, company),
        "created once": events.filter(verb=ContactEvent.Verb.CREATED).count(),
        "counted": counts.total("live") == Contact.objects.count(),
    }


@pytest.mark.parametrize(
    "path", [by_form, by_import, by_web_form, by_merge, by_seed_demo], ids=lambda f: f.__name__
)
def test_every_way_in_gives_a_new_contact_the_same_defaults(path, client, alice, settings):
    arguments = (client, alice, settings) if path is by_web_form else (client, alice)

    contact, creator, source = path(*arguments)

    assert defaults(contact) == {
        "currency": DEFAULT,
        "created_by": creator,
        "source": source,
        "search text": True,
        "created once": 1,
        "counted": True,
    }


def test_the_card_says_no_currency_with_the_currencys_own_word(alice_client, alice):
    contact = contact_create(
        by=alice,
        data=ContactData(
            kind="person", fields={"last_name": "Lovelace", "currency": ""}, responsible=[alice]
        ),
    )

    with translation.override("fr"):
        page = page_of(alice_client.get(contact.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr"))

    assert contact.currency == ""  # an explicit choice of none stays none
    assert re.search(r"<dd[^>]*><span[^>]*>Aucune</span></dd>", page)
    assert re.search(r"<dd[^>]*><span[^>]*>Aucun</span></dd>", page)  # the tags: none, masculine


def test_a_company_typed_on_a_website_form_gets_the_default_currency(client, alice, settings):
    settings.WEBFORM_MIN_SECONDS = 0
    web_form = make_web_form(responsible=[alice])
    data = posted(
        web_form, first_name="Ann", last_name="Lee", email="ann@example.com", company_name="Acme"
    )

    client.post(submit_url(web_form), data)

    assert Contact.objects.get(company_name="Acme").currency == DEFAULT
