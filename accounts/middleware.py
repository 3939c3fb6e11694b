from django.utils import timezone, translation

from accounts.models import Profile
from accounts.preferences import zone


class ProfileMiddleware:
    """Speak to a signed-in user in his profile's language and time zone.

    After LocaleMiddleware, whose choice (cookie, browser) holds for visitors and for a
    user without a profile yet, and after authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            row = (
                Profile.objects.filter(user_id=user.pk).values_list("language", "time_zone").first()
            )
            if row is not None:
                language, time_zone = row
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
                timezone.activate(zone(time_zone))
        try:
            return self.get_response(request)
        finally:
            # The thread serves other users next: the time zone must not stay.
            timezone.deactivate()
