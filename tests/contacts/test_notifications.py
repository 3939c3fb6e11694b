"""Assignment notifications: in the app and by email."""

import pytest
from django.core import mail

from accounts.models import EmailKind
from accounts.services import email_preferences_update
from contacts.models import Contact, Notification
from contacts.notifications import send_assignment_email
from tests.support import form_data


@pytest.fixture
def assign(client, alice, django_capture_on_commit_callbacks):
    """Let alice save a new person or edit one with the given responsible users."""

    def save(responsible, contact=None, first_name="Marie"):
        client.force_login(alice)
        url = f"/contacts/{contact.pk}/edit/" if contact else "/contacts/new/person/"
        data = form_data(
            first_name=first_name, last_name="Curie", responsible=[u.pk for u in responsible]
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        assert response.status_code == 302
        return contact or Contact.objects.get(first_name=first_name)

    return save


def test_assigning_bob_notifies_him_in_the_app_and_by_email(assign, settings, alice, bob):
    settings.SITE_URL = "https://crm.example.com/"

    contact = assign([alice, bob])

    notification = Notification.objects.get()
    assert (notification.recipient, notification.actor) == (bob, alice)
    assert (notification.contact, notification.verb) == (contact, "assigned")
    assert notification.read_at is None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["bob@example.com"]
    assert email.subject == "You are now responsible for Marie Curie"
    assert "Alice Martin made you responsible for Marie Curie" in email.body
    assert f"https://crm.example.com/contacts/{contact.pk}/" in email.body


def test_user_who_assigns_himself_is_not_notified(assign, alice):
    assign([alice])

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_saving_again_does_not_notify_users_already_responsible(assign, alice, bob):
    contact = assign([alice, bob])

    assign([alice, bob], contact=contact)

    assert Notification.objects.filter(recipient=bob).count() == 1
    assert len(mail.outbox) == 1


def test_user_added_on_edit_is_notified(assign, alice, bob):
    contact = assign([alice])

    assign([alice, bob], contact=contact)

    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["bob"]
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_a_user_who_turned_these_emails_off_is_notified_in_the_app_only(assign, alice, bob):
    email_preferences_update(user=bob, wanted=[EmailKind.IMPORT, EmailKind.WEB_FORM])

    assign([alice, bob])

    assert Notification.objects.get().recipient == bob
    assert mail.outbox == []


def test_user_without_email_is_notified_in_the_app_only(assign, alice, make_user):
    carol = make_user("carol", email="")

    assign([alice, carol])

    assert Notification.objects.get().recipient == carol
    assert mail.outbox == []


@pytest.fixture
def bob_notified(make_contact, alice, bob):
    """Make bob responsible for two contacts, and log him in."""
    make_contact(first_name="Marie", last_name="Curie", responsible=[alice, bob])
    make_contact(first_name="Pierre", last_name="Curie", responsible=[alice, bob])
    return list(Notification.objects.filter(recipient=bob).order_by("pk"))


def test_bell_shows_the_unread_count_on_every_page(client, bob, bob_notified):
    client.force_login(bob)

    for path in ("/contacts/", "/contacts/new/person/", "/contacts/notifications/"):
        page = client.get(path).content.decode()
        assert '<span class="badge rounded-pill text-bg-danger" id="unread-count">2<' in page


def test_bell_shows_no_count_to_a_user_without_unread_notifications(client, alice, bob_notified):
    client.force_login(alice)

    assert 'id="unread-count"' not in client.get("/contacts/").content.decode()


def test_notification_list_links_to_the_contact(client, bob, bob_notified):
    client.force_login(bob)
    contact = bob_notified[0].contact

    page = client.get("/contacts/notifications/").content.decode()

    assert (
        f'Alice Martin made you responsible for <a href="/contacts/{contact.pk}/">Marie Curie</a>.'
        in page
    )


def test_user_marks_one_notification_read(client, bob, bob_notified):
    first, second = bob_notified
    client.force_login(bob)

    response = client.post(f"/contacts/notifications/{first.pk}/read/")

    assert response.status_code == 302
    assert response["Location"] == "/contacts/notifications/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    page = client.get("/contacts/").content.decode()
    assert 'id="unread-count">1<' in page


def test_user_marks_all_notifications_read(client, bob, bob_notified):
    client.force_login(bob)

    response = client.post("/contacts/notifications/read/", follow=True)

    page = response.content.decode()
    assert "2 notifications marked as read." in page
    assert 'id="unread-count"' not in page
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_mark_all_read_leaves_other_users_notifications_unread(
    client, alice, bob, bob_notified, make_contact, make_user
):
    carol = make_user("carol")
    make_contact(responsible=[alice, carol])
    client.force_login(bob)

    client.post("/contacts/notifications/read/")

    assert Notification.objects.get(recipient=carol).read_at is None


@pytest.mark.parametrize(
    "path", ["/contacts/notifications/read/", "/contacts/notifications/{pk}/read/"]
)
def test_marking_read_needs_a_post(client, bob, bob_notified, path):
    client.force_login(bob)

    response = client.get(path.format(pk=bob_notified[0].pk))

    assert response.status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_user_cannot_mark_another_users_notification_read(client, alice, bob_notified):
    client.force_login(alice)

    response = client.post(f"/contacts/notifications/{bob_notified[0].pk}/read/")

    assert response.status_code == 404
    bob_notified[0].refresh_from_db()
    assert bob_notified[0].read_at is None


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/contacts/", "/contacts/"),
        ("https://evil.example.com/", "/contacts/notifications/"),
        ("//evil.example.com/", "/contacts/notifications/"),
        ("http://testserver.evil.example.com/", "/contacts/notifications/"),
        ("javascript:alert(1)", "/contacts/notifications/"),
        ("", "/contacts/notifications/"),
    ],
)
def test_next_parameter_never_leads_to_another_site(client, bob, bob_notified, next_url, expected):
    client.force_login(bob)

    response = client.post(
        f"/contacts/notifications/{bob_notified[0].pk}/read/", {"next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == expected


def test_notification_list_is_empty_for_a_new_user(client, bob):
    client.force_login(bob)

    page = client.get("/contacts/notifications/").content.decode()

    assert "You have no notifications." in page
    assert "Mark all as read" not in page


def test_the_assignment_email_still_goes_when_the_actor_is_gone(alice, bob, make_contact):
    contact = make_contact(first_name="Marie", last_name="Curie", responsible=[bob])
    actor_id = alice.pk
    alice.delete()

    send_assignment_email.call(user_id=bob.pk, contact_id=contact.pk, actor_id=actor_id)

    [email] = mail.outbox
    assert "You were made responsible for Marie Curie in the CRM." in email.body
