from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # The bell (in contacts, which never imports activities) writes these apps' lines,
        # the worker runs their checks and the demo gets their data through the hooks
        # contacts offers, filled here once every app's models are loaded.
        from activities import (
            mentions,  # noqa: PLC0415 (see above)
            receivers,  # noqa: PLC0415 (idem)
        )
        from activities.categories import forget_cached  # noqa: PLC0415 (idem)
        from activities.demo import seed_demo_activities  # noqa: PLC0415 (idem)
        from activities.models import EventCategory  # noqa: PLC0415 (idem)
        from activities.tasks import reminders  # noqa: PLC0415 (idem)
        from activities.tasks.notifications import describe_tasks  # noqa: PLC0415 (idem)
        from contacts import worker  # noqa: PLC0415 (idem)
        from contacts.demo.demo import demo_seeded  # noqa: PLC0415 (idem)
        from contacts.notifications import register_verb  # noqa: PLC0415 (idem)
        from contacts.signals import notes_imported  # noqa: PLC0415 (idem)

        register_verb(mentions.VERB, mentions.describe_mentions)
        for verb in ("task_reminder", "task_assigned"):
            register_verb(verb, describe_tasks)
        worker.register("task-reminders", reminders.check_interval, reminders.reminders_send_due)
        demo_seeded.connect(seed_demo_activities, dispatch_uid="activities-demo")

        # The cached list of categories follows every write of one (activities.categories).
        post_save.connect(forget_cached, sender=EventCategory, dispatch_uid="categories_saved")
        post_delete.connect(forget_cached, sender=EventCategory, dispatch_uid="categories_gone")
        # contacts never imports activities: the import tells of its notes by a signal.
        notes_imported.connect(receivers.write_imported_notes, dispatch_uid="activities.notes")
