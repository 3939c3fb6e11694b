import pytest
from django.urls import reverse

from activities import services
from activities.models import Event, EventCategory

pytestmark = pytest.mark.django_db


def names():
    return list(EventCategory.objects.values_list("name", flat=True))


def test_admin_adds_renames_and_moves_a_category(admin_client):
    response = admin_client.post(
        reverse("settings_app:event_categories"), {"name": "Visit", "icon": "truck"}
    )
    assert response.status_code == 302
    visit = EventCategory.objects.get(name="Visit")
    assert names() == ["Note", "Call", "E-mail", "Meeting", "Visit"]
    admin_client.post(
        reverse("settings_app:event_category_edit", args=[visit.pk]),
        {"name": "Site visit", "icon": "truck"},
    )
    admin_client.post(
        reverse("settings_app:event_category_move", args=[visit.pk]), {"direction": "up"}
    )
    assert names() == ["Note", "Call", "E-mail", "Site visit", "Meeting"]
    page = admin_client.get(reverse("settings_app:event_categories")).content.decode()
    assert "Site visit" in page and "bi-truck" in page


def test_the_list_names_the_defaults_in_french_and_a_renamed_one_as_typed(admin_client, admin):
    from accounts.services import profile_update  # why: only this test reads French

    profile_update(user=admin, language="fr")
    EventCategory.objects.filter(code="call").update(name="Coup de fil")
    page = admin_client.get(reverse("settings_app:event_categories")).content.decode()
    assert "Réunion" in page and "Coup de fil" in page and "Meeting" not in page


def test_deleting_a_category_in_use_asks_where_its_events_go(admin_client, alice, contact):
    note, call = (EventCategory.objects.get(code=c) for c in ("note", "call"))
    event = services.event_create(by=alice, contact=contact, category=note, text="x")
    url = reverse("settings_app:event_category_delete", args=[note.pk])
    page = admin_client.get(url).content.decode()
    assert "1 event has the category “Note”" in page
    assert admin_client.post(url, {}).status_code == 200  # no choice made: asked again
    assert EventCategory.objects.filter(pk=note.pk).exists()
    assert admin_client.post(url, {"replacement": call.pk}).status_code == 302
    assert not EventCategory.objects.filter(pk=note.pk).exists()
    assert Event.objects.get(pk=event.pk).category == call


def test_an_unused_category_is_deleted_at_once(admin_client):
    unused = EventCategory.objects.create(name="Unused")
    url = reverse("settings_app:event_category_delete", args=[unused.pk])
    assert "No event has this category" in admin_client.get(url).content.decode()
    admin_client.post(url)
    assert not EventCategory.objects.filter(pk=unused.pk).exists()


def test_a_crm_user_may_not_manage_categories(alice_client):
    response = alice_client.post(
        reverse("settings_app:event_categories"), {"name": "Mine", "icon": "star"}
    )
    assert response.status_code == 403
    assert not EventCategory.objects.filter(name="Mine").exists()


def test_task_categories_are_kept_the_same_way_and_a_used_one_moves_its_tasks(admin_client, admin):
    from datetime import date  # why: only these tests make tasks

    from activities.models import TaskCategory
    from activities.tasks import services as tasks

    url = reverse("settings_app:task_categories")
    page = admin_client.get(url).content.decode()
    assert "Task categories" in page and "Follow-up" in page
    admin_client.post(url, {"name": "Demo", "icon": "star"})
    demo = TaskCategory.objects.get(name="Demo")
    assert list(TaskCategory.objects.values_list("name", flat=True))[-1] == "Demo"
    assert not EventCategory.objects.filter(name="Demo").exists()
    task = tasks.task_create(by=admin, category=demo, title="Show it", due_date=date(2026, 12, 24))
    delete = reverse("settings_app:task_category_delete", args=[demo.pk])
    page = admin_client.get(delete).content.decode()
    assert "1 task has the category “Demo”" in page and "Move its tasks to the category" in page
    call = TaskCategory.objects.get(code="call")
    response = admin_client.post(delete, {"replacement": call.pk})
    assert response.status_code == 302 and response.url == url
    task.refresh_from_db()
    assert task.category == call and not TaskCategory.objects.filter(name="Demo").exists()


def test_an_ordinary_user_cannot_touch_the_task_categories(alice_client):
    assert alice_client.get(reverse("settings_app:task_categories")).status_code == 403
