from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # The bell (in contacts, which never imports activities) writes a mention's line
        # through the function registered here, once every app's models are loaded.
        from activities import mentions
        from contacts.notifications import register_verb

        register_verb(mentions.VERB, mentions.describe_mentions)
