from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

CONTACT_TYPES = [gettext_noop("Client"), gettext_noop("Supplier"), gettext_noop("Partner"), gettext_noop("Competitor")]
TAGS = [gettext_noop("Lead"), gettext_noop("Customer"), gettext_noop("Supplier"), gettext_noop("Staff")]


def create_defaults(apps, schema_editor):
    """Seed the four contact types and four tags, named in the site's language."""
    ContactType = apps.get_model("contacts", "ContactType")
    Tag = apps.get_model("taggit", "Tag")
    with translation.override(settings.LANGUAGE_CODE):
        if not ContactType.objects.exists():
            for position, title in enumerate(CONTACT_TYPES):
                ContactType.objects.create(title=_(title), position=position)
        for name in TAGS:
            Tag.objects.get_or_create(name=_(name), defaults={"slug": slugify(_(name))})


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial"), ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
