"""The contact card's timeline section, and how an event's plain text is shown."""

import re
from collections.abc import Mapping

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities import selectors, services
from activities.forms import EventForm
from activities.mentions import MENTION_PATTERN
from contacts.access import can_change

register = template.Library()

# A link in escaped text: up to a space or an escaped character that cannot be part of it.
LINK = re.compile(r"\bhttps?://(?:(?!&(?:lt|gt|quot|#x27);)\S)+", re.IGNORECASE)
TRAILING = ".,;:!?)]}"
LINK_OR_MENTION = re.compile(f"(?P<link>{LINK.pattern})|{MENTION_PATTERN}", re.IGNORECASE)


def timeline_context(request, contact):
    """Return what the timeline section shows of contact to the request's user."""
    user = request.user
    show = request.GET.get("timeline") or selectors.ALL
    page = selectors.timeline_page(
        user, contact, show=show, number=request.GET.get("timeline_page") or 1
    )
    for entry in page.object_list:
        if entry.kind == "event":
            entry.item.may_edit = services.may_edit(user, entry.item)
            entry.item.may_delete = services.may_delete(user, entry.item)
    categories = selectors.categories()
    form = None
    if can_change(user, contact):
        form = EventForm()
        # The categories read once for the filters and the form's choices.
        form.fields["category"].widget.choices = [(c.pk, c.shown_name) for c in categories]
    return {
        "contact": contact,
        "page": page,
        "show": show,
        "filter_choices": [
            (selectors.ALL, pgettext("timeline", "All")),
            (selectors.EVENTS, _("Events")),
            (selectors.CHANGES, _("Changes")),
            *((str(c.pk), c.shown_name) for c in categories),
        ],
        "form": form,
        "request": request,
    }


@register.inclusion_tag("activities/_timeline.html", takes_context=True)
def timeline(context, contact):
    return timeline_context(context["request"], contact)


def _link(match: re.Match[str]) -> str:
    url = match.group("link")
    tail = ""
    while url and url[-1] in TRAILING:
        url, tail = url[:-1], url[-1] + tail
    if url.endswith("&amp"):  # an escaped "&" cut in two by the trailing ";"
        url, tail = url[:-4], "&amp" + tail
    return f'<a href="{url}" rel="noopener noreferrer nofollow" target="_blank">{url}</a>{tail}'


@register.filter
def plain_text(text: str, mentioned: Mapping[str, str] | None = None) -> SafeString:
    """Return text as HTML: escaped first, then its links made clickable, its mentions of
    the users in mentioned ({username in lower case: full name}) marked, its lines kept."""

    def replace(match: re.Match[str]) -> str:
        if match.group("link"):
            return _link(match)
        name = match.group("name")
        full_name = (mentioned or {}).get(name.lower())
        if full_name is None:
            return match.group(0)
        title = f' title="{escape(full_name)}"' if full_name else ""
        return f'<span class="mention"{title}>@{name}</span>'

    # One pass over links and mentions: an "@" inside a link is the link's.
    html = LINK_OR_MENTION.sub(replace, escape(text))
    # safe: every character of text was escaped above; only <a>, <span> and <br> are added,
    # around escaped text (a mention's name holds no character escape() changes).
    return mark_safe(html.replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308
