"""The contact card's timeline section, and how an event's plain text is shown.

An event's line is built in Python, as the contact list's rows are
(contacts/templatetags/contact_list.py): a page of twenty lines through the template
language cost more than the rest of the card. Every value taken from an event goes through
html.escape (or plain_text, which escapes first); only markup written here is left as it is.
"""

import html
import re
from collections.abc import Mapping

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities import selectors, services
from activities.mentions import MENTION_PATTERN
from contacts.access import can_change
from contacts.models import Contact
from contacts.templatetags.fragments import url_of

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
    lines = _EventLines(user, contact)
    for entry in page.object_list:
        if entry.kind == "event":
            entry.html = lines.line(entry.item)
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


EVENT = (
    '<li class="mb-3 timeline-event" id="event-{pk}">'
    '<div class="d-flex flex-wrap align-items-baseline gap-2">'
    '<span class="badge text-bg-light border fw-normal">{category}</span>'
    "<strong>{author}</strong>{person}"
    '<time class="small text-body-secondary" datetime="{iso}">{when}</time>{actions}</div>'
    '<div class="event-text text-break">{text}</div>{files}</li>\n'
)
CATEGORY = '<i class="bi bi-{}" aria-hidden="true"></i> {}'
PERSON = (
    '<a class="small timeline-person" href="{}"><i class="bi bi-person" aria-hidden="true"></i>'
    ' <span class="visually-hidden">{} </span>{}</a>'
)
ACTIONS = '<span class="ms-auto small">{}</span>'
EDIT = '<a href="{}">{}</a>'
DELETE = '<a href="{}" class="link-danger ms-2">{}</a>'
FILES = '<ul class="list-unstyled small mb-0 mt-1 event-files">{}</ul>'
FILE = (
    '<li><a href="{}" download><i class="bi bi-paperclip" aria-hidden="true"></i> {}</a>'
    ' <span class="text-body-secondary">({})</span></li>'
)


class _EventLines:
    """The lines of a page of events on contact's timeline, as user may act on them."""

    def __init__(self, user, contact):
        self.user, self.contact = user, contact
        self.edit_url = url_of("activities:event_edit")
        self.delete_url = url_of("activities:event_delete")
        self.file_url = url_of("activities:attachment")
        self.contact_url = url_of("contacts:detail")
        self.labels = {
            "former": html.escape(_("A former user")),
            "person": html.escape(_("Person:")),
            "edit": html.escape(_("Edit")),
            "delete": html.escape(_("Delete")),
        }
        self.categories: dict[int, str] = {}

    def line(self, event) -> str:
        # Safe: every value from the event is escaped here or by plain_text.
        category = event.category
        if category.pk not in self.categories:
            self.categories[category.pk] = CATEGORY.format(
                html.escape(category.icon), html.escape(str(category.shown_name))
            )
        author = event.author
        person = ""
        if event.contact_id != self.contact.pk:  # a person's event on its company's timeline
            person = PERSON.format(
                self.contact_url(event.contact_id),
                self.labels["person"],
                html.escape(str(event.contact)),
            )
        when = timezone.localtime(event.happened_at)
        actions = []
        if services.may_edit(self.user, event):
            actions.append(EDIT.format(self.edit_url(event.pk), self.labels["edit"]))
        if services.may_delete(self.user, event):
            actions.append(DELETE.format(self.delete_url(event.pk), self.labels["delete"]))
        files = "".join(
            FILE.format(self.file_url(f.pk), html.escape(f.name), filesizeformat(f.size))
            for f in event.attachments.all()
        )
        return mark_safe(  # noqa: S308
            EVENT.format(
                pk=event.pk,
                category=self.categories[category.pk],
                author=html.escape(author.get_full_name() or author.username)
                if author
                else self.labels["former"],
                person=person,
                iso=when.isoformat(),
                when=html.escape(date_format(when, "SHORT_DATETIME_FORMAT")),
                actions=ACTIONS.format("".join(actions)) if actions else "",
                text=plain_text(event.text, event.mentioned),
                files=FILES.format(files) if files else "",
            )
        )


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
