"""Task-division tables (任务分工表) from Word and Excel, written out as notice text for parse_notice().

A table is one when a row holds at least two known column headers (序号, 重点任务, 具体措施, 牵头单位,
责任单位, 完成时限 and their variants), in any order. Each later row becomes one numbered task with its
units and deadline on labelled lines, so that no unlabelled cell is ever glued onto the content:

    一、重点任务 (when the table has both a task and a measure column; merged cells carried down)
    1. 具体措施
    牵头单位：…
    责任单位：…
    完成时限：…

A repeated header row (Word repeats it on every page) is skipped; several tables continue the numbering.
Cells under no known header are kept on a `备注：` line of their task, never dropped.
"""

from __future__ import annotations

import io
import re
import zipfile

from django.utils.translation import gettext as _

from .parser import NoticeError

# column → the header texts that name it (compared without spaces and brackets)
_HEADERS = {
    "number": ("序号", "编号", "序"),
    "area": (
        "重点任务",
        "主要任务",
        "工作任务",
        "任务",
        "重点工作",
        "工作事项",
        "任务名称",
        "工作内容",
        "任务内容",
    ),
    "measure": (
        "具体措施",
        "具体任务",
        "工作措施",
        "主要措施",
        "具体工作",
        "工作举措",
        "任务措施",
        "具体内容",
    ),
    "lead": ("牵头单位", "牵头部门", "主办单位", "牵头责任单位"),
    "responsible": ("责任单位", "责任部门", "配合单位", "配合部门", "参与单位", "协办单位", "协同责任单位"),
    "deadline": ("完成时限", "时限要求", "完成时间", "时间节点", "时限", "完成期限"),
    "leader": ("牵头负责领导", "责任领导", "牵头领导"),
}
_LABELS = {
    "lead": "牵头单位",
    "responsible": "责任单位",
    "deadline": "完成时限",
    "leader": "牵头负责领导",
}
_CN_NUMERALS = "一二三四五六七八九"
_MAX_ROWS = 5000
_MAX_XLSX_UNPACKED = 50 * 1024 * 1024


def _key(text: str) -> str:
    return re.sub(r"[\s()（）:：*＊]", "", text or "")


def header_columns(cells: list[str]) -> dict[int, str] | None:
    """{column index: column name} when the row is a task table's header, else None."""
    columns = {}
    for index, cell in enumerate(cells):
        key = _key(cell)
        for name, texts in _HEADERS.items():
            if key in texts and name not in columns.values():
                columns[index] = name
                break
            # "责任单位（牵头单位列第一）" and the like
            if (
                name in ("lead", "responsible", "deadline")
                and key.startswith(texts)
                and name not in columns.values()
            ):
                columns[index] = name
                break
    named = set(columns.values())
    if len(named) < 2 or not named & {"area", "measure"}:
        return None
    if "measure" not in named:  # a single task column is the task's content
        columns = {index: "measure" if name == "area" else name for index, name in columns.items()}
    return columns


def render_rows(rows: list[list[str]], state: dict | None = None) -> list[str] | None:
    """Notice lines for one table's rows (merged cells already filled), or None if it is no task table.

    `state` carries the header, the numbering and the current area from one table to the next.
    """
    state = state if state is not None else {}
    lines: list[str] = []
    for cells in rows[:_MAX_ROWS]:
        cells = [(cell or "").strip() for cell in cells]
        if not any(cells):
            continue
        columns = header_columns(cells)
        if columns is not None:
            state["columns"] = columns
            continue
        columns = state.get("columns")
        if columns is None:
            lines.append(" ".join(cell for cell in cells if cell))
            continue
        lines += _render_row(cells, columns, state)
    return lines if state.get("columns") else None


def _render_row(cells: list[str], columns: dict[int, str], state: dict) -> list[str]:
    values = {name: cells[index] for index, name in columns.items() if index < len(cells)}
    others = [cell for index, cell in enumerate(cells) if index not in columns and cell]
    if re.sub(r"[\d\s.．、()（）]", "", values.get("number", "")):  # not a number: kept, not dropped
        others.insert(0, values.pop("number"))
    lines = []
    area = " ".join(values.get("area", "").split())
    if area and area != state.get("area"):
        state["area"] = area
        state["sections"] = state.get("sections", 0) + 1
        lines.append(f"{_chinese(state['sections'])}、{area}")
    measure = values.get("measure", "")
    if not measure and not any(values.get(name) for name in _LABELS):
        return lines + others  # a row with no task in it (a note, a subtotal): kept as text
    number = re.sub(r"\D", "", values.get("number", ""))
    state["number"] = (
        int(number) if number and int(number) > state.get("number", 0) else state.get("number", 0) + 1
    )
    lines.append(
        f"{state['number']}. " + "\n".join(part.strip() for part in measure.splitlines() if part.strip())
    )
    for name, label in _LABELS.items():
        if values.get(name):
            lines.append(f"{label}：" + " ".join(values[name].split()))
    if others:
        lines.append("备注：" + "；".join(others))
    return lines


def _chinese(number: int) -> str:
    if number <= 9:
        return _CN_NUMERALS[number - 1]
    tens, ones = divmod(number, 10)
    return (
        ("" if tens == 1 else _CN_NUMERALS[tens - 1]) + "十" + ("" if ones == 0 else _CN_NUMERALS[ones - 1])
    )


def read_xlsx(filename: str, data: bytes) -> str:
    """Every sheet's rows as notice text: task tables rendered as tasks, other rows as plain lines."""
    import openpyxl

    bad = NoticeError(
        _("“%(name)s”不是有效的 Excel（.xlsx）文件，请在 Excel/WPS 中重新另存为 .xlsx 后再上传。")
        % {"name": filename}
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_XLSX_UNPACKED:
                raise NoticeError(
                    _("“%(name)s”解压后过大，请只保留任务分工表后再上传。") % {"name": filename}
                )
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except NoticeError:
        raise
    # openpyxl reports damaged or foreign files through many exception types; all mean the same here.
    except Exception as error:
        raise bad from error
    lines: list[str] = []
    for sheet in workbook.worksheets:
        rows = [
            ["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(max_row=min(sheet.max_row, _MAX_ROWS), values_only=True)
        ]
        for merged in sheet.merged_cells.ranges:  # Excel keeps a merged value in the top-left cell only
            top = merged.min_row - 1
            if top >= len(rows):
                continue
            value = rows[top][merged.min_col - 1]
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                for c in range(merged.min_col - 1, merged.max_col):
                    rows[r][c] = value
        rendered = render_rows(rows)
        lines += rendered if rendered is not None else [" ".join(c for c in row if c) for row in rows]
    return "\n".join(lines)


def docx_table_rows(table) -> list[list[str]]:
    """A python-docx table's rows; a vertically merged cell gives its text to every row it spans."""
    rows = []
    for row in table.rows[:_MAX_ROWS]:
        cells, seen = [], set()
        for cell in row.cells:
            # a horizontally merged cell is returned once per grid column it spans: keep it once
            cells.append("" if id(cell._tc) in seen else cell.text)
            seen.add(id(cell._tc))
        rows.append(cells)
    return rows
