from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        # Connected once every app's models are loaded: the receivers import them.
        from contacts import signals  # noqa: F401
        from contacts.custom_fields import values
        from contacts.db import any_of
        from contacts.models import CrmSettings, CustomField, forget_settings
        from contacts.relations.models import RelationType
        from contacts.relations.services import forget_cached

        any_of.register()
        # The cached list of relation types follows every write of one, whoever writes it.
        post_save.connect(forget_cached, sender=RelationType, dispatch_uid="relation_type_saved")
        post_delete.connect(forget_cached, sender=RelationType, dispatch_uid="relation_type_gone")
        # And the cached user fields, which every card shows.
        post_save.connect(values.forget_cached, sender=CustomField, dispatch_uid="field_saved")
        post_delete.connect(values.forget_cached, sender=CustomField, dispatch_uid="field_gone")
        # And the CRM's settings, which every contact form reads.
        post_save.connect(forget_settings, sender=CrmSettings, dispatch_uid="settings_saved")
