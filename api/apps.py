from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        # The webhooks hear the contacts' history, the tasks' changes and the imports that
        # ended, notify through the bell and retry in the worker by the hooks those apps
        # offer (neither imports the api).
        from activities.tasks.signals import task_saved  # noqa: PLC0415 (see above)
        from api.webhooks import receivers, sending  # noqa: PLC0415 (idem)
        from contacts import worker  # noqa: PLC0415 (idem)
        from contacts.history import recorded  # noqa: PLC0415 (idem)
        from contacts.notifications import register_verb  # noqa: PLC0415 (idem)
        from contacts.signals import import_finished  # noqa: PLC0415 (idem)

        recorded.connect(receivers.contacts_recorded, dispatch_uid="api.webhooks")
        task_saved.connect(receivers.task_saved, dispatch_uid="api.webhooks.tasks")
        import_finished.connect(receivers.import_finished, dispatch_uid="api.webhooks.imports")
        register_verb(sending.NOTIFICATION_VERB, receivers.describe_disabled)
        worker.register("webhooks", sending.check_interval, sending.deliveries_send_due)
