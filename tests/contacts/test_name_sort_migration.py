"""The migration that stores persons' sort names as their rows show them, in batches."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from contacts.models import Contact
from contacts.trash.services import contact_delete

name_sort = importlib.import_module("contacts.migrations.0024_name_sort")


@pytest.mark.django_db
def test_the_migration_sorts_persons_by_first_then_last_name(alice, make_contact, monkeypatch):
    company = make_contact("company", company_name="Ferme du Bois")
    gone = make_contact(first_name="Zoé", last_name="Abel")
    persons = [
        make_contact(first_name="Łukasz", last_name="Bąk"),
        make_contact(first_name="", last_name="Young"),
        *(make_contact(first_name=f"Anna {n}", last_name="Zola") for n in range(4)),
        gone,
    ]
    contact_delete(by=alice, contact=gone)
    for contact in persons:
        last_first = f"{contact.last_name} {contact.first_name}".strip().lower()
        Contact.all_objects.filter(pk=contact.pk).update(sort_name=last_first)

    monkeypatch.setattr(name_sort, "BATCH", 2)
    name_sort.rebuild(apps, SimpleNamespace(connection=connection))

    stored = dict(Contact.all_objects.values_list("display_name", "sort_name"))
    assert stored == {
        "Ferme du Bois": "ferme du bois",
        "Łukasz Bąk": "lukasz bak",
        "Young": "young",
        **{f"Anna {n} Zola": f"anna {n} zola" for n in range(4)},
        "Zoé Abel": "zoe abel",
    }
    assert Contact.all_objects.get(pk=company.pk).sort_name == "ferme du bois"
