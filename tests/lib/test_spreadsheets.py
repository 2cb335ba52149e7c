"""lib.spreadsheets: the one rule for what goes into a spreadsheet cell (formula injection, characters an xlsx
cannot hold, Excel's length limit), and every writer of the product using it."""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook, load_workbook

from annual import ledger
from lib import spreadsheets
from lib.spreadsheets import (
    FORMULA_STARTS,
    MAX_CELL_LENGTH,
    csv_value,
    excel_text,
    is_formula_like,
    put_value,
    safe_text,
    xlsx_cell,
)

FORMULAS = ['=HYPERLINK("http://example.com","点我")', "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
PLAIN = ["市司法局", "1-2", "a=b", "", "（一）", "100"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_like_text_stays_text_everywhere(text):
    assert is_formula_like(text) and text.startswith(FORMULA_STARTS)
    assert csv_value(text) == "'" + text
    stored, quote = safe_text(text)
    cell = xlsx_cell(Workbook(write_only=True).create_sheet(), text)
    assert (cell.value, cell.data_type) == (stored, "s")
    assert cell.quotePrefix == quote  # "\r=1" is stored as "\n=1": no longer formula-like, no prefix needed
    assert quote == is_formula_like(stored)


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_is_left_as_it_is(text):
    assert not is_formula_like(text)
    assert csv_value(text) == text
    assert safe_text(text) == (text, False)


def test_a_saved_workbook_keeps_formula_like_text_as_text():
    workbook = Workbook()
    sheet = workbook.active
    for row, text in enumerate(FORMULAS + ["a\x00b\x1f", 7], start=1):
        put_value(sheet.cell(row=row, column=1), text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = [row[0] for row in load_workbook(buffer).active.iter_rows()]
    assert [cell.data_type for cell in cells[: len(FORMULAS)]] == ["s"] * len(FORMULAS)
    assert cells[0].value == FORMULAS[0] and cells[0].quotePrefix
    assert cells[-2].value == "ab" and cells[-1].value == 7


def test_csv_cells_are_read_back_as_text():
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_value(text) for text in FORMULAS[:4]])
    assert all(value.startswith("'") for value in next(csv.reader(io.StringIO(buffer.getvalue()))))


def test_a_text_over_excels_limit_is_cut():
    assert len(excel_text("字" * (MAX_CELL_LENGTH + 10))) == MAX_CELL_LENGTH
    assert excel_text("一\r\n二\r三") == "一\n二\n三"


def test_the_ledgers_rows_follow_the_same_rule():
    """The ledger writes its rows as SpreadsheetML itself: the quote prefix where safe_text says so."""
    for text in FORMULAS + PLAIN:
        element, quote = ledger._inline_text(text)
        assert quote == safe_text(text)[1]
        assert bool(element) == bool(safe_text(text)[0])


def test_the_rule_is_defined_once():
    """No module but lib/spreadsheets.py defines the formula starts or the unstorable characters."""
    names = {"FORMULA_STARTS", "UNSTORABLE"}
    base = Path(settings.BASE_DIR)
    defined = []
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(base).parts
        if parts[0] in {"tests", ".venv", "venv", "node_modules"} or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in names:
                        defined.append(f"{path.relative_to(base)} {target.id}")
    assert sorted(defined) == ["lib/spreadsheets.py FORMULA_STARTS", "lib/spreadsheets.py UNSTORABLE"]
    assert spreadsheets.put_value is ledger.put_value
