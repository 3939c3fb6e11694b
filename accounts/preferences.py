"""The language and time zone a user is spoken to in, on his pages and in what he is sent,
and which notifications he also wants by e-mail.

Other apps read a user's preferences through these functions only, never the model.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone, translation

from accounts.models import EmailKind, Profile

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Preferences(NamedTuple):
    language: str
    time_zone: str


def default_preferences(language: str | None = None) -> Preferences:
    """Return the site's language (or the one given, when offered) and time zone."""
    try:
        code = translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        code = settings.LANGUAGE_CODE
    return Preferences(code, settings.TIME_ZONE)


def preferences_of(user: "User") -> Preferences:
    """Return user's language and time zone: his profile's, else the site's."""
    row = Profile.objects.filter(user_id=user.pk).values_list("language", "time_zone").first()
    return Preferences(*row) if row else default_preferences()


def chosen_language(user: "User") -> str | None:
    """Return the language user chose, None when he has no profile yet."""
    return Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()


def language_of(user: "User") -> str:
    """Return the language user reads: his profile's, else the site's."""
    return preferences_of(user).language


def zone(name: str) -> ZoneInfo:
    """Return the time zone of that name, the site's when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


@contextmanager
def speaking_to(user: "User") -> Iterator[None]:
    """Write what is inside in user's language, with dates in his time zone."""
    language, time_zone = preferences_of(user)
    with translation.override(language), timezone.override(zone(time_zone)):
        yield


def email_field(kind: EmailKind) -> str:
    """Return the Profile field that says whether its user wants e-mails of that kind."""
    return f"email_on_{kind.value}"


def wants_email(user: "User", kind: EmailKind) -> bool:
    """Return whether user wants that kind of notification by e-mail (yes, unless he said no)."""
    answer = Profile.objects.filter(user_id=user.pk).values_list(email_field(kind), flat=True)
    return answer.first() is not False
