"""The list's rows, built in Python (contacts/templatetags/contact_list.py): what they show,
escaped, and the row menu by what the user may do."""

from html.parser import HTMLParser

import pytest
from django.utils import timezone

from contacts.models import Contact, ContactType

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script>&\'"'


class Rows(HTMLParser):
    """Collect each table row's tags, attributes and text."""

    def __init__(self):
        super().__init__()
        self.rows, self.in_body = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append({"tags": [], "text": ""})
        if self.in_body and self.rows:
            self.rows[-1]["tags"].append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False

    def handle_data(self, data):
        if self.in_body and self.rows:
            self.rows[-1]["text"] += data


def rows_of(response):
    """Return the rows of the contact table (the page has other tables)."""
    html = response.content.decode()
    table = html[html.index('<table class="table table-hover align-middle contact-table">') :]
    parser = Rows()
    parser.feed(table[: table.index("</table>")])
    return parser.rows


def links(row):
    return [attrs["href"] for tag, attrs in row["tags"] if tag == "a"]


def test_every_value_of_a_row_is_shown_escaped(alice_client, alice, make_contact):
    alice.first_name, alice.last_name = PAYLOAD, "Martin"
    alice.save()
    company = make_contact(Contact.Kind.COMPANY, company_name=f"Co {PAYLOAD}")
    person = make_contact(
        first_name=PAYLOAD,
        last_name="Dupont",
        company=company,
        tags=[f"tag {PAYLOAD}"],
        infos=[
            {"kind": "email", "category": "work", "value": "a&b@example.com", "is_primary": True},
            {"kind": "phone", "category": "work", "value": "+33 1 23 45 67 89", "is_primary": True},
        ],
        access=Contact.Access.PUBLIC_READ,
    )
    person.contact_type = ContactType.objects.create(title=f"Type {PAYLOAD}")
    person.source = Contact.Source.IMPORT
    person.save()

    response = alice_client.get("/contacts/?sort=-created")
    [row, _] = rows_of(response)
    # No markup came from the values: every tag of the row is one the row is built with.
    assert "script" not in [tag for tag, _ in row["tags"]]
    for shown in (
        f"{PAYLOAD} Dupont",
        f"Co {PAYLOAD}",
        f"Type {PAYLOAD}",
        f"tag {PAYLOAD}",
        f"{PAYLOAD} Martin",
        "a&b@example.com",
        "+33 1 23 45 67 89",
    ):
        assert shown in row["text"]
    checkbox = next(attrs for tag, attrs in row["tags"] if tag == "input")
    assert checkbox["value"] == str(person.pk)
    assert checkbox["aria-label"] == f"Select {PAYLOAD} Dupont"
    assert "mailto:a&b@example.com" in links(row)
    assert "tel:+33123456789" in links(row)
    # The public badge and the source badge.
    titles = [attrs.get("title") for _, attrs in row["tags"] if attrs.get("title")]
    assert f"Public: {Contact.Access.PUBLIC_READ.label}" in titles
    assert "Source" in titles
    assert "Import" in row["text"]


def test_a_row_leaves_out_the_name_of_a_company_in_the_trash(alice_client, make_contact):
    company = make_contact(Contact.Kind.COMPANY, company_name="Gone Corp")
    person = make_contact(first_name="Ada", last_name="Byron", company=company)
    Contact.objects.filter(pk=company.pk).update(deleted_at=timezone.now())

    [row] = rows_of(alice_client.get("/contacts/"))

    assert "Ada Byron" in row["text"]
    assert "Gone Corp" not in row["text"]
    assert person.get_absolute_url() in links(row)


def test_row_menu_offers_edit_and_delete_only_to_who_may_change(client, alice, bob, make_contact):
    contact = make_contact(access=Contact.Access.PUBLIC_READ)
    url = contact.get_absolute_url()
    client.force_login(alice)
    [row] = rows_of(client.get("/contacts/"))
    assert {f"{url}edit/", f"{url}delete/"} <= set(links(row))
    client.force_login(bob)
    [row] = rows_of(client.get("/contacts/"))
    assert url in links(row)
    assert not {f"{url}edit/", f"{url}delete/"} & set(links(row))


def test_a_row_shows_its_photo_or_initials(alice_client, make_contact):
    with_photo = make_contact(first_name="Anne", last_name="Photo")
    Contact.objects.filter(pk=with_photo.pk).update(photo_thumb="photos/x.png", version=7)
    make_contact(first_name="Zoé", last_name="Initiales")
    rows = rows_of(alice_client.get("/contacts/?sort=last_name"))
    images = [[attrs["src"] for tag, attrs in row["tags"] if tag == "img"] for row in rows]
    assert images == [[], [f"{with_photo.get_absolute_url()}photo/thumb/?v=7"]]
    assert "ZI" in rows[0]["text"]


class Options(HTMLParser):
    def __init__(self):
        super().__init__()
        self.options = []

    def handle_starttag(self, tag, attrs):
        if tag == "option":
            self.options.append({"attrs": dict(attrs), "text": ""})

    def handle_data(self, data):
        if self.options:
            self.options[-1]["text"] += data


def test_filter_panel_options_are_escaped_and_show_the_choice(admin_client):
    ContactType.objects.create(title=PAYLOAD)
    chosen = ContactType.objects.create(title="Chosen")
    response = admin_client.get(
        "/contacts/", {"filters": "show", "type": chosen.pk, "currency": "JPY"}
    )
    html = response.content.decode()
    assert "<script>alert" not in html
    parser = Options()
    parser.feed(html)
    by_text = {o["text"]: o["attrs"] for o in parser.options}
    assert PAYLOAD in by_text
    assert "selected" in by_text["Chosen"]
    assert "selected" not in by_text[PAYLOAD]
    selected = [o for o in parser.options if "selected" in o["attrs"]]
    assert {o["attrs"]["value"] for o in selected} >= {str(chosen.pk), "JPY"}
    assert "Japanese Yen (JPY)" in by_text
