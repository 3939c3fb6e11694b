from django.utils import timezone, translation

from .models import Profile
from .preferences import Preferences, zone
from .services import profile_for


class ProfileMiddleware:
    """Speak to a signed-in user in his profile's language and time zone.

    After LocaleMiddleware, whose choice (cookie, browser) holds for anonymous visitors
    and becomes the profile of a user who has none yet, and after authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            row = (
                Profile.objects.filter(user_id=user.pk).values_list("language", "time_zone").first()
            )
            if row is None:
                profile = profile_for(user, language=translation.get_language())
                row = (profile.language, profile.time_zone)
            preferences = Preferences(*row)
            translation.activate(preferences.language)
            request.LANGUAGE_CODE = translation.get_language()
            timezone.activate(zone(preferences.time_zone))
        try:
            return self.get_response(request)
        finally:
            # The thread serves other users next: the time zone must not stay.
            timezone.deactivate()
