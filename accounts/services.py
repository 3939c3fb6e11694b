from django.db import transaction

from .models import Profile
from .preferences import default_preferences


def profile_for(user, *, language=None):
    """Return user's profile, made on first need from the language he is reading."""
    defaults = default_preferences(language)._asdict()
    profile, _created = Profile.objects.get_or_create(user=user, defaults=defaults)
    return profile


@transaction.atomic
def profile_update(*, user, language=None, time_zone=None):
    """Set user's language and/or time zone."""
    profile = profile_for(user, language=language)
    if language is not None:
        profile.language = language
    if time_zone is not None:
        profile.time_zone = time_zone
    profile.save()
    return profile
