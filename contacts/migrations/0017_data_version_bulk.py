"""Row triggers that stand aside while a transaction writes in bulk (freshness.bulk_writes).

The triggers are written out as this migration installed them, so that a later change to
contacts/db/freshness.py cannot change what it does.
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
# Outside a bulk write: on PostgreSQL a setting local to the writer's transaction, on
# SQLite the version row's flag.
POSTGRESQL_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER contacts_data_version AFTER INSERT OR UPDATE OR DELETE "
    "ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
    "WHEN (current_setting('crm.bulk_writes', true) IS DISTINCT FROM 'on') "
    "EXECUTE FUNCTION contacts_bump_data_version()"
)
SQLITE_TRIGGER = (
    "CREATE TRIGGER contacts_data_version_{table}_{event} AFTER {event} ON {table} "
    "WHEN (SELECT bulk FROM contacts_dataversion WHERE id = 1) = 0 "
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


def remove(apps, schema_editor):
    # SQLite rebuilds the table to add the column; its rename refuses triggers naming it.
    remove_triggers(schema_editor)


def install(apps, schema_editor):
    install_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0016_data_version")]

    # One way: the triggers of 0016 and after read the column this adds.
    operations = [
        migrations.RunPython(remove),
        migrations.AddField(
            model_name="dataversion", name="bulk", field=models.BooleanField(default=False)
        ),
        migrations.RunPython(install),
    ]
