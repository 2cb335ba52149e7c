"""Cells that stay text: the product's one rule for what goes into a spreadsheet cell.

Every workbook and CSV file the product writes goes through here — the 台账 (annual.ledger, whose rows are
SpreadsheetML written through `safe_text`), the dashboards' and figures' workbooks (`put_value`, `sheet_title`),
the admin's Excel/CSV exports (`xlsx_cell`, `csv_value`). A text cell starting with = + - @ or a tab is written as
text, never as a formula (formula injection): xlsx — a string cell with Excel's quote prefix, so it stays text
even when the cell is edited; csv — a leading apostrophe, as spreadsheet programs read it. Characters an xlsx
file cannot hold are dropped, line breaks become \\n, and a text is cut to Excel's 32,767 characters.
"""

import re

# A text starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry (tab, line feed and carriage return can), and DEL: openpyxl would raise
# IllegalCharacterError.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Excel's limits: characters per cell (counted in UTF-16 units) and sheet names.
MAX_CELL_LENGTH = 32_767
ELLIPSIS = "…"
MAX_SHEET_TITLE = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_value(value):
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def excel_text(value):
    """The text as Excel can store it: without control characters, line breaks as \\n, cut to 32,767."""
    text = UNSTORABLE.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    return _cut(text)


def safe_text(value):
    """(the text as Excel can store it, whether it starts like a formula): such a text is stored as text with
    the quote prefix, so that it stays text even when the cell is edited."""
    text = excel_text(value)
    return text, is_formula_like(text)


def put_value(cell, value):
    """Put `value` in an openpyxl cell: text stays text, never a formula, and empty text is an empty cell."""
    if not isinstance(value, str):
        cell.value = value
        return cell
    text, quote = safe_text(value)
    if text:
        cell.value = text
        cell.data_type = "s"  # openpyxl would make a formula of "=…"
        if quote:
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


def xlsx_cell(sheet, value):
    """An openpyxl write-only cell holding `value` (put_value's rule)."""
    from openpyxl.cell import WriteOnlyCell

    return put_value(WriteOnlyCell(sheet), value)


def sheet_title(text):
    """A sheet name Excel accepts: none of []:*?/\\ , no apostrophe at either end, at most 31 characters."""
    title = SHEET_TITLE_FORBIDDEN.sub("", excel_text(text))[:MAX_SHEET_TITLE].strip("'")
    return title or "Sheet1"


def _cut(text):
    if (
        len(text) * 2 <= MAX_CELL_LENGTH or _excel_length(text) <= MAX_CELL_LENGTH
    ):  # at most 2 units a character
        return text
    room, used = MAX_CELL_LENGTH - len(ELLIPSIS), 0
    for end, character in enumerate(text):
        used += 2 if ord(character) > 0xFFFF else 1  # Excel counts UTF-16 units
        if used > room:
            return text[:end] + ELLIPSIS
    return text


def _excel_length(text):
    return len(text.encode("utf-16-le")) // 2
