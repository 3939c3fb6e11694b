"""The contact list's rows, built in Python.

A page shows up to 100 rows of some fifty values each. The template language resolves each
value through its generic lookup, and format_html escapes through lazy-aware wrappers: either
way the rows cost a fifth of the page's time. Like Django's admin, which builds its
change list's cells in Python (admin/templatetags/admin_list.py), the rows are built here,
with plain str.format: every value taken from a contact goes through escape() (the standard
library's html.escape, which Django's own escape filter calls), and only markup written here
is left as it is. The table around the rows stays in contacts/_results.html.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

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
        }.items()
    }
    # Their get_FOO_display() would translate every choice again for each row.
    labels.update({f"access:{k}": escape(str(v)) for k, v in Contact.Access.choices})
    labels.update({f"source:{k}": escape(str(v)) for k, v in Contact.Source.choices})
    # Safe: _row escapes every value it takes from a contact (see the module's docstring).
    return mark_safe("".join(_row(contact, labels) for contact in contacts))  # noqa: S308


def _row(contact, labels):
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
    menu = MENU_ITEM.format("", url, "eye", labels["open"])
    if contact.may_change:
        menu += MENU_ITEM.format("", f"{url}edit/", "pencil", labels["edit"])
    if email:
        menu += MENU_ITEM.format("", email_href, "envelope", labels["email"])
    if phone:
        menu += MENU_ITEM.format("", phone_href, "telephone", labels["call"])
    if contact.may_change:
        menu += DIVIDER
        menu += MENU_ITEM.format(" text-danger", f"{url}delete/", "trash", labels["delete"])
    return ROW.format(
        pk=contact.pk,
        select_label=escape(contact.select_label),
        kind=escape(contact.kind),
        avatar=avatar,
        public=PUBLIC.format(labels["public"], labels[f"access:{contact.access}"], labels["public"])
        if contact.is_public
        else "",
        url=url,
        name=escape(str(contact)),
        source=SOURCE.format(labels["source"], labels[f"source:{contact.source}"])
        if contact.source != "manual"
        else "",
        company=COMPANY.format(escape(contact.company_shown_name))
        if contact.company_shown_name
        else "",
        menu_label=escape(contact.menu_label),
        menu=menu,
        contact_type=escape(contact.contact_type_title or ""),
        email=ONE_LINE.format(email_href, escape(email.value)) if email else "",
        phone=LINK.format(phone_href, escape(phone.value)) if phone else "",
        tags="".join(TAG.format(escape(name)) for name in contact.tag_names),
        responsible=escape(", ".join(contact.responsible_names)),
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
