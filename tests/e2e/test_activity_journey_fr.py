"""A small team's day in French, in a browser: alice logs a call with an attachment on a
private contact she shares with bob and mentions him, then gives him a task with a
reminder; bob sees the badge, completes the task from My tasks with one click, and finds
the mention and the task under his bell. carol, a CRM user who is not responsible for the
contact, gets neither the card nor the attachment; an anonymous visitor is sent to log in.
The card and My tasks are saved as screenshots on a desktop and a 375 px phone, in French
and in English."""

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.services import profile_update
from activities.models import Event, EventCategory, Task, TaskCategory
from activities.tasks import services
from activities.tasks.reminders import reminders_send_due
from contacts.models import Notification
from tests.e2e.conftest import SCREENSHOTS, new_page
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy

PARIS = ZoneInfo("Europe/Paris")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 667}
# Only in the attached file: a response that holds it has leaked the file.
SECRET = "Remise consentie : 12 % sur la gamme 2027, confidentiel."
CALL = "Appelé, @bob rappellera demain"
TASK = "Rappeler Jean pour la remise"


@pytest.fixture
def browser_locale():
    return "fr-FR"


@pytest.fixture
def categories():
    # The live server's tests flush the database, and with it the migrations' rows.
    events = [("note", "Note", "sticky"), ("call", "Call", "telephone")]
    tasks = [("call", "Call", "telephone"), ("follow_up", "Follow-up", "arrow-repeat")]
    for model, rows in ((EventCategory, events), (TaskCategory, tasks)):
        for position, (code, name, icon) in enumerate(rows):
            model.objects.get_or_create(
                code=code, defaults={"name": name, "icon": icon, "position": position}
            )


@pytest.fixture
def carol(make_user):
    return make_user("carol", last_name="Petit")


@pytest.fixture
def shared(make_contact, alice, bob, carol, categories):
    for user in (alice, bob, carol):
        profile_update(user=user, language="fr", time_zone="Europe/Paris")
    return make_contact(first_name="Jean", last_name="Valjean", responsible=[alice, bob])


def log_in(page, username):
    page.goto("/")
    expect(page.get_by_role("heading", name="Connexion au CRM")).to_be_visible()
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    # Signing in opens the overview; the list is one click away.
    expect(page.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    page.locator("#open-list").click()
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "fr"


def screenshots(page, name):
    """Save the whole page on a desktop and on a 375 px phone, whose width it must fit."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for kind, viewport in (("desktop", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], kind
        page.screenshot(
            path=SCREENSHOTS / f"activity-journey-fr--{name}-{kind}.png", full_page=True
        )
    page.set_viewport_size(DESKTOP)


def test_a_call_a_mention_and_a_task_then_the_colleague_completes_it(
    page, browser, live_server, alice, bob, carol, shared
):
    card = shared.get_absolute_url()
    today = datetime.now(PARIS).date()

    # 1. alice logs a call with an attachment and mentions bob.
    log_in(page, "alice")
    page.goto(card)
    expect(page.get_by_role("link", name="Ajouter au fil")).to_be_visible()
    page.wait_for_load_state("domcontentloaded")  # the shortcut's script is deferred
    page.keyboard.press("a")
    dialog = page.locator("#event-dialog")
    expect(dialog.get_by_role("heading", name="Ajouter au fil")).to_be_visible()
    text = dialog.get_by_label("Texte")
    expect(text).to_be_focused()
    dialog.get_by_label("Catégorie").select_option(label="Appel")
    text.fill(CALL)
    dialog.get_by_label("Pièces jointes").set_input_files(
        files=[{"name": "compte-rendu.txt", "mimeType": "text/plain", "buffer": SECRET.encode()}]
    )
    dialog.get_by_role("button", name="Ajouter", exact=True).click()

    expect(page.get_by_text("Ajouté au fil.")).to_be_visible()
    event = page.locator(".timeline-event").first
    expect(event).to_contain_text("Appel")
    expect(event).to_contain_text("Appelé, @bob rappellera demain")
    expect(event.locator(".mention")).to_have_text(["@bob"])
    link = event.get_by_role("link", name="compte-rendu.txt")
    expect(link).to_be_visible()
    attachment_url = link.get_attribute("href")
    saved = Event.objects.get(contact=shared)
    assert saved.category.code == "call"
    assert saved.text == CALL
    assert saved.attachments.get().name == "compte-rendu.txt"
    # Downloaded by one who may see the contact: the file as it was sent, under its name.
    download = page.request.get(attachment_url)
    assert download.status == 200
    assert download.body() == SECRET.encode()
    assert 'filename="compte-rendu.txt"' in download.headers["content-disposition"]
    assert Notification.objects.filter(recipient=bob, verb="mentioned").count() == 1
    # The e-mail of the mention, in bob's language.
    subjects = [m.subject for m in mail.outbox if m.to == ["bob@example.com"]]
    assert "Alice Martin vous a mentionné sur la fiche de Jean Valjean" in subjects

    # 2. alice gives bob a task from the card's box, with a reminder 15 minutes before.
    tasks_box = page.locator("#tasks")
    expect(tasks_box.get_by_role("heading", name="Tâches à faire")).to_be_visible()
    tasks_box.get_by_role("link", name="Ajouter une tâche").click()
    expect(page.get_by_role("heading", name="Nouvelle tâche", level=1)).to_be_visible()
    page.get_by_label("Titre").fill(TASK)
    page.get_by_label("Échéance").fill(today.isoformat())
    page.get_by_label("Heure").fill("16:30")
    page.get_by_label("Catégorie").select_option(label="Appel")
    page.get_by_label("Utilisateur responsable").select_option(label="Bob Durand")
    page.get_by_label("Rappel").select_option(label="15 minutes avant")
    page.get_by_role("button", name="Enregistrer").click()

    page.wait_for_url(f"**{card}")
    expect(page.get_by_role("alert").filter(has_text="La tâche est enregistrée.")).to_be_visible()
    line = tasks_box.locator(".task").filter(has_text=TASK)
    expect(line).to_contain_text("Appel")
    expect(line).to_contain_text("Bob Durand")
    expect(line).to_contain_text("15 minutes avant")
    expect(line).to_contain_text("16:30")
    task = Task.objects.get(title=TASK)
    assert (task.responsible, task.contact, task.due_date) == (bob, shared, today)
    assert task.reminder == Task.Reminder.MINUTES_15
    due = datetime.combine(today, task.due_time, tzinfo=PARIS)
    assert task.remind_at == due.replace(minute=15)
    screenshots(page, "card")
    assert_page_was_healthy(page)

    # The task worker's sweep, at the reminder's time: it writes bob's reminder.
    assert reminders_send_due(now=task.remind_at) == 1

    # 3. bob, in a browser of his own: the badge, My tasks, one click.
    colleague = new_page(browser, live_server, locale="fr-FR", viewport=DESKTOP)
    log_in(colleague, "bob")
    nav = colleague.locator("#nav-tasks")
    expect(nav).to_contain_text("Tâches")
    expect(colleague.locator("#tasks-due")).to_have_text("1 en retard ou pour aujourd’hui")
    nav.click()
    expect(colleague.get_by_role("heading", name="Mes tâches", level=1)).to_be_visible()
    today_box = colleague.locator("section#today")
    expect(today_box.get_by_role("heading", name="Aujourd’hui")).to_be_visible()
    mine = today_box.locator(".task").filter(has_text=TASK)
    expect(mine).to_contain_text("Jean Valjean")
    expect(colleague.locator("section#done")).to_contain_text("Rien de fait pour l’instant.")
    screenshots(colleague, "my-tasks")

    mine.get_by_role("button", name=f"Marquer « {TASK} » comme faite").click()
    # htmx swaps the line in place: checked and struck through, without a page load.
    done = colleague.locator(f"#task-{task.pk}")
    expect(done).to_have_class(re.compile(r"\btask-done\b"))
    expect(done.get_by_role("button", name=f"Marquer « {TASK} » comme à faire")).to_be_visible()
    expect(done).to_contain_text("faite le")
    assert Task.objects.get(pk=task.pk).done_at is not None

    colleague.reload()
    expect(colleague.locator("#nav-tasks")).to_have_text("Tâches")
    expect(colleague.locator("#tasks-due")).to_have_count(0)
    expect(colleague.locator("section#today")).to_contain_text("Rien pour aujourd’hui.")
    expect(colleague.locator("section#done").locator(".task")).to_contain_text(TASK)
    screenshots(colleague, "my-tasks-done")

    expect(colleague.locator("#unread-count")).to_be_visible()
    colleague.get_by_title("Notifications").click()
    lines = colleague.locator(".list-group-item")
    expect(
        lines.filter(has_text="Alice Martin vous a mentionné sur la fiche de Jean Valjean")
    ).to_contain_text("« Appelé, @bob rappellera demain »")
    expect(lines.filter(has_text="Alice Martin vous a confié une tâche")).to_contain_text(TASK)
    expect(lines.filter(has_text="Rappel :")).to_contain_text(TASK)
    assert_page_was_healthy(colleague)

    # 4. carol may use the CRM but not see this private contact: neither the card nor the file.
    stranger = new_page(browser, live_server, locale="fr-FR", viewport=DESKTOP)
    log_in(stranger, "carol")
    refused = stranger.request.get(attachment_url)
    assert refused.status == 404
    assert SECRET not in refused.text()
    assert "compte-rendu" not in refused.text()
    assert stranger.goto(card).status == 404
    expect(stranger.locator("body")).not_to_contain_text("Valjean")

    anonymous = new_page(browser, live_server, locale="fr-FR")
    sent_away = anonymous.request.get(attachment_url, max_redirects=0)
    assert sent_away.status == 302
    assert sent_away.headers["location"].startswith("/accounts/login/?next=")
    assert SECRET not in sent_away.text()
    for other in (colleague, stranger, anonymous):
        other.context.close()


def test_the_tasks_look_right_in_english(browser, live_server, alice, shared):
    """The card's open tasks and My tasks, with the done button, in English."""
    profile_update(user=alice, language="en", time_zone="Europe/Paris")
    today = datetime.now(PARIS).date()
    call = TaskCategory.objects.get(code="call")
    services.task_create(
        by=alice,
        contact=shared,
        title="Send the 2027 price list",
        due_date=today,
        due_time=time(16, 30),
        category=call,
        reminder=Task.Reminder.HOUR_1,
    )
    done = services.task_create(
        by=alice, contact=shared, title="Book the trade fair stand", due_date=today, category=call
    )
    services.task_set_done(by=alice, task=done, done=True)
    page = new_page(browser, live_server, locale="en-US", viewport=DESKTOP)
    page.goto("/")
    page.locator("#id_login").fill("alice")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/overview/")

    page.goto(shared.get_absolute_url())
    box = page.locator("#tasks")
    expect(box.get_by_role("heading", name="Open tasks")).to_be_visible()
    toggle = box.get_by_role("button", name="Mark “Send the 2027 price list” as done")
    expect(toggle).to_have_css("border-radius", "50%")
    assert toggle.bounding_box()["width"] >= 24  # a target a finger can hit
    expect(box).not_to_contain_text("Book the trade fair stand")
    screenshots(page, "card-en")

    page.goto("/tasks/")
    expect(page.locator("section#today")).to_contain_text("Send the 2027 price list")
    expect(page.locator("section#done")).to_contain_text("Book the trade fair stand")
    expect(page.locator("#tasks-due")).to_contain_text("1")
    screenshots(page, "my-tasks-en")
    assert_page_was_healthy(page)
    page.context.close()
