"""The contact form's lists of checkboxes and radio buttons, written as crispy-forms does.

Each responsible user is a checkbox: through crispy's templates, a loop in a template and
one more template per user for its attributes, the list took a fifth of the edit form's
time. Written here instead, with crispy's bootstrap5 markup of a field that shows no
error and no help text (tests/contacts/test_form_renderer.py compares the two); every
value goes through the escaping of contacts.form_renderer. Any other field goes through
crispy.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, optgroups
from django import forms, template
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from contacts.form_renderer import attrs_html, escaped, string_html

register = template.Library()

FIELD = (
    '<div id="div_{id}" class="mb-3{css}"><fieldset><legend class="form-label{required} fs-6">'
    "{label}{asterisk}</legend><div>{options}</div></fieldset></div>"
)
OPTION = (
    '<div class="form-check"><input type="{type}" class="form-check-input" name="{name}"'
    ' value="{value}"{attrs}><label for="{id}" class="form-check-label">{label}</label></div>'
)
ASTERISK = '<span class="asteriskField">*</span>'


@register.filter
def as_choice_list(field):
    """Render a field of checkboxes or radio buttons as crispy's field.html does."""
    helper = getattr(field.form, "helper", None)
    if (
        not isinstance(field.field.widget, forms.RadioSelect)  # checkboxes are radios too
        or field.errors
        or field.help_text
        or not field.label
        or (helper and (helper.field_class or helper.label_class or helper.attrs))
        or (helper and helper.form_class)
    ):
        return as_crispy_field(field)
    name = escaped(field.html_name)
    options = []
    for group, choices, _index in optgroups(field):
        if group:
            options.append(f"<strong>{escaped(group)}</strong>")
        for option in choices:
            options.append(
                OPTION.format(
                    type=escaped(option["type"]),
                    name=name,
                    value=string_html(localize(option["value"], use_l10n=False)),
                    attrs=attrs_html(option["attrs"]),
                    id=escaped(option["attrs"].get("id", "")),
                    label=string_html(localize(option["label"], use_l10n=False)),
                )
            )
    css = field.css_classes()
    required = field.field.required
    html = FIELD.format(
        id=escaped(field.auto_id),
        css=f" {escaped(css)}" if css else "",
        required=" requiredField" if required else "",
        label=escaped(field.label),
        asterisk=ASTERISK if required else "",
        options="".join(options),
    )
    # Safe: every value above went through escaped(), string_html() or attrs_html().
    return mark_safe(html)  # noqa: S308
