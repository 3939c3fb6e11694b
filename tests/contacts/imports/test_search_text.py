"""An imported contact is found exactly as one created by hand (contacts/search_text.py).

The import's writer builds the search text and the normalised e-mails and phones from
the phones its parser parsed, in a second process for a big file; contact_create parses
them as it goes. Over every sample file (those of tests/data, the CSV files of the shared
sample set), both give the same text, byte for byte.
"""

from dataclasses import replace

import pytest

from contacts.models import Contact
from contacts.search_text import normalized, search_text_for
from contacts.services import contact_create, contact_data_of
from tests.contacts.imports.conftest import DATA, assert_accounted

SAMPLES = sorted(path.name for path in DATA.iterdir() if path.is_file())
INFO_FIELDS = ("kind", "category", "value", "normalized", "is_primary", "position")


def details(contact):
    return list(contact.infos.order_by("position").values_list(*INFO_FIELDS))


@pytest.mark.parametrize("parallel", [False, True], ids=["parsed-here", "parsed-apart"])
@pytest.mark.parametrize("name", SAMPLES)
def test_imported_contacts_hold_the_search_text_contact_create_writes(
    run_import, alice, settings, name, parallel
):
    settings.IMPORT_PARALLEL_MIN_BYTES = 1 if parallel else 0
    job = run_import(name)
    assert_accounted(job)
    imported = list(Contact.objects.filter(import_job=job).select_related("company"))
    assert len(imported) == job.created + job.companies_created > 0

    for contact in imported:
        infos = [
            {"kind": kind, "category": category, "value": value}
            for kind, category, value, *_rest in details(contact)
        ]
        company = contact.company.display_name if contact.company else ""
        assert contact.search_text == search_text_for(contact, infos, company)
        for kind, _category, value, stored, *_rest in details(contact):
            assert stored == normalized(kind, value)
        created = contact_create(by=alice, data=replace(contact_data_of(contact), infos=infos))
        assert (created.search_text, details(created)) == (contact.search_text, details(contact))
