from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        # The webhooks hear the contacts' history, the timeline's and the tasks' changes and
        # the imports that ended, notify through the bell and retry in the worker by the
        # hooks those apps offer (none imports the api).
        from activities.signals import event_saved  # noqa: PLC0415 (see above)
        from activities.tasks.signals import task_saved  # noqa: PLC0415 (idem)
        from api.webhooks import receivers, sending  # noqa: PLC0415 (idem)
        from contacts import worker  # noqa: PLC0415 (idem)
        from contacts.history import recorded  # noqa: PLC0415 (idem)
        from contacts.notifications import register_verb  # noqa: PLC0415 (idem)
        from contacts.signals import import_finished  # noqa: PLC0415 (idem)

        recorded.connect(receivers.contacts_recorded, dispatch_uid="api.webhooks")
        task_saved.connect(receivers.task_saved, dispatch_uid="api.webhooks.tasks")
        event_saved.connect(receivers.event_saved, dispatch_uid="api.webhooks.events")
        import_finished.connect(receivers.import_finished, dispatch_uid="api.webhooks.imports")
        register_verb(sending.NOTIFICATION_VERB, receivers.describe_disabled)
        worker.register("webhooks", sending.check_interval, sending.deliveries_send_due)
