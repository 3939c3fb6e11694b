"""Fewer indexes to write per imported contact: none the reads need (see the models).

SQLite rebuilds a table to change a column: the list's triggers (contacts/db/freshness.py)
are taken off first, since a rebuilt table loses its own and a renamed one is refused
while other triggers name it, then put back. They are written out as this migration
installed them, so that a later change to freshness.py cannot change what it does.
"""

import django.db.models.deletion
from django.conf import settings
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


def install_triggers(apps, schema_editor):
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


def remove_triggers(apps, schema_editor):
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


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contacts', '0017_data_version_bulk'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(remove_triggers, install_triggers),
        migrations.RemoveIndex(
            model_name='contactgroupobjectpermission',
            name='contacts_co_group_i_e563c1_idx',
        ),
        migrations.RemoveIndex(
            model_name='contactuserobjectpermission',
            name='contacts_co_user_id_7bc4e0_idx',
        ),
        migrations.AlterField(
            model_name='contact',
            name='created_by',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='contact',
            name='deleted_by',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='contact',
            name='updated_by',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='contactgroupobjectpermission',
            name='group',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='auth.group'),
        ),
        migrations.AlterField(
            model_name='contactgroupobjectpermission',
            name='permission',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='auth.permission'),
        ),
        migrations.AlterField(
            model_name='contactuserobjectpermission',
            name='permission',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='auth.permission'),
        ),
        migrations.AlterField(
            model_name='contactuserobjectpermission',
            name='user',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
