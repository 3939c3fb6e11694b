from django.dispatch import Signal

# Sent by the task services in the transaction of the change, once the task is saved:
# task_id; created, whether it is new. The REST API's webhooks receive it (api.apps).
task_saved = Signal()
