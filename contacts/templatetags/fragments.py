"""Pieces of the pages that depend on nothing but the language, rendered once.

The keyboard shortcuts' window is on every page: some forty translated strings, the same
for every user and request in one language. Rendered once per process and language (not
in DEBUG, where templates change under a running server), it costs a dictionary lookup.
"""

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()

# (template name, language): its markup
_KEPT = {}


@register.simple_tag(takes_context=True)
def kept_include(context, template_name):
    """Render template_name as {% include %} would, once per language.

    Only for a template that reads no variable: it is rendered without the page's.
    """
    key = (template_name, get_language())
    html = None if settings.DEBUG else _KEPT.get(key)
    if html is None:
        fragment = context.template.engine.get_template(template_name)
        html = _KEPT[key] = fragment.render(context.new())
    return html
