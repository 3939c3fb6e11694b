from django.utils.functional import SimpleLazyObject

from activities.tasks.selectors import badge_count
from contacts.access import is_crm_user


def tasks(request):
    """The navbar's badge: the user's tasks overdue or due today, counted when shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_crm_user(user):
        return {}
    return {"tasks_due": SimpleLazyObject(lambda: badge_count(user))}
