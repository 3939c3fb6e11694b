"""Fold the stored search text and sort names again, every Latin letter to ASCII.

The earlier fold only took accents off, so "lukasz" did not find Łukasz nor "soren"
Søren. The rows are read in batches by id, and only those whose text changes are
written: a list of 100,000 contacts never sits in memory at once.

It calls the code that builds the text for every writer (services.search_text_for and
Contact.compute_names), so the stored text is exactly what a new contact gets.
"""

from django.db import migrations

BATCH = 1000
FIELDS = ["kind", "first_name", "last_name", "company_name", "job_title", "custom", "company_id"]


def rebuild(apps, schema_editor):
    # Today's code, loaded when the migration runs rather than whenever the migration
    # graph is read: the stored text must be what a new contact gets.
    from contacts import search_text as services
    from contacts.custom_fields import values as custom_fields
    from contacts.models import Contact as CurrentContact

    alias = schema_editor.connection.alias
    Contact = apps.get_model("contacts", "Contact")
    ContactInfo = apps.get_model("contacts", "ContactInfo")
    CustomField = apps.get_model("contacts", "CustomField")
    contacts = Contact._base_manager.using(alias)
    text_keys = {
        str(pk)
        for pk in CustomField.objects.using(alias)
        .filter(field_type__in=custom_fields.SEARCHABLE)
        .values_list("pk", flat=True)
    }
    table = schema_editor.connection.ops.quote_name(Contact._meta.db_table)
    # safe-sql: table is the Contact model's table name, quoted by the backend.
    update = f"UPDATE {table} SET search_text = %s, sort_name = %s WHERE id = %s"  # noqa: S608
    scratch = CurrentContact()
    last = 0
    while True:
        batch = list(
            contacts.filter(pk__gt=last)
            .order_by("pk")
            .only("sort_name", "search_text", *FIELDS)[:BATCH]
        )
        if not batch:
            return
        last = batch[-1].pk
        infos = {}
        for contact_id, kind, value in (
            ContactInfo.objects.using(alias)
            .filter(contact_id__in=[c.pk for c in batch])
            .order_by("contact_id", "kind", "-is_primary", "position", "id")
            .values_list("contact_id", "kind", "value")
        ):
            infos.setdefault(contact_id, []).append({"kind": kind, "value": value})
        companies = dict(
            contacts.filter(
                pk__in={c.company_id for c in batch if c.company_id}, deleted_at__isnull=True
            ).values_list("pk", "display_name")
        )
        changed = []
        for contact in batch:
            for name in FIELDS:
                setattr(scratch, name, getattr(contact, name))
            scratch.compute_names()
            search_text = services.search_text_for(
                scratch, infos.get(contact.pk, []), companies.get(contact.company_id, ""), text_keys
            )
            if (search_text, scratch.sort_name) != (contact.search_text, contact.sort_name):
                changed.append((search_text, scratch.sort_name, contact.pk))
        # One statement per row: bulk_update's CASE over a thousand ids costs more.
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(update, changed)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0019_contact_counts")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
