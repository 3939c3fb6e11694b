"""The "Undo" a message may offer, read from the tags the view gave it."""

from django import template

register = template.Library()


@register.filter
def undo_url(message):
    """Return where the message's "Undo" button posts, or "" when it offers none."""
    for tag in (message.extra_tags or "").split():
        if tag.startswith("undo:/"):
            return tag.removeprefix("undo:")
    return ""
