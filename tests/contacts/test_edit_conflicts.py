"""Edit conflicts: two people edit the same contact at once.

The forms are filled in as a browser would: what the edit page renders is read back and
posted with the user's changes, so the signed base travels as it does for a person.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact, ContactEvent, CustomField
from contacts.services import ContactData, EditConflict, contact_update
from tests.support import page_of


@pytest.fixture
def shared(make_contact, alice, bob):
    """A person alice and bob are both responsible for."""
    return make_contact(
        first_name="Jean",
        last_name="Dupont",
        job_title="Buyer",
        description="Met at the fair.",
        responsible=[alice, bob],
        tags=["client"],
        infos=[
            {"kind": "email", "category": "work", "value": "jean@acme.fr", "is_primary": True},
            {"kind": "phone", "category": "work", "value": "+33 1 23 45 67 89", "is_primary": True},
        ],
    )


class _ContactForm(HTMLParser):
    """What a browser posts from the contact form of a page, before a button is pressed."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields = {}
        self.textarea = self.select = None
        self.options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = "contact-form" in (attrs.get("class") or "")
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            elif kind not in ("file", "submit", "button"):
                self._add(name, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self.textarea:
            # A browser drops the line end that opens a text area.
            value = self.fields[self.textarea][-1] + data
            self.fields[self.textarea][-1] = value.removeprefix("\n")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = [v for v, selected in self.options if selected]
            for value in chosen or [v for v, _selected in self.options[:1]]:
                self._add(self.select, value)
            self.select = None

    def _add(self, name, value):
        self.fields.setdefault(name, []).append(value)


def form_of(page):
    """Return {name: [values]} that the contact form of page posts as it is shown."""
    parser = _ContactForm()
    parser.feed(page)
    return parser.fields


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def open_form(client, contact):
    return form_of(page_of(client.get(reverse("contacts:edit", args=[contact.pk]))))


def save(client, contact, fields, **changes):
    data = {**fields, **{k: [v] for k, v in changes.items()}, "save": [""]}
    return client.post(reverse("contacts:edit", args=[contact.pk]), data)


def radios_of(page):
    """Return {question: checked value or None} of the conflict table of page."""
    parser = _Radios()
    parser.feed(page)
    return parser.groups


class _Radios(HTMLParser):
    def __init__(self):
        super().__init__()
        self.groups = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "input" and attrs.get("type") == "radio" and name.startswith("choice-"):
            question = name.removeprefix("choice-")
            self.groups.setdefault(question, None)
            if "checked" in attrs:
                self.groups[question] = attrs.get("value")


def test_a_save_that_touches_only_other_fields_goes_straight_through(shared, alice, bob):
    pauls_form, maries_form = open_form(logged_in(bob), shared), open_form(logged_in(alice), shared)
    # Paul changes the phone.
    assert (
        save(
            logged_in(bob), shared, pauls_form, **{"phone-0-value": "+33 6 00 00 00 01"}
        ).status_code
        == 302
    )

    # Marie, from the form she opened before, changes the description and the e-mail.
    response = save(
        logged_in(alice),
        shared,
        maries_form,
        description="Wants a quote.",
        **{"email-0-value": "jean.dupont@acme.fr"},
    )

    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.description == "Wants a quote."
    assert [(i.kind, i.value) for i in shared.infos.order_by("kind")] == [
        ("email", "jean.dupont@acme.fr"),
        ("phone", "+33 6 00 00 00 01"),
    ]


def test_only_what_both_changed_differently_is_asked_with_nothing_chosen(shared, alice, bob):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, job_title="Head buyer", last_name="Durand", tags="client, vip")
    saved = shared.version + 1

    page = page_of(save(alices, shared, alices_form, last_name="Martin", first_name="Jeanne"))

    assert "This contact was changed while you were editing it" in page
    assert radios_of(page) == {"last_name": None}
    assert '<th scope="row">Last name</th>' in page
    fields = form_of(page)
    # Bob's other changes and Alice's are in the form; her last name waits for a choice.
    assert fields["job_title"] == ["Head buyer"]
    assert fields["tags"] == ["client, vip"]
    assert fields["first_name"] == ["Jeanne"]
    assert fields["last_name"] == ["Martin"]
    assert fields["version"] == [str(saved)]
    shared.refresh_from_db()
    assert (shared.first_name, shared.last_name, shared.version) == ("Jean", "Durand", saved)


def test_saving_without_choosing_says_so_and_loses_nothing(shared, alice, bob):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, last_name="Durand")
    page = page_of(save(alices, shared, alices_form, last_name="Martin", job_title="CEO"))

    again = page_of(save(alices, shared, form_of(page)))

    assert "Choose a value for each field listed here before saving." in again
    assert radios_of(again) == {"last_name": None}
    assert form_of(again)["last_name"] == ["Martin"]
    assert form_of(again)["job_title"] == ["CEO"]
    shared.refresh_from_db()
    assert (shared.last_name, shared.job_title) == ("Durand", "Buyer")


@pytest.mark.parametrize(("choice", "kept"), [("stored", "Durand"), ("yours", "Martin")])
def test_the_chosen_value_is_saved_with_both_users_other_changes(shared, alice, bob, choice, kept):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, last_name="Durand", job_title="Head buyer")
    page = page_of(save(alices, shared, alices_form, last_name="Martin", first_name="Jeanne"))

    response = save(alices, shared, form_of(page), **{"choice-last_name": choice})

    assert response.status_code == 302
    shared.refresh_from_db()
    assert (shared.first_name, shared.last_name, shared.job_title) == ("Jeanne", kept, "Head buyer")


def test_stored_contact_information_can_win(shared, alice, bob):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, **{"email-0-value": "jean@home.fr"})
    page = page_of(save(alices, shared, alices_form, **{"email-0-value": "jean@work.fr"}))
    assert radios_of(page) == {"email": None}
    assert "jean@home.fr" in page and "jean@work.fr" in page

    save(alices, shared, form_of(page), **{"choice-email": "stored"})

    assert list(shared.infos.filter(kind="email").values_list("value", flat=True)) == [
        "jean@home.fr"
    ]


def test_the_history_keeps_each_users_own_changes(shared, alice, bob):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, job_title="Head buyer")

    save(alices, shared, alices_form, description="Wants a quote.")

    events = ContactEvent.objects.filter(contact=shared, verb="changed").order_by("pk")
    assert [(e.actor, [c["field"] for c in e.changes]) for e in events] == [
        (bob, ["job_title"]),
        (alice, ["description"]),
    ]
    assert events[1].changes[0]["new"] == "Wants a quote."


def test_a_save_during_the_question_is_merged_as_well(shared, alice, bob):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, last_name="Durand")
    page = page_of(save(alices, shared, alices_form, last_name="Martin"))
    # While Alice reads the question, Bob changes the job title.
    save(bobs, shared, open_form(bobs, shared), job_title="Head buyer")

    response = save(alices, shared, form_of(page), **{"choice-last_name": "yours"})

    assert response.status_code == 302
    shared.refresh_from_db()
    assert (shared.last_name, shared.job_title) == ("Martin", "Head buyer")


def test_no_difference_means_no_conflict(shared, alice, bob):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, job_title="Head buyer")

    response = save(alices, shared, alices_form, job_title="Head buyer")

    assert response.status_code == 302


def test_a_forged_base_is_not_trusted(shared, alice, bob):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, job_title="Head buyer")
    # A base claiming the form was loaded with "Head buyer", to undo Bob's change unasked.
    alices_form["base"] = [alices_form["base"][0][:-3] + "abc"]

    page = page_of(save(alices, shared, alices_form, last_name="Martin"))

    assert set(radios_of(page)) == {"job_title", "last_name"}
    shared.refresh_from_db()
    assert shared.job_title == "Head buyer"


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "at 17:15 on 5 Dec 2026."), ("fr", "17:15")]
)
def test_the_time_of_the_other_save_reads_well(shared, alice, bob, language, shown):
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, shared), open_form(alices, shared)
    save(bobs, shared, bobs_form, last_name="Durand")
    at = datetime.datetime(2026, 12, 5, 16, 15, tzinfo=datetime.UTC)  # 17:15 in Paris
    Contact.objects.filter(pk=shared.pk).update(updated_at=at)
    alices.cookies["django_language"] = language

    page = page_of(save(alices, shared, alices_form, last_name="Martin"))

    assert shown in page
    assert ".." not in page.split('id="conflict-title"')[1].split("</p>")[0]


def test_the_service_refuses_a_stale_version(shared, alice):
    data = ContactData(kind="person", fields={"first_name": "X"}, responsible=[alice])
    contact_update(by=alice, contact=shared, data=data, expected_version=shared.version)

    stale = Contact.objects.get(pk=shared.pk)
    with pytest.raises(EditConflict):
        contact_update(by=alice, contact=stale, data=data, expected_version=stale.version - 1)
    assert Contact.objects.get(pk=shared.pk).version == stale.version


# Nothing either user changed is lost, whatever they changed (hypothesis)

# Each field a user may change, and the values either of them may give it: a few, so
# that both sometimes give the same one.
CHOICES = {
    "first_name": ["Jeanne", "Jo", "Jean-Luc"],
    "job_title": ["CEO", "Head buyer", ""],
    "description": ["Wants a quote.", "Call back\nin May.", ""],
    "email-0-value": ["jean@home.fr", "j.dupont@acme.fr", "jd@example.org"],
    "phone-0-value": ["+33 6 00 00 00 01", "01 02 03 04 05", "+44 20 7946 0000"],
    "tags": ["client, vip", "prospect", ""],
    "note": ["Met at the fair", "Likes golf", ""],
    "newsletter": ["on", ""],
}


def pick(name, index):
    return CHOICES[name][index % len(CHOICES[name])]


EDITS = st.dictionaries(
    st.sampled_from(sorted(CHOICES)), st.integers(min_value=0, max_value=2), max_size=len(CHOICES)
)


def _value_of(contact, name, note, newsletter):
    """Return what the stored contact holds for name, as its form shows it."""
    contact = Contact.objects.get(pk=contact.pk)
    if name == "email-0-value" or name == "phone-0-value":
        values = contact.infos.filter(kind=name.split("-")[0]).values_list("value", flat=True)
        return ", ".join(values)
    if name == "tags":
        return ", ".join(t.name for t in contact.tags.all())
    if name == "note":
        return contact.custom.get(note.key) or ""
    if name == "newsletter":
        return "on" if contact.custom.get(newsletter.key) else ""
    return getattr(contact, name).replace("\r\n", "\n")


def _comparable(name, value):
    if name == "tags":
        return sorted(t.strip().lower() for t in value.split(",") if t.strip())
    return value


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bobs_edits=EDITS, alices_edits=EDITS, takes_stored=st.booleans())
@pytest.mark.django_db
@pytest.mark.slow
def test_no_change_of_either_user_is_lost_unless_both_changed_it(
    make_contact, alice, bob, bobs_edits, alices_edits, takes_stored
):
    note, _ = CustomField.objects.get_or_create(label="Note", field_type="text")
    newsletter, _ = CustomField.objects.get_or_create(label="Newsletter", field_type="checkbox")
    contact = make_contact(
        first_name="Jean",
        last_name="Dupont",
        job_title="Buyer",
        responsible=[alice, bob],
        tags=["client"],
        infos=[
            {"kind": "email", "category": "work", "value": "jean@acme.fr", "is_primary": True},
            {"kind": "phone", "category": "work", "value": "+33 1 23 45 67 89", "is_primary": True},
        ],
    )
    names = {"note": f"cf_{note.pk}", "newsletter": f"cf_{newsletter.pk}"}
    before = {n: _value_of(contact, n, note, newsletter) for n in CHOICES}
    bobs, alices = logged_in(bob), logged_in(alice)
    bobs_form, alices_form = open_form(bobs, contact), open_form(alices, contact)

    def changes(edits):
        return {names.get(n, n): pick(n, i) for n, i in edits.items()}

    def posted(fields, edits):
        fields = {**fields, **{k: [v] for k, v in changes(edits).items()}}
        # An unticked box posts nothing.
        return {k: v for k, v in fields.items() if v != [""] or k != names["newsletter"]}

    assert save(bobs, contact, posted(bobs_form, bobs_edits)).status_code == 302
    response = save(alices, contact, posted(alices_form, alices_edits))

    def changed(edits, name):
        return name in edits and _comparable(name, pick(name, edits[name])) != _comparable(
            name, before[name]
        )

    both = {
        n
        for n in CHOICES
        if changed(bobs_edits, n)
        and changed(alices_edits, n)
        and _comparable(n, pick(n, bobs_edits[n])) != _comparable(n, pick(n, alices_edits[n]))
    }
    if response.status_code == 200:
        page = page_of(response)
        questions = radios_of(page)
        # Only what both changed differently is asked, and nothing is chosen in advance.
        assert {n for n in CHOICES if names.get(n, n).split("-")[0] in questions} == both
        assert set(questions.values()) == {None}
        choice = "stored" if takes_stored else "yours"
        answers = {f"choice-{q}": choice for q in questions}
        response = save(alices, contact, form_of(page), **answers)
    else:
        assert not both
    assert response.status_code == 302

    for name in CHOICES:
        stored = _comparable(name, _value_of(contact, name, note, newsletter))
        bobs_value = (
            _comparable(name, pick(name, bobs_edits[name])) if changed(bobs_edits, name) else None
        )
        alices_value = (
            _comparable(name, pick(name, alices_edits[name]))
            if changed(alices_edits, name)
            else None
        )
        if name in both:
            assert stored == (bobs_value if takes_stored else alices_value), name
        elif alices_value is not None:
            assert stored == alices_value, name
        elif bobs_value is not None:
            assert stored == bobs_value, name
        else:
            assert stored == _comparable(name, before[name]), name

    # Alice's save records only what she changed: Bob's changes stay his in the history.
    recorded = {
        "email-0-value": "email",
        "phone-0-value": "phone",
        "note": f"custom:{note.pk}",
        "newsletter": f"custom:{newsletter.pk}",
    }
    alices_changes = ContactEvent.objects.filter(contact=contact, actor=alice, verb="changed")
    fields = {c["field"] for event in alices_changes for c in event.changes}
    assert fields <= {recorded.get(n, n) for n in CHOICES if changed(alices_edits, n)}
