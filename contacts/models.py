import secrets
import uuid
from urllib.parse import quote_plus

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.db.models.lookups import IsNull
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from contacts import text
from contacts.kept_rows import KeptRows
from contacts.links import info_href

CRM_USERS_GROUP = "CRM users"
CRM_ADMINS_GROUP = "CRM admins"
SORT_NAME_LENGTH = 300


def photo_path(instance, filename):
    # Random names: an uploaded file's name never reaches the disk or a URL. The files are
    # photos.process_photo's, named "photo.jpg" or "t.png": the extension is one of two.
    return f"photos/{uuid.uuid4().hex}{'.png' if filename.endswith('.png') else '.jpg'}"


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
    """A user field that CRM admins add to persons, companies or both."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        TEXTAREA = "textarea", _("Text area")
        SELECT = "select", _("Select box")
        CHECKBOX = "checkbox", _("Checkbox")
        DATE = "date", _("Date")
        NUMBER = "number", _("Number")
        URL = "url", _("Web address")
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
    # Its values are personal data: a person's copy of his data (privacy) includes them.
    is_personal = models.BooleanField(_("personal data"), default=False)

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
    # The retention review lists the contacts with no activity and no change for this many
    # months; None turns it off. Nothing is ever deleted by it.
    review_after_months = models.PositiveSmallIntegerField(
        _("review contacts with no activity for (months)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("CRM settings")
        verbose_name_plural = _("CRM settings")

    def __str__(self):
        return str(_("CRM settings"))

    @classmethod
    def load(cls):
        """Return the settings; reading them writes nothing, even on a new installation.

        Kept in the cache between their changes: every contact form and every contact
        saved reads them.
        """
        return _kept_settings.get()[0]


_kept_settings = KeptRows(
    "crm-settings", lambda: [CrmSettings.objects.filter(pk=1).first() or CrmSettings(pk=1)]
)
forget_settings = _kept_settings.forget


class TaggedContact(TaggedItemBase):
    content_object = models.ForeignKey("Contact", on_delete=models.CASCADE)

    class Meta:
        indexes = [models.Index(fields=["tag", "content_object"])]
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_contact_once")
        ]


LIVE = models.Q(deleted_at__isnull=True)  # not in the trash


def sort_name_of(name: str) -> str:
    """Return the sort name of a contact whose display name is name: folded, and cut to
    the column's length."""
    return text.fold(name)[:SORT_NAME_LENGTH]


def named(contacts: "models.QuerySet[Contact]", name: str) -> "models.QuerySet[Contact]":
    """Return the contacts of contacts whose name is name, whatever its case.

    The folded name narrows them first: its index finds the few candidates where a
    case-insensitive comparison alone would read every contact.
    """
    return contacts.filter(sort_name=sort_name_of(name), display_name__iexact=name)


class LiveContacts(models.Manager):
    """The contacts that are not in the trash: what every page and search works on."""

    def get_queryset(self):
        return super().get_queryset().filter(LIVE)


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
        API = "api", _("API")
        CARDDAV = "carddav", _("Phone sync")

    class Consent(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")

    class ConsentSource(models.TextChoices):
        FORM = "form", _("Contact form")
        IMPORT = "import", _("Import")
        WEB_FORM = "web_form", _("Website form")
        API = "api", _("API")

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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Who created, changed or deleted a contact is shown, never searched: no index, one
    # B-tree less to write per contact. Deleting a user scans the table once instead.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
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
    sort_name = models.CharField(max_length=SORT_NAME_LENGTH, editable=False)
    search_text = models.TextField(editable=False, default="")
    # In the trash since then; purged after settings.TRASH_DAYS.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    # When the newest event of its timeline happened, kept by services.last_activity_refresh
    # for the list's column, sort and filters: derived, never a change of the contact.
    last_activity_at = models.DateTimeField(
        _("last activity"), null=True, blank=True, editable=False
    )

    # Consent to marketing e-mail: its status, when and how it was given or refused, and
    # the words the person was shown (the proof asked of a sender).
    consent = models.CharField(
        _("marketing email consent"),
        max_length=10,
        choices=Consent.choices,
        default=Consent.UNKNOWN,
    )
    consent_at = models.DateTimeField(_("consent date"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent source"), max_length=10, choices=ConsentSource.choices, blank=True
    )
    consent_wording = models.TextField(_("consent wording"), blank=True)
    # When an admin last kept the contact on the retention review: it leaves the review
    # until it has been that long again.
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    all_objects = models.Manager()  # the trash too
    objects = LiveContacts()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        indexes = [
            # The list's sorts (selectors.SORTS), read forwards or backwards, over the live
            # contacts only: a deep page skips its offset in the index, without the table.
            # On PostgreSQL the access is in the index too (include), so that an ordinary
            # user's deep page is an index-only scan: at a million contacts, reading the
            # rows it skips from the table cost most of the page. SQLite has no included
            # columns and ignores them (hence models.W040 silenced in the settings).
            # The default order carries the search text too: a search's page, newest
            # first, checks each word against the index's entries, not the table's rows
            # (even a common word is in few of them: the page walks thousands).
            # On PostgreSQL a narrow copy, without the search text, serves the list's own
            # pages (contact_newest_list, made by migration 0047 for PostgreSQL only).
            models.Index(
                fields=["-created_at", "-id"],
                name="contact_newest",
                condition=LIVE,
                include=["access", "search_text"],
            ),
            models.Index(
                fields=["sort_name", "id"], name="contact_name", condition=LIVE, include=["access"]
            ),
            models.Index(
                fields=["updated_at", "id"],
                name="contact_changed",
                condition=LIVE,
                include=["access"],
            ),
            models.Index(
                Lower("first_name"),
                "sort_name",
                "id",
                name="contact_first_name",
                condition=LIVE,
                include=["access"],
            ),
            models.Index(
                Lower("last_name"),
                "sort_name",
                "id",
                name="contact_last_name",
                condition=LIVE,
                include=["access"],
            ),
            # The last activity, empties last both ways: "IS NULL" first puts them after the
            # dates whichever way the dates run, and one index per way lets a deep page skip
            # its offset in the index (read backwards past the middle, as the others).
            models.Index(
                IsNull(models.F("last_activity_at"), True),
                "last_activity_at",
                "id",
                name="contact_last_activity",
                condition=LIVE,
                include=["access"],
            ),
            models.Index(
                IsNull(models.F("last_activity_at"), True),
                models.F("last_activity_at").desc(),
                models.F("id").desc(),
                name="contact_last_activity_desc",
                condition=LIVE,
                include=["access"],
            ),
            # The activity filters: the contacts active since a day, or not, a range of the
            # dates alone (the sort indexes start with "IS NULL", which PostgreSQL does
            # not skip). Small: a contact without activity has no entry.
            models.Index(
                fields=["last_activity_at"],
                name="contact_active",
                condition=LIVE & models.Q(last_activity_at__isnull=False),
                include=["access"],
            ),
            # The overview's figures, counted from an index alone: the contacts by kind and
            # type (the public ones a range of it), and the new ones by week and source (a
            # range of days, whose access says which are public). deleted_at is in them,
            # though always empty there: SQLite reads a partial index alone only when it
            # holds every column the query names, its condition's too.
            models.Index(
                fields=["access", "deleted_at", "kind", "contact_type"],
                name="contact_kind_type",
                condition=LIVE,
            ),
            models.Index(
                fields=["created_at", "access", "source", "deleted_at"],
                name="contact_created_source",
                condition=LIVE,
            ),
            # deleted_at too: counting the live public contacts reads only this index.
            models.Index(
                fields=["access", "deleted_at", "-created_at"], name="contact_access_live"
            ),
            # The trash, small: an index of its rows only, which the list's scans ignore.
            models.Index(
                fields=["deleted_at"],
                name="contact_trash",
                condition=models.Q(deleted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("contacts:detail", args=[self.pk])

    @property
    def is_person(self):
        return self.kind == self.Kind.PERSON

    @property
    def live_company(self):
        """Return the person's company, unless it is in the trash."""
        company = self.company if self.company_id else None
        return company if company is not None and company.deleted_at is None else None

    @property
    def shown_company(self):
        """Return the live company, if the reader may see it: None unless annotated so.

        Read from company_visible, which access.with_company_visibility annotates for the
        reader: where nobody asked, the company's name stays hidden.
        """
        return self.live_company if getattr(self, "company_visible", False) else None

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
        else:
            self.display_name = self.company_name.strip()
        # The name as the rows show it: sorting by name reads down what the list shows, and
        # the sort by last name has an index of its own.
        # Folded, "Łukasz" sorts among the L and is the same name as "Lukasz" (duplicates);
        # cut, as a transliteration may be longer than the name ("李" → "li").
        self.sort_name = sort_name_of(self.display_name)


# Guardian's rows for contacts. An import writes several per contact, so they carry only
# the indexes read: guardian's unique (user or group, permission, contact), which serves
# every lookup by user or group, and the one by contact. By permission alone nothing looks
# (but deleting a permission, which scans instead).
class ContactUserObjectPermission(UserObjectPermissionBase):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    permission = models.ForeignKey("auth.Permission", on_delete=models.CASCADE, db_index=False)
    content_object = models.ForeignKey(Contact, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class ContactGroupObjectPermission(GroupObjectPermissionBase):
    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, db_index=False)
    permission = models.ForeignKey("auth.Permission", on_delete=models.CASCADE, db_index=False)
    content_object = models.ForeignKey(Contact, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass


class ContactInfo(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        WEB = "web", _("Web site and social networks")

    CATEGORIES: dict[str, list[tuple[str, StrOrPromise]]] = {
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
        return "https://www.openstreetmap.org/search?query=" + quote_plus(str(self))


class DataVersion(models.Model):
    """One row whose value changes with every write the contact list could show (freshness)."""

    value = models.BigIntegerField(default=0)
    # Set only inside a transaction that writes in bulk (freshness.bulk_writes(), SQLite).
    bulk = models.BooleanField(default=False)

    def __str__(self):
        return str(self.value)


class ContactCount(models.Model):
    """A count of live contacts the contact list shows, kept by triggers (contacts/counts.py).

    key is "live" (every contact out of the trash), "public" (those every CRM user may
    see), "user:<id>" (the private ones that user was granted to see), "responsible:<id>"
    (the live ones that user is responsible for) or "unassigned" (the live ones nobody is).
    """

    key = models.CharField(primary_key=True, max_length=40)
    value = models.BigIntegerField()

    def __str__(self):
        return f"{self.key}: {self.value}"


class ContactBreakdown(models.Model):
    """Live contacts of a part of what readers see, broken down by one family's name and
    number, kept by triggers (contacts/db/breakdowns.py).

    part is a key of ContactCount ("live", "public", "user:<id>"); family "type" (name the
    kind, number the type's id, 0 for none), "day" and "quarter" (name the source, number
    the UTC day or quarter hour of creation since 1970) or "tag" (number the tag's id).
    """

    part = models.CharField(max_length=40)
    family = models.CharField(max_length=8)
    number = models.BigIntegerField()
    name = models.CharField(max_length=20)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            # The triggers' ON CONFLICT, and the overview's reads of a family's range.
            models.UniqueConstraint(
                fields=["part", "family", "number", "name"], name="contact_breakdown_key"
            )
        ]

    def __str__(self):
        return f"{self.part} {self.family} {self.name} {self.number}: {self.value}"


class DuplicateKey(models.Model):
    """What a contact shares with its possible duplicates, kept by triggers (duplicate_keys.py).

    reason is "email" or "phone" with the normalized value, or "name" with the kind,
    company and sort name; one row per contact and key. is_live and is_public copy the
    contact's, so that the duplicates page asks who may see a key's contacts here.
    """

    pk = models.CompositePrimaryKey("reason", "value", "contact")
    reason = models.CharField(max_length=5)
    value = models.TextField()
    # No constraint: the triggers remove a contact's keys when it goes.
    contact = models.ForeignKey(
        Contact, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    is_live = models.BooleanField()
    is_public = models.BooleanField()

    class Meta:
        indexes = [
            # A contact's keys, read without the table: by the page along the contacts'
            # ids, and by a user's count from his grants.
            models.Index(
                fields=["contact", "is_live", "is_public", "reason", "value"],
                name="duplicate_key_contact",
            )
        ]

    def __str__(self):
        return f"{self.reason}: {self.value}"


class DuplicateCount(models.Model):
    """How many live contacts, and live public ones, share a key (duplicate_keys.py)."""

    pk = models.CompositePrimaryKey("reason", "value")
    reason = models.CharField(max_length=5)
    value = models.TextField()
    n_live = models.IntegerField()
    n_public = models.IntegerField()

    class Meta:
        indexes = [
            # The candidates: the keys at least two live contacts share.
            models.Index(
                fields=["reason", "value"],
                name="duplicate_candidates",
                condition=models.Q(n_live__gte=2),
            ),
            # Those every CRM user sees twice, counted without asking who.
            models.Index(
                fields=["reason", "value"],
                name="duplicate_shared",
                condition=models.Q(n_public__gte=2),
            ),
            # The others: a user's count looks up there the keys of his private contacts.
            models.Index(
                fields=["reason", "value", "n_public"],
                name="duplicate_mixed",
                condition=models.Q(n_live__gte=2, n_public__lt=2),
            ),
        ]

    def __str__(self):
        return f"{self.reason}: {self.value} ({self.n_live})"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True)
    # The website form a "web_form_*" notification is about.
    web_form = models.ForeignKey(
        "WebForm", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    import_job = models.ForeignKey(
        "contacts.ImportJob", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The background job a "*_ended" notification is about.
    bulk_job = models.ForeignKey(
        "BulkJob", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=30)
    # What the notification is about, read by the app that registered its verb
    # (contacts.notifications.register_verb): an id of that app's own table, which
    # contacts cannot name as a foreign key without importing it.
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField(default=1)  # contacts concerned, for bulk actions
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.verb} → {self.recipient}"


class BulkJob(models.Model):
    """One bulk action from the list: what it does, to which contacts, how far."""

    class Action(models.TextChoices):
        DELETE = "delete", _("Delete")
        ADD_TAG = "add_tag", _("Add a tag")
        REMOVE_TAG = "remove_tag", _("Remove a tag")
        SET_RESPONSIBLE = "set_responsible", _("Set responsible users")
        SET_ACCESS = "set_access", _("Set access")
        # Settings › Users: one user's contacts given to another.
        HAND_OVER = "hand_over", _("Hand over contacts")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    params = models.JSONField(default=dict)
    contact_ids = models.JSONField(default=list)  # the contacts the user could change
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)  # the user may not change them
    # Which ones, in the order met, so the result can name them to whoever may still see them.
    skipped_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} ×{self.total}"

    @property
    def percent(self):
        return 100 if not self.total else int(self.done * 100 / self.total)

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)


def new_web_form_key():
    return secrets.token_urlsafe(32)


class WebForm(models.Model):
    """A contact form that visitors of a web site fill in.

    Everything that decides what a submission grants (tags, responsible users, access,
    who is notified) lives here, on the server; the HTML carries only public_id.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("creates"), max_length=10, choices=Contact.Kind.choices)
    # The language of the default labels and of the pages visitors see.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # The fields offered, in order: [{"name": "email", "required": true, "label": ""}].
    fields = models.JSONField(_("fields"), default=list, blank=True)
    success_url = models.URLField(_("page shown after sending"), max_length=500, blank=True)
    # Hosts whose pages may receive the visitor back with the errors.
    allowed_hosts = models.JSONField(_("web sites"), default=list, blank=True)
    tags = models.ManyToManyField(
        "taggit.Tag", verbose_name=_("tags"), blank=True, related_name="+"
    )
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible users"),
        blank=True,
        related_name="web_forms_responsible",
    )
    access = models.CharField(
        _("access"), max_length=12, choices=Contact.Access.choices, default=Contact.Access.PRIVATE
    )
    notify = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("users notified"),
        blank=True,
        related_name="web_forms_notifying",
    )
    update_existing = models.BooleanField(_("update a contact with the same email"), default=False)
    # Shown beside a checkbox when set; a visitor who checks it gives consent to marketing
    # e-mail in exactly these words, stored with the submission.
    consent_wording = models.TextField(_("consent checkbox wording"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    secret_key = models.CharField(max_length=64, default=new_web_form_key, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Kept by the submission service, in the transaction that writes the contact.
    created_count = models.PositiveIntegerField(default=0, editable=False)
    updated_count = models.PositiveIntegerField(default=0, editable=False)
    last_submission_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("website form")
        verbose_name_plural = _("website forms")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("settings_app:webform", args=[self.pk])


class ContactEvent(models.Model):
    """One entry of a contact's history: who did what, when, with what values.

    Written by the services in the transaction of the change itself. Values are kept as
    the user read them then (names, not ids), so the history stays readable after the
    users, types or fields it names have changed.
    """

    class Verb(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("moved to the trash")
        RESTORED = "restored", _("restored")
        MERGED = "merged", _("merged")
        HANDED_OVER = "handover", _("handed over")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=10, choices=Verb.choices)
    source = models.CharField(max_length=10, choices=Contact.Source.choices, blank=True)
    # [{"field": "last_name", "label": "", "old": "Dupont", "new": "Durand"}]; label is
    # set for user fields, whose names are not known in advance.
    changes = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)  # e.g. {"import": 12}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contact", "-created_at", "-id"], name="event_contact")]

    def __str__(self):
        return f"{self.contact_id} {self.verb}"


from contacts.imports.models import ImportIssue, ImportJob, ImportUpdate  # noqa: E402
from contacts.personal_data.models import Suppression  # noqa: E402
from contacts.positions.models import Position  # noqa: E402
from contacts.relations.models import Relation, RelationType  # noqa: E402

__all__ = [
    "ImportIssue",
    "ImportJob",
    "ImportUpdate",
    "Position",
    "Relation",
    "RelationType",
    "Suppression",
]
