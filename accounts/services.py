from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation

from accounts.models import Profile
from accounts.preferences import default_preferences


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
