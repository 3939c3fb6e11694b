"""The contact card's open tasks."""

from django import template
from django.utils import timezone

from activities.tasks.selectors import mark_changeable, open_tasks_of
from contacts.access import can_change

register = template.Library()

# The card lists this many open tasks; My tasks, filtered on the contact, lists them all.
SHOWN = 10


@register.inclusion_tag("activities/tasks/_card.html", takes_context=True)
def contact_tasks(context, contact):
    request = context["request"]
    tasks = mark_changeable(request.user, list(open_tasks_of(contact)[: SHOWN + 1]))
    return {
        "contact": contact,
        "tasks": tasks[:SHOWN],
        "more": len(tasks) > SHOWN,
        "may_add": can_change(request.user, contact),
        "today": timezone.localdate(),
        "next": contact.get_absolute_url(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
