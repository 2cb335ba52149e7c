"""The ledger (台账) of a plan as an Excel workbook: one row per assignment and reporting period.

Offices print it and file it, so the workbook carries its own layout: a bold, frozen header with a filter,
set column widths, wrapped text, A4 landscape fitted to one page wide, the header repeated on every page.

`ledger_rows()` reads the plan as plain values in a fixed number of queries and gives each row's thirteen
values; `write_ledger()` lays the workbook out with openpyxl and writes the rows into it. The web download and
the `export_ledger` command both call `write_ledger()`.
"""

import io
from itertools import groupby
from typing import NamedTuple
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from lib.spreadsheets import excel_text, put_value, safe_text, sheet_title
from tasks.models import Assignment, ProgressReport
from tasks.status import as_of_words, today
from tasks.uploads import safe_filename

UNIT_SEPARATOR = "、"
TIME_FORMAT = "%Y-%m-%d %H:%M"
NOT_SENT = _("未报送")
PRINCIPAL_MARK = _("（主牵头）")
COMPLETED_TEXT = _("已办结（%(time)s）")
LEDGER_TITLE = _("%(year)s年法治政府建设工作台账")
PAGE_FOOTER = _("第 &P 页，共 &N 页")


class Column(NamedTuple):
    header: str
    width: int  # in Excel's character widths (a Chinese character is about two)
    wrap: bool  # a text column, wrapped (every column is aligned to the top)


LAYOUT = (
    Column(_("序号"), 5, False),
    Column(_("任务编号"), 6, False),
    Column(_("任务"), 26, True),
    Column(_("牵头单位"), 12, True),
    Column(_("责任单位"), 12, True),
    Column(_("期间"), 7, False),
    Column(_("状态"), 7, False),
    Column(_("进展"), 8, False),
    Column(_("工作情况"), 44, True),
    Column(_("存在问题"), 24, True),
    Column(_("提交时间"), 16, False),
    Column(_("审核意见"), 20, True),
    Column(_("办结"), 12, True),
)
COLUMNS = tuple(column.header for column in LAYOUT)

# Deflate level of the file: 1 compresses the ledger's text about three times faster than the default 6, for a
# file about a tenth larger.
ZIP_LEVEL = 1
LEAD = Assignment.Role.LEAD


# --- Rows ------------------------------------------------------------------------------------------------


def ledger_rows(plan, periods=None):
    """The ledger's rows: a tuple of the thirteen columns' values (numbers and text) for each assignment in each
    period, ordered by task number, period (due date), lead before responsible, unit order.

    `periods`: reporting periods of the plan (None = all of them). Every assignment appears in every period,
    with or without a report. Three queries (two when the periods are given), whatever the plan's size; the
    assignments and reports are read as plain values, not model instances.
    """
    periods = _ledger_periods(plan, periods)
    reports = _sent_reports(periods)
    state_labels = {value: str(label) for value, label in ProgressReport.State.choices}
    progress_labels = {value: str(label) for value, label in ProgressReport.Progress.choices}
    not_sent = (str(NOT_SENT), "", "", "", "", "")
    rows = []
    for (_task_id, task_number, task_title), task_assignments in groupby(
        _plan_assignments(plan), key=lambda assignment: assignment[1:4]
    ):
        task_assignments = list(task_assignments)
        lead_units = lead_units_text([unit for _pk, *_task, role, unit, _done in task_assignments if role == LEAD])
        completed_at = task_assignments[0][-1]
        completed = (
            str(COMPLETED_TEXT) % {"time": timezone.localtime(completed_at).strftime(TIME_FORMAT)} if completed_at else ""
        )
        for period in periods:
            for assignment_id, *_task, _role, unit, _done in task_assignments:
                report = reports.get((assignment_id, period.pk))
                if report is None:
                    sent = not_sent
                else:
                    state, progress, body, problems, submitted_at, review_note = report
                    sent = (
                        state_labels.get(state, state),
                        progress_labels.get(progress, progress),
                        body,
                        problems,
                        timezone.localtime(submitted_at).strftime(TIME_FORMAT) if submitted_at else "",
                        review_note,
                    )
                rows.append((len(rows) + 1, task_number, task_title, lead_units, unit, period.name, *sent, completed))
    return rows


def lead_units_text(units):
    """The lead units in the notice's order; of several, the first is marked as the principal one (主牵头)."""
    if len(units) > 1:
        units = [f"{units[0]}{PRINCIPAL_MARK}", *units[1:]]
    return UNIT_SEPARATOR.join(str(unit) for unit in units)


def _ledger_periods(plan, periods):
    if periods is None:
        return list(plan.periods.order_by("due_on", "pk"))
    periods = {period.pk: period for period in periods}.values()
    strangers = [period for period in periods if period.plan_id != plan.pk]
    if strangers:
        raise ValueError(f"Periods {[period.pk for period in strangers]} are not of plan {plan.pk}.")
    return sorted(periods, key=lambda period: (period.due_on, period.pk))


def _plan_assignments(plan):
    """(id, task id, task number, task title, role, unit as written, the task's closing time) of every assignment
    in force, in the ledger's order."""
    lead_first = Case(When(role=LEAD, then=Value(0)), default=Value(1), output_field=IntegerField())
    unit_as_written = Coalesce(NullIf("unit__short_name", Value("")), "unit__name")  # str(unit)
    return (
        Assignment.objects.active()
        .filter(task__plan=plan)
        .annotate(role_rank=lead_first, unit_text=unit_as_written)
        .order_by("task__number", "role_rank", "order", "unit__order", "unit__name", "pk")
        .values_list("pk", "task_id", "task__number", "task__title", "role", "unit_text", "task__completed_at")
    )


def _sent_reports(periods):
    """The reports that reached the bureau, keyed by (assignment id, period id). Drafts are the unit's own.

    The periods are the plan's (checked above), so their reports are the plan's: no join is needed."""
    if not periods:
        return {}
    reports = (
        ProgressReport.objects.filter(period_id__in=[period.pk for period in periods])
        .exclude(state=ProgressReport.State.DRAFT)
        .values_list(
            "assignment_id",
            "period_id",
            "state",
            "progress",
            "body",
            "problems",
            "submitted_at",
            "review_note",
        )
    )
    return {(assignment_id, period_id): sent for assignment_id, period_id, *sent in reports}


# --- Workbook --------------------------------------------------------------------------------------------


def ledger_title(plan):
    """The ledger's name, e.g. 2022年法治政府建设工作台账."""
    return str(LEDGER_TITLE % {"year": plan.year})


def ledger_filename(plan):
    """The file's name, e.g. 2022年法治政府建设工作台账.xlsx."""
    return safe_filename(ledger_title(plan) + ".xlsx")


def write_ledger(plan, out, periods=None):
    """Write the plan's ledger as .xlsx to `out` (a path or a binary file object); return the number of rows.

    openpyxl (write-only) lays out the workbook: styles, widths, frozen header, filter, print settings and the
    header row. The data rows are written as SpreadsheetML by `_row_xml` into the sheet openpyxl wrote: the
    same cells openpyxl would write (inline text, the same styles, text never a formula), at a tenth of its
    cost per cell.
    """
    rows = ledger_rows(plan, periods)
    workbook = Workbook(write_only=True)
    _add_cell_styles(workbook)
    sheet = workbook.create_sheet(sheet_title(ledger_title(plan)))
    _lay_out(sheet, plan, row_count=len(rows), on=plan.as_of())
    sheet.append([_cell(sheet, str(header), HEADER_STYLE) for header in COLUMNS])
    styles = [_style_ids(sheet, TEXT_STYLE if column.wrap else SHORT_STYLE) for column in LAYOUT]
    package = io.BytesIO()
    workbook.save(package)
    _save_with_rows(package, out, sheet.path.lstrip("/"), _rows_xml(rows, styles))
    return len(rows)


def _style_ids(sheet, style):
    """The workbook's cell-format numbers of a named style: (as is, with the quote prefix)."""
    plain, quoted = _cell(sheet, "", style), _cell(sheet, "", style)
    quoted.quotePrefix = True
    return plain.style_id, quoted.style_id


ROWS_PER_CHUNK = 500
SHORT_TEXT = 200  # texts up to this length are escaped once per workbook


def _rows_xml(rows, styles, first_row=2):
    """The rows as UTF-8 SpreadsheetML `<row>` elements, a chunk of rows at a time."""
    letters = [get_column_letter(index) for index in range(1, len(LAYOUT) + 1)]
    texts = {}  # short text → its <is> element: unit names, tasks, periods and states repeat row after row
    chunk = []
    for number, values in enumerate(rows, start=first_row):
        cells = []
        for letter, value, (plain, quoted) in zip(letters, values, styles, strict=True):
            if isinstance(value, str):
                if len(value) > SHORT_TEXT:
                    text, quote = _inline_text(value)
                elif value in texts:
                    text, quote = texts[value]
                else:
                    text, quote = texts[value] = _inline_text(value)
                if text:
                    cells.append(
                        f'<c r="{letter}{number}" s="{quoted if quote else plain}" t="inlineStr">{text}</c>'
                    )
                else:
                    cells.append(f'<c r="{letter}{number}" s="{plain}"/>')
            elif isinstance(value, int) and not isinstance(value, bool):
                cells.append(f'<c r="{letter}{number}" s="{plain}" t="n"><v>{value}</v></c>')
            else:
                raise TypeError(f"A ledger cell holds text or a whole number, not {value!r}.")
        chunk.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(chunk) == ROWS_PER_CHUNK:
            yield "".join(chunk).encode()
            chunk = []
    yield "".join(chunk).encode()


def _inline_text(value):
    """(the `<is>` element of the text as Excel stores it, whether it needs the quote prefix); ("", False) for
    empty text. The rule is `put_value`'s."""
    text, quote = safe_text(value)
    if not text:
        return "", False
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<is><t xml:space="preserve">{text}</t></is>', quote


def _save_with_rows(package, out, sheet_part, rows_xml):
    """Copy the workbook openpyxl saved in `package` to `out`, with `rows_xml` at the end of the sheet's data."""
    with ZipFile(package) as source, ZipFile(out, "w", ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != sheet_part:
                target.writestr(info, data, compress_type=ZIP_DEFLATED)
                continue
            head, end, tail = data.partition(b"</sheetData>")
            if not end:
                raise ValueError(f"{sheet_part} has no </sheetData> to write the rows before.")
            part = ZipInfo(info.filename, date_time=info.date_time)
            part.compress_type = ZIP_DEFLATED
            with target.open(part, "w") as stream:
                stream.write(head)
                for chunk in rows_xml:
                    stream.write(chunk)
                stream.write(end + tail)


def _lay_out(sheet, plan, row_count, on=None):
    """Widths, frozen header, filter and print settings; a write-only sheet takes them before any row."""
    for index, column in enumerate(LAYOUT, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(LAYOUT))}{row_count + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.7, header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True
    # a plan judged on a past day (closed, or its year over) says so: …（截至 2022年12月31日）
    as_of = f"（{as_of_words(on)}）" if on and on < today() else ""
    sheet.oddHeader.center.text = _header_footer_text(f"{plan.title}（{plan.doc_number}）{as_of}")
    sheet.oddFooter.center.text = str(PAGE_FOOTER)


def _header_footer_text(text):
    return excel_text(text).replace("&", "&&")  # "&" starts a code in Excel's page headers


# Named cell styles: openpyxl is slow when font, alignment and border are set cell by cell.
HEADER_STYLE = "ledger-header"
TEXT_STYLE = "ledger-text"  # wrapped, at the top
SHORT_STYLE = "ledger-short"  # one line, at the top
FONT_NAME, FONT_SIZE = "宋体", 11  # SimSun, the usual face of printed tables in Chinese offices


def _add_cell_styles(workbook):
    thin = Side(style="thin")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)  # ruled on screen and on paper
    alignments = {
        HEADER_STYLE: Alignment(horizontal="center", vertical="center", wrap_text=True),
        TEXT_STYLE: Alignment(vertical="top", wrap_text=True),
        SHORT_STYLE: Alignment(vertical="top"),
    }
    for name, alignment in alignments.items():
        font = Font(name=FONT_NAME, size=FONT_SIZE, bold=name == HEADER_STYLE)
        workbook.add_named_style(NamedStyle(name=name, font=font, alignment=alignment, border=grid))


def _cell(sheet, value, style):
    cell = WriteOnlyCell(sheet)
    cell.style = style
    return put_value(cell, value)
