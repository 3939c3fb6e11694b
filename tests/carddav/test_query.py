"""addressbook-query: a client's search in a book, answered by the database."""

import pytest

from contacts.models import Contact
from tests.carddav.test_protocol import NS, alice_dav, bob_dav, dav, responses

__all__ = ["alice_dav", "bob_dav"]  # fixtures

BOOK = "/dav/addressbooks/{}/all/"


def query(filters, test="anyof", limit=""):
    return f"""<?xml version="1.0"?>
<card:addressbook-query xmlns:d="DAV:" xmlns:card="{NS["card"]}">
<d:prop><d:getetag/><card:address-data/></d:prop>
<card:filter test="{test}">{filters}</card:filter>{limit}</card:addressbook-query>"""


def prop(name, text="", match_type="contains", negate="no", collation="", test="anyof"):
    collation = f' collation="{collation}"' if collation else ""
    return (
        f'<card:prop-filter name="{name}" test="{test}"><card:text-match match-type="{match_type}"'
        f' negate-condition="{negate}"{collation}>{text}</card:text-match></card:prop-filter>'
    )


def names(client, auth, body, user="alice"):
    response, content = dav(client, "REPORT", BOOK.format(user), auth, body, HTTP_DEPTH="1")
    assert response.status_code == 207, content
    found, _gone = responses(content)
    return {
        next(line[3:] for line in props["address-data"].text.splitlines() if line.startswith("FN:"))
        for props in found.values()
    }


@pytest.fixture
def people(make_contact):
    acme = make_contact("company", company_name="Acme Rockets")
    return {
        "ada": make_contact(
            first_name="Ada",
            last_name="Lovelace",
            company=acme,
            infos=[{"kind": "email", "category": "work", "value": "ada@engines.org"}],
        ),
        "etienne": make_contact(
            first_name="Étienne",
            last_name="Marcel",
            infos=[{"kind": "phone", "category": "mobile", "value": "06 12 34 56 78"}],
        ),
        "acme": acme,
    }


def test_a_text_match_on_fn_finds_by_each_match_type(client, people, alice_dav):
    assert names(client, alice_dav, query(prop("FN", "love"))) == {"Ada Lovelace"}
    assert names(client, alice_dav, query(prop("FN", "ADA", "starts-with"))) == {"Ada Lovelace"}
    assert names(client, alice_dav, query(prop("FN", "rockets", "ends-with"))) == {"Acme Rockets"}
    assert names(client, alice_dav, query(prop("FN", "ada", "equals"))) == set()
    assert names(client, alice_dav, query(prop("FN", "étienne", "starts-with"))) == {
        "Étienne Marcel"
    }
    assert names(client, alice_dav, query(prop("FN", "e", negate="yes"))) == set()
    assert names(client, alice_dav, query(prop("FN", "Love", negate="yes"))) == {
        "Étienne Marcel",
        "Acme Rockets",
    }


def test_email_tel_n_and_org_are_searched_in_the_details(client, people, alice_dav):
    assert names(client, alice_dav, query(prop("EMAIL", "@ENGINES"))) == {"Ada Lovelace"}
    assert names(client, alice_dav, query(prop("TEL", "0612 3456"))) == {"Étienne Marcel"}
    assert names(client, alice_dav, query(prop("TEL", "56 78", "ends-with"))) == {"Étienne Marcel"}
    assert names(client, alice_dav, query(prop("N", "marcel", "equals"))) == {"Étienne Marcel"}
    assert names(client, alice_dav, query(prop("ORG", "acme", collation="i;ascii-casemap"))) == {
        "Ada Lovelace",
        "Acme Rockets",
    }
    assert names(client, alice_dav, query(prop("NICKNAME", "x"))) == set()
    no_email = '<card:prop-filter name="EMAIL"><card:is-not-defined/></card:prop-filter>'
    assert names(client, alice_dav, query(no_email)) == {"Étienne Marcel", "Acme Rockets"}


def test_anyof_and_allof_combine_the_prop_filters(client, people, alice_dav):
    both = prop("FN", "ada") + prop("EMAIL", "engines")
    either = prop("FN", "marcel") + prop("EMAIL", "engines")

    assert names(client, alice_dav, query(both, "allof")) == {"Ada Lovelace"}
    assert names(client, alice_dav, query(either)) == {"Ada Lovelace", "Étienne Marcel"}
    assert names(client, alice_dav, query(prop("FN", "marcel") + prop("FN", "x"), "allof")) == set()


def test_a_query_never_finds_what_its_user_may_not_see(client, bob, people, make_contact, bob_dav):
    make_contact(first_name="Public", last_name="Lovelace", access=Contact.Access.PUBLIC_READ)

    found = names(client, bob_dav, query(prop("FN", "love")), user="bob")
    orgs = names(client, bob_dav, query(prop("ORG", "acme")), user="bob")

    assert found == {"Public Lovelace"}
    assert orgs == set()


def test_a_limit_cuts_the_answer_and_says_so_with_a_507(client, people, alice_dav):
    body = query("", limit="<card:limit><card:nresults>2</card:nresults></card:limit>")

    response, content = dav(client, "REPORT", BOOK.format("alice"), alice_dav, body)

    found, _gone = responses(content)
    assert len(found) == 2
    assert "HTTP/1.1 507 Insufficient Storage" in content
    assert "<d:number-of-matches-within-limits/>" in content
    roomy = query("", limit="<card:limit><card:nresults>3</card:nresults></card:limit>")
    _response, content = dav(client, "REPORT", BOOK.format("alice"), alice_dav, roomy)
    assert len(responses(content)[0]) == 3 and "507" not in content


@pytest.mark.parametrize(
    ("filters", "condition"),
    [
        (prop("X-SKYPE", "a"), "supported-filter"),
        (prop("FN", "a", collation="i;octet"), "supported-collation"),
        (prop("FN", "a", match_type="sounds-like"), "supported-filter"),
        (
            '<card:prop-filter name="TEL"><card:param-filter name="TYPE"/></card:prop-filter>',
            "supported-filter",
        ),
        ("<card:whatever/>", "supported-filter"),
    ],
)
def test_a_filter_not_supported_gets_the_rfcs_precondition(
    client, contact, alice_dav, filters, condition
):
    response, content = dav(client, "REPORT", BOOK.format("alice"), alice_dav, query(filters))

    assert response.status_code == 403
    assert f"<card:{condition}/>" in content


def test_a_query_without_a_filter_is_refused(client, alice_dav):
    body = f'<card:addressbook-query xmlns:card="{NS["card"]}"/>'

    response, content = dav(client, "REPORT", BOOK.format("alice"), alice_dav, body)

    assert response.status_code == 403
    assert "<card:valid-filter/>" in content
