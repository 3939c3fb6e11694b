"""The migration that points tasks queued before the upgrade at their new modules."""

import importlib

import pytest
from django.apps import apps
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from contacts.trash.services import purge_trash

task_paths = importlib.import_module("contacts.migrations.0025_task_paths")


@pytest.mark.parametrize("path", task_paths.MOVED.values())
def test_every_new_path_names_a_task(path):
    assert import_string(path).module_path == path


@pytest.mark.django_db
def test_a_task_queued_under_its_old_path_runs_under_its_new_one(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = purge_trash.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(task_path="contacts.tasks.purge_trash")

    task_paths.rename(apps, None)

    assert DBTaskResult.objects.get(pk=result.id).task.module_path == (
        "contacts.trash.services.purge_trash"
    )
