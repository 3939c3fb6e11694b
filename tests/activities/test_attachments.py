import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import services
from activities.models import EventAttachment, EventCategory
from contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def note():
    return EventCategory.objects.get(code="note")


def upload(name="Offre été.pdf", content=b"%PDF-1.4 offer", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_file_added_from_the_card_is_stored_under_a_random_name(
    alice_client, contact, note, settings
):
    response = alice_client.post(
        reverse("activities:event_add", args=[contact.pk]),
        {
            "category": note.pk,
            "happened_at": "2026-02-03T10:15",
            "text": "The offer",
            "attachments": [upload(), upload("notes.txt", b"hello", "text/plain")],
        },
    )
    assert response.status_code == 302
    first, second = EventAttachment.objects.all()
    assert (first.name, first.size, first.content_type) == ("Offre été.pdf", 14, "application/pdf")
    assert second.name == "notes.txt"
    assert "Offre" not in first.file.name and first.file.name.startswith("event-files/")
    assert (settings.MEDIA_ROOT / first.file.name).read_bytes() == b"%PDF-1.4 offer"
    assert "Offre été.pdf" in alice_client.get(contact.get_absolute_url()).content.decode()


def test_the_download_carries_the_uploaded_name_as_an_attachment(
    alice_client, alice, contact, note
):
    event = services.event_create(
        by=alice, contact=contact, category=note, text="x", attachments=[upload()]
    )
    response = alice_client.get(reverse("activities:attachment", args=[event.attachments.get().pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Offre%20%C3%A9t%C3%A9.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 offer"


def test_a_private_contacts_file_is_refused_to_a_user_who_cannot_see_it(
    client, alice, bob, contact, note
):
    event = services.event_create(
        by=alice, contact=contact, category=note, text="x", attachments=[upload()]
    )
    client.force_login(bob)
    url = reverse("activities:attachment", args=[event.attachments.get().pk])
    assert client.get(url).status_code == 404


def test_a_file_over_the_limit_is_refused_and_nothing_is_written(
    alice_client, contact, note, settings
):
    settings.EVENT_ATTACHMENT_MAX_BYTES = 10
    response = alice_client.post(
        reverse("activities:event_add", args=[contact.pk]),
        {
            "category": note.pk,
            "happened_at": "2026-02-03T10:15",
            "text": "x",
            "attachments": [upload()],
        },
    )
    assert response.status_code == 200
    assert "“Offre été.pdf” is larger than 10\xa0bytes." in response.content.decode()
    assert not EventAttachment.objects.exists()


def test_deleting_the_event_deletes_its_files(
    alice, contact, note, settings, django_capture_on_commit_callbacks
):
    event = services.event_create(
        by=alice, contact=contact, category=note, text="x", attachments=[upload()]
    )
    path = settings.MEDIA_ROOT / event.attachments.get().file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_delete(by=alice, event=event)
    assert not path.exists()
    assert Contact.objects.filter(pk=contact.pk).exists()
