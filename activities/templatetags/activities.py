"""The contact card's timeline section, and how an event's plain text is shown."""

import re
from collections.abc import Mapping

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities import selectors, services
from activities.links import url_of
from activities.mentions import MENTION_PATTERN
from contacts.access import can_change
from contacts.models import Contact

register = template.Library()

# A link in escaped text: up to a space or an escaped character that cannot be part of it.
LINK = re.compile(r"\bhttps?://(?:(?!&(?:lt|gt|quot|#x27);)\S)+", re.IGNORECASE)
TRAILING = ".,;:!?)]}"
LINK_OR_MENTION = re.compile(f"(?P<link>{LINK.pattern})|{MENTION_PATTERN}", re.IGNORECASE)


def timeline_context(request, contact):
    """Return what the timeline section shows of contact to the request's user."""
    user = request.user
    show = request.GET.get("timeline") or selectors.ALL
    # A company's timeline may show its persons' events too: off unless the URL says so.
    persons = contact.kind == Contact.Kind.COMPANY and request.GET.get("persons") == "1"
    page = selectors.timeline_page(
        user,
        contact,
        show=show,
        number=request.GET.get("timeline_page") or 1,
        persons=persons,
    )
    edit_url, delete_url = url_of("activities:event_edit"), url_of("activities:event_delete")
    for entry in page.object_list:
        if entry.kind == "event":
            event = entry.item
            event.of_person = event.contact_id != contact.pk
            if services.may_edit(user, event):
                event.edit_url = edit_url(event.pk)
            if services.may_delete(user, event):
                event.delete_url = delete_url(event.pk)
    return {
        "contact": contact,
        "card_url": contact.get_absolute_url(),
        "page": page,
        "show": show,
        "persons": persons,
        "filter_choices": [
            (selectors.ALL, pgettext("timeline", "All")),
            (selectors.EVENTS, _("Events")),
            (selectors.CHANGES, _("Changes")),
            *((str(c.pk), c.shown_name) for c in selectors.categories()),
        ],
        # The add form is fetched when its dialog opens: the card never renders it.
        "may_add": can_change(user, contact),
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
