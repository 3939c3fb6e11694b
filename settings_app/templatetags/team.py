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
