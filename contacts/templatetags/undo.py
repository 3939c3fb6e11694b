"""The "Undo" a message may offer: the tags a view gives it, read back by the template."""

from django import template

register = template.Library()


def undo_tags(url):
    """Return the message tags that offer "Undo": a button posting to url."""
    return f"undo:{url}"


@register.filter
def undo_url(message):
    """Return where the message's "Undo" button posts, or "" when it offers none."""
    for tag in (message.extra_tags or "").split():
        if tag.startswith("undo:/"):
            return tag.removeprefix("undo:")
    return ""
