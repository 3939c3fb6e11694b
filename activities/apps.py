from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # Imported here: the app registry is ready, and contacts never imports activities.
        from activities import receivers
        from contacts.signals import notes_imported

        notes_imported.connect(receivers.write_imported_notes, dispatch_uid="activities.notes")
