"""A form renderer that writes the plain widgets in Python, as Django's templates do.

The contact form holds some 300 widgets and select options (the currencies, each row's
categories, the hidden fields of the formsets). Through Django's widget templates each
one is a template render of its own, and its attributes another: most of the time of
the form pages went there. This renderer writes the markup of those templates directly,
character for character (tests/contacts/test_form_renderer.py renders the form pages
both ways and compares them); any other template goes through the templates as before.
"""

from functools import lru_cache
from html import escape as html_escape

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "url",
        "tel",
        "number",
        "password",
        "hidden",
        "checkbox",
        "date",
        "datetime",
        "time",
        "search",
    )
}
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
TEXTAREA = f"{WIDGETS}textarea.html"
FORM_DIV = "django/forms/div.html"


def escaped(value):
    """Return value as {{ value }} writes it."""
    if type(value) is str:
        # The common case, without the lazy-aware wrappers: Django's escape() is this.
        return html_escape(value)
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def string_html(value):
    """Return value as {{ value|stringformat:'s' }} writes it: as it is when marked safe."""
    if type(value) is str:
        return html_escape(value)
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def attrs_html(attrs):
    """Return the attributes as django/forms/widgets/attrs.html writes them."""
    html = []
    for name, value in attrs.items():
        if value is not False:
            html.append(f" {escaped(name)}")
            if value is not True:
                html.append(f'="{string_html(value)}"')
    return "".join(html)


def _input(widget):
    value = widget["value"]
    shown = f' value="{string_html(value)}"' if value is not None else ""
    return (
        f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"'
        f"{shown}{attrs_html(widget['attrs'])}>"
    )


def _option(option):
    return (
        f'<option value="{string_html(option["value"])}"{attrs_html(option["attrs"])}>'
        f"{escaped(option['label'])}</option>\n"
    )


def _select(widget):
    html = [f'<select name="{escaped(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{escaped(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            html.append(f"\n  {_option(option)}")
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


def _textarea(widget):
    value = widget["value"]
    return (
        f'<textarea name="{escaped(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
        f"{escaped(value) if value else ''}</textarea>"
    )


def _hidden_form(context):
    """Return a form of hidden fields only and no error (a formset's management form) as
    div.html writes it, stripped as the renderer strips it: its fields one after another."""
    if context.get("fields") or context.get("errors") or "hidden_fields" not in context:
        return None
    return "".join(str(field) for field in context["hidden_fields"])


class WidgetRenderer(DjangoTemplates):
    """Render inputs, selects, text areas and hidden forms without their templates; the
    rest with them."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        html = None
        if widget is not None and widget.get("template_name") == template_name:
            if template_name in INPUTS:
                html = _input(widget)
            elif template_name == SELECT:
                html = _select(widget)
            elif template_name == TEXTAREA:
                html = _textarea(widget)
        elif template_name == FORM_DIV and isinstance(context, dict):
            html = _hidden_form(context)
        if html is None:
            return super().render(template_name, context, request)
        return html


# One for every form: a renderer's template engine is built once per instance.
widget_renderer = WidgetRenderer()


@lru_cache(maxsize=64)
def _options(choices):
    """Return (value, markup, markup selected) of each option of a flat list of choices."""
    options = []
    for value, label in choices:
        value = "" if value is None else value  # as ChoiceWidget.optgroups writes it
        option = {"value": value, "attrs": {}, "label": label}
        chosen = {**option, "attrs": {"selected": True}}
        options.append((str(value), f"\n  {_option(option)}", f"\n  {_option(chosen)}"))
    return options


class ManyOptionsSelect(forms.Select):
    """A select box of many plain options (the currencies), their markup kept per list.

    Django builds a dictionary and a render per option and request; here the options of
    one list of choices (the same for every form in a language) are written once, and
    each form only marks its selected one, as Select marks it: the first equal value.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = tuple(self.choices)
        flat = all(isinstance(label, str) for _value, label in choices)
        if not isinstance(renderer, WidgetRenderer) or self.template_name != SELECT or not flat:
            return super().render(name, value, attrs, renderer)
        selected = set(self.format_value(value))
        html = [f'<select name="{escaped(name)}"{attrs_html(self.build_attrs(self.attrs, attrs))}>']
        for option_value, plain, marked in _options(choices):
            if option_value in selected:
                html.append(marked)
                selected = set()
            else:
                html.append(plain)
        html.append("\n</select>")
        # Safe: every value went through the escaping of the widgets' templates, above.
        return mark_safe("".join(html))  # noqa: S308
