"""The contact form written in Python reads as Django's and crispy-forms' templates write it."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import Select
from django.forms.renderers import DjangoTemplates
from django.template import engines
from django.utils import translation

from contacts.form_renderer import ManyOptionsSelect, WidgetRenderer
from contacts.forms import ContactForm, detail_formsets
from contacts.models import ContactType, CustomField
from contacts.templatetags import contact_form
from contacts.templatetags.contact_form import as_form_field
from tests.support import form_data

# What differs from one request to the next: the CSRF token, masked anew, and the signed
# values the edit form was loaded with, stamped with the time.
VARYING = [
    (re.compile(r'("X-CSRFToken": ")[^"]+'), r"\1"),
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'), r"\1"),
    (re.compile(r'(name="base" value=")[^"]+'), r"\1"),
]


def normalized(response):
    assert response.status_code == 200
    page = response.content.decode()
    for pattern, replacement in VARYING:
        page = pattern.sub(replacement, page)
    return page


@pytest.fixture
def user_fields():
    """One user field of each type, under a heading, options with characters to escape."""
    CustomField.objects.create(label="Tier", field_type="select", options=["Small", "<Large>"])
    CustomField.objects.create(label="Notes", field_type="textarea")
    CustomField.objects.create(label="Details", field_type="heading")
    CustomField.objects.create(label="Newsletter", field_type="checkbox")
    CustomField.objects.create(label="Since", field_type="date")
    CustomField.objects.create(label="Seats", field_type="number")
    CustomField.objects.create(label="Site", field_type="url")
    CustomField.objects.create(label="Code", field_type="text")
    return {field.label: f"cf_{field.pk}" for field in CustomField.objects.all()}


@pytest.fixture
def filled_person(make_contact, alice, bob, user_fields):
    values = {"Tier": "<Large>", "Notes": 'Two\nlines & "quotes"', "Newsletter": True}
    values |= {"Since": "2024-02-29", "Seats": 1234.5, "Site": "https://a.example/?x=1&y=2"}
    fields = {field.label: str(field.pk) for field in CustomField.objects.all()}
    supplier = ContactType.objects.create(title="Supplier & partner")
    person = make_contact(
        first_name="Zoë",
        last_name="O'Brien <b>",
        job_title='"Chief"',
        description="<script>alert(1)</script>",
        responsible=[alice, bob],
        tags=["vip", "a&b"],
        infos=[
            {"kind": "email", "category": "work", "value": "zoe@example.com", "is_primary": True},
            {"kind": "phone", "category": "mobile", "value": "+33 6 12 34 56 78"},
            {"kind": "web", "category": "website", "value": "https://zoe.example/?a=1&b=2"},
        ],
        addresses=[{"category": "work", "street": "1 rue <de> la Paix\nBât. B", "city": "Paris"}],
        custom={fields[label]: value for label, value in values.items()},
    )
    person.contact_type = supplier
    person.save(update_fields=["contact_type"])
    return person


def both_ways(monkeypatch, client, request):
    """Return the page as rendered by the widget renderer and by Django's templates."""
    fast = normalized(request(client))
    monkeypatch.setattr(WidgetRenderer, "render", DjangoTemplates.render)
    monkeypatch.setattr(ManyOptionsSelect, "render", Select.render)
    slow = normalized(request(client))
    monkeypatch.undo()
    return fast, slow


def test_the_edit_form_of_a_filled_person_is_the_same_as_through_templates(
    monkeypatch, alice_client, filled_person
):
    url = f"/contacts/{filled_person.pk}/edit/"
    fast, slow = both_ways(monkeypatch, alice_client, lambda client: client.get(url))
    assert 'value="&lt;Large&gt;" selected' in fast
    assert fast == slow


@pytest.mark.parametrize("kind", ["person", "company"])
def test_the_new_contact_forms_are_the_same_as_through_templates(
    monkeypatch, alice_client, user_fields, kind
):
    url = f"/contacts/new/{kind}/"
    fast, slow = both_ways(monkeypatch, alice_client, lambda client: client.get(url))
    assert '<select name="currency" class="select form-select" id="id_currency">' in fast
    assert fast == slow


def test_a_form_with_errors_is_the_same_as_through_templates(
    monkeypatch, alice_client, bob, user_fields
):
    data = form_data(
        first_name="",
        last_name="<Curie>",
        responsible=[str(bob.pk)],
        email=[
            {"category": "work", "value": "not an e-mail", "is_primary": "on"},
            {"category": "home", "value": "m@example.com", "is_primary": "on"},
        ],
        phone=[{"category": "nope", "value": "abc"}],
        address=[{"category": "work", "street": "x" * 300}],
        **{user_fields["Seats"]: "many", user_fields["Site"]: "javascript:alert(1)"},
    )

    def post(client):
        upload = SimpleUploadedFile("x.txt", b"not a picture", content_type="text/plain")
        return client.post("/contacts/new/person/", {**data, "photo": upload})

    fast, slow = both_ways(monkeypatch, alice_client, post)
    assert "is-invalid" in fast
    assert fast == slow


def test_a_row_added_without_script_is_the_same_as_through_templates(
    monkeypatch, alice_client, user_fields
):
    data = form_data(first_name="Marie", phone=[{"category": "mobile", "value": "0612"}])
    fast, slow = both_ways(
        monkeypatch,
        alice_client,
        lambda client: client.post("/contacts/new/person/", {**data, "add_row": "phone"}),
    )
    assert 'name="phone-1-value"' in fast
    assert fast == slow


def same_markup(html):
    """Return html with its white space, which a browser does not show here, taken out."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*([<>])\s*", r"\1", html).replace(" >", ">")


def contact_forms(state, kind, alice, bob, person):
    """Return two equal contact forms in the state given: new, edit, posted or invalid."""
    if state == "new":
        return [ContactForm(kind=kind, user=alice) for _ in range(2)]
    if state == "edit":
        return [ContactForm(kind=kind, user=alice, instance=person) for _ in range(2)]
    data = {"first_name": "Ann", "company_name": "Acme", "tags": "a, b", "currency": "EUR"}
    data |= {"responsible": [str(bob.pk)], "access": "public_read", "description": "<b>x</b>"}
    if state == "invalid":
        data |= {"first_name": "", "company_name": "", "access": "nope", "currency": "XXX"}
        data |= {"responsible": ["0"], "tags": "x" * 200}
    forms = [ContactForm(data, kind=kind, user=alice) for _ in range(2)]
    for form in forms:
        form.is_valid()
    return forms


@pytest.mark.parametrize("kind", ["person", "company"])
@pytest.mark.parametrize("state", ["new", "edit", "posted", "invalid"])
def test_every_field_is_written_as_crispy_forms_writes_it(
    monkeypatch, make_user, alice, bob, filled_person, user_fields, kind, state
):
    make_user("carol", first_name="Carol <&>", last_name="")
    make_user("dan", first_name="", last_name="")
    fast, crispy = contact_forms(state, kind, alice, bob, filled_person)
    through_crispy = []
    monkeypatch.setattr(
        contact_form,
        "as_crispy_field",
        lambda field: through_crispy.append(field.name) or as_crispy_field(field),
    )
    for name in fast.fields:
        expected = same_markup(as_crispy_field(crispy[name]))
        assert f'id="div_id_{name}"' in expected or crispy[name].is_hidden
        assert same_markup(as_form_field(fast[name])) == expected, name
    # Only the hidden fields and the fields with errors go through crispy.
    assert set(through_crispy) == {"version", "base", "confirm_lose_access"} | set(fast.errors)


ROWS_AS_INCLUDES = (
    "{% for f in formset %}{% if prefix == 'address' %}{% include 'contacts/_address_row.html' %}"
    "{% else %}{% include 'contacts/_info_row.html' %}{% endif %}{% endfor %}|"
    "{% with f=formset.empty_form %}{% if prefix == 'address' %}"
    "{% include 'contacts/_address_row.html' %}{% else %}{% include 'contacts/_info_row.html' %}"
    "{% endif %}{% endwith %}"
)
ROWS_AS_TAGS = "{% load contact_form %}{% formset_rows formset %}|{% empty_row formset %}"


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("state", ["new", "edit", "posted"])
def test_the_rows_of_the_details_are_the_same_as_through_their_templates(
    filled_person, language, state
):
    """Blank rows come from the empty row kept per language: the same markup, numbered."""
    engine = engines["django"]
    data = None
    if state == "posted":
        data = form_data(email=[{"category": "home", "value": "a@example.com"}, {}])
    contact = filled_person if state == "edit" else None
    with translation.override(language):
        for _round in range(2):  # the second reads the rows kept by the first
            for prefix, formset in detail_formsets(data, contact).items():
                context = {"formset": formset, "prefix": prefix}
                expected = engine.from_string(ROWS_AS_INCLUDES).render(context)
                assert engine.from_string(ROWS_AS_TAGS).render(context) == expected
                for n in range(3):
                    shown = f'name="{prefix}-{n}-is_primary"' in expected
                    assert shown == (n < formset.total_form_count()), (prefix, n)


@pytest.mark.parametrize("value", [None, "", "EUR", "XXX", ["USD", "EUR"]])
def test_a_select_of_many_options_is_written_as_django_writes_it(value):
    choices = [("", "—"), ("EUR", "Euro (EUR)"), ("USD", "Dollar <US> & co"), ("EUR", "again")]
    attrs = {"id": "id_currency", "class": "form-select"}
    fast = ManyOptionsSelect(choices=choices).render("currency", value, attrs, WidgetRenderer())
    slow = Select(choices=choices).render("currency", value, attrs, DjangoTemplates())
    assert fast == slow
    assert ("selected" in fast) == (value != "XXX")
