"""Views stay thin: no view of the project runs over 30 lines.

A view finds the object through the access helper, validates a form, calls a service
and redirects or renders; a view that grows past a screenful is doing a service's or a
form's work. Counted from `def` to the last line, decorators left out.
"""

import ast
import inspect
import sys
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

MAX_LINES = 30
ROOT = Path(settings.BASE_DIR)


def _routed(patterns):
    """Yield every view the URLconf routes to."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routed(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def view_files():
    """Return the project's view modules: every views module, and those routed to."""
    files = {*ROOT.glob("*/views.py"), *ROOT.glob("*/*/views.py")}
    files |= {*ROOT.glob("*/views/*.py"), *ROOT.glob("*/*/views/*.py")}
    resolver = get_resolver()
    views = [*_routed(resolver.url_patterns)]
    views += [resolver.resolve_error_handler(code) for code in (400, 403, 404, 500)]
    for view in views:
        view = inspect.unwrap(getattr(view, "view_class", view))
        files.add(Path(sys.modules[view.__module__].__file__))
    # Django's and the other packages' views are theirs to keep.
    return sorted(f for f in files if f.is_relative_to(ROOT) and ".venv" not in f.parts)


def _is_view_class(node):
    return any(ast.unparse(base).endswith(("View", "Mixin")) for base in node.bases)


def views_in(tree):
    """Yield (name, node) of the functions taking a request and of the methods of views."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = [a.arg for a in node.args.args]
            if args[:1] == ["request"]:
                yield node.name, node
        elif isinstance(node, ast.ClassDef) and _is_view_class(node):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item


def long_views():
    found = {}
    for path in view_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for name, node in views_in(tree):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_LINES:
                found[f"{path.relative_to(ROOT).as_posix()}::{name}"] = length
    return found


def test_the_view_modules_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in view_files()}
    assert {
        "accounts/views.py",
        "contacts/views/pages.py",
        "contacts/webforms/views.py",
        "settings_app/views/fields.py",
        "crm/guide.py",
        "crm/errors.py",
    } <= names


def test_views_of_more_than_30_lines_are_found():
    body = "".join(f"    x{n} = {n}\n" for n in range(MAX_LINES))
    method = "".join(f"    {line}\n" for line in body.splitlines())
    tree = ast.parse(
        f"@decorated\ndef long(request):\n{body}\n"
        f"def short(request):\n{body[: body.rindex('    x')]}\n"
        f"class Page(TemplateView):\n    def get(self, request):\n{method}\n"
        f"def helper(job):\n{body}"
    )
    lengths = {name: node.end_lineno - node.lineno + 1 for name, node in views_in(tree)}
    assert lengths == {"long": MAX_LINES + 1, "short": MAX_LINES, "Page.get": MAX_LINES + 1}


def test_no_view_is_over_30_lines():
    too_long = long_views()
    assert too_long == {}, "Views over 30 lines, decorators left out: " + ", ".join(
        f"{name} ({n})" for name, n in sorted(too_long.items())
    )
