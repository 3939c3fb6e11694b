import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

CRM_USERS_GROUP = "CRM users"
CRM_ADMINS_GROUP = "CRM admins"


def photo_path(instance, filename):
    # Random names: an uploaded file's name never reaches the disk or a URL.
    return f"photos/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class ContactType(models.Model):
    title = models.CharField(_("title"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contact type")
        verbose_name_plural = _("contact types")
        constraints = [models.UniqueConstraint(Lower("title"), name="contact_type_title_unique_ci")]

    def __str__(self):
        return self.title


class CustomField(models.Model):
    """A user field that CRM admins add to persons, companies or both (SPEC S2, C7)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        TEXTAREA = "textarea", _("Text area")
        SELECT = "select", _("Select box")
        CHECKBOX = "checkbox", _("Checkbox")
        DATE = "date", _("Date")
        HEADING = "heading", _("Heading")

    class AppliesTo(models.TextChoices):
        BOTH = "both", _("Persons and companies")
        PERSON = "person", _("Persons")
        COMPANY = "company", _("Companies")

    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    applies_to = models.CharField(
        _("applies to"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.BOTH
    )
    # The choices of a select box, in order.
    options = models.JSONField(_("options"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("user field")
        verbose_name_plural = _("user fields")

    def __str__(self):
        return self.label

    @property
    def key(self):
        """Return the key of this field's value in Contact.custom."""
        return str(self.pk)


class CrmSettings(models.Model):
    """The CRM-wide settings: one row, read with CrmSettings.load()."""

    default_currency = models.CharField(_("default currency"), max_length=3, blank=True)
    # The currencies offered on the contact form; empty offers them all.
    currencies = models.JSONField(_("currencies offered"), default=list, blank=True)

    class Meta:
        verbose_name = _("CRM settings")
        verbose_name_plural = _("CRM settings")

    def __str__(self):
        return str(_("CRM settings"))

    @classmethod
    def load(cls):
        """Return the settings; reading them writes nothing, even on a new installation."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class TaggedContact(TaggedItemBase):
    content_object = models.ForeignKey("Contact", on_delete=models.CASCADE)

    class Meta:
        indexes = [models.Index(fields=["tag", "content_object"])]
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_contact_once")
        ]


class Contact(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    class Access(models.TextChoices):
        PRIVATE = "private", _("Only responsible users")
        PUBLIC_READ = "public_read", _("All CRM users can view")
        PUBLIC_RW = "public_rw", _("All CRM users can view and edit")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        IMPORT = "import", _("Import")
        WEB_FORM = "web_form", _("Web form")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    company = models.ForeignKey(
        "self",
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="persons",
        limit_choices_to={"kind": "company"},
    )
    contact_type = models.ForeignKey(
        ContactType,
        verbose_name=_("contact type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    description = models.TextField(_("description"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    photo_thumb = models.ImageField(upload_to=photo_path, blank=True, editable=False)
    access = models.CharField(
        _("access"), max_length=12, choices=Access.choices, default=Access.PRIVATE
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible users"),
        related_name="responsible_for",
        blank=True,
    )
    tags = TaggableManager(_("tags"), through=TaggedContact, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    # The import that created the contact, for the list's filter and for undo.
    import_job = models.ForeignKey(
        "contacts.ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        editable=False,
    )
    # Denormalised by the services for fast sorting and search on any database.
    display_name = models.CharField(max_length=300, editable=False)
    sort_name = models.CharField(max_length=300, editable=False, db_index=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="contact_newest"),
            models.Index(fields=["access", "-created_at"], name="contact_access_newest"),
            # The list's sorts (selectors.SORTS), read forwards or backwards.
            models.Index(fields=["updated_at", "id"], name="contact_changed"),
            models.Index(Lower("first_name"), "sort_name", "id", name="contact_first_name"),
            models.Index(Lower("last_name"), "sort_name", "id", name="contact_last_name"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("contacts:detail", args=[self.pk])

    @property
    def is_person(self):
        return self.kind == self.Kind.PERSON

    @property
    def is_public(self):
        return self.access != self.Access.PRIVATE

    @property
    def initials(self):
        if self.is_person:
            parts = [self.first_name, self.last_name]
        else:
            parts = self.company_name.split()[:2]
        return "".join(p[0] for p in parts if p).upper() or "?"

    def compute_names(self):
        """Fill display_name and sort_name from the name fields."""
        if self.is_person:
            self.display_name = f"{self.first_name} {self.last_name}".strip()
            self.sort_name = f"{self.last_name} {self.first_name}".strip().lower()
        else:
            self.display_name = self.company_name.strip()
            self.sort_name = self.display_name.lower()


class ContactUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Contact, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission", "content_object"])]


class ContactGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Contact, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission", "content_object"])]


class ContactInfo(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        WEB = "web", _("Web site and social networks")

    CATEGORIES = {
        Kind.EMAIL: [("work", _("Work")), ("home", _("Home")), ("other", _("Other"))],
        Kind.PHONE: [
            ("work", _("Work")),
            ("home", _("Home")),
            ("mobile", _("Mobile")),
            ("fax", _("Fax")),
            ("direct", _("Direct")),
            ("other", _("Other")),
        ],
        Kind.WEB: [
            ("website", _("Web site")),
            ("linkedin", "LinkedIn"),
            ("twitter", "X/Twitter"),
            ("facebook", "Facebook"),
            ("instagram", "Instagram"),
            ("github", "GitHub"),
            ("skype", "Skype"),
            ("telegram", "Telegram"),
            ("whatsapp", "WhatsApp"),
            ("other", _("Other")),
        ],
    }

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="infos")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20)
    value = models.CharField(_("value"), max_length=254)
    # E.164 for phones that parse, lower-cased address for emails: used to search and match.
    normalized = models.CharField(max_length=254, blank=True, db_index=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "-is_primary", "position", "id"]
        verbose_name = _("contact information")
        verbose_name_plural = _("contact information")

    def __str__(self):
        return self.value

    def get_category_display(self):
        return dict(self.CATEGORIES[self.kind]).get(self.category, self.category)

    @property
    def href(self):
        from .links import info_href

        return info_href(self)


class Address(models.Model):
    CATEGORIES = [
        ("work", _("Work")),
        ("home", _("Home")),
        ("postal", _("Postal")),
        ("billing", _("Billing")),
        ("other", _("Other")),
    ]

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="addresses")
    category = models.CharField(_("category"), max_length=20, choices=CATEGORIES, default="work")
    street = models.CharField(_("street"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state/region"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-is_primary", "position", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self):
        return ", ".join(self.lines)

    @property
    def lines(self):
        city_line = " ".join(p for p in [self.postcode, self.city] if p)
        return [p for p in [self.street, city_line, self.region, self.country] if p]

    @property
    def map_url(self):
        from urllib.parse import quote_plus

        return "https://www.openstreetmap.org/search?query=" + quote_plus(str(self))


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True)
    import_job = models.ForeignKey(
        "contacts.ImportJob", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.verb} → {self.recipient}"


from .imports.models import ImportIssue, ImportJob, ImportUpdate  # noqa: E402

__all__ = ["ImportIssue", "ImportJob", "ImportUpdate"]
