"""The fields of a form in a page, as a browser would post them when nothing is changed.

The write cases that edit a contact post back what the edit form showed (its hidden
version and signed base, its rows of details with their ids, every user field), with a
few values changed, as a person saving the form does.
"""

from html.parser import HTMLParser

# Inputs a browser does not post as text: files, and the buttons (only the one clicked is posted).
NOT_POSTED = {"file", "submit", "button", "reset", "image"}


class _FormFields(HTMLParser):
    def __init__(self, form_class):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.pairs = []
        self.in_form = self.found = False
        self.select = None  # [name, multiple, options [(value, selected)]]
        self.option = None  # [value or None, text, selected]
        self.textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.found:
            self.in_form = self.form_class in (attrs.get("class") or "").split()
            self.found = self.in_form
            return
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value") or "on"))
            elif kind not in NOT_POSTED:
                self.pairs.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = [name, "multiple" in attrs, []]
        elif tag == "option" and self.select is not None:
            self._end_option()
            self.option = [attrs.get("value"), "", "selected" in attrs]
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None:
            self._end_option()
            name, multiple, options = self.select
            chosen = [value for value, selected in options if selected]
            if not multiple and not chosen and options:
                chosen = [options[0][0]]  # a single choice shows its first option
            self.pairs.extend((name, value) for value in (chosen if multiple else chosen[-1:]))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # The line break right after <textarea> is not part of its value.
            self.pairs.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None

    def _end_option(self):
        if self.option is not None and self.select is not None:
            value, text, selected = self.option
            self.select[2].append((text.strip() if value is None else value, selected))
        self.option = None


def form_fields(html, form_class):
    """Return [(name, value)] of the first form of html whose class holds form_class."""
    parser = _FormFields(form_class)
    parser.feed(html)
    parser.close()
    if not parser.found:
        raise ValueError(f"No form of class {form_class!r} in the page")
    return parser.pairs


def changed(pairs, changes):
    """Return pairs with the values of changes in place of those of their fields."""
    missing = set(changes) - {name for name, _ in pairs}
    if missing:
        raise KeyError(f"The form has no field {', '.join(sorted(missing))}")
    return [(name, changes.get(name, value)) for name, value in pairs]


def as_data(pairs):
    """Return pairs as the test client posts them: {name: [values]}."""
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data
