"""Relations between contacts, and the default types of relation."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# (label_en, inverse_en, label_fr, inverse_fr, symmetric, from_kind, to_kind); blank kind:
# either.
DEFAULTS = [
    ("assistant of", "has assistant", "assistant de", "a pour assistant", False, "person", "person"),
    ("reports to", "manages", "rend compte à", "encadre", False, "person", "person"),
    ("spouse of", "", "conjoint de", "", True, "person", "person"),
    ("referred by", "referred", "recommandé par", "a recommandé", False, "", ""),
    ("subsidiary of", "parent of", "filiale de", "société mère de", False, "company", "company"),
    ("partner of", "", "partenaire de", "", True, "", ""),
]


def create_defaults(apps, schema_editor):
    RelationType = apps.get_model("contacts", "RelationType")
    if RelationType.objects.exists():
        return
    RelationType.objects.bulk_create(
        RelationType(
            label_en=label_en,
            inverse_en=inverse_en,
            label_fr=label_fr,
            inverse_fr=inverse_fr,
            symmetric=symmetric,
            from_kind=from_kind,
            to_kind=to_kind,
            position=position,
        )
        for position, (
            label_en, inverse_en, label_fr, inverse_fr, symmetric, from_kind, to_kind
        ) in enumerate(DEFAULTS)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0035_import_company_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RelationType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label_en', models.CharField(max_length=80, verbose_name='label in English')),
                ('label_fr', models.CharField(blank=True, max_length=80, verbose_name='label in French')),
                ('inverse_en', models.CharField(blank=True, max_length=80, verbose_name='inverse label in English')),
                ('inverse_fr', models.CharField(blank=True, max_length=80, verbose_name='inverse label in French')),
                ('symmetric', models.BooleanField(default=False, help_text='The same both ways, as “spouse of”: the inverse label is the label.', verbose_name='symmetric')),
                ('from_kind', models.CharField(blank=True, choices=[('person', 'Person'), ('company', 'Company')], max_length=10, verbose_name='from')),
                ('to_kind', models.CharField(blank=True, choices=[('person', 'Person'), ('company', 'Company')], max_length=10, verbose_name='to')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
            ],
            options={
                'verbose_name': 'relation type',
                'verbose_name_plural': 'relation types',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Relation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('from_contact', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='relations_from', to='contacts.contact')),
                ('to_contact', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='relations_to', to='contacts.contact')),
                ('type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='relations', to='contacts.relationtype')),
            ],
            options={
                'ordering': ['type__position', 'id'],
                'constraints': [models.UniqueConstraint(fields=('from_contact', 'to_contact', 'type'), name='relation_once'), models.CheckConstraint(condition=models.Q(('from_contact', models.F('to_contact')), _negated=True), name='relation_not_self')],
            },
        ),
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
