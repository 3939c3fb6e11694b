"""A company's people on its card, built in Python.

A page of 25 people, each with an avatar, and the former people after them: through the
template language, with an include per avatar, they cost more than the rest of the card.
As the list's rows (contact_list.py), every value taken from a contact goes through
html.escape; only markup written here is left as it is.
"""

from html import escape

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from contacts.templatetags.contact_list import INITIALS, PHOTO, PUBLIC
from contacts.templatetags.fragments import url_of

register = template.Library()

PERSON = (
    '<li class="d-flex align-items-center gap-2 py-1">'
    '<span class="avatar avatar-sm avatar-person">{avatar}{public}</span>'
    '<a href="{url}">{name}</a>{title}</li>\n'
)
TITLE = '<span class="text-body-secondary small">{}</span>'
FORMER = (
    '<li><a href="{url}">{name}</a>{title} <span class="text-body-secondary">{dates}</span></li>\n'
)


@register.simple_tag
def people_lines(positions, former=False):
    """Return the <li> lines of positions' persons: current ones with their avatars, or
    former ones (former=True) with their dates."""
    card = url_of("contacts:detail")
    public = {}
    lines = []
    for position in positions:
        person = position.person
        url = escape(card(person.pk))
        name = escape(str(person))
        if former:
            start = (
                date_format(position.start_date, "SHORT_DATE_FORMAT") if position.start_date else ""
            )
            end = date_format(position.end_date, "SHORT_DATE_FORMAT")
            title = f" · {escape(position.job_title)}" if position.job_title else ""
            lines.append(
                FORMER.format(url=url, name=name, title=title, dates=escape(f"{start} – {end}"))
            )
            continue
        if person.photo_thumb:
            avatar = PHOTO.format(url, person.version)
        else:
            avatar = INITIALS.format(escape(person.initials))
        marker = ""
        if person.is_public:
            if person.access not in public:
                label = escape(gettext("Public"))
                public[person.access] = PUBLIC.format(
                    label, escape(str(person.get_access_display())), label
                )
            marker = public[person.access]
        title = TITLE.format(escape(position.job_title)) if position.job_title else ""
        lines.append(PERSON.format(avatar=avatar, public=marker, url=url, name=name, title=title))
    # Safe: every value from a contact or a position is escaped above.
    return mark_safe("".join(lines))  # noqa: S308
