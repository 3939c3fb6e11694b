"""No SQL is built from input: the source is read for SQL text assembled with
f-strings, % or .format, and each piece put into it must be a constant, a quoted name or
an integer, or the statement must say why it is safe in a `# safe-sql:` comment."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("contacts", "settings_app", "crm", "overview")
SQL = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ANALYZE|PRAGMA|WITH|COPY|TRUNCATE)\b"
    r"|\b(FROM|WHERE|VALUES|INTO|JOIN|SET|FOR SHARE)\b"
)
MARK = "# safe-sql:"
CONSTANT_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
SAFE_CALLS = {"quote_name", "int", "len"}


def _sources():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _text_of(node):
    """Return the literal text of a string-building expression, or None."""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return node.left.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return node.func.value.value
    return None


def _pieces(node):
    """Return the expressions a string-building expression puts into its text."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp):
        right = node.right
        if isinstance(right, ast.Tuple):
            return list(right.elts)
        if isinstance(right, ast.Dict):
            return list(right.values)
        return [right]
    return list(node.args) + [k.value for k in node.keywords]


def _is_constant(node):
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return bool(CONSTANT_NAME.match(node.id))
    if isinstance(node, ast.Attribute):
        return bool(CONSTANT_NAME.match(node.attr))
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in SAFE_CALLS
    return False


def built_sql(path):
    """Yield (line, text) of each SQL string built from something not a constant, unmarked."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        text = _text_of(node)
        if text is None or not SQL.search(text):
            continue
        if all(_is_constant(piece) for piece in _pieces(node)):
            continue
        # The statement's own lines, and the comment line right above it.
        span = lines[max(node.lineno - 2, 0) : node.end_lineno]
        if any(MARK in line for line in span):
            continue
        yield node.lineno, ast.get_source_segment(source, node)


def test_no_sql_is_built_from_anything_but_constants_unless_marked_safe():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in _sources()
        if "migrations" not in path.parts
        for line, text in built_sql(path)
    ]

    assert found == []


@pytest.mark.parametrize(
    "code",
    [
        "cursor.execute(f\"SELECT * FROM contacts_contact WHERE name = '{name}'\")",
        'Contact.objects.raw("SELECT * FROM contacts_contact WHERE id = %s" % request.GET["id"])',
        'RawSQL("UPDATE contacts_contact SET name = {}".format(value), [])',
        'sql = f"DELETE FROM {table}"',
    ],
)
def test_the_scan_finds_sql_built_from_input(tmp_path, code):
    path = tmp_path / "views.py"
    path.write_text(code + "\n", encoding="utf-8")

    assert len(list(built_sql(path))) == 1


@pytest.mark.parametrize(
    "code",
    [
        'cursor.execute(f"ANALYZE {CONTACT_TABLES}")',
        'cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")',
        'cursor.execute("SELECT * FROM t WHERE id = %s", [value])',
        'message = f"Delete {name} from the list?"',
        '# safe-sql: the table names are the model\'s.\nsql = f"DELETE FROM {table}"',
    ],
)
def test_the_scan_leaves_constants_parameters_and_marked_statements_alone(tmp_path, code):
    path = tmp_path / "views.py"
    path.write_text(code + "\n", encoding="utf-8")

    assert list(built_sql(path)) == []
