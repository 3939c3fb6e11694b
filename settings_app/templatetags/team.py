"""Codes stored for users and the audit, written in the reader's language."""

from django import template
from django.utils.translation import get_language_info

from accounts import audit
from contacts.team.services import Role, Status

register = template.Library()


@register.filter
def action_label(code):
    return audit.label_of(code)


@register.filter
def role_label(code):
    try:
        return Role(code).label
    except ValueError:
        return code


@register.filter
def status_label(code):
    try:
        return Status(code).label
    except ValueError:
        return code


@register.filter
def language_name(code):
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code
