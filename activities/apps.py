from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from activities.categories import forget_cached  # why: models load after apps
        from activities.models import EventCategory

        # The cached list of categories follows every write of one (activities.categories).
        post_save.connect(forget_cached, sender=EventCategory, dispatch_uid="categories_saved")
        post_delete.connect(forget_cached, sender=EventCategory, dispatch_uid="categories_gone")
