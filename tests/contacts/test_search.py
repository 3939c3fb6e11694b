"""The contacts list: search, pagination and order."""

import datetime
import random
import re
import string
import unicodedata

import pytest
from anyascii import anyascii
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts import selectors
from contacts.models import Contact
from contacts.selectors import contact_sort, contacts_listed, expected_count
from tests.support import form_data


def names_on(response):
    """Return the contact names of the result rows, in order."""
    return re.findall(
        r'class="fw-semibold text-decoration-none">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def people(make_contact):
    """Three persons, one of them at a company, with emails and phones."""
    institute = make_contact("company", company_name="Institut du Radium")
    make_contact(
        first_name="Hélène",
        last_name="Langevin",
        company=institute,
        infos=[
            {"kind": "email", "category": "work", "value": "helene@radium.example"},
            {"kind": "phone", "category": "mobile", "value": "+33 6 12 34 56 78"},
        ],
    )
    make_contact(
        first_name="Pierre",
        last_name="Curie",
        infos=[{"kind": "phone", "category": "work", "value": "01 44 27 00 00"}],
    )
    make_contact(first_name="Irène", last_name="Joliot")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Pierre", ["Pierre Curie"]),
        ("curie", ["Pierre Curie"]),
        ("langevin", ["Hélène Langevin"]),
        ("helene", ["Hélène Langevin"]),
        ("HÉLÈNE", ["Hélène Langevin"]),
        ("irene joliot", ["Irène Joliot"]),
        ("Radium", ["Hélène Langevin", "Institut du Radium"]),
        ("helene@radium.example", ["Hélène Langevin"]),
        ("radium.example", ["Hélène Langevin"]),
        ("0612", ["Hélène Langevin"]),
        ("612345", ["Hélène Langevin"]),
        ("06 12 34", ["Hélène Langevin"]),
        ("+33612345678", ["Hélène Langevin"]),
        ("0144270000", ["Pierre Curie"]),
        ("+33 1 44 27", ["Pierre Curie"]),
        ("nobody", []),
    ],
)
def test_search_finds_contacts_by_name_company_email_and_phone(
    alice_client, people, query, expected
):
    response = alice_client.get("/contacts/", {"q": query})

    assert sorted(names_on(response)) == sorted(expected)


def test_person_is_found_by_the_new_name_of_a_renamed_company(alice_client, alice, make_contact):
    company = make_contact("company", company_name="Acme")
    make_contact(first_name="Paul", last_name="Petit", company=company)

    alice_client.post(
        f"/contacts/{company.pk}/edit/",
        form_data(company_name="Globex", responsible=[alice.pk]),
    )

    assert names_on(alice_client.get("/contacts/", {"q": "globex"})) == ["Paul Petit", "Globex"]
    assert names_on(alice_client.get("/contacts/", {"q": "acme"})) == []


def test_person_is_no_longer_found_by_the_name_of_a_deleted_company(alice_client, make_contact):
    company = make_contact("company", company_name="Acme")
    make_contact(first_name="Paul", last_name="Petit", company=company)

    alice_client.post(f"/contacts/{company.pk}/delete/")

    assert names_on(alice_client.get("/contacts/", {"q": "acme"})) == []
    assert names_on(alice_client.get("/contacts/", {"q": "petit"})) == ["Paul Petit"]


def test_search_that_finds_nothing_says_so(alice_client, people):
    page = alice_client.get("/contacts/", {"q": "nobody"}).content.decode()

    assert "No contact matches “nobody”." in page


def test_search_box_keeps_the_query(alice_client, people):
    page = alice_client.get("/contacts/", {"q": "curie"}).content.decode()

    assert 'name="q" value="curie"' in page


@pytest.fixture
def many(admin):
    """Create 101 persons at once, seen through the admin."""
    Contact.objects.bulk_create(
        Contact(
            kind="person",
            first_name=f"P{n:03}",
            display_name=f"P{n:03}",
            sort_name=f"p{n:03}",
            search_text=f"p{n:03} bulk",
        )
        for n in range(101)
    )
    return admin


@pytest.mark.parametrize(
    "per_page, rows, pages",
    [
        ("25", 25, 5),
        ("50", 50, 3),
        ("100", 100, 2),
        (None, 25, 5),
        ("30", 25, 5),
        ("1000", 25, 5),
        ("many", 25, 5),
    ],
)
def test_list_shows_25_50_or_100_rows_with_the_total_count(client, many, per_page, rows, pages):
    client.force_login(many)

    response = client.get("/contacts/", {"per_page": per_page} if per_page else {})

    page = response.content.decode()
    assert len(names_on(response)) == rows
    assert "101 contacts" in page
    assert f"page 1 of {pages}" in page
    assert f'<option value="{rows}" selected>{rows}</option>' in page


def test_last_page_shows_the_remaining_rows(client, many):
    client.force_login(many)

    response = client.get("/contacts/", {"per_page": "25", "page": "5"})

    assert names_on(response) == ["P000"]
    assert "page 5 of 5" in response.content.decode()


def test_pagination_links_keep_the_query_and_the_page_size(client, many):
    client.force_login(many)

    page = client.get("/contacts/", {"q": "bulk", "per_page": "50"}).content.decode()

    assert 'href="?q=bulk&amp;per_page=50&amp;page=2"' in page


def test_list_shows_the_newest_contacts_first(alice_client, make_contact):
    now = timezone.now()
    for name, days_ago in [("Older", 2), ("Oldest", 30), ("Newest", 0), ("Old", 1)]:
        contact = make_contact(first_name=name, last_name="")
        Contact.objects.filter(pk=contact.pk).update(
            created_at=now - datetime.timedelta(days=days_ago)
        )

    assert names_on(alice_client.get("/contacts/")) == ["Newest", "Old", "Older", "Oldest"]


def test_htmx_search_returns_only_the_results_fragment(alice_client, people):
    response = alice_client.get(
        "/contacts/", {"q": "curie"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )

    page = response.content.decode().strip()
    assert page.startswith('<div id="results">')
    assert page.endswith("</div>")
    assert "<html" not in page
    assert 'role="search"' not in page
    assert names_on(response) == ["Pierre Curie"]


def test_plain_search_returns_the_whole_page(alice_client, people):
    response = alice_client.get("/contacts/", {"q": "curie"})

    page = response.content.decode()
    assert page.startswith("<!doctype html>")
    assert 'role="search"' in page
    assert names_on(response) == ["Pierre Curie"]


# Every Latin letter folds: the ASCII spelling and the name as written both find it

# Letters of the Latin blocks (accented, ligatures, strokes, thorn, dotless i...) and the
# combining marks that may follow a letter when a name arrives decomposed.
LATIN_LETTERS = st.characters(
    min_codepoint=0xC0,
    max_codepoint=0x24F,
    categories=["Lu", "Ll", "Lt"],
).filter(lambda c: unicodedata.name(c, "").startswith("LATIN "))
SPECIAL = st.sampled_from("ŁłØøßẞÆæŒœĐđÞþıİĲĳŊŋĦħŦŧÐðſ")
EXTENDED = st.characters(min_codepoint=0x1E00, max_codepoint=0x1EFF, categories=["Lu", "Ll"])
COMBINING = st.characters(min_codepoint=0x300, max_codepoint=0x36F)
LETTER = st.one_of(
    st.sampled_from(string.ascii_letters),
    LATIN_LETTERS,
    SPECIAL,
    EXTENDED,
    st.tuples(st.sampled_from(string.ascii_letters), COMBINING).map("".join),
)
WORD = st.lists(LETTER, min_size=1, max_size=10).map("".join)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=WORD, last=WORD)
@pytest.mark.django_db
def test_a_latin_name_is_found_as_written_and_in_ascii(alice, make_contact, first, last):
    contact = make_contact(first_name=first, last_name=last)
    try:
        for query in (
            first,
            last,
            f"{first} {last}",
            anyascii(first),
            anyascii(last),
            anyascii(f"{last} {first}").upper(),
            unicodedata.normalize("NFD", first),
            unicodedata.normalize("NFC", last),
        ):
            found, _filters = contacts_listed(alice, QueryDict(urlencode({"q": query})))
            assert contact in found, (query, contact.search_text)
    finally:
        Contact.objects.filter(pk=contact.pk).delete()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("lukasz", ["Łukasz Nowak"]),
        ("LUKASZ nowak", ["Łukasz Nowak"]),
        ("Łukasz", ["Łukasz Nowak"]),
        ("soren", ["Søren Lambert"]),
        ("strasse", ["Straße Bau"]),
        ("thorsson", ["Þór Þórsson"]),
        ("aesa", ["Æsa Œuvray"]),
        ("oeuvray", ["Æsa Œuvray"]),
        ("dorde", ["Đorđe Yılmaz"]),
        ("yilmaz", ["Đorđe Yılmaz"]),
    ],
)
def test_search_folds_every_latin_letter(alice_client, make_contact, query, expected):
    make_contact(first_name="Łukasz", last_name="Nowak")
    make_contact(first_name="Søren", last_name="Lambert")
    make_contact("company", company_name="Straße Bau")
    make_contact(first_name="Þór", last_name="Þórsson")
    make_contact(first_name="Æsa", last_name="Œuvray")
    make_contact(first_name="Đorđe", last_name="Yılmaz")

    assert names_on(alice_client.get("/contacts/", {"q": query})) == expected


def test_the_list_page_finds_lukasz_as_typed_in_the_search_box(alice_client, make_contact):
    make_contact(first_name="Łukasz", last_name="Nowak")
    make_contact(first_name="Lucas", last_name="Nowak")

    full = alice_client.get("/contacts/", {"q": "lukasz"})
    live = alice_client.get("/contacts/", {"q": "lukasz"}, headers={"HX-Request": "true"})

    assert names_on(full) == ["Łukasz Nowak"]
    assert 'value="lukasz"' in full.content.decode()
    assert names_on(live) == ["Łukasz Nowak"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("李", ["李明"]),
        ("liming", ["李明"]),
        ("иван", ["Иван Петров"]),
        ("ivan", ["Иван Петров"]),
        ("li", ["Alice Liddell", "李明"]),
    ],
)
def test_other_scripts_are_found_as_written_and_in_latin(
    alice_client, make_contact, query, expected
):
    make_contact(first_name="", last_name="李明")
    make_contact(first_name="Иван", last_name="Петров")
    make_contact(first_name="Alice", last_name="Liddell")

    assert sorted(names_on(alice_client.get("/contacts/", {"q": query}))) == expected


def test_names_sort_by_their_ascii_spelling(alice_client, make_contact):
    for last in ("Zola", "Łukasiewicz", "Lambert", "Ørsted", "Martin"):
        make_contact(first_name="A", last_name=last)

    names = names_on(alice_client.get("/contacts/", {"sort": "name"}))

    assert names == ["A Lambert", "A Łukasiewicz", "A Martin", "A Ørsted", "A Zola"]


@pytest.mark.parametrize("query", ["jo", "jo martin", "j"])
def test_a_short_word_is_found_without_reading_the_whole_trigram_index(alice, make_contact, query):
    """A word shorter than a trigram is still found anywhere in the search text; on
    PostgreSQL it is not looked up in the trigram index, which would read all of it."""
    jo = make_contact(first_name="Joséphine", last_name="Martin")
    make_contact(first_name="Anne", last_name="Martin")
    make_contact(first_name="Bernard", last_name="Lejoly")
    found = contacts_listed(alice, QueryDict(urlencode({"q": query})))
    expected = (
        {jo.pk}
        if "martin" in query
        else {jo.pk} | {c.pk for c in Contact.objects.filter(search_text__contains=query)}
    )
    assert set(found[0].values_list("pk", flat=True)) == expected
    if connection.vendor != "postgresql":
        return
    sql, params = found[0].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        conditions = [
            row[0] for row in cursor.fetchall() if "Filter:" in row[0] or "Cond:" in row[0]
        ]
    # What the trigram index could answer: the column itself, LIKE the word.
    assert not [line for line in conditions if "(search_text ~~ '%j" in line], conditions


@pytest.mark.parametrize(
    "sorted_matches, walk",
    [(5000, False), (-1, False), (5000, True)],
    ids=["read-in-order", "page-by-page", "walked"],
)
def test_a_search_matching_more_than_it_lists_says_so_and_lists_the_first(
    client, many, monkeypatch, sorted_matches, walk
):
    monkeypatch.setattr("contacts.views.lists.SEARCH_LISTED", 60)
    monkeypatch.setattr("contacts.views.lists.SORTED_MATCHES", sorted_matches)
    monkeypatch.setattr("contacts.views.lists._walk_pays", lambda *args: walk)
    client.force_login(many)

    first = client.get("/contacts/", {"q": "bulk"}).content.decode()
    last = client.get("/contacts/", {"q": "bulk", "page": "3"})

    assert "More than 60 contacts, the first 60 listed" in first
    assert "page 1 of 3" in first
    assert "Select all matching contacts (more than 60)" in first
    # The newest first, read forwards even on the last page: the 51st to the 60th.
    assert names_on(last) == [f"P{n:03}" for n in range(50, 40, -1)]
    assert "page 3 of 3" in last.content.decode()


def test_a_search_listing_all_its_matches_counts_them(client, many, monkeypatch):
    monkeypatch.setattr("contacts.views.lists.SEARCH_LISTED", 101)
    client.force_login(many)

    page = client.get("/contacts/", {"q": "bulk"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "101 contacts" in page
    assert "Plus de" not in page and "More than" not in page


def test_a_search_matching_more_than_it_lists_says_so_in_french(client, many, monkeypatch):
    monkeypatch.setattr("contacts.views.lists.SEARCH_LISTED", 60)
    client.force_login(many)

    page = client.get("/contacts/", {"q": "bulk"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Plus de 60 contacts, les 60 premiers listés" in page
    assert "Sélectionner tous les contacts correspondants (plus de 60)" in page


@pytest.mark.parametrize(
    "sorted_matches, walk",
    [(5000, False), (-1, False), (5000, True)],
    ids=["read-in-order", "sorted-among-ids", "walked"],
)
@pytest.mark.parametrize("sort", ["", "name", "-name", "last_name", "company", "-company", "type"])
def test_a_search_lists_its_matches_in_the_order_of_the_list_page_after_page(
    client, alice, bob, make_contact, monkeypatch, sort, sorted_matches, walk
):
    """Read in order at once, or in no order and then sorted among their ids or along the
    sort's index, a search's matches come page after page as the list in that order
    holds them, for the reader."""
    monkeypatch.setattr("contacts.views.lists.SORTED_MATCHES", sorted_matches)
    # Fewer listed than found: the reads that stop past the listed matches are taken.
    monkeypatch.setattr("contacts.views.lists.SEARCH_LISTED", 26)
    monkeypatch.setattr("contacts.views.lists._walk_pays", lambda *args: walk)
    rng = random.Random(sort)
    firms = [
        make_contact("company", company_name=name, access=access)
        for name, access in (("Zeta", "public_read"), ("Alpha", "private"), ("Mu", "public_rw"))
    ]
    for n in range(40):
        make_contact(
            first_name=rng.choice(["Ana", "Bob", "Cléo", "Dan"]),
            last_name=f"Bulk{rng.choice('ACBD')}{n:02}",
            company=rng.choice([None, *firms]),
            by=rng.choice([alice, bob]),
            access=rng.choice(["private", "public_read"]),
        )
    make_contact(first_name="Other", last_name="Person", by=bob, access="public_read")
    client.force_login(bob)

    listed = []
    for page in (1, 2):
        params = {"q": "bulk", "page": page, **({"sort": sort} if sort else {})}
        listed += names_on(client.get("/contacts/", params))

    matches, _filters = contacts_listed(bob, QueryDict("q=bulk"))
    expected = [str(c) for c in contact_sort(matches, sort, bob)[0]]
    assert 26 < len(expected) < 40
    assert listed == expected[:26]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite expects no count")
@pytest.mark.parametrize("overhead, walked", [(0, True), (2000, False)])
def test_a_first_page_among_many_matches_is_read_along_the_index_when_that_costs_less(
    client, many, monkeypatch, overhead, walked
):
    """When most contacts match, the first page is read along the sort's index after the
    matches read in no order, rather than by reading and sorting all the matches, unless
    the walk's own statements cost more than reading the hundred of them in order."""
    monkeypatch.setattr("contacts.views.lists.SEARCH_LISTED", 20)
    monkeypatch.setattr("contacts.views.lists.WALK_OVERHEAD", overhead)
    client.force_login(many)

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/contacts/", {"q": "bulk"})

    sorted_all = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and "LIMIT 21" in q["sql"]]
    assert bool(sorted_all) != walked
    assert any("ORDER BY" in q["sql"] and "LIMIT 20" in q["sql"] for q in queries) == walked
    assert names_on(page) == [f"P{n:03}" for n in range(100, 80, -1)]
    assert "More than 20 contacts, the first 20 listed" in page.content.decode()


def test_a_search_expects_the_share_of_a_sample_of_the_contacts_holding_its_words(
    make_contact,
):
    """On PostgreSQL, whose planner misjudges a common word, a search expects the share
    of a sample of search texts holding its words (here the sample is every contact)."""
    for n in range(30):
        make_contact(first_name=f"Sample{n}", last_name="Evans" if n % 3 == 0 else "Martin")

    shares = {q: selectors.search_share(q) for q in ("evans", "sample1 martin", "x")}

    if connection.vendor == "postgresql":
        # Sample1 and Sample10 to Sample19 but the Evans among them (12, 15, 18).
        assert shares == {"evans": 10 / 30, "sample1 martin": 8 / 30, "x": 0}
    else:
        assert shares == {"evans": None, "sample1 martin": None, "x": None}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite expects no count")
def test_a_search_expects_the_sample_s_share_of_the_contacts_the_reader_sees(
    client, alice, bob, make_contact, monkeypatch
):
    """Bob sees his own private contacts and the public ones: a word in a third of all
    the contacts is expected in a third of those, whatever the planner guesses."""
    for n in range(30):
        make_contact(
            first_name=f"Seen{n}",
            last_name="Evans" if n % 3 == 0 else "Martin",
            by=alice if n < 18 else bob,
            access="private" if n < 12 else "public_read",
        )
    seen = []
    monkeypatch.setattr(
        "contacts.views.lists._walk_pays",
        lambda request, context, expected, share: seen.append(expected),
    )
    client.force_login(bob)

    client.get("/contacts/", {"q": "evans"})

    assert seen == [round(18 / 3)]  # the 18 he sees, a third of them expected


def test_a_walked_search_checks_its_words_on_each_entry_not_in_the_trigram_index(
    alice, make_contact
):
    """A page read along the sort's index checks each contact's words there: PostgreSQL,
    guessing few matches for a common word, would look them all up and sort them."""
    evans = make_contact(first_name="Walked", last_name="Evans")
    make_contact(first_name="Other", last_name="Martin")
    found = contacts_listed(alice, QueryDict("q=evans"), walked=True)[0]

    assert list(found) == [evans]
    if connection.vendor != "postgresql":
        return
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "(search_text ~~ '%evans%'" not in plan, plan
    assert "contact_search_trgm" not in plan, plan


def reads_telling(monkeypatch, setting):
    """Make selectors.ids_of note the value of a PostgreSQL setting at each read; return
    it and the values noted."""
    noted = []
    real = selectors.ids_of

    def ids_of(contacts):
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {setting}")
            noted.append(cursor.fetchone()[0])
        return real(contacts)

    monkeypatch.setattr(selectors, "ids_of", ids_of)
    return ids_of, noted


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite reads them one way")
def test_a_search_s_first_matches_looked_up_are_read_through_the_indexes(
    alice, make_contact, monkeypatch
):
    """Looked up, the first matches are read with the table's scan ruled out, whatever
    the planner guesses, and the setting is as it was afterwards."""
    for n in range(3):
        make_contact(first_name="Looked", last_name=f"Up{n}")
    matches = contacts_listed(alice, QueryDict("q=looked"))[0].order_by()
    ids_of, scans = reads_telling(monkeypatch, "enable_seqscan")

    found = selectors.ids_looked_up(matches)
    after = ids_of(matches)

    assert sorted(found) == sorted(after) == sorted(c.pk for c in matches)
    assert scans == ["off", "on"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite reads them one way")
@pytest.mark.parametrize("query, looked_up", [("p05", True), ("bulk", False)])
def test_a_rare_word_s_first_matches_are_looked_up_a_common_word_s_read_from_the_table(
    client, many, monkeypatch, query, looked_up
):
    """The trigram index lists every match of a word, the table is read until the first
    are found: a word in ten contacts of a hundred is looked up, one in all of them not."""
    monkeypatch.setattr("contacts.views.lists.SEARCH_LISTED", 5)
    monkeypatch.setattr("contacts.views.lists.SORTED_MATCHES", -1)
    calls = []
    real = selectors.ids_looked_up
    monkeypatch.setattr(selectors, "ids_looked_up", lambda c: calls.append(c) or real(c))
    client.force_login(many)

    page = client.get("/contacts/", {"q": query})

    assert bool(calls) == looked_up
    assert "More than 5 contacts, the first 5 listed" in page.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no workers")
def test_a_filtered_list_s_few_matches_are_read_without_parallel_workers(
    client, alice, make_contact, monkeypatch
):
    """The few matches a filtered list reads in order at once are read with PostgreSQL's
    parallel workers off, and the setting is as it was afterwards."""
    for n in range(3):
        make_contact(first_name="Alone", last_name=f"Read{n}", tags=["Lead"])
    ids_of, workers = reads_telling(monkeypatch, "max_parallel_workers_per_gather")
    before = ids_of(Contact.objects.all())
    client.force_login(alice)

    page = client.get("/contacts/", {"tag": "Lead", "sort": "last_name"})
    after = ids_of(Contact.objects.all())

    assert "3 contacts" in page.content.decode()
    assert names_on(page) == ["Alone Read0", "Alone Read1", "Alone Read2"]
    assert sorted(before) == sorted(after)
    assert workers[0] == workers[-1] != "0"
    assert "0" in workers[1:-1]


def test_postgresql_says_how_many_matches_it_expects_before_reading_them(alice, make_contact):
    for n in range(3):
        make_contact(first_name="Expected", last_name=f"Match{n}")
    matches, _filters = contacts_listed(alice, QueryDict("q=expected"))

    expected = expected_count(matches)

    if connection.vendor == "postgresql":
        assert isinstance(expected, int) and expected >= 1
    else:
        assert expected is None
    assert expected_count(matches.none()) is None


@pytest.mark.parametrize("sorted_matches", [5000, -1], ids=["read-in-order", "counted"])
@pytest.mark.parametrize("sort", ["", "name", "-last_name", "company", "type"])
def test_a_filtered_list_pages_its_contacts_in_order_read_at_once_or_counted(
    client, alice, bob, make_contact, monkeypatch, sort, sorted_matches
):
    """A filtered list whose few matches are read in order at once shows the count and
    the pages that counting them and reading page by page show, for the reader."""
    monkeypatch.setattr("contacts.views.lists.SORTED_MATCHES", sorted_matches)
    rng = random.Random(sort)
    firms = [make_contact("company", company_name=name) for name in ("Zeta", "Alpha")]
    for n in range(70):
        make_contact(
            first_name=rng.choice(["Ana", "Bob", "Cléo"]),
            last_name=f"Filtered{rng.choice('ACB')}{n:02}",
            company=rng.choice([None, *firms]),
            by=rng.choice([alice, bob]),
            access=rng.choice(["private", "public_read"]),
            tags=rng.choice([["Lead"], ["Lead", "VIP"], []]),
        )
    client.force_login(bob)
    params = {"tag": "Lead", **({"sort": sort} if sort else {})}

    listed, pages = [], []
    for page in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/contacts/", {**params, "page": page})
        listed += names_on(response)
        pages.append(response.content.decode())
        counted = any("COUNT(*)" in q["sql"] and "contacts_contact" in q["sql"] for q in queries)
        # PostgreSQL expects few matches: they are read once, not counted then paged.
        assert counted == (sorted_matches < 0 or connection.vendor != "postgresql")

    matches, _filters = contacts_listed(bob, QueryDict("tag=Lead"))
    expected = [str(c) for c in contact_sort(matches, sort, bob)[0]]
    assert 25 < len(expected) < 70
    assert listed == expected
    assert f"{len(expected)} contacts" in pages[0]
    assert "page 2 of 2" in pages[1]
