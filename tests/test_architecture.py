"""Rules about the code itself: every module imports on its own, imports inside functions
say why, comments cite no spec ID or issue number, and the import contract finds cycles.

The other rules about imports are import-linter's contracts in pyproject.toml (`make lint`).
"""

import ast
import io
import json
import os
import random
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import grimp
import pytest

from tests.architecture import add_parent_imports, module_cycles

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("accounts", "activities", "contacts", "crm", "overview", "settings_app")
VENDORED = (ROOT / "static" / "vendor", ROOT / "tests" / "e2e" / "vendor")


def python_files(*folders):
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# Every module in any order

IMPORT_IN_ORDER = """
import importlib, json, sys, traceback
import django
django.setup()
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception:
        print(name)
        traceback.print_exc()
        sys.exit(1)
"""


def test_every_module_imports_in_any_order():
    """A fresh interpreter per order: Django set up, then every module, one after another.

    An import cycle or a module that needs another imported first fails in some orders
    only; the seeds are new at each run and the failing one is printed.
    """
    modules = sorted(module_name(path) for path in python_files(*PACKAGES))
    assert "contacts.migrations.0016_data_version" in modules
    assert "contacts.management.commands.seed_demo" in modules
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings", "PYTHONPATH": str(ROOT)}
    for seed in os.environ.get("IMPORT_ORDER_SEEDS", "").split() or [
        random.randrange(10**6) for _ in range(4)
    ]:
        order = modules[:]
        random.Random(int(seed)).shuffle(order)
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_IN_ORDER, json.dumps(order)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (
            f"IMPORT_ORDER_SEEDS={seed}: importing {done.stdout.strip()} failed\n"
            + done.stderr[-3000:]
        )


# Imports inside functions


def reason_comments(source):
    """Return {line: comment text} of the comments that say something (not only noqa)."""
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            words = re.sub(r"#\s*(noqa\b[:\s\w,]*|type:\s*ignore\S*|pragma:.*)", "", token.string)
            if re.search(r"[A-Za-z]{2}", words):
                comments[token.start[0]] = words
    return comments


def imports_without_reason(path):
    """Return the lines of the imports inside functions with no comment saying why.

    The comment stands on the import's line, or on the line above it or above the
    imports right before it (one comment for a group of imports).
    """
    source = path.read_text()
    comments = reason_comments(source)
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        statements = [
            node
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom) and node is not function
        ]
        covered = set()
        for node in sorted(statements, key=lambda node: node.lineno):
            line = node.lineno
            if line in comments or line - 1 in comments or line - 1 in covered:
                covered.update(range(line, node.end_lineno + 1))
            else:
                found.append(f"{path.relative_to(ROOT)}:{line}")
    return found


def test_every_import_inside_a_function_says_why():
    """An import belongs at the top; one inside a function carries the reason it is there."""
    found = [line for path in python_files(*PACKAGES) for line in imports_without_reason(path)]
    assert found == [], "imports inside functions without a comment saying why"


def test_an_import_inside_a_function_without_a_comment_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    path = tmp_path / "apps.py"
    path.write_text(
        "def ready():\n"
        "    # Connected once the models are loaded.\n"
        "    from contacts import signals  # noqa: F401\n"
        "    from contacts import models  # noqa: F401\n"
        "\n"
        "\n"
        "def later():\n"
        "    import json  # noqa: F401\n"
        "    return json\n"
    )
    assert imports_without_reason(path) == ["apps.py:8"]


# Comments in the code's own words

# A spec ID (a capital and a number, in brackets or after the word) or an issue number: names
# a reader of the repository cannot look up.
CITATION = re.compile(
    r"\bSPEC\b|(?<!\w)\([A-Z]\d{1,2}(?:\s*[–,-]\s*[A-Z]?\d{1,2})*\)|\b[Ii]ssues?\s*#?\d"
)
TEMPLATE_COMMENT = re.compile(
    r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|<!--.*?-->", re.S
)
SCRIPT_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'\\])//[^\n]*", re.S)


def python_comments(source):
    """Yield the comments and docstrings of a Python module."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                yield docstring


def comments_of(path):
    text = path.read_text(errors="replace")
    if path.suffix == ".py":
        return list(python_comments(text))
    if path.suffix == ".html":
        return TEMPLATE_COMMENT.findall(text)
    return SCRIPT_COMMENT.findall(text)


def citing(path):
    return [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for comment in comments_of(path)
        for match in CITATION.finditer(comment)
    ]


def project_files():
    """Yield the Python modules, templates, scripts and style sheets, vendored ones left out."""
    for folder in (*PACKAGES, "bench", "templates", "static", "tests"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".js", ".css") and not any(
                path.is_relative_to(vendored) for vendored in VENDORED
            ):
                yield path
    yield ROOT / "manage.py"


def test_no_comment_cites_a_spec_id_or_an_issue_number():
    found = [line for path in project_files() for line in citing(path)]
    assert found == [], "say what is meant in words"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.py", '"""Edit conflicts (SPEC C17): the contact changed."""\n'),
        ("a.py", "x = 1  # as the list does (C12)\n"),
        ("a.py", "# The load test (issue 10, items 6 and 8).\nx = 1\n"),
        ("a.html", "{# User fields (SPEC C7), one card per group #}<p>(C7)</p>"),
        ("a.js", "// the keyboard shortcuts, issue #12\nlet url = 'https://x/(C1)';"),
        ("a.css", "/* the rows (SPEC I1–I8) */ a { color: #555 }"),
    ],
)
def test_a_cited_spec_id_or_issue_number_is_found(tmp_path, monkeypatch, name, text):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / name).write_text(text)
    assert len(citing(tmp_path / name)) == 1


@pytest.mark.parametrize(
    "text",
    [
        '"""Format an E.164 number; =SUM(A1) is escaped."""\nx = "(C17)"\n',
        "# The issue this fixes is told in words.\n",
    ],
)
def test_words_and_code_are_not_taken_for_citations(tmp_path, monkeypatch, text):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "a.py").write_text(text)
    assert citing(tmp_path / "a.py") == []


# The contract that finds import cycles (pyproject.toml, "No module imports itself")


def test_the_cycle_contract_names_each_cycle_once():
    graph = grimp.ImportGraph()
    for importer, imported in [
        ("app.a", "app.b"),
        ("app.b", "app.c"),
        ("app.c", "app.a"),
        ("app.c", "app.d"),
        ("app.d", "app.c"),
        ("app.e", "app.a"),
    ]:
        graph.add_import(importer=importer, imported=imported)
    modules = {"app.a", "app.b", "app.c", "app.d", "app.e"}
    assert module_cycles(graph, modules) == [("app.c", "app.d"), ("app.a", "app.b", "app.c")]


def test_the_cycle_contract_counts_the_package_python_imports_first():
    # app/views/__init__.py gathers the feature's views, which read a helper of app.views.
    graph = grimp.ImportGraph()
    graph.add_import(importer="app.views", imported="app.feature.views")
    graph.add_import(importer="app.views", imported="app.views.lists")
    graph.add_import(importer="app.feature.views", imported="app.views.lists")
    graph.add_import(importer="app.views.pages", imported="app.views.lists")
    modules = {"app.views", "app.views.lists", "app.views.pages", "app.feature.views"}
    assert module_cycles(graph, modules) == []

    add_parent_imports(graph, modules)

    assert module_cycles(graph, modules) == [("app.feature.views", "app.views")]
