"""Reminders: when each falls due across time zones and changes of summer time, and that
the worker's sweeps send each one exactly once, never before its time, never lost."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.services import profile_update
from activities.models import Task, TaskCategory
from activities.tasks import reminders, services
from activities.tasks.services import remind_at_for
from contacts.models import Notification

ZONES = [
    "Europe/Paris",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",  # a half-hour change of summer time
    "Asia/Kolkata",
    "Pacific/Apia",
    "UTC",
]
# Days around the changes of summer time of 2026 and 2027 in these zones, and any other.
CHANGES = [
    *(
        date(2026, month, day)
        for month, day in [(3, 8), (3, 29), (4, 5), (10, 4), (10, 25), (11, 1)]
    ),
    *(date(2027, month, day) for month, day in [(3, 14), (10, 31)]),
]
due_dates = st.one_of(
    st.builds(lambda d, k: d + timedelta(days=k), st.sampled_from(CHANGES), st.integers(-1, 1)),
    st.dates(date(2026, 1, 1), date(2027, 12, 31)),
)
due_times = st.one_of(
    st.none(), st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
)
choices = st.sampled_from(Task.Reminder.values)
zones = st.sampled_from(ZONES)


def wall_clock(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def exists(local: datetime, zone: str) -> bool:
    """Whether a wall-clock time is read on that zone's clocks (not skipped by a change)."""
    aware = local.replace(tzinfo=ZoneInfo(zone))
    return wall_clock(aware.astimezone(UTC), zone) == local


@given(due_dates, due_times, choices, zones)
def test_a_reminder_falls_at_its_advance_on_the_responsible_users_clock(day, at, reminder, zone):
    instant = remind_at_for(day, at, reminder, zone)
    assert instant is not None and instant.utcoffset() == timedelta(0)
    due = datetime.combine(day, at or services.DEFAULT_TIME)
    if reminder == Task.Reminder.DAY_1:
        # The same time on the clock, the day before.
        expected = due - timedelta(days=1)
        if exists(expected, zone):
            assert wall_clock(instant, zone) == expected
    else:
        # So many minutes before the due time, as the world's clock runs.
        if exists(due, zone):
            assert wall_clock(instant + timedelta(minutes=reminder), zone) == due
    # A time a change of summer time skips is read with the offset before the change:
    # at most the change's length from the time asked.
    if reminder == Task.Reminder.DAY_1:
        asked = (due - timedelta(days=1)).replace(tzinfo=ZoneInfo(zone))
    else:
        asked = due.replace(tzinfo=ZoneInfo(zone)) - timedelta(minutes=reminder)
    assert abs(instant - asked.astimezone(UTC)) <= timedelta(hours=1)


def test_no_reminder_no_instant():
    assert remind_at_for(date(2026, 3, 29), time(2, 30), None, "Europe/Paris") is None


def test_a_time_skipped_by_summer_time_still_has_its_reminder():
    # 2:30 does not exist in Paris on 29 March 2026: read as 2:30 winter time, 1:30 UTC.
    instant = remind_at_for(date(2026, 3, 29), time(2, 30), 0, "Europe/Paris")
    assert instant == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_time_repeated_by_winter_time_reminds_at_its_first_reading():
    instant = remind_at_for(date(2026, 10, 25), time(2, 30), 0, "Europe/Paris")
    assert instant == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_one_day_before_across_a_change_is_the_same_time_on_the_clock():
    instant = remind_at_for(date(2026, 3, 30), time(9, 0), Task.Reminder.DAY_1, "Europe/Paris")
    assert wall_clock(instant, "Europe/Paris") == datetime(2026, 3, 29, 9, 0)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tasks=st.lists(st.tuples(due_dates, due_times, choices, zones), min_size=1, max_size=6),
    sweeps=st.lists(st.integers(0, 60 * 24 * 3), min_size=1, max_size=8),
)
def test_sweeps_send_each_reminder_once_never_early_never_lost(alice, tasks, sweeps):
    Task.objects.all().delete()
    Notification.objects.all().delete()
    call = TaskCategory.objects.get(code="call")
    made = []
    for day, at, reminder, zone in tasks:
        profile_update(user=alice, time_zone=zone)
        made.append(services.task_create(by=alice, category=call, title="t", due_date=day,
                                         due_time=at, reminder=reminder))  # fmt: skip
    start = min(t.remind_at for t in made) - timedelta(days=1)
    moments = [start + timedelta(minutes=m) for m in sweeps]
    moments = sorted({*moments, max(t.remind_at for t in made)})  # a sweep at the last one due
    for now in moments:
        # Two workers sweep at the same moment: the second finds nothing left to claim.
        reminders.reminders_send_due(now)
        reminders.reminders_send_due(now)
    for task in made:
        task.refresh_from_db()
        sent = Notification.objects.filter(verb="task_reminder", object_id=task.pk).count()
        assert sent == 1, "never twice, never lost"
        assert task.reminded_at >= task.remind_at, "never before its time"
        # Sent at the first sweep at or after its time.
        assert task.reminded_at == min(m for m in moments if m >= task.remind_at)


@pytest.mark.django_db
def test_a_reminder_reaches_its_user_in_his_language(
    alice, contact, django_capture_on_commit_callbacks
):
    profile_update(user=alice, language="fr", time_zone="Europe/Paris")
    call = TaskCategory.objects.get(code="call")
    task = services.task_create(
        by=alice,
        category=call,
        title="Rappeler Jean",
        contact=contact,
        due_date=date(2026, 12, 20),
        due_time=time(14, 0),
        reminder=60,
    )
    assert task.remind_at == datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    assert reminders.reminders_send_due(datetime(2026, 12, 20, 11, 59, tzinfo=UTC)) == 0
    assert reminders.reminders_send_due(datetime(2026, 12, 20, 12, 0, tzinfo=UTC)) == 1
    [email] = mail.outbox
    assert email.subject == "Rappel : Rappeler Jean"
    assert "Échéance : 20 déc. 2026 14:00" in email.body and "Jean Dupont" in email.body


@pytest.mark.django_db
def test_a_done_or_moved_task_is_not_reminded(alice):
    call = TaskCategory.objects.get(code="call")
    day = timezone.localdate() - timedelta(days=1)
    done = services.task_create(by=alice, category=call, title="a", due_date=day, reminder=0)
    moved = services.task_create(by=alice, category=call, title="b", due_date=day, reminder=0)
    services.task_set_done(by=alice, task=done)
    services.task_update(by=alice, task=moved, due_date=day + timedelta(days=30))
    assert reminders.reminders_send_due() == 0
    assert not Notification.objects.filter(verb="task_reminder").exists()
