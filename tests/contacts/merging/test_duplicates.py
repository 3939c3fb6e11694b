"""Possible duplicates and merging: warned before saving, grouped, merged."""

import pytest
from django.test import Client
from django.urls import reverse

from contacts.access import can_change
from contacts.custom_fields import services as custom_fields
from contacts.merging import duplicates
from contacts.models import Contact, ContactEvent
from contacts.trash.services import contact_restore
from tests.support import form_data, page_of

NEW_PERSON = "/contacts/new/person/"
MERGE = reverse("contacts:merge")


def email(value):
    return {"kind": "email", "category": "work", "value": value, "is_primary": True}


def phone(value):
    return {"kind": "phone", "category": "mobile", "value": value, "is_primary": True}


@pytest.fixture
def marie(make_contact):
    return make_contact(
        first_name="Marie",
        last_name="Curie",
        infos=[email("marie@example.com"), phone("06 12 34 56 78")],
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"first_name": "Other", "email": [{"category": "home", "value": " MARIE@example.com "}]},
        {"first_name": "Other", "phone": [{"category": "work", "value": "+33 6 12 34 56 78"}]},
        {"first_name": "Marie", "last_name": "Curie"},
    ],
    ids=["same email", "same phone", "same name"],
)
def test_creating_a_likely_duplicate_warns_first(alice_client, alice, marie, fields):
    page = page_of(alice_client.post(NEW_PERSON, form_data(responsible=[alice.pk], **fields)))

    assert "This contact may already exist" in page
    assert f'href="/contacts/{marie.pk}/"' in page
    assert Contact.objects.count() == 1

    saved = alice_client.post(
        NEW_PERSON, form_data(responsible=[alice.pk], save_anyway="1", **fields)
    )
    assert saved.status_code == 302
    assert Contact.objects.count() == 2


def test_the_same_name_at_another_company_is_no_duplicate(alice_client, alice, marie):
    response = alice_client.post(
        NEW_PERSON,
        form_data(
            first_name="Marie",
            last_name="Curie",
            company_input="Radium Inc",
            responsible=[alice.pk],
        ),
    )

    assert response.status_code == 302


def test_a_contact_the_user_may_not_see_is_not_named(client, bob, marie):
    client.force_login(bob)

    response = client.post(
        NEW_PERSON,
        form_data(first_name="Marie", last_name="Curie", responsible=[bob.pk]),
    )

    assert response.status_code == 302


def test_the_duplicates_page_groups_by_email_phone_and_name(
    alice_client, alice, make_contact, marie
):
    make_contact(first_name="Maria", last_name="Sklodowska", infos=[email("Marie@Example.com")])
    make_contact(first_name="Pierre", infos=[phone("+33612345678")])
    make_contact(first_name="Paul", last_name="Langevin")
    make_contact(first_name="Paul", last_name="Langevin")
    make_contact(first_name="Alone", infos=[email("alone@example.com")])

    page = page_of(alice_client.get(reverse("contacts:duplicates")))

    assert 'Same email · <span class="text-body-secondary">marie@example.com</span>' in page
    assert 'Same phone · <span class="text-body-secondary">+33612345678</span>' in page
    assert 'Same name · <span class="text-body-secondary">Paul Langevin</span>' in page
    assert "Alone" not in page
    groups, more = duplicates.groups(alice)
    assert not more
    assert [len(g.contacts) for g in groups] == [2, 2, 2]


def test_the_duplicates_page_shows_only_what_the_user_sees(client, bob, marie, make_contact):
    make_contact(first_name="Twin", infos=[email("marie@example.com")], by=bob)
    client.force_login(bob)

    page = page_of(client.get(reverse("contacts:duplicates")))

    assert "No possible duplicates" in page
    assert duplicates.groups(bob) == ([], False)


def test_anonymous_is_sent_to_log_in(client, marie):
    for url in (reverse("contacts:duplicates"), f"{MERGE}?keep={marie.pk}"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.fixture
def twins(make_contact, alice, bob):
    field = custom_fields.custom_field_create(label="Size", field_type="text")
    keep = make_contact(
        first_name="Marie",
        last_name="Curie",
        job_title="Physicist",
        tags=["Nobel"],
        infos=[email("marie@example.com")],
        custom={field.key: "S"},
    )
    other = make_contact(
        first_name="Maria",
        last_name="Curie",
        job_title="Chemist",
        tags=["Nobel", "Paris"],
        infos=[email("MARIE@example.com"), phone("06 12 34 56 78")],
        responsible=[alice, bob],
        custom={field.key: "M"},
    )
    return keep, other, field


def test_merging_keeps_chosen_values_and_combines_the_rest(alice_client, alice, bob, twins):
    keep, other, field = twins
    url = f"{MERGE}?keep={keep.pk}&other={other.pk}"
    page = page_of(alice_client.get(url))
    assert "Physicist" in page and "Chemist" in page

    response = alice_client.post(
        MERGE,
        {
            "keep": keep.pk,
            "other": other.pk,
            "f-job_title": "other",
            f"f-custom:{field.pk}": "keep",
        },
        follow=True,
    )

    assert "“Maria Curie” was merged into “Marie Curie”" in page_of(response)
    keep = Contact.objects.get(pk=keep.pk)
    assert (keep.first_name, keep.job_title) == ("Marie", "Chemist")
    assert sorted(keep.tags.names()) == ["Nobel", "Paris"]
    assert sorted(keep.infos.values_list("value", flat=True)) == [
        "06 12 34 56 78",
        "marie@example.com",
    ]
    assert set(keep.responsible.all()) == {alice, bob}
    assert can_change(bob, keep)
    assert keep.custom == {field.key: "S"}
    assert not Contact.objects.filter(pk=other.pk).exists()  # in the trash
    verbs = list(ContactEvent.objects.filter(contact=keep).values_list("verb", flat=True))
    # The merge is one event; the kept contact was created once.
    assert verbs.count("merged") == 1 and verbs.count("created") == 1


def test_a_merge_is_undone_by_restoring_the_other(alice_client, alice, twins):
    keep, other, _field = twins
    alice_client.post(MERGE, {"keep": keep.pk, "other": other.pk})

    contact_restore(by=alice, contact=other)

    other = Contact.objects.get(pk=other.pk)
    assert other.job_title == "Chemist"
    assert other.infos.count() == 2


def test_merging_a_company_moves_its_persons(alice_client, make_contact):
    keep = make_contact("company", company_name="Acme")
    other = make_contact("company", company_name="ACME SA")
    person = make_contact(first_name="Wile", company=other)

    alice_client.post(MERGE, {"keep": keep.pk, "other": other.pk})

    person.refresh_from_db()
    assert person.company_id == keep.pk
    assert "acme" in person.search_text


def test_merging_needs_edit_access_to_both(client, bob, make_contact):
    readable = make_contact(first_name="Read", access="public_read")
    own = make_contact(first_name="Own", by=bob)
    client.force_login(bob)

    response = client.post(MERGE, {"keep": own.pk, "other": readable.pk})

    assert response.status_code == 403
    assert Contact.objects.filter(pk=readable.pk).exists()


def test_a_person_and_a_company_cannot_be_merged(alice_client, make_contact):
    person = make_contact(first_name="Solo")
    company = make_contact("company", company_name="Solo Inc")

    response = alice_client.post(MERGE, {"keep": person.pk, "other": company.pk}, follow=True)

    assert "Only two different persons, or two different companies, can be merged." in page_of(
        response
    )
    assert Contact.objects.count() == 2


def test_from_the_card_the_user_finds_the_other_contact(alice_client, twins):
    keep, other, _field = twins
    card = page_of(alice_client.get(keep.get_absolute_url()))
    assert f"{MERGE}?keep={keep.pk}" in card

    page = page_of(alice_client.get(MERGE, {"keep": keep.pk, "q": "maria"}))

    assert f"?keep={keep.pk}&amp;other={other.pk}" in page


def test_a_stranger_cannot_reach_contacts_he_does_not_see(client, bob, twins):
    keep, other, _field = twins
    client.force_login(bob)

    assert client.get(MERGE, {"keep": keep.pk, "other": other.pk}).status_code == 404
    assert client.post(MERGE, {"keep": keep.pk, "other": other.pk}).status_code == 404
    assert Contact.objects.filter(pk=other.pk).exists()


def test_the_admin_sees_every_group(admin_client, make_contact, bob):
    make_contact(first_name="Twin", by=bob, infos=[email("twin@example.com")])
    make_contact(first_name="Twin", by=bob, infos=[email("TWIN@example.com")])

    page = page_of(admin_client.get(reverse("contacts:duplicates")))

    assert "twin@example.com" in page
    assert "Merge into “Twin Dupont”…" in page


@pytest.fixture
def companies_with_a_hidden_person(make_contact, bob):
    keep = make_contact("company", company_name="Acme")
    other = make_contact("company", company_name="ACME SA")
    make_contact(first_name="Seen", company=other)
    hidden = make_contact(first_name="Hidden", last_name="Worker", company=other, by=bob)
    return keep, other, hidden


def test_the_merge_page_counts_the_persons_the_user_cannot_see(
    alice_client, companies_with_a_hidden_person
):
    keep, other, _hidden = companies_with_a_hidden_person
    page = page_of(alice_client.get(MERGE, {"keep": keep.pk, "other": other.pk}))

    assert "1 person of “ACME SA” is not shared with you" in page
    assert "Only a CRM admin can merge these companies." in page
    assert '<button type="submit" class="btn btn-primary" disabled>' in page
    assert "Hidden" not in page


def test_only_a_crm_admin_merges_a_company_with_persons_the_user_cannot_see(
    alice_client, admin, companies_with_a_hidden_person
):
    keep, other, hidden = companies_with_a_hidden_person

    response = alice_client.post(MERGE, {"keep": keep.pk, "other": other.pk}, follow=True)

    assert "“ACME SA” has persons you cannot see" in page_of(response)
    hidden.refresh_from_db()
    assert hidden.company_id == other.pk
    assert Contact.objects.filter(pk=other.pk).exists()

    admin_client = Client()
    admin_client.force_login(admin)
    page = page_of(admin_client.get(MERGE, {"keep": keep.pk, "other": other.pk}))
    assert "not shared with you" not in page
    admin_client.post(MERGE, {"keep": keep.pk, "other": other.pk})

    hidden.refresh_from_db()
    assert hidden.company_id == keep.pk
    assert not Contact.objects.filter(pk=other.pk).exists()


def test_names_spelled_with_or_without_special_letters_are_the_same_name(
    alice_client, alice, make_contact
):
    lukasz = make_contact(first_name="Łukasz", last_name="Nowak")
    make_contact(first_name="Lukasz", last_name="Nowak")

    groups, more = duplicates.groups(alice)
    warned = page_of(
        alice_client.post(
            NEW_PERSON, form_data(first_name="LUKASZ", last_name="Nowák", responsible=[alice.pk])
        )
    )

    assert (len(groups), more) == (1, False)
    assert groups[0].reason == "name"
    assert sorted(c.display_name for c in groups[0].contacts) == ["Lukasz Nowak", "Łukasz Nowak"]
    assert "This contact may already exist" in warned
    assert f'href="/contacts/{lukasz.pk}/"' in warned


def test_a_value_shared_by_many_shows_five_and_leads_to_all(alice_client, make_contact):
    staff = [
        make_contact(first_name=f"Staff{n}", infos=[phone("+33 1 23 45 67 89")]) for n in range(7)
    ]

    page = page_of(alice_client.get(reverse("contacts:duplicates")))
    listed = page_of(alice_client.get(reverse("contacts:list"), {"q": "+33123456789"}))

    assert [name for name in (c.display_name for c in staff) if name in page] == [
        c.display_name for c in staff[:5]
    ]
    assert 'href="/contacts/?q=%2B33123456789">More contacts share it: see them all' in page
    assert all(c.display_name in listed for c in staff)


def test_the_duplicates_page_goes_on_page_by_page(alice_client, make_contact, monkeypatch):
    monkeypatch.setattr("contacts.merging.views.GROUPS_PER_PAGE", 2)
    for n in range(3):
        make_contact(first_name=f"Twin{n}", infos=[email(f"twin{n}@example.com")])
        make_contact(first_name=f"Twin{n}", infos=[email(f"other{n}@example.com")])
    url = reverse("contacts:duplicates")

    first = page_of(alice_client.get(url))
    second = page_of(alice_client.get(url, {"page": "2"}))
    beyond = page_of(alice_client.get(url, {"page": "9"}))

    assert "Twin0" in first and "Twin1" in first and "Twin2" not in first
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    assert "Twin2" in second and 'rel="prev" href="?page=1"' in second
    assert 'rel="next"' not in second and "page 2" in second
    assert "No more possible duplicates." in beyond
