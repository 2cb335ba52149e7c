"""The unit table and the matrix as Excel workbooks that print: header frozen, widths set, A4 landscape, fit to
the page width, the header repeated on every page. The matrix's cells carry the light's words as well as its
colour, so the printout reads in black and white."""

import io

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from lib.spreadsheets import put_value, sheet_title
from tasks.status import Light, as_of_words
from tasks.uploads import safe_filename

FILLS = {
    Light.DONE: "C8E6C9",
    Light.ON_TRACK: "E3F2E5",
    Light.DUE_SOON: "FFE9A8",
    Light.OVERDUE: "F4B6B0",
    Light.NOT_STARTED: "E0E3E6",
}
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def filename(plan, period, what):
    return safe_filename(f"{plan.year}年{what}（{period.name}）.xlsx")


def new_sheet(title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return workbook, sheet


def write_table(sheet, title, headers, rows, widths, header_row=2):
    """A title line, a bold frozen header and the rows, with borders; the header repeats on printed pages."""
    sheet.cell(row=1, column=1, value=str(title)).font = Font(bold=True, size=14)
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=str(header))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    for number, row in enumerate(rows, start=header_row + 1):
        for column, value in enumerate(row, start=1):
            cell = put_value(sheet.cell(row=number, column=column), plain(value))
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"


def plain(value):
    """Lazy translations become text; numbers stay numbers."""
    return str(value) if isinstance(value, Promise) else value


def saved(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def period_words(period, on=None):
    """“全年，截至 2022年12月31日”: the period and the day the figures are judged on."""
    return f"{period.name}，{as_of_words(on)}" if on else period.name


def unit_workbook(plan, period, lines, on=None):
    workbook, sheet = new_sheet(_("单位对比"))
    headers = [
        _("序号"),
        _("单位"),
        _("类别"),
        _("分工数"),
        _("已报送"),
        _("按时报送"),
        _("按时率"),
        _("逾期"),
        _("即将到期"),
        _("被退回"),
        _("已通过"),
        _("最近报送"),
    ]
    rows = []
    for number, line in enumerate(lines, start=1):
        figures = line.figures
        last = (
            timezone.localtime(line.last_submission).strftime("%Y-%m-%d %H:%M")
            if line.last_submission
            else ""
        )
        rows.append(
            [
                number,
                line.unit.name,
                line.unit.get_kind_display(),
                figures.assignments,
                figures.reported,
                figures.on_time,
                f"{line.on_time_rate}%",
                figures.overdue,
                figures.due_soon,
                figures.returned,
                figures.accepted,
                last,
            ]
        )
    title = _("%(plan)s 各单位完成情况（%(period)s）") % {"plan": plan.title, "period": period_words(period, on)}
    write_table(sheet, title, headers, rows, [6, 30, 16, 8, 8, 9, 8, 7, 9, 8, 8, 17])
    return saved(workbook)


def matrix_workbook(plan, period, units, rows, on=None):
    """Tasks down, units across; each cell the light's words on its colour."""
    workbook, sheet = new_sheet(_("任务矩阵"))
    headers = [_("编号"), _("任务"), _("任务状态"), *[str(unit) for unit in units]]
    table = [
        [row.task.number, row.task.title, Light(row.light).label, *[cell_text(cell) for cell in row.cells]]
        for row in rows
    ]
    title = _("%(plan)s 任务矩阵（%(period)s）") % {"plan": plan.title, "period": period_words(period, on)}
    write_table(sheet, title, headers, table, [6, 40, 10, *[7] * len(units)])
    sheet.freeze_panes = "D3"
    for number, row in enumerate(rows, start=3):
        paint(sheet.cell(row=number, column=3), row.light)
        for column, cell in enumerate(row.cells, start=4):
            paint(sheet.cell(row=number, column=column), cell.light)
    for column in range(4, 4 + len(units)):
        sheet.cell(row=2, column=column).alignment = Alignment(
            horizontal="center", vertical="bottom", wrap_text=True, text_rotation=255
        )
    sheet.row_dimensions[2].height = 90
    return saved(workbook)


def cell_text(cell):
    return "" if cell.light == Light.NOT_ASSIGNED else str(Light(cell.light).label)


def paint(cell, light):
    if light in FILLS:
        cell.fill = PatternFill("solid", fgColor=FILLS[light])
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
