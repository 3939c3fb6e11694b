"""Tasks: who may create, see and change them, My tasks' sections, the card's box, the
badge, the bulk creation and the exports."""

from datetime import date, time, timedelta

import pytest
import vobject
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.services import profile_update
from activities.models import Event, Task, TaskCategory
from activities.tasks import reminders, selectors, services
from contacts.access import revoke_responsible_many
from contacts.models import Contact, Notification
from tests.contacts.db.test_query_plans import full_scans, plan, sorts_after_reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return TaskCategory.objects.get(code="call")


def make_task(by, call, **values):
    values.setdefault("title", "Call back about the offer")
    values.setdefault("due_date", timezone.localdate())
    return services.task_create(by=by, category=call, **values)


def test_the_four_default_task_categories_are_there_in_order():
    assert list(TaskCategory.objects.values_list("code", flat=True)) == [
        "call",
        "email",
        "meeting",
        "follow_up",
    ]


def test_a_task_is_mine_by_default_and_gives_no_notification(alice, contact, call):
    task = make_task(alice, call, contact=contact)
    assert (task.responsible, task.author, task.contact) == (alice, alice, contact)
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_task_for_a_colleague_tells_him_in_his_language(
    alice, bob, make_contact, call, django_capture_on_commit_callbacks
):
    contact = make_contact(responsible=[alice, bob])
    profile_update(user=bob, language="fr", time_zone="Europe/Paris")
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(alice, call, contact=contact, responsible=bob, title="Rappeler Jean")
    note = Notification.objects.get()
    assert (note.recipient, note.verb, note.object_id, note.actor) == (
        bob,
        "task_assigned",
        task.pk,
        alice,
    )
    [email] = mail.outbox
    assert email.to == ["bob@example.com"]
    assert email.subject == "Une tâche pour vous : Rappeler Jean"
    assert "Jean Dupont" in email.body


def test_a_responsible_user_who_cannot_see_the_contact_is_refused(alice, bob, contact, call):
    with pytest.raises(ValidationError, match="cannot see this contact"):
        make_task(alice, call, contact=contact, responsible=bob)
    assert not Task.objects.exists()


def test_who_cannot_change_the_contact_cannot_add_a_task_on_it(bob, make_contact, call):
    contact = make_contact(access=Contact.Access.PUBLIC_READ)
    with pytest.raises(PermissionDenied):
        make_task(bob, call, contact=contact)


def test_a_task_without_contact_is_seen_by_its_responsible_user_and_author_only(
    alice, bob, admin, make_user, call
):
    task = make_task(alice, call, responsible=bob)
    carol = make_user("carol")
    assert list(selectors.tasks_visible_to(bob)) == [task]
    assert list(selectors.tasks_visible_to(alice)) == [task]
    assert list(selectors.tasks_visible_to(carol)) == []
    assert list(selectors.tasks_visible_to(admin)) == []


def test_a_task_on_a_contact_is_seen_by_whoever_sees_the_contact(alice, bob, admin, contact, call):
    task = make_task(alice, call, contact=contact)
    assert list(selectors.tasks_visible_to(admin)) == [task]
    assert list(selectors.tasks_visible_to(bob)) == []
    assert not services.may_change_task(bob, task)


def test_a_new_responsible_user_is_told_and_his_reminder_starts_again(
    alice, bob, make_contact, call
):
    contact = make_contact(responsible=[alice, bob])
    Notification.objects.all().delete()
    task = make_task(alice, call, contact=contact, reminder=Task.Reminder.AT_DUE)
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    task.refresh_from_db()
    services.task_update(by=alice, task=task, responsible=bob)
    task.refresh_from_db()
    assert task.reminded_at is None
    assert list(Notification.objects.values_list("recipient__username", "verb")) == [
        ("bob", "task_assigned")
    ]


def test_done_and_written_on_the_timeline(alice, contact, call):
    task = make_task(alice, call, contact=contact, description="He wants the blue one.")
    services.task_set_done(by=alice, task=task, log=True)
    task.refresh_from_db()
    assert task.done_at is not None
    event = Event.objects.get()
    assert (event.contact, event.category.code, event.author) == (contact, "call", alice)
    assert event.text == "Call done: Call back about the offer\n\nHe wants the blue one."
    services.task_set_done(by=alice, task=task, done=False)
    task.refresh_from_db()
    assert task.done_at is None


def test_deleting_a_task_deletes_its_notifications(alice, bob, make_contact, call):
    contact = make_contact(responsible=[alice, bob])
    task = make_task(alice, call, contact=contact, responsible=bob)
    services.task_delete(by=alice, task=task)
    assert not Task.objects.exists()
    assert not Notification.objects.filter(verb__startswith="task_").exists()


def test_my_tasks_sections_and_the_badge(alice, alice_client, contact, call):
    today = timezone.localdate()
    make_task(alice, call, title="Late one", due_date=today - timedelta(days=3))
    make_task(alice, call, title="Today's", due_date=today, contact=contact)
    make_task(alice, call, title="Next week", due_date=today + timedelta(days=7))
    done = make_task(alice, call, title="Finished", due_date=today)
    services.task_set_done(by=alice, task=done)
    page = alice_client.get(reverse("tasks:list")).content.decode()
    sections = {name: page.index(f'id="{name}"') for name in selectors.SECTIONS}
    assert sections["overdue"] < page.index("Late one") < sections["today"]
    assert sections["today"] < page.index("Today&#x27;s") < sections["upcoming"]
    assert (
        sections["upcoming"] < page.index("Next week") < sections["done"] < page.index("Finished")
    )
    assert selectors.badge_count(alice) == 2
    assert 'id="tasks-due"' in page and ">2<span" in page


def test_the_badge_stops_counting_at_a_hundred_and_says_99_plus(alice, alice_client, call):
    """A user with thousands of overdue tasks sees "99+": the count of every page he
    opens stops at a hundred rather than reading them all."""
    first = make_task(alice, call, due_date=timezone.localdate() - timedelta(days=1))
    Task.objects.bulk_create(
        Task(
            title=f"Late {n}",
            category=call,
            responsible=alice,
            author=alice,
            due_date=first.due_date,
        )
        for n in range(120)
    )

    page = alice_client.get(reverse("contacts:list")).content.decode()

    assert selectors.badge_count(alice) == selectors.BADGE_MOST == 100
    assert 'id="tasks-due"' in page and ">99+<span" in page
    Task.objects.exclude(pk=first.pk).delete()
    assert ">1<span" in alice_client.get(reverse("contacts:list")).content.decode()


def test_mark_done_in_one_click_with_htmx_and_without(alice, alice_client, call):
    task = make_task(alice, call)
    url = reverse("tasks:done", args=[task.pk])
    response = alice_client.post(url, {"done": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "task-done" in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is not None
    response = alice_client.post(url, {"done": "0"})
    assert response.status_code == 302 and response.url == reverse("tasks:list")
    task.refresh_from_db()
    assert task.done_at is None


def test_a_task_line_shows_its_values_escaped_in_the_readers_language(
    alice, alice_client, contact, call
):
    profile_update(user=alice, language="fr", time_zone="Europe/Paris")
    today = timezone.localdate()
    make_task(
        alice,
        call,
        title="<b>Rappeler</b> & relancer",
        due_date=today - timedelta(days=2),
        due_time=time(9, 30),
        contact=contact,
        reminder=Task.Reminder.HOUR_1,
    )
    done = make_task(alice, call, title="Devis envoyé", due_date=today)
    services.task_set_done(by=alice, task=done)
    page = alice_client.get(reverse("tasks:list")).content.decode()
    assert "&lt;b&gt;Rappeler&lt;/b&gt; &amp; relancer" in page and "<b>Rappeler" not in page
    assert "Marquer « &lt;b&gt;Rappeler&lt;/b&gt; &amp; relancer » comme faite" in page
    overdue = page[page.index('id="overdue"') : page.index('id="today"')]
    assert '<span class="text-danger fw-semibold">' in overdue and "09:30" in overdue
    assert f'<a href="{contact.get_absolute_url()}">Jean Dupont</a>' in overdue
    assert "Appel" in overdue and "Alice Martin" in overdue and "1 heure avant" in overdue
    finished = page[page.index('id="done"') :]
    assert "task-done" in finished and "faite le " in finished
    assert 'name="csrfmiddlewaretoken"' in finished


def test_a_line_marked_done_on_its_card_leaves_its_contact_out(alice, alice_client, contact, call):
    task = make_task(alice, call, contact=contact, title="Send the quote")
    url = reverse("tasks:done", args=[task.pk])
    card = contact.get_absolute_url()
    line = alice_client.post(url, {"next": card}, headers={"HX-Request": "true"}).content.decode()
    assert "task-done" in line and card in line and "Jean Dupont" not in line
    line = alice_client.post(url, {"done": "0"}, headers={"HX-Request": "true"}).content.decode()
    assert "Jean Dupont" in line and "task-done" not in line


def test_the_task_form_refuses_a_bad_date_with_a_message(alice_client, contact, call):
    url = reverse("tasks:add") + f"?contact={contact.pk}"
    response = alice_client.post(url, {"title": "", "due_date": "31/31/2026", "category": call.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page and "Enter a valid date." in page
    assert not Task.objects.exists()


def test_the_card_shows_the_open_tasks(alice, alice_client, contact, call):
    make_task(alice, call, contact=contact, title="Send the quote")
    page = alice_client.get(contact.get_absolute_url()).content.decode()
    assert 'id="tasks"' in page and "Send the quote" in page


def test_a_task_for_each_selected_contact(alice, bob, alice_client, make_contact, call):
    mine = [make_contact(last_name=f"Dupont{i}") for i in range(3)]
    read_only = make_contact(by=bob, access=Contact.Access.PUBLIC_READ, last_name="Lu")
    hidden = make_contact(by=bob, last_name="Secret")
    ids = [c.pk for c in [*mine, read_only, hidden]]
    page = alice_client.post(reverse("tasks:bulk"), {"selected": ids}).content.decode()
    assert "One task each will be created for 4 contacts" in page
    assert "Secret" not in page
    form = {"selected": ids, "title": "Send the catalogue", "due_date": "2026-12-20",
            "category": call.pk, "responsible": alice.pk, "confirm": "1"}  # fmt: skip
    response = alice_client.post(reverse("tasks:bulk"), form, follow=True)
    assert set(Task.objects.values_list("contact_id", flat=True)) == {c.pk for c in mine}
    assert "3 tasks created. 1 contact skipped" in response.content.decode()


def test_exports_in_csv_and_icalendar(alice, alice_client, contact, call):
    profile_update(user=alice, language="en", time_zone="Europe/Paris")
    make_task(alice, call, contact=contact, title="=HYPERLINK(1)", due_date=date(2026, 12, 20))
    make_task(alice, call, title="Meet", due_date=date(2026, 12, 21), due_time=time(14, 30),
              reminder=Task.Reminder.MINUTES_15)  # fmt: skip
    csv_text = b"".join(alice_client.get(reverse("tasks:list") + "?format=csv").streaming_content)
    lines = csv_text.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Title,Due date,Time,Category,Responsible,Contact")
    assert lines[1].startswith("'=HYPERLINK(1),2026-12-20,,Call,Alice Martin,Jean Dupont,Open")
    ics = alice_client.get(reverse("tasks:list") + "?format=ics")
    calendar = vobject.readOne(ics.content.decode())
    events = {e.summary.value: e for e in calendar.vevent_list}
    assert events["=HYPERLINK(1)"].dtstart.value == date(2026, 12, 20)
    meet = events["Meet"]
    assert meet.dtstart.value.isoformat() == "2026-12-21T13:30:00+00:00"  # 14:30 in Paris
    assert meet.valarm.trigger.value.isoformat() == "2026-12-21T13:15:00+00:00"


def test_the_demo_has_calls_notes_and_tasks_written_by_their_users(settings):
    from contacts.demo.demo import seed_demo

    settings.LANGUAGE_CODE = "fr"
    seed_demo()
    marie_tasks = Task.objects.filter(responsible__username="marie")
    assert marie_tasks.count() == 4
    assert set(marie_tasks.values_list("author__username", flat=True)) == {"marie"}
    assert marie_tasks.filter(title="Rappeler au sujet du devis").exists()
    assert Event.objects.filter(author__username="marie").count() == 4


def test_the_bell_names_the_task_while_its_reader_may_see_it(
    alice, bob, make_contact, call, client
):
    contact = make_contact(responsible=[alice, bob])
    task = make_task(alice, call, contact=contact, responsible=bob, title="Send the quote",
                     due_date=date(2026, 12, 20))  # fmt: skip
    services.task_update(by=alice, task=task, reminder=0)
    reminders.reminders_send_due(task.remind_at)
    client.force_login(bob)
    page = client.get(reverse("contacts:notifications")).content.decode()
    link = f'<a href="{reverse("tasks:edit", args=[task.pk])}">Send the quote</a>'
    assert f"Alice Martin gave you a task: {link}, due 20 Dec 2026." in page
    assert f"Reminder: {link}, due 20 Dec 2026." in page
    # Once he may not see the contact any more, the bell does not name the task.
    revoke_responsible_many([contact.pk], [bob.pk])
    page = client.get(reverse("contacts:notifications")).content.decode()
    assert "Send the quote" not in page
    assert page.count("A task you cannot see any more.") == 2


def test_my_task_about_a_contact_i_may_no_longer_see_is_left_out_of_my_list(
    alice, bob, alice_client, make_contact, call
):
    contact = make_contact(responsible=[alice, bob], last_name="Secret")
    task = make_task(alice, call, contact=contact, responsible=bob, title="Call Mr Secret")
    make_task(bob, call, title="Plain one")
    revoke_responsible_many([contact.pk], [bob.pk])
    alice_client.force_login(bob)
    page = alice_client.get(reverse("tasks:list")).content.decode()
    assert "Plain one" in page and "Call Mr Secret" not in page and "Secret" not in page
    assert alice_client.get(reverse("tasks:edit", args=[task.pk])).status_code == 404


@pytest.mark.parametrize("section", selectors.SECTIONS)
def test_each_section_of_my_tasks_is_read_in_order_from_an_index(alice, section):
    tasks = selectors.filtered(alice, selectors.Filters(responsible=alice.pk), checked=False)
    query = selectors.section_queries(tasks, timezone.localdate())[section]
    text = plan(query[:10], sorted_by_index=True)
    assert not sorts_after_reading(text), text
    scanned = [line.split()[-1] for line in full_scans(text)]  # the users' and categories' few
    assert "activities_task" not in scanned, text


def test_each_section_shows_its_tasks_in_the_databases_order(alice, contact, call):
    today = timezone.localdate()
    for days, hour in [(0, 10), (0, None), (0, 9), (0, None), (-2, None), (-2, 8), (5, None)]:
        due_time = time(hour) if hour is not None else None
        make_task(alice, call, due_date=today + timedelta(days=days), due_time=due_time)
    finished = [make_task(alice, call, contact=contact) for _ in range(3)]
    Task.objects.filter(pk__in=[t.pk for t in finished]).update(done_at=timezone.now())
    filters = selectors.Filters(responsible=alice.pk)
    shown = {s.name: [t.pk for t in s.tasks] for s in selectors.sections(alice, filters, {})}
    tasks = selectors.filtered(alice, filters, checked=False)
    for name, query in selectors.section_queries(tasks, today).items():
        assert shown[name] == list(query.values_list("pk", flat=True)), name
