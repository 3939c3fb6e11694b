import datetime

import pytest
from django.utils import timezone

from contacts.models import Contact, ContactType
from tests.support import page_of


@pytest.fixture
def client_type(db):
    return ContactType.objects.get(title="Client")


def test_list_filtered_by_type_shows_only_that_type_and_a_removable_chip(
    client, alice, make_contact, client_type
):
    typed = make_contact(first_name="Typed")
    typed.contact_type = client_type
    typed.save()
    make_contact(first_name="Untyped")
    client.force_login(alice)

    page = client.get(f"/contacts/?type={client_type.pk}").content.decode()

    assert "Typed Dupont" in page
    assert "Untyped Dupont" not in page
    assert "Type: Client" in page
    assert "1 contact" in page


def test_list_filtered_by_no_type_shows_contacts_without_type(
    client, alice, make_contact, client_type
):
    typed = make_contact(first_name="Typed")
    typed.contact_type = client_type
    typed.save()
    make_contact(first_name="Untyped")
    client.force_login(alice)

    page = client.get("/contacts/?type=none").content.decode()

    assert "Untyped Dupont" in page
    assert "Typed Dupont" not in page


def test_list_filtered_by_two_tags_shows_contacts_with_both(client, alice, make_contact):
    make_contact(first_name="Both", tags=["Lead", "VIP"])
    make_contact(first_name="One", tags=["Lead"])
    client.force_login(alice)

    page = client.get("/contacts/?tag=lead&tag=VIP").content.decode()

    assert "Both Dupont" in page
    assert "One Dupont" not in page
    assert "Tag: lead" in page and "Tag: VIP" in page


def test_filters_are_kept_in_pagination_links_and_the_search_form(client, alice, make_contact):
    for n in range(26):
        make_contact(first_name=f"P{n}", tags=["Lead"])
    client.force_login(alice)

    page = client.get("/contacts/?tag=Lead").content.decode()

    assert "?tag=Lead&amp;page=2" in page
    assert '<input type="hidden" name="tag" value="Lead">' in page


def test_filter_on_unknown_tag_or_bad_type_shows_no_error(client, alice, contact):
    client.force_login(alice)
    assert "No contact" in client.get("/contacts/?tag=nope").content.decode()
    assert client.get("/contacts/?type=abc").status_code == 200


@pytest.mark.parametrize("type_id", ["²", "٣", "99999999999999999999"])
def test_a_type_that_is_no_row_id_is_ignored(alice_client, contact, type_id):
    page = page_of(alice_client.get("/contacts/", {"type": type_id}))

    assert ">Jean Dupont</a>" in page
    assert "Type:" not in page


def test_filtered_list_never_shows_contacts_the_user_may_not_see(client, bob, make_contact):
    make_contact(first_name="Hidden", tags=["Lead"])
    client.force_login(bob)
    page = client.get("/contacts/?tag=Lead").content.decode()
    assert "Hidden" not in page


def shown(client, url, *names):
    """Return which of names the list at url shows."""
    page = client.get(url).content.decode()
    return {name for name in names if f">{name} Dupont</a>" in page}


def test_kind_filter_shows_persons_or_companies(client, alice, make_contact):
    make_contact(first_name="Person")
    make_contact(Contact.Kind.COMPANY, company_name="Firm")
    client.force_login(alice)

    persons = client.get("/contacts/?kind=person").content.decode()
    companies = client.get("/contacts/?kind=company").content.decode()

    assert ">Person Dupont</a>" in persons and ">Firm</a>" not in persons
    assert ">Firm</a>" in companies and ">Person Dupont</a>" not in companies
    assert "Companies" in companies
    assert client.get("/contacts/?kind=robot").status_code == 200


def test_tags_any_of_shows_contacts_with_one_of_them(client, alice, make_contact):
    make_contact(first_name="Lead", tags=["Lead"])
    make_contact(first_name="Vip", tags=["VIP"])
    make_contact(first_name="Both", tags=["Lead", "VIP"])
    make_contact(first_name="None")
    client.force_login(alice)
    names = ("Lead", "Vip", "Both", "None")

    assert shown(client, "/contacts/?tag=lead,vip&tag_mode=any", *names) == {"Lead", "Vip", "Both"}
    assert shown(client, "/contacts/?tag=lead,vip", *names) == {"Both"}
    assert shown(client, "/contacts/?tag=lead&tag=vip&tag_mode=any", *names) == {
        "Lead",
        "Vip",
        "Both",
    }


def test_tags_given_with_commas_get_one_chip_each_that_removes_only_that_tag(
    client, alice, make_contact
):
    make_contact(first_name="Both", tags=["Lead", "VIP"])
    client.force_login(alice)

    page = client.get("/contacts/?tag=Lead, VIP&tag_mode=any&sort=name").content.decode()

    assert 'href="?tag=VIP&amp;tag_mode=any&amp;sort=name"' in page
    assert 'href="?tag=Lead&amp;tag_mode=any&amp;sort=name"' in page
    assert "Any of the tags" in page
    assert 'href="?tag=Lead%2C+VIP&amp;sort=name"' in page


def test_responsible_filter_on_me_nobody_and_a_user(client, alice, bob, make_contact):
    make_contact(first_name="Mine")
    make_contact(first_name="Shared", responsible=[alice, bob])
    make_contact(first_name="Orphan", responsible=[], access=Contact.Access.PUBLIC_RW)
    make_contact(first_name="Bobs", by=bob, access=Contact.Access.PUBLIC_READ)
    client.force_login(alice)
    names = ("Mine", "Shared", "Orphan", "Bobs")

    assert shown(client, "/contacts/?responsible=me", *names) == {"Mine", "Shared"}
    assert shown(client, "/contacts/?responsible=none", *names) == {"Orphan"}
    assert shown(client, f"/contacts/?responsible={bob.pk}", *names) == {"Shared", "Bobs"}
    assert (
        "Responsible: Bob Durand" in client.get(f"/contacts/?responsible={bob.pk}").content.decode()
    )
    assert shown(client, "/contacts/?responsible=99999", *names) == set()
    assert client.get("/contacts/?responsible=x1").status_code == 200


def test_responsible_filter_never_shows_private_contacts_of_that_user(
    client, alice, bob, make_contact
):
    make_contact(first_name="Secret", tags=["Lead"])
    make_contact(first_name="Open", access=Contact.Access.PUBLIC_READ, tags=["Lead"])
    client.force_login(bob)
    names = ("Secret", "Open")

    for url in (
        f"/contacts/?responsible={alice.pk}",
        "/contacts/?access=restricted",
        "/contacts/?tag=Lead&tag_mode=any",
        "/contacts/?kind=person&source=manual&created=today",
    ):
        assert "Secret" not in shown(client, url, *names), url
    assert shown(client, f"/contacts/?responsible={alice.pk}", *names) == {"Open"}


def test_access_filter_separates_public_and_restricted(client, alice, make_contact):
    make_contact(first_name="Private")
    make_contact(first_name="Read", access=Contact.Access.PUBLIC_READ)
    make_contact(first_name="Write", access=Contact.Access.PUBLIC_RW)
    client.force_login(alice)
    names = ("Private", "Read", "Write")

    assert shown(client, "/contacts/?access=public", *names) == {"Read", "Write"}
    assert shown(client, "/contacts/?access=restricted", *names) == {"Private"}
    assert shown(client, "/contacts/?access=bogus", *names) == set(names)


def test_currency_and_source_filters(client, alice, make_contact):
    euro = make_contact(first_name="Euro")
    dollar = make_contact(first_name="Dollar")
    Contact.objects.filter(pk=euro.pk).update(currency="EUR", source=Contact.Source.IMPORT)
    Contact.objects.filter(pk=dollar.pk).update(currency="USD", source=Contact.Source.WEB_FORM)
    client.force_login(alice)
    names = ("Euro", "Dollar")

    assert shown(client, "/contacts/?currency=eur", *names) == {"Euro"}
    assert shown(client, "/contacts/?source=web_form", *names) == {"Dollar"}
    assert shown(client, "/contacts/?source=import&currency=USD", *names) == set()
    assert shown(client, "/contacts/?currency=EURO&source=fax", *names) == set(names)
    page = client.get("/contacts/?currency=EUR&source=import").content.decode()
    assert "Currency: EUR" in page and "Source: Import" in page


@pytest.fixture
def dated(make_contact):
    """Contacts made at local noon on the given days before today."""
    today = timezone.localdate()
    names = {}
    for name, day in {
        "Today": today,
        "Yesterday": today - datetime.timedelta(days=1),
        "Old": today - datetime.timedelta(days=70),
    }.items():
        contact = make_contact(first_name=name)
        noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        Contact.objects.filter(pk=contact.pk).update(created_at=noon)
        names[name] = day
    return names


def test_created_periods_and_range(client, alice, dated):
    client.force_login(alice)
    names = tuple(dated)
    old = dated["Old"].isoformat()
    yesterday = dated["Yesterday"].isoformat()

    assert shown(client, "/contacts/?created=today", *names) == {"Today"}
    assert shown(client, "/contacts/?created=yesterday", *names) == {"Yesterday"}
    assert "Old" not in shown(client, "/contacts/?created=this_month", *names)
    assert shown(client, f"/contacts/?created_from={old}&created_to={old}", *names) == {"Old"}
    assert shown(client, f"/contacts/?created_from={yesterday}", *names) == {"Yesterday", "Today"}
    assert shown(client, f"/contacts/?created_to={yesterday}", *names) == {"Yesterday", "Old"}


def test_last_month_covers_the_whole_previous_month(client, alice, make_contact):
    first_of_month = timezone.localdate().replace(day=1)
    last_month_end = first_of_month - datetime.timedelta(days=1)
    for name, day in (("Start", last_month_end.replace(day=1)), ("End", last_month_end)):
        contact = make_contact(first_name=name)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 30)))
        Contact.objects.filter(pk=contact.pk).update(created_at=moment)
    make_contact(first_name="Now")
    client.force_login(alice)

    assert shown(client, "/contacts/?created=last_month", "Start", "End", "Now") == {
        "Start",
        "End",
    }


@pytest.mark.parametrize(
    "query",
    [
        "created_from=2026-13-01",
        "created_to=tomorrow",
        "created_from=0001-01-01",
        "created_to=9999-12-31",
        "created=someday",
        "created_from=%00",
    ],
)
def test_bad_dates_are_ignored(client, alice, dated, query):
    client.force_login(alice)
    response = client.get(f"/contacts/?{query}")
    assert response.status_code == 200
    assert ">Old Dupont</a>" in response.content.decode()


def test_combined_filters_show_chips_whose_links_remove_one_filter(client, alice, make_contact):
    make_contact(first_name="Match", tags=["Lead"], access=Contact.Access.PUBLIC_READ)
    make_contact(first_name="Private", tags=["Lead"])
    client.force_login(alice)

    page = client.get(
        "/contacts/?q=dupont&kind=person&tag=Lead&access=public&responsible=me&per_page=50&page=1"
    ).content.decode()

    assert ">Match Dupont</a>" in page and ">Private Dupont</a>" not in page
    for label in ("Persons", "Tag: Lead", "Access: public", "Responsible: me"):
        assert label in page
    assert (
        'href="?q=dupont&amp;tag=Lead&amp;access=public&amp;responsible=me&amp;per_page=50"' in page
    )
    assert 'href="?q=dupont&amp;per_page=50">Clear all' in page


def test_filter_form_shows_the_current_values_and_keeps_search_and_page_size(
    client, alice, bob, make_contact
):
    make_contact()
    client.force_login(alice)

    page = client.get(
        f"/contacts/?q=jean&per_page=50&kind=company&tag=a&tag=b&responsible={bob.pk}"
        "&created_from=2026-01-02&sort=name&page=2"
    ).content.decode()
    start = page.index('id="filter-panel"')
    form = page[start : page.index("</form>", start)]

    assert 'class="collapse mb-3 show"' in page
    assert '<input type="hidden" name="q" value="jean">' in form
    assert '<input type="hidden" name="per_page" value="50">' in form
    assert '<input type="hidden" name="sort" value="name">' in form
    assert 'name="page"' not in form
    assert 'type="hidden" name="kind"' not in form
    assert '<option value="company" selected>' in form
    assert 'name="tag" value="a, b"' in form
    assert f'<option value="{bob.pk}" selected>' in form
    assert 'name="created_from" value="2026-01-02"' in form


def test_search_box_keeps_the_filters(client, alice, contact):
    client.force_login(alice)
    page = client.get("/contacts/?kind=person&source=import&q=x").content.decode()
    start = page.index('role="search"')
    search = page[start : page.index("</form>", start)]
    assert '<input type="hidden" name="kind" value="person">' in search
    assert '<input type="hidden" name="source" value="import">' in search


def test_the_filter_panel_is_loaded_when_first_opened(alice_client, contact):
    closed = page_of(alice_client.get("/contacts/"))
    assert 'id="filter-panel"' in closed
    assert "Apply filters" not in closed  # its choices are not computed for nothing
    assert 'href="?filters=show"' in closed  # without script, the link shows it

    shown = page_of(alice_client.get("/contacts/", {"filters": "show"}))
    assert "Apply filters" in shown

    panel = page_of(
        alice_client.get(
            "/contacts/",
            {"filters": "show"},
            headers={"HX-Request": "true", "HX-Target": "filter-panel"},
        )
    )
    assert "Apply filters" in panel
    assert "<html" not in panel


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_address_with_empty_filters_redirects_to_the_same_list_without_them(
    client, alice, language
):
    client.force_login(alice)
    client.cookies["django_language"] = language

    response = client.get("/contacts/?kind=person&type=&tag=&tag=VIP&created_from=&q=")

    assert response.status_code == 302
    assert response["Location"] == "/contacts/?kind=person&tag=VIP"
    only_empty = client.get("/contacts/?type=&access=")
    assert only_empty["Location"] == "/contacts/"


def test_the_live_search_is_answered_in_place_even_with_an_empty_box(client, alice):
    client.force_login(alice)

    response = client.get("/contacts/?q=", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")

    assert response.status_code == 200


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_tag_filter_offers_the_crms_tags_as_the_bulk_tag_box_does(
    client, alice, make_contact, language
):
    make_contact(first_name="Ada", tags=["vip", "Customer"])
    make_contact(first_name="Alan", tags=["Lead"])
    client.force_login(alice)
    client.cookies["django_language"] = language

    page = page_of(client.get("/contacts/?filters=show"))

    assert 'list="filter-tag-options"' in page
    datalist = page.split('<datalist id="filter-tag-options">')[1].split("</datalist>")[0]
    # Every tag of the CRM, the migration's own too, by name whatever the case.
    names = [option.split('"')[0] for option in datalist.split('<option value="')[1:]]
    assert names == sorted(names, key=str.lower)
    assert {"Customer", "Lead", "vip"} <= set(names)
