"""Dates and times read one way per language on every page, and "just now" when recent."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Profile
from contacts.imports.models import ImportJob
from contacts.models import Contact, ContactEvent, Notification
from tests.support import page_of

# 16:15 UTC is 17:15 in Paris, where the users of these tests live.
MOMENT = datetime(2026, 12, 5, 16, 15, tzinfo=UTC)
SHOWN = {
    "en": ("5 Dec 2026", "5 Dec 2026, 17:15"),
    "fr": ("5 déc. 2026", "5 déc. 2026 17:15"),
}


@pytest.fixture(params=["en", "fr"])
def language(request):
    return request.param


@pytest.fixture
def speaking(client, alice, language):
    """Log alice in, speaking the language under test in Paris."""
    Profile.objects.create(user=alice, language=language, time_zone="Europe/Paris")
    client.force_login(alice)
    return client


@pytest.fixture
def notified(make_contact, alice, bob):
    """Make alice responsible for a contact bob creates: she has one notification."""
    make_contact(by=bob, first_name="Marie", last_name="Curie", responsible=[bob, alice])
    return Notification.objects.get(recipient=alice)


def test_a_notification_less_than_a_minute_old_reads_just_now(speaking, notified, language):
    page = page_of(speaking.get("/contacts/notifications/"))

    # French reads "à l’instant" once the catalogue translates it.
    with translation.override(language):
        just_now = gettext("just now")
    assert f">{just_now}</time>" in page
    assert "0 minutes" not in page and "0 minute" not in page


def test_an_older_notification_says_how_long_ago(speaking, notified, language):
    Notification.objects.filter(pk=notified.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )

    page = page_of(speaking.get("/contacts/notifications/"))

    assert {"en": ">5\xa0minutes ago<", "fr": ">il y a 5\xa0minutes<"}[language] in page


def test_the_card_writes_its_dates_and_its_history_in_the_languages_format(
    speaking, contact, language
):
    Contact.objects.filter(pk=contact.pk).update(created_at=MOMENT, updated_at=MOMENT)
    ContactEvent.objects.filter(contact=contact).update(created_at=MOMENT)

    page = page_of(speaking.get(f"/contacts/{contact.pk}/"))

    date_time = SHOWN[language][1]
    assert page.count(f">{date_time}<") == 3  # created, last changed, and the timeline's line
    assert "p.m." not in page and "12/05/2026" not in page and "05/12/2026" not in page


def test_the_import_list_writes_dates_as_the_card_does(speaking, alice, language):
    job = ImportJob.objects.create(created_by=alice, file_name="people.csv")
    ImportJob.objects.filter(pk=job.pk).update(created_at=MOMENT)

    page = page_of(speaking.get("/contacts/imports/"))

    assert f">{SHOWN[language][1]}<" in page


def test_the_created_from_filter_names_its_date_in_the_languages_format(speaking, language):
    page = page_of(speaking.get("/contacts/?created_from=2026-12-05"))

    label = {"en": "Created from 5 Dec 2026", "fr": "Créé depuis le 5 déc. 2026"}[language]
    assert label in page
