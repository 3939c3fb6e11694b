"""field__any=ids: the rows whose id or foreign key is among ids, on every database."""

from contacts.models import Contact, ContactInfo


def test_ids_and_foreign_keys_match_the_ids_given(make_contact):
    ada, grace, alan = (make_contact(last_name=name) for name in ("Ada", "Grace", "Alan"))
    ContactInfo.objects.create(contact=ada, kind="email", value="ada@example.com")
    ContactInfo.objects.create(contact=alan, kind="email", value="alan@example.com")

    found = Contact.objects.filter(pk__any=[ada.pk, alan.pk])
    details = ContactInfo.objects.filter(contact_id__any={ada.pk, grace.pk})

    assert set(found.values_list("last_name", flat=True)) == {"Ada", "Alan"}
    assert list(details.values_list("value", flat=True)) == ["ada@example.com"]
    assert not Contact.objects.filter(pk__any=[]).exists()
