"""The background tasks moved beside their services: queued tasks follow them.

A task waiting in the database queue names the function it runs by its dotted path, so
one enqueued before the upgrade would otherwise fail to import when a worker picks it up.
"""

from django.db import migrations

MOVED = {
    "contacts.tasks.send_assignment_email": "contacts.notifications.send_assignment_email",
    "contacts.tasks.run_bulk_job": "contacts.bulk.services.run_bulk_job",
    "contacts.tasks.purge_trash": "contacts.trash.services.purge_trash",
    "contacts.tasks.send_web_form_email": "contacts.webforms.services.send_web_form_email",
    "contacts.tasks.run_import": "contacts.imports.services.run_import",
    "contacts.tasks.send_import_email": "contacts.imports.report.send_import_email",
}


def rename(apps, schema_editor, moves=MOVED):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in moves.items():
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0024_name_sort"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]
    operations = [migrations.RunPython(rename, rename_back)]
