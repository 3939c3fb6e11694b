"""Contacts one may not see never show up, not even as a count."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from contacts.access import (
    Perm,
    can_change,
    can_delete,
    contacts_visible_to,
    count_visible_to,
    editable_ids,
    get_contact_for_user,
    grant_access_many,
    visible_among,
    with_company_visibility,
    with_permissions,
)
from contacts.models import CRM_ADMINS_GROUP, Contact
from contacts.services import ContactData, contact_update
from tests.support import form_data, page_of


@pytest.fixture
def population(make_contact, alice, bob, admin, root, make_user):
    """Return five users and 60 contacts with random access and responsible users."""
    carol = make_user("carol")
    users = [alice, bob, carol, admin, root]
    rng = random.Random(20261127)
    contacts = []
    for n in range(60):
        kind = rng.choice(["person", "company"])
        names = {"first_name": f"P{n}"} if kind == "person" else {"company_name": f"C{n}"}
        contacts.append(
            make_contact(
                kind,
                by=rng.choice(users),
                access=rng.choice(Contact.Access.values),
                responsible=rng.sample(users, rng.randint(0, 2)),
                **names,
            )
        )
    return users, contacts


def test_contacts_visible_to_agrees_with_guardian_and_the_rules_for_every_user(population):
    users, contacts = population
    responsible = set(Contact.responsible.through.objects.values_list("contact_id", "user_id"))

    for user in users:
        ours = set(contacts_visible_to(user).values_list("pk", flat=True))
        guardians = set(
            get_objects_for_user(
                user, "contacts.view_contact", klass=Contact, accept_global_perms=True
            ).values_list("pk", flat=True)
        )
        is_admin = user.is_superuser or user.groups.filter(name=CRM_ADMINS_GROUP).exists()
        by_the_rules = {
            c.pk for c in contacts if is_admin or c.is_public or (c.pk, user.pk) in responsible
        }
        assert ours == guardians == by_the_rules, user.username
        assert 0 < len(ours) <= len(contacts)
        assert count_visible_to(user) == len(ours), user.username
        probed = set(contacts_visible_to(user, probe=True).values_list("pk", flat=True))
        assert probed == ours, user.username
        for perm in (Perm.CHANGE, Perm.DELETE):
            hashed = contacts_visible_to(user, perm=perm).values_list("pk", flat=True)
            probed = contacts_visible_to(user, perm=perm, probe=True).values_list("pk", flat=True)
            assert set(probed) == set(hashed), (user.username, perm)


def test_visible_among_keeps_the_ids_the_user_may_see_as_the_selector_does(population):
    users, contacts = population
    Contact.all_objects.filter(pk=contacts[0].pk).update(deleted_at="2026-01-01T00:00Z")
    outsider = users[2]
    outsider.groups.clear()  # no longer a CRM user: his grants alone
    asked = [c.pk for c in contacts[:40]] + [10**9]  # and an id that is no contact

    for user in [*users, AnonymousUser()]:
        found = visible_among(user, asked, ["id", "display_name"])
        expected = contacts_visible_to(user).filter(pk__in=asked)
        assert sorted(found) == sorted(expected.values_list("pk", "display_name")), str(user)
    assert visible_among(users[0], []) == []
    with pytest.raises(ValueError, match="not a column"):
        visible_among(users[0], asked, ["id", "1; DROP TABLE contacts_contact"])


def test_can_change_and_can_delete_follow_the_rules(population):
    users, contacts = population
    responsible = set(Contact.responsible.through.objects.values_list("contact_id", "user_id"))

    for user in users:
        is_admin = user.is_superuser or user.groups.filter(name=CRM_ADMINS_GROUP).exists()
        for contact in contacts:
            expected = (
                is_admin
                or contact.access == Contact.Access.PUBLIC_RW
                or (contact.pk, user.pk) in responsible
            )
            assert can_change(user, contact) == expected, (user.username, contact.pk)
            assert can_delete(user, contact) == expected, (user.username, contact.pk)
        assert editable_ids(user, contacts) == {c.pk for c in contacts if can_change(user, c)}
        # As a page reads them: annotated in the query that reads the contacts.
        for contact in with_permissions(user, Contact.objects.all()):
            expected = (
                is_admin
                or contact.access == Contact.Access.PUBLIC_RW
                or (contact.pk, user.pk) in responsible
            )
            assert contact.may_change == contact.may_delete == expected, user.username
        for perm, allowed in ((Perm.CHANGE, can_change), (Perm.DELETE, can_delete)):
            selected = set(contacts_visible_to(user, perm=perm).values_list("pk", flat=True))
            assert selected == {c.pk for c in contacts if allowed(user, c)}, (user.username, perm)


def test_get_contact_for_user_agrees_with_the_selector_and_the_annotations(population, make_user):
    """The single contact's rights, read in plain SQL, are those the list's queries say."""
    users, contacts = population
    outsider = make_user("dave")
    outsider.groups.clear()  # no longer a CRM user: only his own grants count
    users = [*users, outsider]
    companies = [c for c in contacts if c.kind == "company"]
    for n, person in enumerate(c for c in contacts if c.kind == "person"):
        person.company = companies[n % len(companies)] if n % 3 else None
        person.save(update_fields=["company"])
    outsider_contact = contacts[0]
    contact_update(
        by=outsider,
        contact=outsider_contact,
        data=ContactData(
            kind=outsider_contact.kind,
            fields={"first_name": "O", "company_name": "O"},
            responsible=[outsider],
        ),
    )

    for user in users:
        annotated = with_company_visibility(user, with_permissions(user, Contact.objects.all()))
        expected = {c.pk: c for c in annotated}
        visible = {
            perm: set(contacts_visible_to(user, perm=perm).values_list("pk", flat=True))
            for perm in Perm
        }
        for contact in contacts:
            for perm in Perm:
                try:
                    found = get_contact_for_user(user, contact.pk, perm)
                except Http404:
                    assert contact.pk not in visible[Perm.VIEW], (user.username, contact.pk)
                    continue
                except PermissionDenied:
                    assert contact.pk in visible[Perm.VIEW] - visible[perm], (user.username, perm)
                    continue
                assert contact.pk in visible[perm], (user.username, contact.pk, perm)
                rights = (found.may_change, found.may_delete, found.company_visible)
                want = expected[contact.pk]
                assert rights == (want.may_change, want.may_delete, want.company_visible), (
                    user.username,
                    contact.pk,
                )


@pytest.mark.parametrize("perm", ["chnage", "edit", "", "Change", None])
def test_a_permission_that_does_not_exist_raises_instead_of_checking_visibility(
    make_contact, alice, perm
):
    contact = make_contact(responsible=[alice])

    with pytest.raises(ValueError, match="not a valid Perm"):
        contacts_visible_to(alice, perm=perm)
    with pytest.raises(ValueError, match="not a valid Perm"):
        get_contact_for_user(alice, contact.pk, perm)


def test_a_permission_may_be_named_by_its_value(make_contact, alice, bob):
    contact = make_contact(access=Contact.Access.PUBLIC_READ, responsible=[alice])

    assert list(contacts_visible_to(bob, perm="change")) == []
    assert list(contacts_visible_to(alice, perm="change")) == [contact]


def test_inactive_user_sees_no_contact(make_contact, bob):
    make_contact(access="public_rw", responsible=[bob])
    bob.is_active = False
    bob.save()

    assert not contacts_visible_to(bob).exists()


@pytest.fixture
def hidden_and_shown(make_contact, bob):
    """Return a contact bob may not see and one he may, with the same last name."""
    hidden = make_contact(first_name="Hidden", last_name="Moreau", job_title="Spy")
    shown = make_contact(first_name="Shown", last_name="Moreau", access="public_read")
    return hidden, shown


def test_list_page_shows_only_the_contacts_the_user_may_see(client, bob, hidden_and_shown):
    client.force_login(bob)

    page = client.get("/contacts/").content.decode()

    assert "Shown Moreau" in page
    assert "Hidden" not in page
    assert "1 contact" in page
    assert "2 contacts" not in page


def test_search_results_and_count_leave_out_contacts_the_user_may_not_see(
    client, bob, hidden_and_shown
):
    client.force_login(bob)

    page = client.get("/contacts/", {"q": "moreau"}).content.decode()

    assert "Shown Moreau" in page
    assert "Hidden" not in page
    assert "1 contact" in page


def test_search_for_a_hidden_contact_finds_nothing(client, bob, hidden_and_shown):
    client.force_login(bob)

    page = client.get("/contacts/", {"q": "spy"}).content.decode()

    assert "No contact matches “spy”." in page
    assert "Hidden" not in page


def test_admin_sees_every_contact_in_the_list(client, admin, hidden_and_shown):
    client.force_login(admin)

    page = client.get("/contacts/").content.decode()

    assert "Shown Moreau" in page
    assert "Hidden Moreau" in page
    assert "2 contacts" in page


def test_person_suggestions_leave_out_persons_the_user_may_not_see(client, bob, hidden_and_shown):
    client.force_login(bob)

    response = client.get("/contacts/suggest/persons/", {"q": "mor"})

    assert response.content.decode().strip() == '<option value="Shown Moreau"></option>'


def test_company_suggestions_leave_out_companies_the_user_may_not_see(client, bob, make_contact):
    make_contact("company", company_name="Acme Secret")
    make_contact("company", company_name="Acme Public", access="public_read")
    make_contact("company", company_name="Acme Bob", by=bob)
    client.force_login(bob)

    response = client.get("/contacts/suggest/companies/", {"q": "acme"})

    assert response.content.decode().strip() == (
        '<option value="Acme Bob"></option><option value="Acme Public"></option>'
    )


def test_suggestions_read_the_htmx_input_under_its_own_name(client, bob, make_contact):
    make_contact("company", company_name="Acme Secret")
    make_contact("company", company_name="Acme Public", access="public_read")
    client.force_login(bob)

    response = client.get("/contacts/suggest/companies/", {"company_input": "acme"})

    assert response.content.decode().strip() == '<option value="Acme Public"></option>'


def test_unknown_suggestion_list_is_not_found(client, bob):
    client.force_login(bob)

    assert client.get("/contacts/suggest/users/", {"q": "a"}).status_code == 404


def test_company_card_lists_only_the_persons_the_user_may_see(client, bob, make_contact):
    company = make_contact("company", company_name="Acme", access="public_read")
    make_contact(first_name="Hidden", last_name="Worker", company=company)
    make_contact(first_name="Shown", last_name="Worker", company=company, access="public_read")
    client.force_login(bob)

    page = client.get(f"/contacts/{company.pk}/").content.decode()

    assert "Shown Worker" in page
    assert "Hidden" not in page


def test_notifications_do_not_name_a_contact_the_user_can_no_longer_see(
    client, alice, bob, make_contact
):
    contact = make_contact(first_name="Hidden", last_name="Later", responsible=[alice, bob])
    client.force_login(alice)
    client.post(
        f"/contacts/{contact.pk}/edit/",
        form_data(first_name="Hidden", last_name="Later", responsible=[alice.pk]),
        follow=True,
    )
    client.force_login(bob)

    page = client.get("/contacts/notifications/").content.decode()

    assert "Alice Martin made you responsible for a contact you can no longer see." in page
    assert "Hidden" not in page
    assert f"/contacts/{contact.pk}/" not in page


def test_delete_confirmation_counts_only_the_persons_the_user_may_see(client, bob, make_contact):
    company = make_contact("company", company_name="Acme", access="public_rw")
    make_contact(first_name="Hidden", company=company)
    make_contact(first_name="Shown", company=company, access="public_read")
    client.force_login(bob)

    page = client.get(f"/contacts/{company.pk}/delete/").content.decode()

    assert "1 person works at this company: it is kept" in page
    assert "2 persons" not in page


# A public person at a private company: the company's name is for those who may see it.


@pytest.fixture
def employee_of_a_private_company(make_contact):
    company = make_contact("company", company_name="Hushhush Holdings")
    person = make_contact(
        first_name="Open",
        last_name="Employee",
        company=company,
        access="public_read",
        infos=[{"kind": "email", "category": "work", "value": "open@example.com"}],
    )
    return person, company


def test_the_card_of_a_public_person_hides_a_company_the_user_may_not_see(
    client, alice, bob, employee_of_a_private_company
):
    person, company = employee_of_a_private_company
    client.force_login(bob)
    assert "Hushhush" not in page_of(client.get(person.get_absolute_url()))
    client.force_login(alice)
    page = page_of(client.get(person.get_absolute_url()))
    assert f'<a href="{company.get_absolute_url()}">Hushhush Holdings</a>' in page


def test_the_list_row_hides_a_company_the_user_may_not_see(
    client, alice, bob, employee_of_a_private_company
):
    client.force_login(alice)  # first, so that the page is kept in the cache for alice
    assert "Hushhush Holdings" in page_of(client.get("/contacts/"))
    client.force_login(bob)
    page = page_of(client.get("/contacts/", {"kind": "person"}))
    assert "Open Employee" in page
    assert "Hushhush" not in page
    assert "Hushhush" not in page_of(client.get("/contacts/"))


def test_a_company_made_private_leaves_the_list_rows_at_once(client, bob, make_contact):
    company = make_contact("company", company_name="Hushhush Holdings", access="public_read")
    make_contact(first_name="Open", company=company, access="public_read")
    client.force_login(bob)
    row = '<div class="small text-body-secondary">Hushhush Holdings</div>'
    assert row in page_of(client.get("/contacts/"))
    Contact.objects.filter(pk=company.pk).update(access="private")
    grant_access_many([company.pk], "private")
    page = page_of(client.get("/contacts/"))
    assert "Open" in page and "Hushhush" not in page


@pytest.mark.parametrize("url", ["/contacts/export.csv", "/contacts/export.vcf", "vcard"])
def test_the_exports_hide_a_company_the_user_may_not_see(
    client, alice, bob, employee_of_a_private_company, url
):
    person, _company = employee_of_a_private_company
    url = f"/contacts/{person.pk}/vcard/" if url == "vcard" else url

    def exported(user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        body = response.getvalue() if response.streaming else response.content
        return body.decode()

    shown_to_bob = exported(bob)
    assert "open@example.com" in shown_to_bob
    assert "Hushhush" not in shown_to_bob
    assert "Hushhush Holdings" in exported(alice)


def test_merge_and_duplicates_hide_a_company_the_user_may_not_see(client, bob, make_contact):
    company = make_contact("company", company_name="Hushhush Holdings")
    shared = make_contact(
        first_name="Open", last_name="Employee", company=company, access="public_rw"
    )
    own = make_contact(first_name="Open", last_name="Employee", company=company, by=bob)
    client.force_login(bob)
    duplicates = page_of(client.get("/contacts/duplicates/"))
    assert f"/contacts/{shared.pk}/" in duplicates
    assert "Hushhush" not in duplicates
    picked = page_of(client.get("/contacts/merge/", {"keep": own.pk, "q": "employee"}))
    assert f"other={shared.pk}" in picked
    assert "Hushhush" not in picked
    merge = page_of(client.get("/contacts/merge/", {"keep": own.pk, "other": shared.pk}))
    assert "Hushhush" not in merge


def test_the_history_of_a_public_person_hides_a_company_the_user_may_not_see(
    client, alice, bob, make_contact
):
    known = make_contact("company", company_name="Known Ltd", access="public_read")
    person = make_contact(first_name="Open", company=known, access="public_read")
    hidden = make_contact("company", company_name="Hushhush Holdings")
    contact_update(
        by=alice,
        contact=person,
        data=ContactData(
            kind="person",
            fields={"first_name": "Open"},
            access="public_read",
            responsible=[alice],
            company=hidden,
        ),
    )
    client.force_login(bob)
    for url in (person.get_absolute_url(), f"/contacts/{person.pk}/history/"):
        page = page_of(client.get(url))
        assert "Known Ltd" in page
        assert "Hushhush" not in page
        assert "a company you cannot see" in page
    client.force_login(alice)
    assert "Hushhush Holdings" in page_of(client.get(f"/contacts/{person.pk}/history/"))
