"""The contact list's rows, built in Python.

A page shows up to 100 rows of some fifty values each. The template language resolves each
value through its generic lookup, and format_html escapes through lazy-aware wrappers: either
way the rows cost a fifth of the page's time. Like Django's admin, which builds its
change list's cells in Python (admin/templatetags/admin_list.py), the rows are built here,
with plain str.format: every value taken from a contact goes through escape() (the standard
library's html.escape, which Django's own escape filter calls), and only markup written here
is left as it is. The table around the rows stays in contacts/_results.html.
"""

import datetime
import functools
from html import escape
from typing import NamedTuple

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from contacts.models import Contact

register = template.Library()

ROW = (
    "<tr>"
    '<td class="col-check"><input class="form-check-input" type="checkbox" name="selected"'
    ' value="{pk}" form="bulk-form" aria-label="{select_label}"></td>'
    '<td class="col-photo"><span class="avatar avatar-sm avatar-{kind}">{avatar}{public}</span>'
    "</td>"
    '<td class="col-name"><a href="{url}" class="fw-semibold text-decoration-none">{name}</a>'
    "{source}{company}</td>"
    '<td class="col-menu"><div class="dropdown">'
    '<button class="btn btn-sm btn-link text-body-secondary" type="button"'
    ' data-bs-toggle="dropdown" aria-expanded="false" aria-label="{menu_label}">'
    '<i class="bi bi-three-dots-vertical" aria-hidden="true"></i></button>'
    '<ul class="dropdown-menu">{menu}</ul></div></td>'
    '<td class="col-type">{contact_type}</td>'
    '<td class="col-email">{email}</td>'
    '<td class="col-phone text-nowrap">{phone}</td>'
    '<td class="col-tags">{tags}</td>'
    '<td class="col-responsible small">{responsible}</td>'
    '<td class="col-activity small text-nowrap">{activity}</td>'
    "</tr>\n"
)
PHOTO = '<img src="{}photo/thumb/?v={}" alt="" loading="lazy">'
INITIALS = '<span class="avatar-initials" aria-hidden="true">{}</span>'
COMPANY_ICON = '<i class="bi bi-building"></i>'
PUBLIC = (
    '<span class="avatar-public" title="{}: {}"><i class="bi bi-globe2" aria-hidden="true"></i>'
    '<span class="visually-hidden">{}</span></span>'
)
SOURCE = '<span class="badge text-bg-light border fw-normal ms-1" title="{}">{}</span>'
COMPANY = '<div class="small text-body-secondary">{}</div>'
MENU_ITEM = (
    '<li><a class="dropdown-item{}" href="{}"><i class="bi bi-{}" aria-hidden="true"></i> {}</a>'
    "</li>"
)
DIVIDER = '<li><hr class="dropdown-divider"></li>'
LINK = '<a href="{}">{}</a>'
ONE_LINE = '<a class="one-line" href="{0}" title="{1}">{1}</a>'
TAG = '<span class="badge text-bg-light border me-1" title="{0}">{0}</span>'
ACTIVITY = '<time datetime="{}">{}</time>'
NO_ACTIVITY = '<span title="{0}" aria-label="{0}">—</span>'


@register.simple_tag
def contact_rows(contacts):
    """Return the table rows of contacts, as prepared by the list view."""
    # Labels worded once per page, not once per row.
    labels = {
        key: escape(label)
        for key, label in {
            "public": gettext("Public"),
            "source": gettext("Source"),
            "open": gettext("Open"),
            "edit": gettext("Edit contact"),
            "email": gettext("Send email"),
            "call": gettext("Call"),
            "delete": gettext("Delete"),
            "no_activity": gettext("No activity"),
        }.items()
    }
    # Their get_FOO_display() would translate every choice again for each row; the
    # markers and the menu's items are the same on every row but for its address.
    public = {
        key: PUBLIC.format(labels["public"], escape(str(label)), labels["public"])
        for key, label in Contact.Access.choices
    }
    source = {
        key: SOURCE.format(labels["source"], escape(str(label)))
        for key, label in Contact.Source.choices
    }
    menu = {
        name: MENU_ITEM.format(css, "\x00", icon, labels[name]).split("\x00")
        for name, css, icon in (
            ("open", "", "eye"),
            ("edit", "", "pencil"),
            ("email", "", "envelope"),
            ("call", "", "telephone"),
            ("delete", " text-danger", "trash"),
        )
    }
    page = Page(
        public=public,
        source=source,
        menu=menu,
        no_activity=NO_ACTIVITY.format(labels["no_activity"]),
        days={},
    )
    # Safe: _row escapes every value it takes from a contact (see the module's docstring).
    return mark_safe("".join(_row(contact, page) for contact in contacts))  # noqa: S308


class Page(NamedTuple):
    """What every row of a page shows alike, written once: markers and menu items."""

    public: dict[str, str]  # access: its marker
    source: dict[str, str]  # source: its badge
    menu: dict[str, list[str]]  # item: its markup before and after its address
    no_activity: str  # the last activity's cell of a contact without any
    days: dict[datetime.date, str]  # a last activity's day: its cell, written once


def _activity(value, page):
    """Return the cell of a last activity: its day in the reader's time zone."""
    if value is None:
        return page.no_activity
    day = timezone.localtime(value).date()
    if day not in page.days:
        page.days[day] = ACTIVITY.format(day.isoformat(), _short_date(day, get_language()))
    return page.days[day]


@functools.lru_cache(maxsize=4096)
def _short_date(day, language):
    """Return day as the language (the active one) writes a short date, escaped: kept,
    since formatting it cost more than the rest of a row."""
    return escape(date_format(day, "SHORT_DATE_FORMAT"))


def _row(contact, page):
    """Return one row; every value from the contact is escaped here."""
    url = escape(contact.url)
    email, phone = contact.primary_email, contact.primary_phone
    email_href = escape(email.href) if email else ""
    phone_href = escape(phone.href) if phone else ""
    if contact.photo_thumb:
        avatar = PHOTO.format(url, contact.version)
    else:
        initials = COMPANY_ICON if contact.kind == "company" else escape(contact.initials)
        avatar = INITIALS.format(initials)
    items = page.menu
    menu = [url.join(items["open"])]
    if contact.may_change:
        menu.append(f"{url}edit/".join(items["edit"]))
    if email:
        menu.append(email_href.join(items["email"]))
    if phone:
        menu.append(phone_href.join(items["call"]))
    if contact.may_change:
        menu += [DIVIDER, f"{url}delete/".join(items["delete"])]
    return ROW.format(
        pk=contact.pk,
        select_label=escape(contact.select_label),
        kind=escape(contact.kind),
        avatar=avatar,
        public=page.public[contact.access] if contact.is_public else "",
        url=url,
        name=escape(str(contact)),
        source=page.source[contact.source] if contact.source != "manual" else "",
        company=COMPANY.format(escape(contact.company_shown_name))
        if contact.company_shown_name
        else "",
        menu_label=escape(contact.menu_label),
        menu="".join(menu),
        contact_type=escape(contact.contact_type_title or ""),
        email=ONE_LINE.format(email_href, escape(email.value)) if email else "",
        phone=LINK.format(phone_href, escape(phone.value)) if phone else "",
        tags="".join(TAG.format(escape(name)) for name in contact.tag_names),
        responsible=escape(", ".join(contact.responsible_names)),
        activity=_activity(contact.last_activity_at, page),
    )


OPTION = '<option value="{}"{}>{}</option>'


@register.simple_tag
def options(choices, selected):
    """Return the <option>s of choices, (value, label) pairs, the one equal to selected marked.

    A select box of every currency has some 300: looped over in the template, each costs
    its own lookups, several milliseconds for the filter panel; joined here, a fraction.
    """
    selected = str(selected)
    html = "".join(
        OPTION.format(
            escape(str(value)), " selected" if str(value) == selected else "", escape(str(label))
        )
        for value, label in choices
    )
    # safe-html: the values and labels are escaped above; the markup is OPTION's.
    return mark_safe(html)  # noqa: S308
