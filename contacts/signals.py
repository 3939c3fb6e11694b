from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models.signals import post_migrate, post_save
from django.dispatch import Signal, receiver

from contacts.access import ensure_groups, make_crm_user
from contacts.db import breakdowns, counts
from contacts.db.statistics import refresh_statistics


@receiver(post_migrate)
def create_groups(sender, app_config=None, using="default", **kwargs):
    # The permissions these groups hold exist only once post_migrate has created them.
    if app_config is not None and app_config.label == "contacts":
        ensure_groups(using=using)
        refresh_statistics()
        # A flush (tests, no plan) empties the tables in any order with the count
        # triggers on; a migration may write rows with them off. A migrate that applied
        # nothing changed nothing: its recount, which reads every contact, is spared.
        if kwargs.get("plan") == []:
            return
        connection = connections[using]
        if counts.TABLE in connection.introspection.table_names():  # not if migrated back
            counts.recount(connection)
        if breakdowns.TABLE in connection.introspection.table_names():
            breakdowns.recount(connection)


@receiver(post_save, sender=get_user_model())
def add_new_user_to_crm_users(sender, instance, created, raw=False, **kwargs):
    # Every account is a CRM user: that group is how public contacts are shared.
    if created and not raw:
        make_crm_user(instance)


# Sent by the CSV import in each batch's transaction, once its contacts are written:
# notes, a list of (contact id, text), for the timeline, which contacts does not keep; by,
# the importing user; at, the moment the notes happen; fresh, the ids of the contacts the
# batch created, whose last activity is that moment already. The timeline's app receives
# it (activities.apps).
notes_imported = Signal()

# Sent by the CSV import once a job has ended (finished, cancelled or stopped by an
# error) and its importer was told: job_id. The REST API's webhooks receive it (api.apps).
import_finished = Signal()
