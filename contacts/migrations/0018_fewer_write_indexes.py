"""Fewer indexes to write per imported contact: none the reads need (see the models).

SQLite rebuilds a table to change a column: the list's triggers (contacts/freshness.py)
are taken off first, since a rebuilt table loses its own and a renamed one is refused
while other triggers name it, then put back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from contacts.db import freshness


def remove_triggers(apps, schema_editor):
    freshness.remove_triggers(schema_editor)


def install_triggers(apps, schema_editor):
    freshness.install_triggers(schema_editor)


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
