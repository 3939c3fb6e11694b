"""The card's Relations section: {% load relations %}{% contact_relations contact %}."""

from django import template

from contacts.access import can_change
from contacts.relations import selectors

register = template.Library()


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
