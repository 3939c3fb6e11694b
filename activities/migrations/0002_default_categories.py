from django.db import migrations

# The English names: EventCategory.shown_name translates them while they are unchanged.
DEFAULTS = [
    ("note", "Note", "sticky"),
    ("call", "Call", "telephone"),
    ("email", "E-mail", "envelope"),
    ("meeting", "Meeting", "people"),
]


def create_defaults(apps, schema_editor):
    EventCategory = apps.get_model("activities", "EventCategory")
    for position, (code, name, icon) in enumerate(DEFAULTS):
        EventCategory.objects.get_or_create(
            code=code, defaults={"name": name, "icon": icon, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_events")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
