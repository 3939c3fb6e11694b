"""Codes stored for users, written in the reader's language."""

from django import template

from contacts.team.services import Status
from settings_app import audit_text

register = template.Library()
register.filter("role_label", audit_text.role_label)
register.filter("in_language", audit_text.in_language)


@register.filter
def status_label(code):
    try:
        return Status(code).label
    except ValueError:
        return code


@register.filter
def initials(user):
    """Return the initials of user's name (of his username when he has none), as an avatar shows."""
    parts = (
        [user.first_name, user.last_name] if user.first_name or user.last_name else [user.username]
    )
    return "".join(part[0] for part in parts if part).upper() or "?"
