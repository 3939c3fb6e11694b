"""The HTML of a website form, to paste into any page of any site."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from contacts.webforms.fields import offered_fields
from contacts.webforms.validation import (
    BACK_FIELD,
    HONEYPOT_FIELD,
    TIMESTAMP_FIELD,
    TOKEN_FIELD,
    form_token,
)


def endpoint_path(web_form):
    return reverse("webforms:submit", args=[web_form.public_id])


def form_html(web_form, action_url):
    """Return the form's HTML: a plain POST form, with a style and a script both optional.

    It carries the form's public id (in action_url), its token, the anti-spam fields and
    the visitor's fields; nothing that grants access or chooses users.
    """
    prefix = f"crm-{web_form.public_id.hex[:8]}"
    fields = [
        {"offered": offered, "id": f"{prefix}-{offered.name}"}
        for offered in offered_fields(web_form)
    ]
    context = {
        "web_form": web_form,
        "action": action_url,
        "timestamp_url": action_url.rstrip("/") + "/ts/",
        "fields": fields,
        "token": form_token(web_form),
        "token_field": TOKEN_FIELD,
        "timestamp_field": TIMESTAMP_FIELD,
        "back_field": BACK_FIELD,
        "honeypot_field": HONEYPOT_FIELD,
        "honeypot_id": f"{prefix}-{HONEYPOT_FIELD}",
        "has_required": any(f["offered"].required for f in fields),
    }
    with translation.override(web_form.language):
        return render_to_string("contacts/webforms/embed.html", context).strip() + "\n"
