"""A company's people on its card, built in Python.

A page of 25 people, each with an avatar, and the former people after them: through the
template language, with an include per avatar, they cost more than the rest of the card.
As the list's rows (contact_list.py), every value taken from a contact goes through
html.escape; only markup written here is left as it is.
"""

from html import escape

from django import template
from django.utils import timezone
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


CURRENT = (
    '<li class="list-group-item px-0 d-flex flex-wrap align-items-center gap-2">'
    '<div class="me-auto"><a class="fw-semibold" href="{url}">{company}</a>{title}{department}'
    "{primary}{since}</div>{actions}</li>\n"
)
DEPARTMENT = ' <span class="text-body-secondary small">({})</span>'
PRIMARY = ' <span class="badge text-bg-light border fw-normal">{}</span>'
SINCE = '<div class="small text-body-secondary">{}</div>'
CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
MAKE_PRIMARY = (
    '<form method="post" action="{action}">{csrf}'
    '<button class="btn btn-sm btn-link" type="submit">{label}</button></form>'
)
END = (
    '<form method="post" action="{action}" class="d-flex align-items-center gap-1">{csrf}'
    '<label class="visually-hidden" for="end-{pk}">{until}</label>'
    '<input class="form-control form-control-sm" type="date" name="end_date" id="end-{pk}"'
    ' max="{today}"><button class="btn btn-sm btn-outline-secondary" type="submit">{end}'
    "</button></form>"
)
REMOVE = (
    '<form method="post" action="{action}">{csrf}<button class="btn btn-sm btn-link'
    ' link-danger" type="submit" title="{hint}">{label}</button></form>'
)
FORMER_POSITION = (
    '<li><a href="{url}">{company}</a>{title} <span class="text-body-secondary">{dates}</span>'
    "</li>\n"
)


@register.simple_tag(takes_context=True)
def position_lines(context, contact, positions, can_change, former=False):
    """Return the <li> lines of a person's positions on his card: current ones with what
    who may change him can do with each, or former ones (former=True) with their dates."""
    card = url_of("contacts:detail")
    lines = []
    if former:
        for position in positions:
            start = _day(position.start_date, "SHORT_DATE_FORMAT")
            dates = f"{start} – {_day(position.end_date, 'SHORT_DATE_FORMAT')}"
            title = f" · {escape(position.job_title)}" if position.job_title else ""
            company = position.company
            lines.append(
                FORMER_POSITION.format(
                    url=card(company.pk),
                    company=escape(str(company)),
                    title=title,
                    dates=escape(dates),
                )
            )
        # Safe: every value from a position or a company is escaped above.
        return mark_safe("".join(lines))  # noqa: S308
    csrf = CSRF.format(escape(str(context.get("csrf_token", ""))))
    words = {
        "primary": escape(gettext("primary")),
        "make_primary": escape(gettext("Make primary")),
        "until": escape(gettext("Until")),
        "end": escape(gettext("End")),
        "remove": escape(gettext("Remove")),
        "hint": escape(gettext("Remove a position entered by mistake")),
    }
    today = timezone.localdate().isoformat()
    primary_url, end_url, remove_url = (
        url_of(f"contacts:position_{action}", contact.pk) for action in ("primary", "end", "remove")
    )
    for position in positions:
        company = position.company
        actions = ""
        if can_change:
            if not position.is_primary:
                actions += MAKE_PRIMARY.format(
                    action=primary_url(position.pk), csrf=csrf, label=words["make_primary"]
                )
            actions += END.format(
                action=end_url(position.pk),
                csrf=csrf,
                pk=position.pk,
                until=words["until"],
                today=today,
                end=words["end"],
            )
            actions += REMOVE.format(
                action=remove_url(position.pk), csrf=csrf, hint=words["hint"], label=words["remove"]
            )
        since = ""
        if position.start_date:
            since = SINCE.format(
                escape(
                    gettext("since %(since)s") % {"since": _day(position.start_date, "DATE_FORMAT")}
                )
            )
        lines.append(
            CURRENT.format(
                url=card(company.pk),
                company=escape(str(company)),
                title=f" · {escape(position.job_title)}" if position.job_title else "",
                department=DEPARTMENT.format(escape(position.department))
                if position.department
                else "",
                primary=PRIMARY.format(words["primary"]) if position.is_primary else "",
                since=since,
                actions=actions,
            )
        )
    # Safe: every value from a position or a company is escaped above.
    return mark_safe("".join(lines))  # noqa: S308


def _day(value, format_name):
    return date_format(value, format_name) if value else ""
