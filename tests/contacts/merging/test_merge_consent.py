"""A merge keeps a consent recorded on either contact."""

from datetime import UTC, datetime

import pytest

from contacts.merging.merge import contacts_merge
from contacts.models import Contact
from contacts.services import ConsentData

STATED = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_kept_contact_without_consent_takes_the_others(alice, make_contact):
    keep = make_contact(first_name="Ana")
    other = make_contact(
        first_name="Ana",
        consent=ConsentData(status="given", source="web_form", wording="Send me news", at=STATED),
    )
    contacts_merge(by=alice, keep=keep, other=other)
    keep.refresh_from_db()
    assert (keep.consent, keep.consent_source, keep.consent_wording, keep.consent_at) == (
        "given",
        "web_form",
        "Send me news",
        STATED,
    )
    assert keep.events.filter(verb="merged", changes__icontains="consent").exists()


@pytest.mark.django_db
def test_the_kept_contacts_own_consent_stays(alice, make_contact):
    keep = make_contact(first_name="Ana", consent=ConsentData(status="refused", source="form"))
    other = make_contact(first_name="Ana", consent=ConsentData(status="given", source="import"))
    contacts_merge(by=alice, keep=keep, other=other)
    keep.refresh_from_db()
    assert (keep.consent, keep.consent_source) == ("refused", "form")
    assert Contact.all_objects.get(pk=other.pk).deleted_at is not None
