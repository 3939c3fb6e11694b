from django.db import migrations

# The English names: TaskCategory.shown_name translates them while they are unchanged.
DEFAULTS = [
    ("call", "Call", "telephone"),
    ("email", "E-mail", "envelope"),
    ("meeting", "Meeting", "people"),
    ("follow_up", "Follow-up", "arrow-repeat"),
]


def create_defaults(apps, schema_editor):
    TaskCategory = apps.get_model("activities", "TaskCategory")
    for position, (code, name, icon) in enumerate(DEFAULTS):
        TaskCategory.objects.get_or_create(
            code=code, defaults={"name": name, "icon": icon, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_tasks")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
