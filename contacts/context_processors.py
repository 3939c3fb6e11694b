from contacts.access import is_crm_admin, is_crm_user


def crm(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        "is_crm_admin": is_crm_admin(user),
        "is_crm_user": is_crm_user(user),
    }
