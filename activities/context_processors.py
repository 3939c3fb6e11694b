from django.utils.functional import SimpleLazyObject

from activities.tasks.selectors import navbar_counts
from contacts.access import is_crm_user


def tasks(request):
    """The navbar's badges: the user's tasks overdue or due today, and his unread
    notifications (replacing the bell's own count), in one statement when shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_crm_user(user):
        return {}
    counts = SimpleLazyObject(lambda: navbar_counts(user))
    return {
        "unread_notifications": SimpleLazyObject(lambda: counts[0]),
        "tasks_due": SimpleLazyObject(lambda: counts[1]),
    }
