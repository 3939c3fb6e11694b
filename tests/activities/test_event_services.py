from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied

from activities import services
from activities.models import Event, EventCategory
from contacts.models import Contact, ContactEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return EventCategory.objects.get(code="call")


@pytest.fixture
def note():
    return EventCategory.objects.get(code="note")


def timeline_changes(contact):
    return [
        item
        for event in ContactEvent.objects.filter(contact=contact).order_by("id")
        for item in event.changes
        if item["field"] == "timeline"
    ]


def test_the_four_default_categories_are_there_in_order():
    assert list(EventCategory.objects.values_list("code", "name", "icon")) == [
        ("note", "Note", "sticky"),
        ("call", "Call", "telephone"),
        ("email", "E-mail", "envelope"),
        ("meeting", "Meeting", "people"),
    ]


def test_responsible_user_adds_an_event_and_the_history_records_it(alice, contact, call):
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    event = services.event_create(
        by=alice, contact=contact, category=call, text="Called about the offer", happened_at=when
    )
    stored = Event.objects.get()
    assert (stored.pk, stored.author, stored.category, stored.happened_at) == (
        event.pk,
        alice,
        call,
        when,
    )
    assert timeline_changes(contact) == [
        {"field": "timeline", "label": "", "old": "", "new": "Call: Called about the offer"}
    ]
    assert ContactEvent.objects.filter(contact=contact).latest("id").actor == alice


def test_happened_at_defaults_to_now(alice, contact, note):
    before = datetime.now(UTC)
    event = services.event_create(by=alice, contact=contact, category=note, text="x")
    assert before <= event.happened_at <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("access", "allowed"),
    [("private", False), ("public_read", False), ("public_rw", True)],
)
def test_another_user_adds_only_where_he_may_change_the_contact(
    bob, make_contact, note, access, allowed
):
    contact = make_contact(access=access)
    if allowed:
        services.event_create(by=bob, contact=contact, category=note, text="Hi")
        assert Event.objects.filter(contact=contact, author=bob).exists()
    else:
        with pytest.raises(PermissionDenied):
            services.event_create(by=bob, contact=contact, category=note, text="Hi")
        assert not Event.objects.exists()
        assert timeline_changes(contact) == []


def test_author_edits_his_event_and_the_change_is_recorded(alice, contact, note, call):
    event = services.event_create(by=alice, contact=contact, category=note, text="First")
    when = datetime(2025, 12, 24, 18, 0, tzinfo=UTC)
    services.event_update(by=alice, event=event, category=call, text="Second", happened_at=when)
    event.refresh_from_db()
    assert (event.category, event.text, event.happened_at) == (call, "Second", when)
    assert timeline_changes(contact)[-1] == {
        "field": "timeline",
        "label": "",
        "old": "Note: First",
        "new": "Call: Second",
    }


def test_nobody_but_the_author_edits_an_event(alice, bob, admin, make_contact, note):
    contact = make_contact(access=Contact.Access.PUBLIC_RW)
    event = services.event_create(by=alice, contact=contact, category=note, text="Mine")
    for user in (bob, admin):
        with pytest.raises(PermissionDenied):
            services.event_update(
                by=user, event=event, category=note, text="Theirs", happened_at=event.happened_at
            )
    event.refresh_from_db()
    assert event.text == "Mine"


def test_author_who_lost_sight_of_the_contact_can_no_longer_edit(bob, make_contact, note):
    contact = make_contact(access=Contact.Access.PUBLIC_RW)
    event = services.event_create(by=bob, contact=contact, category=note, text="Mine")
    Contact.objects.filter(pk=contact.pk).update(access=Contact.Access.PRIVATE)
    contact.refresh_from_db()
    from contacts.access import grant_access  # why: only this test takes bob's rights away

    grant_access(contact, Contact.Access.PRIVATE, [contact.responsible.get().pk])
    event.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.event_delete(by=bob, event=event)
    assert Event.objects.filter(pk=event.pk).exists()


def test_author_and_admin_delete_a_stranger_and_a_reader_do_not(
    alice, bob, admin, make_contact, note
):
    contact = make_contact(access=Contact.Access.PUBLIC_READ)
    first = services.event_create(by=alice, contact=contact, category=note, text="One")
    second = services.event_create(by=alice, contact=contact, category=note, text="Two")
    with pytest.raises(PermissionDenied):
        services.event_delete(by=bob, event=first)
    services.event_delete(by=alice, event=first)
    services.event_delete(by=admin, event=second)
    assert not Event.objects.exists()
    assert [c["old"] for c in timeline_changes(contact) if not c["new"]] == [
        "Note: One",
        "Note: Two",
    ]


def test_a_category_in_use_cannot_be_deleted(alice, contact, note):
    from django.db.models import ProtectedError  # why: only this test names it

    services.event_create(by=alice, contact=contact, category=note, text="x")
    with pytest.raises(ProtectedError):
        note.delete()


def test_default_names_follow_the_language_and_renamed_ones_stay_as_typed(note, call):
    from django.utils import translation  # why: only this test switches language

    call.name = "Appel client"
    call.save()
    with translation.override("fr"):
        assert str(note) == "Note"
        assert EventCategory.objects.get(code="email").shown_name == "E-mail"
        assert str(EventCategory.objects.get(code="meeting")) == "Réunion"
        assert str(call) == "Appel client"
