from django.dispatch import Signal

# Sent by the timeline's services in the transaction of the write, once the events are
# saved: event_ids; created, whether they are new. The REST API's webhooks receive it
# (api.apps).
event_saved = Signal()
