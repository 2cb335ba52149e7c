"""Markup lives in templates, where autoescaping guards every value: no string in the apps' Python code holds an
HTML tag, except in the two modules where a template cannot come close (the SVG charts and the task × unit
matrix's cells, both written with format_html/escape and tested for escaping)."""

import io
import re
import tokenize
from pathlib import Path

from django.conf import settings

ALLOWED = {"dashboards/charts.py", "dashboards/matrix.py"}
SKIPPED_DIRS = {"tests", "migrations", ".venv", "venv", "node_modules", "staticfiles", "media", "__pycache__"}
TAG = re.compile(
    r"<(/?)(a|div|span|td|tr|th|table|ul|li|p|select|option|input|textarea|label|button|form|svg|strong|em|small|br"
    r"|dl|dt|dd|details|summary|img|script|h[1-6])\b",
    re.IGNORECASE,
)
STRING_TOKENS = {tokenize.STRING} | ({tokenize.FSTRING_MIDDLE} if hasattr(tokenize, "FSTRING_MIDDLE") else set())
STATEMENT_EDGES = {tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def python_files(root):
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if not any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            yield relative.as_posix(), path


def tags_in(source):
    """(line, text) of every string literal in the source that holds an HTML tag. Comments and docstrings (a
    string standing alone as a statement: prose about the code, never output) do not count."""
    tokens = [
        token
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type not in (tokenize.COMMENT, tokenize.NL)
    ]
    found = []
    for i, token in enumerate(tokens):
        if token.type not in STRING_TOKENS or not TAG.search(token.string):
            continue
        alone = (i == 0 or tokens[i - 1].type in STATEMENT_EDGES) and tokens[i + 1].type in STATEMENT_EDGES
        if not alone:
            found.append((token.start[0], token.string))
    return found


SAMPLE = '''"""A module about <td> cells."""
x = "<td>{}</td>"
y = f'<a href="{x}">'  # <span> in a comment
z = "a < b, x<bar"
# <div>
def f():
    "<p> docstring"
    return format_html("<small>{}</small>", x)
'''


def test_the_scanner_finds_tags_in_strings_and_f_strings_but_not_in_comments_or_docstrings():
    assert [line for line, _text in tags_in(SAMPLE)] == [2, 3, 8]


def test_no_html_tag_literal_in_python_outside_the_chart_and_matrix_modules():
    root = Path(settings.BASE_DIR)
    found, scanned = [], 0
    for name, path in python_files(root):
        scanned += 1
        if name in ALLOWED:
            continue
        found += [f"{name}:{line}: {text[:80]}" for line, text in tags_in(path.read_text(encoding="utf-8"))]
    assert scanned > 50  # the apps were found
    assert not found, "HTML belongs in templates:\n" + "\n".join(found)
