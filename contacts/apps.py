from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        # Connected once every app's models are loaded: the receivers import them.
        from contacts import signals  # noqa: F401
