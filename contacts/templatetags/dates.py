"""How long ago something happened, as people say it."""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()


@register.filter
def ago(value):
    """Return "just now" under a minute, else "3 minutes ago"; never "0 minutes ago"."""
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return gettext("just now")
    return gettext("%(since)s ago") % {"since": timesince(value)}
