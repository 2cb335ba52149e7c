"""Cells that stay text: the product's rule against formula injection, for the admin's Excel/CSV exports.

The same rule as annual.ledger.put_value (which every workbook of the product goes through): a text cell
starting with = + - @ or a tab is written as text (xlsx: string type with Excel's quote prefix; csv: a leading
apostrophe, as spreadsheet programs read it), never as a formula.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What an xlsx cell cannot hold (openpyxl would raise IllegalCharacterError).
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_value(value):
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def xlsx_cell(sheet, value):
    """An openpyxl write-only cell holding `value`; text is always a string cell (a formula never)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    if isinstance(value, str):
        text = UNSTORABLE.sub("", value)
        if text:
            cell.value = text
            cell.data_type = "s"
            if is_formula_like(text):
                cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    else:
        cell.value = value
    return cell
