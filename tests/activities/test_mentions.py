"""Mentions of users in an event's text: who is told, in which language, and what the
author learns of those who may not see the contact."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from activities import mentions, services
from activities.models import Event, EventCategory
from activities.templatetags.activities import plain_text
from contacts.models import Notification
from contacts.services import ContactData, contact_update
from contacts.trash.services import contact_delete
from tests.support import page_of

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/contacts/notifications/"
# The mentions' notifications: making a user responsible for a contact notifies him too.
mentioned = Notification.objects.filter(verb="mentioned")


@pytest.fixture
def note():
    return EventCategory.objects.get(code="note")


@pytest.fixture
def marie(make_user):
    return make_user("marie", first_name="Marie", last_name="Dupont")


@pytest.fixture
def shared(make_contact, alice, marie):
    """A private person alice and marie are responsible for."""
    return make_contact(first_name="Jean", last_name="Valjean", responsible=[alice, marie])


def write(by, contact, text, note, capture):
    with capture(execute=True):
        return services.event_create(by=by, contact=contact, category=note, text=text)


def post_event(client, contact, text, note):
    url = reverse("activities:event_add", args=[contact.pk])
    data = {"category": note.pk, "happened_at": "2026-03-01T10:00", "text": text}
    return client.post(url, data, follow=True)


def test_a_mention_notifies_the_user_in_the_app_and_by_email(
    alice, marie, shared, note, django_capture_on_commit_callbacks
):
    event = write(
        alice,
        shared,
        "Called him, @Marie please follow up.",
        note,
        django_capture_on_commit_callbacks,
    )

    notification = mentioned.get()
    assert (notification.recipient, notification.actor, notification.verb) == (
        marie,
        alice,
        "mentioned",
    )
    assert (notification.contact, notification.object_id) == (shared, event.pk)
    assert event.not_notified == []
    [email] = mail.outbox
    assert email.to == ["marie@example.com"]
    assert email.subject == "Alice Martin mentioned you on Jean Valjean"
    assert "“Called him, @Marie please follow up.”" in email.body
    assert f"/contacts/{shared.pk}/#event-{event.pk}" in email.body


def test_a_french_recipient_is_mailed_in_french(
    alice, marie, shared, note, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=marie, language="fr", time_zone="Europe/Paris")

    write(alice, shared, "@marie rappelle-le", note, django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == "Alice Martin vous a mentionné sur la fiche de Jean Valjean"
    assert email.body.startswith("Bonjour Marie Dupont,")
    assert "« @marie rappelle-le »" in email.body


def test_the_bell_shows_who_mentioned_the_reader_where_and_what(client, alice, marie, shared, note):
    event = services.event_create(by=alice, contact=shared, category=note, text="Ask @marie")
    client.force_login(marie)

    page = client.get(NOTIFICATIONS).content.decode()

    assert (
        f'Alice Martin mentioned you on <a href="/contacts/{shared.pk}/#event-{event.pk}">'
        "Jean Valjean</a>: “Ask @marie”" in page
    )


def test_the_bell_speaks_french_to_a_french_reader(client, alice, marie, shared, note):
    Profile.objects.create(user=marie, language="fr", time_zone="Europe/Paris")
    event = services.event_create(by=alice, contact=shared, category=note, text="Ask @marie")
    client.force_login(marie)

    page = page_of(client.get(NOTIFICATIONS))

    assert (
        "Alice Martin vous a mentionné sur la fiche de "
        f'<a href="/contacts/{shared.pk}/#event-{event.pk}">'
        "Jean Valjean</a> : « Ask @marie »" in page
    )


def test_a_user_who_cannot_see_the_contact_is_not_notified_and_the_author_is_told(
    client, alice, bob, contact, note
):
    client.force_login(alice)

    response = post_event(client, contact, "Bob, @bob, should know.", note)

    assert Event.objects.filter(contact=contact).exists()
    assert not mentioned.filter(recipient=bob).exists()
    assert mail.outbox == []
    assert "Bob Durand cannot see this contact and was not notified of the mention." in page_of(
        response
    )


def test_the_author_is_told_in_his_own_language(client, alice, bob, contact, note):
    Profile.objects.create(user=alice, language="fr", time_zone="Europe/Paris")
    client.force_login(alice)

    response = post_event(client, contact, "@bob", note)

    assert (
        "Bob Durand ne peut pas voir ce contact et n’a pas été prévenu de la mention."
        in page_of(response)
    )


def test_the_service_says_who_could_not_be_notified(alice, bob, marie, shared, note):
    event = services.event_create(by=alice, contact=shared, category=note, text="@bob @marie")

    assert event.not_notified == [bob]
    assert list(mentioned.values_list("recipient__username", flat=True)) == ["marie"]


def test_editing_notifies_only_the_users_newly_mentioned(
    alice, marie, make_user, make_contact, note, django_capture_on_commit_callbacks
):
    carol = make_user("carol", last_name="Jones")
    contact = make_contact(responsible=[alice, marie, carol])
    event = write(alice, contact, "For @marie", note, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(
            by=alice,
            event=event,
            category=note,
            text="For @marie and @carol",
            happened_at=event.happened_at,
        )

    recipients = mentioned.order_by("id").values_list("recipient__username", flat=True)
    assert list(recipients) == ["marie", "carol"]
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]


def test_a_user_mentioned_twice_is_notified_once(alice, marie, shared, note):
    services.event_create(by=alice, contact=shared, category=note, text="@marie @MARIE @marie.")

    assert mentioned.filter(recipient=marie).count() == 1


def test_mentioning_oneself_notifies_nobody(alice, shared, note):
    event = services.event_create(by=alice, contact=shared, category=note, text="Note to @alice")

    assert not mentioned.exists()
    assert event.not_notified == []


def test_a_deactivated_user_and_an_unknown_name_are_left_as_text(
    alice, marie, shared, note, django_capture_on_commit_callbacks
):
    marie.is_active = False
    marie.save()

    event = write(alice, shared, "@marie @nobody", note, django_capture_on_commit_callbacks)

    assert not mentioned.exists()
    assert mail.outbox == []
    assert event.not_notified == []


def test_an_email_address_mentions_nobody(alice, marie, shared, note):
    services.event_create(by=alice, contact=shared, category=note, text="Write to jo@marie")

    assert not mentioned.exists()


def test_the_email_is_not_sent_once_the_user_may_no_longer_see_the_contact(
    alice, marie, shared, note, django_capture_on_commit_callbacks
):
    event = services.event_create(by=alice, contact=shared, category=note, text="@marie")
    contact_update(
        by=alice,
        contact=shared,
        data=ContactData(
            kind="person",
            fields={"first_name": "Jean", "last_name": "Valjean"},
            access="private",
            responsible=[alice],
        ),
    )
    mail.outbox.clear()

    mentions.send_mention_email.call(user_id=marie.pk, event_id=event.pk, actor_id=alice.pk)

    assert mail.outbox == []


def test_the_email_is_not_sent_for_a_deleted_event(alice, marie, shared, note):
    event = services.event_create(by=alice, contact=shared, category=note, text="@marie")
    event_id = event.pk
    services.event_delete(by=alice, event=event)

    mentions.send_mention_email.call(user_id=marie.pk, event_id=event_id, actor_id=alice.pk)

    assert mail.outbox == []


def test_the_email_respects_the_users_choice(alice, marie, shared, note):
    Profile.objects.create(user=marie, language="en", time_zone="UTC", email_on_mention=False)
    event = services.event_create(by=alice, contact=shared, category=note, text="@marie")

    mentions.send_mention_email.call(user_id=marie.pk, event_id=event.pk, actor_id=alice.pk)

    assert mail.outbox == []
    assert mentioned.filter(recipient=marie).exists()


def test_the_bell_hides_the_contact_and_text_once_access_is_lost(
    client, alice, marie, shared, note
):
    services.event_create(by=alice, contact=shared, category=note, text="Secret @marie")
    contact_delete(by=alice, contact=shared)
    client.force_login(marie)

    page = client.get(NOTIFICATIONS).content.decode()

    assert "Alice Martin mentioned you on a contact you cannot see." in page
    assert "Valjean" not in page
    assert "Secret" not in page
    assert f"/contacts/{shared.pk}/" not in page


def test_the_bell_says_when_the_entry_was_deleted(client, alice, marie, shared, note):
    event = services.event_create(by=alice, contact=shared, category=note, text="Secret @marie")
    services.event_delete(by=alice, event=event)
    client.force_login(marie)

    page = client.get(NOTIFICATIONS).content.decode()

    assert "in a deleted entry." in page
    assert "Secret" not in page


def test_the_notifications_page_reads_a_constant_number_of_queries(
    client, alice, marie, make_contact, note
):
    contact = make_contact(first_name="Jean", last_name="Valjean", responsible=[alice, marie])
    services.event_create(by=alice, contact=contact, category=note, text="@marie one")
    client.force_login(marie)
    client.get(NOTIFICATIONS)  # the session and the permissions' ids read once
    with CaptureQueriesContext(connection) as few:
        client.get(NOTIFICATIONS)

    for number in range(8):
        other = make_contact(first_name="Jean", last_name=f"N{number}", responsible=[alice, marie])
        services.event_create(by=alice, contact=other, category=note, text=f"@marie {number}")
        services.event_create(by=alice, contact=contact, category=note, text=f"@marie {number}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(NOTIFICATIONS).content.decode()

    assert page.count("Alice Martin mentioned you on") == 17
    assert len(many) == len(few)


def test_the_timeline_marks_the_mentions_of_users_only(alice_client, alice, marie, shared, note):
    services.event_create(
        by=alice, contact=shared, category=note, text="<b>@marie</b> @nobody jo@marie"
    )

    page = alice_client.get(reverse("contacts:detail", args=[shared.pk])).content.decode()

    assert (
        '&lt;b&gt;<span class="mention" title="Marie Dupont">@marie</span>&lt;/b&gt; '
        "@nobody jo@marie" in page
    )


def test_a_mention_inside_a_link_stays_the_links():
    html = plain_text("https://x.test/@marie and @marie", {"marie": "Marie Dupont"})

    assert html == (
        '<a href="https://x.test/@marie" rel="noopener noreferrer nofollow" target="_blank">'
        'https://x.test/@marie</a> and <span class="mention" title="Marie Dupont">@marie</span>'
    )


def test_the_form_tells_how_to_mention(alice_client, shared):
    page = alice_client.get(reverse("activities:event_add", args=[shared.pk])).content.decode()

    assert "Type @ and a colleague&#x27;s username (@marie) to notify them." in page


def test_the_profile_offers_to_turn_off_the_mention_emails(client, marie):
    client.force_login(marie)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "Someone mentions me on a contact&#x27;s timeline" in page


def test_mentions_read_only_active_crm_users(alice, marie, make_user):
    outsider = make_user("outsider")
    outsider.groups.clear()

    assert mentions.mentioned_users("@outsider @marie @alice") == [alice, marie]
