from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self):
        # The worker deletes the copies past their days through the hook contacts offers,
        # filled here once every app's models are loaded.
        from contacts import worker  # noqa: PLC0415 (see above)
        from contacts.personal_data import suppression  # noqa: PLC0415 (idem)
        from privacy import erasure, exports, register  # noqa: PLC0415 (idem)

        worker.register("privacy-exports", exports.cleanup_interval, exports.exports_delete_expired)
        worker.register("privacy-erasures", erasure.cleanup_interval, erasure.erasures_resume_stale)
        suppression.signal_lifted.connect(register.lift_log, dispatch_uid="privacy.register")
