"""The data version that the contact list's cache is keyed on (see contacts/db/freshness.py).

The triggers are written out as this migration installed them, so that a later change to
freshness.py cannot change what it does: a row trigger on SQLite, a constraint trigger
deferred to the commit on PostgreSQL, on every table the list reads.
"""

from django.db import migrations, models

TABLES = (
    "contacts_contact",
    "contacts_contactinfo",
    "contacts_contact_responsible",
    "contacts_taggedcontact",
    "taggit_tag",
    "contacts_contactuserobjectpermission",
    "contacts_contactgroupobjectpermission",
    "contacts_contacttype",
    "contacts_customfield",
    "auth_user",
    "auth_user_groups",
)
EVENTS = ("insert", "update", "delete")

POSTGRESQL_FUNCTION = """
CREATE SEQUENCE IF NOT EXISTS contacts_data_version_seq;
CREATE OR REPLACE FUNCTION contacts_bump_data_version() RETURNS trigger AS $$
DECLARE
    -- Once per transaction at its commit; once per statement when made immediate.
    mark text := txid_current()::text || ' ' || statement_timestamp()::text;
BEGIN
    IF current_setting('crm.data_version_mark', true) IS DISTINCT FROM mark THEN
        PERFORM set_config('crm.data_version_mark', mark, true);
        UPDATE contacts_dataversion SET value = nextval('contacts_data_version_seq')
        WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
POSTGRESQL_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER contacts_data_version AFTER INSERT OR UPDATE OR DELETE "
    "ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
    "EXECUTE FUNCTION contacts_bump_data_version()"
)
SQLITE_TRIGGER = (
    "CREATE TRIGGER contacts_data_version_{table}_{event} AFTER {event} ON {table} "
    "BEGIN UPDATE contacts_dataversion SET value = random() WHERE id = 1; END"
)


def install_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS contacts_data_version ON {table}")
            schema_editor.execute(POSTGRESQL_TRIGGER.format(table=table))
        elif vendor == "sqlite":
            for event in EVENTS:
                name = f"contacts_data_version_{table}_{event}"
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, event=event))


def remove_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS contacts_data_version ON {table}")
        elif vendor == "sqlite":
            for event in EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS contacts_data_version_{table}_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS contacts_bump_data_version()")
        schema_editor.execute("DROP SEQUENCE IF EXISTS contacts_data_version_seq")


def install(apps, schema_editor):
    apps.get_model("contacts", "DataVersion").objects.create(pk=1, value=0)
    install_triggers(schema_editor)


def remove(apps, schema_editor):
    remove_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0015_contact_access_by_id")]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
