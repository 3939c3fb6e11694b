"""The migration that folds the stored search text again, in batches, on any database."""

import importlib
import unicodedata
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from contacts.custom_fields import services as custom_fields
from contacts.models import Contact
from contacts.trash.services import contact_delete

rebuild_migration = importlib.import_module("contacts.migrations.0020_search_text_anyascii")


def old_fold(value):
    """The fold the stored text was made with before: accents taken off, nothing more."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.mark.django_db
def test_the_migration_folds_stored_text_as_new_contacts_get_it(alice, make_contact, monkeypatch):
    hobby = custom_fields.custom_field_create(label="Hobby", field_type="text")
    company = make_contact("company", company_name="Søren Œuvray")
    gone = make_contact("company", company_name="Þór Gone")
    made = [
        make_contact(
            first_name="Łukasz",
            last_name="Nowak",
            company=company,
            job_title="Straßenbauer",
            custom={hobby.key: "Æsir"},
            infos=[
                {"kind": "email", "category": "work", "value": "łukasz@example.pl"},
                {"kind": "phone", "category": "work", "value": "+48 22 123 45 67"},
            ],
        ),
        make_contact(first_name="Jean", last_name="Dupont", company=gone),
        make_contact(first_name="", last_name="李明"),
        *(make_contact(first_name=f"Đorđe {n}", last_name="Yılmaz") for n in range(5)),
        company,
    ]
    contact_delete(by=alice, contact=gone)
    expected = {
        c.pk: (c.search_text, c.sort_name)
        for c in Contact.all_objects.filter(pk__in=[c.pk for c in made])
    }
    for contact in Contact.all_objects.filter(pk__in=expected):
        Contact.all_objects.filter(pk=contact.pk).update(
            search_text=old_fold(contact.display_name), sort_name=old_fold(contact.display_name)
        )
    assert not Contact.objects.filter(search_text__contains="lukasz").exists()

    monkeypatch.setattr(rebuild_migration, "BATCH", 3)
    rebuild_migration.rebuild(apps, SimpleNamespace(connection=connection))

    rebuilt = {
        c.pk: (c.search_text, c.sort_name)
        for c in Contact.all_objects.filter(pk__in=[c.pk for c in made])
    }
    assert rebuilt == expected
    assert "lukasz nowak soren oeuvray strassenbauer" in rebuilt[made[0].pk][0]
    assert "aesir" in rebuilt[made[0].pk][0]
    assert "thor" not in rebuilt[made[1].pk][0]
    assert list(Contact.objects.filter(search_text__contains="lukasz")) == [made[0]]
