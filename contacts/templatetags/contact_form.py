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
from django.utils.translation import get_language

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
FILE = (
    '<div id="div_{id}" class="mb-3{css}"><label for="{label_for}" class="form-label{required}">'
    '{label}</label><div><input type="{type}" name="{name}" class="form-control{classes}"{attrs}>'
    "{help}</div></div>"
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
    if type(widget) in (forms.FileInput, forms.ClearableFileInput) and not field.value():
        file = _file(field)
        if file is not None:
            return file
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
    # Asked for each field: answered once per form.
    plain = form.__dict__.get("_plain_helper")
    if plain is None:
        helper = getattr(form, "helper", None)
        attributes = helper.get_attributes() if helper is not None else None
        plain = form.__dict__["_plain_helper"] = attributes is None or (
            attributes["form_show_labels"] and all(attributes[k] == v for k, v in PLAIN.items())
        )
    return plain


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


def _file(field):
    """Return a file field without a file yet as crispy's field_file.html writes it."""
    if field.errors or not (field.label and field.auto_id) or not _plain_helper(field.form):
        return None
    (widget,) = field.subwidgets
    data = widget.data
    attrs = {k: v for k, v in data["attrs"].items() if k != "class"}
    classes = data["attrs"].get("class")
    required = field.field.required
    html = FILE.format(
        id=escaped(field.auto_id),
        css=f" {escaped(field.css_classes())}" if field.css_classes() else "",
        label_for=escaped(field.id_for_label),
        required=" requiredField" if required else "",
        label=escaped(field.label) + (ASTERISK if required else ""),
        type=escaped(data["type"]),
        name=escaped(data["name"]),
        classes=f" {escaped(classes)}" if classes else "",
        attrs=attrs_html(attrs) + (" disabled" if field.field.disabled else ""),
        help=HELP.format(id=escaped(field.auto_id), text=field.help_text)
        if field.help_text
        else "",
    )
    # Safe: every value above went through escaped() or attrs_html(), or is help text's markup.
    return mark_safe(html)  # noqa: S308


# (prefix, language): the markup of a formset's empty row
_EMPTY_ROWS = {}


ROW_TEMPLATES = {
    "address": "contacts/_address_row.html",
    "positions": "contacts/positions/_form_row.html",
}


def _row_template(formset):
    return ROW_TEMPLATES.get(formset.prefix, "contacts/_info_row.html")


@register.simple_tag(takes_context=True)
def formset_rows(context, formset):
    """Render the rows of one of the contact form's formsets, each as {% include %} would.

    A blank row of a form just opened is the empty row (the one the page's script copies)
    with its number: its markup depends on nothing but the formset and the language, so
    it is rendered once per process and language rather than for every row of every page.
    """
    template = context.template.engine.get_template(_row_template(formset))
    if formset.is_bound:
        forms_ = formset.forms
    else:
        forms_ = [
            formset._construct_form(i, **formset.get_form_kwargs(i))
            for i in range(formset.initial_form_count())
        ]
    html = [_row(context, template, form) for form in forms_]
    blank = range(len(forms_), formset.total_form_count())
    if blank:
        empty = empty_row(context, formset)
        html += [
            empty.replace(formset.add_prefix("__prefix__"), formset.add_prefix(i)) for i in blank
        ]
    return mark_safe("".join(html))  # noqa: S308 (rendered by the row template)


@register.simple_tag(takes_context=True)
def empty_row(context, formset):
    """Render the formset's empty row: once per process and language (not in DEBUG)."""
    key = (formset.prefix, get_language())
    html = None if settings.DEBUG else _EMPTY_ROWS.get(key)
    if html is None:
        template = context.template.engine.get_template(_row_template(formset))
        html = _EMPTY_ROWS[key] = _row(context, template, formset.empty_form)
    return html


def _row(context, template, form):
    with context.push(f=form):
        return template.render(context)
