"""The contact form's fields, written as crispy-forms' bootstrap5 field.html writes them.

Through crispy's templates each field is four templates or more, and the list of
responsible users one more per user: two thirds of the form's time went there. The
common case, a field that shows no error, is written here with crispy's markup
(tests/contacts/test_form_renderer.py compares the two for every field of the form);
every value goes through the escaping of contacts.form_renderer, as a template would.
A field with errors, a file field or a form helper asking for more goes through crispy.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, optgroups
from django import forms, template
from django.conf import settings
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from contacts.form_renderer import attrs_html, escaped, string_html

register = template.Library()

FIELD = (
    '<div id="div_{id}" class="mb-3{css}"><label for="{label_for}" class="form-label{required}">'
    "{label}</label>{widget}{help}</div>"
)
CHECKBOX = (
    '<div class="mb-3"><div id="div_{id}" class="form-check{css}">{widget}'
    '<label for="{label_for}" class="form-check-label{required}">{label}</label>{help}</div></div>'
)
CHOICES = (
    '<div id="div_{id}" class="mb-3{css}"><fieldset><legend class="form-label{required} fs-6">'
    "{label}</legend><div>{widget}</div>{help}</fieldset></div>"
)
OPTION = (
    '<div class="form-check"><input type="{type}" class="form-check-input" name="{name}"'
    ' value="{value}"{attrs}><label for="{id}" class="form-check-label">{label}</label></div>'
)
HELP = '<div id="{id}_helptext" class="form-text">{text}</div>'
ASTERISK = '<span class="asteriskField">*</span>'
# What crispy's default helper gives a field's template: nothing more than its markup.
PLAIN = {"flat_attrs": "", "field_class": "", "label_class": "", "help_text_inline": False}


@register.filter
def as_form_field(field):
    """Render a field as crispy's as_crispy_field does."""
    widget = field.field.widget
    choices = isinstance(widget, forms.RadioSelect)  # checkbox lists are radios too
    if (
        field.errors
        or field.is_hidden
        or not (field.label and field.auto_id)
        or isinstance(widget, forms.FileInput | forms.MultiWidget)
        or (widget.use_fieldset and not choices)
        or (choices and field.help_text)  # its fieldset would name the help text
        or not _plain_helper(field.form)
    ):
        return as_crispy_field(field)
    checkbox = isinstance(widget, forms.CheckboxInput)
    required = field.field.required
    css = field.css_classes()
    if choices:
        html, template = _choices(field), CHOICES
    else:
        _add_class(widget, "form-check-input" if checkbox else _control_class(widget))
        html, template = str(field), CHECKBOX if checkbox else FIELD
    html = template.format(
        id=escaped(field.auto_id),
        css=f" {escaped(css)}" if css else "",
        label_for=escaped(field.id_for_label),
        required=" requiredField" if required else "",
        label=escaped(field.label) + (ASTERISK if required else ""),
        widget=html,
        # As crispy writes it, help text is markup.
        help=HELP.format(id=escaped(field.auto_id), text=field.help_text)
        if field.help_text
        else "",
    )
    # Safe: every value above went through escaped(), or is a widget's or help text's markup.
    return mark_safe(html)  # noqa: S308


def _plain_helper(form):
    helper = getattr(form, "helper", None)
    if helper is None:
        return True
    attributes = helper.get_attributes()
    return attributes["form_show_labels"] and all(attributes[k] == v for k, v in PLAIN.items())


def _control_class(widget):
    return "form-select" if isinstance(widget, forms.Select) else "form-control"


def _add_class(widget, css):
    """Add the classes to the widget as crispy's {% crispy_field %} does."""
    name = widget.__class__.__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    classes = widget.attrs.get("class", "")
    if not classes:
        classes = name
    elif classes.find(name) == -1:
        classes += f" {name}"
    for one in css.split():
        if one not in classes.split():
            classes += f" {one}"
    widget.attrs["class"] = classes


def _choices(field):
    """Return the checkboxes or radio buttons of a field, as crispy writes them."""
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
    return "".join(options)
