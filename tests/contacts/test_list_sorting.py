import datetime

import pytest
from django.utils import timezone

from contacts import contact_types as config
from contacts.access import contacts_visible_to
from contacts.models import Contact, ContactType
from contacts.selectors import contact_sort


def names_in_order(response, names):
    """Return names ordered as the rows show them."""
    page = response.content.decode()
    found = [name for name in names if f">{name}</a>" in page]
    return sorted(found, key=lambda name: page.index(f">{name}</a>"))


@pytest.fixture
def people(make_contact):
    now = timezone.now()
    rows = [
        make_contact(first_name="Zoé", last_name="Abel"),
        make_contact(first_name="anna", last_name="Marchal"),
        make_contact(first_name="Bruno", last_name="zidane"),
        make_contact(Contact.Kind.COMPANY, company_name="Beta SA"),
    ]
    for age, contact in enumerate(rows):
        Contact.objects.filter(pk=contact.pk).update(
            created_at=now - datetime.timedelta(days=10 - age),
            updated_at=now - datetime.timedelta(days=age),
        )
    return [c.display_name for c in rows]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Beta SA", "Bruno zidane", "anna Marchal", "Zoé Abel"]),
        ("-created", ["Beta SA", "Bruno zidane", "anna Marchal", "Zoé Abel"]),
        ("created", ["Zoé Abel", "anna Marchal", "Bruno zidane", "Beta SA"]),
        ("changed", ["Beta SA", "Bruno zidane", "anna Marchal", "Zoé Abel"]),
        ("-changed", ["Zoé Abel", "anna Marchal", "Bruno zidane", "Beta SA"]),
        ("name", ["anna Marchal", "Beta SA", "Bruno zidane", "Zoé Abel"]),
        ("-name", ["Zoé Abel", "Bruno zidane", "Beta SA", "anna Marchal"]),
        ("first_name", ["Beta SA", "anna Marchal", "Bruno zidane", "Zoé Abel"]),
        ("-first_name", ["Zoé Abel", "Bruno zidane", "anna Marchal", "Beta SA"]),
        ("last_name", ["Beta SA", "Zoé Abel", "anna Marchal", "Bruno zidane"]),
        ("-last_name", ["Bruno zidane", "anna Marchal", "Zoé Abel", "Beta SA"]),
    ],
)
def test_list_rows_follow_the_chosen_sort(client, alice, people, sort, expected):
    client.force_login(alice)
    response = client.get("/contacts/", {"sort": sort} if sort else {})
    assert names_in_order(response, people) == expected


@pytest.mark.parametrize("language", ["en", "fr"])
def test_name_sort_reads_down_the_names_as_the_rows_show_them(
    client, alice, make_contact, language
):
    for first, last in [("Zoé", "Abel"), ("Émile", "Zola"), ("Łukasz", "Bąk"), ("anna", "Young")]:
        make_contact(first_name=first, last_name=last)
    make_contact(Contact.Kind.COMPANY, company_name="Ferme du Bois")
    names = ["anna Young", "Émile Zola", "Ferme du Bois", "Łukasz Bąk", "Zoé Abel"]
    client.force_login(alice)
    client.cookies["django_language"] = language

    assert names_in_order(client.get("/contacts/?sort=name"), names) == names
    reverse = names_in_order(client.get("/contacts/?sort=-name"), names)
    assert reverse == names[::-1]


def test_sort_by_type_puts_types_in_their_order_and_not_specified_last(client, alice, make_contact):
    first, second = ContactType.objects.order_by("position")[:2]
    untyped = make_contact(first_name="Untyped")
    b = make_contact(first_name="B")
    a = make_contact(first_name="A")
    Contact.objects.filter(pk=b.pk).update(contact_type=second)
    Contact.objects.filter(pk=a.pk).update(contact_type=first)
    names = [c.display_name for c in (untyped, b, a)]
    client.force_login(alice)

    ascending = names_in_order(client.get("/contacts/?sort=type"), names)
    descending = names_in_order(client.get("/contacts/?sort=-type"), names)

    assert ascending == ["A Dupont", "B Dupont", "Untyped Dupont"]
    assert descending == ["Untyped Dupont", "B Dupont", "A Dupont"]


def test_ties_keep_a_stable_order_in_both_directions(client, alice, make_contact):
    twins = [make_contact(first_name="Same", last_name="Name") for _ in range(3)]
    Contact.objects.update(created_at=timezone.now())
    client.force_login(alice)

    for sort in ("name", "first_name", "last_name", "created", "changed", "type"):
        page = client.get(f"/contacts/?sort={sort}").content.decode()
        reverse = client.get(f"/contacts/?sort=-{sort}").content.decode()
        ids = [page.index(f'/contacts/{c.pk}/"') for c in twins]
        reverse_ids = [reverse.index(f'/contacts/{c.pk}/"') for c in twins]
        assert ids == sorted(ids), sort
        assert reverse_ids == sorted(reverse_ids, reverse=True), sort


def test_invalid_sort_falls_back_to_newest_first(client, alice, people):
    client.force_login(alice)
    for bad in ("nope", "-", "--name", "sort_name", "id;drop", "\x00"):
        response = client.get("/contacts/", {"sort": bad})
        assert response.status_code == 200
        assert names_in_order(response, people)[0] == "Beta SA"


def test_sort_headers_keep_other_params_and_mark_the_active_column(client, alice, people):
    client.force_login(alice)
    page = client.get("/contacts/?q=a&per_page=50&sort=name&page=2").content.decode()

    assert 'aria-sort="ascending"' in page
    assert 'href="?q=a&amp;per_page=50&amp;sort=-name"' in page
    assert 'href="?q=a&amp;per_page=50&amp;sort=type"' in page


def test_descending_header_is_marked_and_links_back_to_ascending(client, alice, people):
    client.force_login(alice)
    page = client.get("/contacts/?sort=-type").content.decode()
    assert 'aria-sort="descending"' in page
    assert 'href="?sort=type"' in page
    assert 'href="?sort=name"' in page


def test_sort_select_shows_the_current_sort_and_keeps_filters(client, alice, people):
    client.force_login(alice)
    page = client.get("/contacts/?sort=-changed&tag=Lead").content.decode()
    assert '<option value="-changed" selected>' in page
    assert '<input type="hidden" name="tag" value="Lead">' in page


def test_sorted_pages_keep_the_sort_in_pagination_links(client, alice, make_contact):
    for n in range(26):
        make_contact(first_name=f"P{n:02}")
    client.force_login(alice)
    page = client.get("/contacts/?sort=first_name").content.decode()
    assert "?sort=first_name&amp;page=2" in page
    second = client.get("/contacts/?sort=first_name&page=2").content.decode()
    assert "P25 Dupont" in second and "P00 Dupont" not in second


@pytest.mark.parametrize(
    "sort", ["-created", "name", "-last_name", "type", "-type", "changed", "company", "-company"]
)
def test_pages_past_the_middle_read_from_the_end_give_the_same_contacts(
    alice_client, alice, make_contact, sort
):
    kinds = [config.contact_type_create(title=t) for t in ("Gold", "Silver")] + [None]
    for n in range(60):
        contact = make_contact(first_name=f"F{n % 7}", last_name=f"L{n % 5}")
        Contact.objects.filter(pk=contact.pk).update(contact_type=kinds[n % 3])
    expected = [c.display_name for c in contact_sort(contacts_visible_to(alice), sort, alice)[0]]

    shown = []
    for page in (1, 2, 3):
        response = alice_client.get("/contacts/", {"sort": sort, "page": page})
        shown += [c.display_name for c in response.context["page"].object_list]

    assert shown == expected


@pytest.fixture
def staff(make_contact, bob):
    """Persons at a public company, at one of alice's, at one only bob may see, at none."""
    zeta = make_contact(Contact.Kind.COMPANY, company_name="Zeta Corp", access="public_read")
    mine = make_contact(Contact.Kind.COMPANY, company_name="Mu SA")
    hidden = make_contact(Contact.Kind.COMPANY, company_name="Alpha Hidden", by=bob)
    public = "public_read"
    return {
        "zeta": make_contact(first_name="Ann", last_name="Zeta", company=zeta, access=public),
        "mu": make_contact(first_name="Zoe", last_name="Mu", company=mine),
        "hidden": make_contact(first_name="Bea", last_name="Hid", company=hidden, access=public),
        "none": make_contact(first_name="Carl", last_name="None"),
        "companies": [zeta.display_name, mine.display_name],
    }


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Mu before Zeta; the company alice may not see counts as none, so Bea Hid comes
        # after them, with Carl (no company) and the companies, by name.
        ("company", ["Zoe Mu", "Ann Zeta", "Bea Hid", "Carl None", "Mu SA", "Zeta Corp"]),
        ("-company", ["Zeta Corp", "Mu SA", "Carl None", "Bea Hid", "Ann Zeta", "Zoe Mu"]),
    ],
)
def test_company_sort_follows_the_company_names_the_reader_may_see(
    alice_client, staff, sort, expected
):
    response = alice_client.get("/contacts/", {"sort": sort})

    assert names_in_order(response, expected) == expected
    assert "Alpha Hidden" not in response.content.decode()


def test_company_sort_of_an_admin_orders_by_every_company(admin_client, staff):
    response = admin_client.get("/contacts/", {"sort": "company"})

    names = ["Bea Hid", "Zoe Mu", "Ann Zeta", "Carl None"]
    assert names_in_order(response, names) == names


def test_company_sort_is_offered_in_french(alice_client, staff):
    page = alice_client.get("/contacts/?sort=company", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert 'value="company" selected' in page
    assert "Entreprise, de A à Z" in page


@pytest.mark.parametrize("probed_rows", [-1, 0, 10**6], ids=["hashed", "ends-probed", "probed"])
@pytest.mark.parametrize("sort", ["-created", "name", "company", "-last_activity"])
def test_pages_read_probing_the_readers_grants_give_the_same_contacts(
    client, alice, bob, make_contact, monkeypatch, sort, probed_rows
):
    """Whether a page asks the reader's rights row by row or hashes his grants, an
    ordinary user's pages hold the contacts he may see, in the list's order."""
    monkeypatch.setattr("contacts.views.lists.PROBED_ROWS", probed_rows)
    firms = [make_contact("company", company_name=n, by=alice) for n in ("Alpha", "Zeta")]
    for n in range(90):
        make_contact(
            first_name=f"F{n % 7}",
            last_name=f"L{n % 11}",
            by=[alice, bob][n // 2 % 2],
            access=["private", "public_read", "private", "public_rw"][n % 4],
            company=[None, *firms][n % 3],
        )
    expected = [c.display_name for c in contact_sort(contacts_visible_to(bob), sort, bob)[0]]
    client.force_login(bob)

    shown = []
    for page in (1, 2, 3):
        response = client.get("/contacts/", {"sort": sort, "page": page})
        shown += [c.display_name for c in response.context["page"].object_list]

    assert 50 < len(expected) < 75
    assert shown == expected
