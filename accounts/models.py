import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def user_photo_path(instance, filename):
    # Never a name derived from the user: the folder is private, the file served by a view.
    return f"users/{uuid.uuid4().hex}{'.png' if filename.endswith('.png') else '.jpg'}"


class EmailKind(models.TextChoices):
    """The notifications that also come by e-mail, each of which a user may turn off."""

    ASSIGNMENT = "assignment", _("I am made responsible for a contact")
    IMPORT = "import", _("An import of mine ends, or makes me responsible for contacts")
    WEB_FORM = "web_form", _("A website form I am notified of is sent")
    MENTION = "mention", _("Someone mentions me on a contact's timeline")
    TASK = "task", _("A task of mine reminds me, or is given to me")


class Profile(models.Model):
    """What a user chose for himself: his language and time zone, photo and e-mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # An IANA name (Europe/Paris); the form offers zoneinfo's list.
    time_zone = models.CharField(_("time zone"), max_length=64)
    photo = models.ImageField(_("photo"), upload_to=user_photo_path, blank=True)
    # Which notifications also come by e-mail (the bell shows them all): one per kind.
    # Named email_on_<EmailKind>.
    email_on_assignment = models.BooleanField(EmailKind.ASSIGNMENT.label, default=True)
    email_on_import = models.BooleanField(EmailKind.IMPORT.label, default=True)
    email_on_web_form = models.BooleanField(EmailKind.WEB_FORM.label, default=True)
    email_on_mention = models.BooleanField(EmailKind.MENTION.label, default=True)
    email_on_task = models.BooleanField(EmailKind.TASK.label, default=True)
    # The address books his devices are offered (accounts/address_books.py): his
    # contacts, all he may see, and one per tag, by the tags' ids (a tag deleted or
    # merged away takes its book with it).
    books_mine = models.BooleanField(_("my contacts"), default=True)
    books_everyone = models.BooleanField(_("all visible contacts"), default=True)
    book_tags = models.JSONField(_("address books from tags"), default=list, blank=True)

    def __str__(self):
        return f"{self.user} ({self.language}, {self.time_zone})"

    def get_absolute_url(self):
        return reverse("accounts:profile")


class Invitation(models.Model):
    """An invitation by email to join the CRM.

    Its user is created with it, inactive and without a usable password, so that the
    Users page lists him, his email is taken and his role is set; accepting it sets his
    name and password and makes him active. The link carries the invitation's id and
    link_version, signed: a resend moves the version on, and the older links die.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the link in force was sent: it expires a fixed time after.
    sent_at = models.DateTimeField(default=timezone.now)
    link_version = models.PositiveIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.email

    @property
    def pending(self):
        return self.accepted_at is None and self.revoked_at is None


class AuditEntry(models.Model):
    """Who did what to which account, and when: the Settings › Audit page.

    The action is a code and details its data (ids, names as read then), never text:
    the page writes them in its reader's language. The names are kept beside the
    foreign keys so that an entry stays readable once its users are gone.
    """

    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    # A code of accounts.audit.Action; a plain column, so that a new action needs no migration.
    action = models.CharField(max_length=40)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target_name = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_newest"),
            models.Index(fields=["action", "-created_at"], name="audit_action"),
            # Also the invitations an admin sent lately, which are throttled.
            models.Index(fields=["actor", "action", "-created_at"], name="audit_actor"),
            models.Index(fields=["target", "-created_at"], name="audit_target"),
        ]

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_name}"
        )


class SignInPolicy(models.Model):
    """The CRM-wide rules of signing in: one row, read with SignInPolicy.load()."""

    require_two_factor = models.BooleanField(
        _("require two-factor sign-in for everyone"), default=False
    )

    class Meta:
        verbose_name = _("sign-in policy")
        verbose_name_plural = _("sign-in policies")

    def __str__(self):
        return str(_("sign-in policy"))

    @classmethod
    def load(cls):
        """Return the policy; reading it writes nothing, even on a new installation."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ApiToken(models.Model):
    """A personal token for the REST API.

    The token is shown once, when it is made; only its key (the public part, to find the
    row) and a digest of the whole are kept. It works as long as it is neither revoked
    nor expired and its user is active.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices)
    key = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.key})"

    @property
    def is_live(self) -> bool:
        """Return whether the token still works (its user's state aside)."""
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class AppPassword(models.Model):
    """A password for one device's address book app (CardDAV), beside the account's own.

    Shown once, when it is made; only a digest is kept. A phone keeps it in its settings,
    so each device gets its own, revoked alone when the device is lost; the account's
    password never opens the address books.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_passwords"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("app password")
        verbose_name_plural = _("app passwords")

    def __str__(self):
        return self.name
