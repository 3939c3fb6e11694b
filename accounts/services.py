from collections.abc import Collection
from functools import partial

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.models import EmailKind, Profile, SignInPolicy
from accounts.photos import user_photo_from
from accounts.preferences import default_preferences, email_field


def profile_for(user: User, *, language: str | None = None) -> Profile:
    """Return user's profile, started in language (else the one in use) if he has none."""
    defaults = default_preferences(language or translation.get_language())._asdict()
    profile, _created = Profile.objects.get_or_create(user=user, defaults=defaults)
    return profile


@transaction.atomic
def profile_update(
    *, user: User, language: str | None = None, time_zone: str | None = None
) -> Profile:
    """Set user's language and/or time zone."""
    profile = profile_for(user, language=language)
    if language is not None:
        profile.language = language
    if time_zone is not None:
        profile.time_zone = time_zone
    profile.save()
    return profile


def profile_name_update(*, user: User, first_name: str, last_name: str) -> User:
    """Set the name user is shown by, to himself and to his colleagues."""
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    return user


@transaction.atomic
def email_preferences_update(*, user: User, wanted: Collection[EmailKind]) -> Profile:
    """Send user by e-mail the kinds of notifications wanted, and no other."""
    profile = profile_for(user)
    for kind in EmailKind:
        setattr(profile, email_field(kind), kind in wanted)
    profile.save()
    return profile


def profile_photo_set(*, user: User, upload: File[bytes] | None) -> Profile:
    """Make upload (shrunk, re-encoded) user's photo; None takes his photo away.

    Raise ValidationError when the upload is no picture Pillow can read.
    """
    stored = user_photo_from(upload) if upload is not None else None
    with transaction.atomic():
        profile = profile_for(user)
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        old = profile.photo.name
        if stored is not None:
            profile.photo.save(stored.name or "photo.jpg", stored, save=False)
        else:
            profile.photo = ""
        profile.save(update_fields=["photo"])
        if old:
            # Once the row names the new file: a rollback keeps the old one in use.
            transaction.on_commit(partial(default_storage.delete, old))
    return profile


def email_taken(email: str, *, other_than: User) -> bool:
    """Return whether another user has that e-mail address (in any letter case)."""
    users = User.objects.filter(email__iexact=email.strip()).exclude(pk=other_than.pk)
    addresses = EmailAddress.objects.filter(email__iexact=email.strip())
    return users.exists() or addresses.exclude(user_id=other_than.pk).exists()


def email_change(*, user: User, email: str, request: HttpRequest) -> None:
    """Make email user's address (to sign in with, and to be written to).

    Raise ValidationError when another user has it. The former address is told, in case
    the change was not his.
    """
    email = email.strip()
    if email_taken(email, other_than=user):
        raise ValidationError(
            _("Another user already has this e-mail address."), code="email_taken"
        )
    former = user.email
    with transaction.atomic():
        user.email = email
        user.save(update_fields=["email"])
        # django-allauth finds a user by his addresses there: his new one only.
        EmailAddress.objects.filter(user=user).delete()
        if email:
            EmailAddress.objects.create(user=user, email=email.lower(), primary=True)
    if former and former.lower() != email.lower():
        with allauth_context.request_context(request):
            get_adapter(request).send_notification_mail(
                "account/email/email_changed",
                user,
                {"from_email": former, "to_email": email},
                email=former,
            )


def password_reset_send(*, user: User, request: HttpRequest) -> bool:
    """E-mail user a link to choose a new password, as "Forgot password?" does.

    Return False, sending nothing, when he has no e-mail address or is deactivated.
    """
    if not user.is_active or not user.email:
        return False
    with allauth_context.request_context(request):
        request_password_reset(request, user.email, [user], None)
    return True


def two_factor_enabled(user: User) -> bool:
    """Return whether user signs in with a second factor (an app or a security key)."""
    factors = Authenticator.objects.filter(user_id=user.pk)
    return factors.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()


@transaction.atomic
def two_factor_reset(*, by: User, user: User) -> int:
    """Take away user's second factors and recovery codes; return how many there were.

    For a user who lost his phone and his codes: he signs in with his password alone,
    then sets two-factor up again (at once, when the CRM requires it). The caller (the
    Users page's service, contacts.team) checks that by may do this and records it.
    """
    deleted, _by_model = Authenticator.objects.filter(user_id=user.pk).delete()
    return deleted


def sign_in_policy_update(*, require_two_factor: bool) -> SignInPolicy:
    """Require (or stop requiring) every user to sign in with a second factor."""
    policy, _created = SignInPolicy.objects.update_or_create(
        pk=1, defaults={"require_two_factor": require_two_factor}
    )
    return policy


@task()
def email_send(
    *, subject: str, body: str, from_email: str, to: list[str], html: str | None = None
) -> None:
    """Send a message written beforehand (in its reader's language)."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html is not None:
        message.attach_alternative(html, "text/html")
    message.send()


def email_enqueue(*, message: EmailMessage) -> None:
    """Send message from the task worker, once the transaction in progress commits.

    A page that sends one answers as fast whether it sent one or not, and an SMTP
    server that is slow or down does not hold the page.
    """
    alternatives = getattr(message, "alternatives", [])
    html = next((content for content, kind in alternatives if kind == "text/html"), None)
    transaction.on_commit(
        partial(
            email_send.enqueue,
            subject=str(message.subject),
            body=str(message.body),
            from_email=str(message.from_email),
            to=list(message.to),
            html=html,
        )
    )
