from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        # The webhooks hear the contacts' history, notify through the bell and retry in the
        # worker by the hooks contacts offers (contacts never imports the api).
        from api.webhooks import receivers, sending  # noqa: PLC0415 (see above)
        from contacts import worker  # noqa: PLC0415 (idem)
        from contacts.history import recorded  # noqa: PLC0415 (idem)
        from contacts.notifications import register_verb  # noqa: PLC0415 (idem)

        recorded.connect(receivers.contacts_recorded, dispatch_uid="api.webhooks")
        register_verb(sending.NOTIFICATION_VERB, receivers.describe_disabled)
        worker.register("webhooks", sending.check_interval, sending.deliveries_send_due)
