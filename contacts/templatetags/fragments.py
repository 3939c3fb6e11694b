"""Pieces of the pages that are the same for every request, made once.

The keyboard shortcuts' window is on every page: some forty translated strings, the same
for every user and request in one language. Rendered once per process and language (not
in DEBUG, where templates change under a running server), it costs a dictionary lookup.
So do the addresses of the menus (a page has some twenty), reversed once per URL conf.
"""

from collections.abc import Callable

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
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


# (URL conf, script prefix, name, arguments): the address
_URLS = {}


@register.simple_tag
def fixed_url(name, *args):
    """Return the address {% url name args %} gives, for constant arguments: reversed once."""
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name, args)
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(name, args=args)
    return url


PLACEHOLDER = "987654321"


def url_of(name: str, *before: object) -> Callable[[int], str]:
    """Return a function giving the URL of name for an object's id (after the arguments
    before, the same for every line), reversed once.

    A page of lines reverses each URL once instead of once per line: a reverse costs more
    than the rest of a line.
    """
    head, tail = reverse(name, args=[*before, PLACEHOLDER]).split(PLACEHOLDER)
    return lambda pk: f"{head}{pk}{tail}"
