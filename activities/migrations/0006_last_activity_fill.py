"""Fill the contacts' last activity from the events written before it was kept."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    Event = apps.get_model("activities", "Event")
    # One statement for every contact that has events, as the services' refresh writes it.
    newest = Event.objects.filter(contact=OuterRef("pk")).order_by("-happened_at", "-id")
    with_events = Event.objects.values("contact_id")
    Contact._base_manager.filter(pk__in=with_events).update(
        last_activity_at=Subquery(newest.values("happened_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_default_task_categories"),
        ("contacts", "0032_last_activity"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
