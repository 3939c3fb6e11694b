"""The card's Relations section: {% load relations %}{% contact_relations contact %}.

A person may have fifty relations: through the template language, each line with its
confirmation cost more than the rest of the card. As the list's rows (contact_list.py),
the lines are built here: every value taken from a contact or a relation goes through
html.escape, and only markup written here is left as it is.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from contacts.access import can_change
from contacts.relations import selectors
from contacts.templatetags.fragments import url_of

register = template.Library()

LINE = (
    '<li class="d-flex flex-wrap align-items-center gap-2 py-1">'
    '<span class="text-body-secondary">{label}</span> <a href="{url}">{name}</a>{remove}</li>\n'
)
REMOVE = (
    '<details class="ms-auto"><summary class="btn btn-sm btn-outline-danger"'
    ' aria-label="{aria}"><i class="bi bi-x-lg" aria-hidden="true"></i>'
    ' <span class="label-md">{remove}</span></summary>'
    '<form method="post" action="{action}" class="mt-1 small">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<p class="mb-1">{question}</p>'
    '<button type="submit" class="btn btn-sm btn-danger">{confirm}</button></form></details>'
)


@register.simple_tag(takes_context=True)
def relation_lines(context, contact, relations, may_change):
    """Return the <li> lines of relations (selectors.Shown) on contact's card."""
    card = url_of("contacts:detail")
    remove_url = url_of("contacts:relation_remove", contact.pk)
    csrf = escape(str(context.get("csrf_token", ""))) if may_change else ""
    words = {
        "remove": escape(gettext("Remove")),
        "confirm": escape(gettext("Remove the relation")),
    }
    lines = []
    for shown in relations:
        label, name = str(shown.label), str(shown.other)
        remove = ""
        if may_change:
            names = {"relation": label, "other": name}
            remove = REMOVE.format(
                aria=escape(gettext("Remove the relation “%(relation)s %(other)s”") % names),
                remove=words["remove"],
                action=escape(remove_url(shown.pk)),
                csrf=csrf,
                question=escape(
                    gettext(
                        "Remove the relation “%(relation)s %(other)s”? Both contacts’ "
                        "histories will say so."
                    )
                    % names
                ),
                confirm=words["confirm"],
            )
        lines.append(
            LINE.format(
                label=escape(label),
                url=escape(card(shown.other.pk)),
                name=escape(name),
                remove=remove,
            )
        )
    # Safe: every value from a contact or a relation is escaped above.
    return mark_safe("".join(lines))  # noqa: S308


@register.inclusion_tag("contacts/relations/_card.html", takes_context=True)
def contact_relations(context, contact):
    """Show the contact's relations the reader may see both ends of, in one query; the form
    to add one, and the buttons to remove them, to whoever may change the contact."""
    request = context["request"]
    may_change = can_change(request.user, contact)
    return {
        "contact": contact,
        "relations": selectors.relations_of(request.user, contact),
        "may_change": may_change,
        # From the cache: no query.
        "choices": selectors.type_choices(contact.kind) if may_change else [],
        "csrf_token": context.get("csrf_token"),
    }
