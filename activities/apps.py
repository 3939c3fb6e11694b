from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from activities import receivers  # noqa: PLC0415 (the models are loaded now)
        from activities.demo import seed_demo_activities  # noqa: PLC0415 (idem)
        from activities.tasks import reminders  # noqa: PLC0415 (idem)
        from contacts import worker  # noqa: PLC0415 (idem)
        from contacts.demo.demo import demo_seeded  # noqa: PLC0415 (idem)
        from contacts.signals import notes_imported  # noqa: PLC0415 (idem)

        worker.register("task-reminders", reminders.check_interval, reminders.reminders_send_due)
        demo_seeded.connect(seed_demo_activities, dispatch_uid="activities-demo")
        # contacts never imports activities: the import tells of its notes by a signal.
        notes_imported.connect(receivers.write_imported_notes, dispatch_uid="activities.notes")
