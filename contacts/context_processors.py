from django.utils.functional import SimpleLazyObject

from contacts.access import is_crm_admin, is_crm_user
from contacts.notifications import unread_count


def crm(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "is_crm_admin": is_crm_admin(user),
        "is_crm_user": is_crm_user(user),
    }
