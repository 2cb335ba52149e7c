"""The ledger (台账) of a plan as an Excel workbook: one row per assignment and reporting period.

Offices print it and file it, so the workbook carries its own layout: a bold, frozen header with a filter,
set column widths, wrapped text, A4 landscape fitted to one page wide, the header repeated on every page.

`ledger_rows()` reads the plan in a fixed number of queries, `LedgerResource` (django-import-export) turns
the rows into a tablib Dataset, `write_ledger()` lays the Dataset out with openpyxl. The web download and the
`export_ledger` command both call `write_ledger()`.
"""

import re
from dataclasses import dataclass
from itertools import groupby
from typing import NamedTuple

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from tasks.models import Assignment, ProgressReport, ReportingPeriod
from tasks.status import as_of_words, today
from tasks.uploads import safe_filename

UNIT_SEPARATOR = "、"
TIME_FORMAT = "%Y-%m-%d %H:%M"
NOT_SENT = _("未报送")
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
)
COLUMNS = tuple(column.header for column in LAYOUT)

# Excel's limits: characters per cell (counted in UTF-16 units) and sheet names.
MAX_CELL_LENGTH = 32_767
ELLIPSIS = "…"
MAX_SHEET_TITLE = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot carry (tab, line feed and carriage return can), and DEL.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# A text starting with one of these is read as a formula by spreadsheet programs (formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t")


@dataclass(frozen=True)
class LedgerRow:
    """One line of the ledger: an assignment (a unit on a task) in a reporting period."""

    number: int  # 序号, from 1
    assignment: Assignment  # with its task and unit joined
    period: ReportingPeriod
    lead_units: str  # the task's lead units (牵头单位), joined with "、"
    report: ProgressReport | None  # the report as sent; None when nothing was sent (no report, or a draft)


# --- Rows ------------------------------------------------------------------------------------------------


def ledger_rows(plan, periods=None):
    """The ledger's rows, ordered by task number, period (due date), lead before responsible, unit order.

    `periods`: reporting periods of the plan (None = all of them). Every assignment appears in every period,
    with or without a report. Three queries (two when the periods are given), whatever the plan's size.
    """
    periods = _ledger_periods(plan, periods)
    assignments = _plan_assignments(plan)
    reports = _sent_reports(plan, periods)
    rows = []
    for _task_id, task_assignments in groupby(assignments, key=lambda assignment: assignment.task_id):
        task_assignments = list(task_assignments)
        lead_units = _lead_units(task_assignments)
        for period in periods:
            for assignment in task_assignments:
                report = reports.get((assignment.pk, period.pk))
                rows.append(LedgerRow(len(rows) + 1, assignment, period, lead_units, report))
    return rows


def _ledger_periods(plan, periods):
    if periods is None:
        return list(plan.periods.order_by("due_on", "pk"))
    periods = {period.pk: period for period in periods}.values()
    strangers = [period for period in periods if period.plan_id != plan.pk]
    if strangers:
        raise ValueError(f"Periods {[period.pk for period in strangers]} are not of plan {plan.pk}.")
    return sorted(periods, key=lambda period: (period.due_on, period.pk))


def _plan_assignments(plan):
    lead_first = Case(
        When(role=Assignment.Role.LEAD, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(
        Assignment.objects.filter(task__plan=plan)
        .select_related("task", "unit")
        .annotate(role_rank=lead_first)
        .order_by("task__number", "role_rank", "unit__order", "unit__name", "pk")
    )


def _sent_reports(plan, periods):
    """The reports that reached the bureau, keyed by (assignment id, period id). Drafts are the unit's own."""
    reports = (
        ProgressReport.objects.filter(
            assignment__task__plan=plan, period__in=[period.pk for period in periods]
        )
        .exclude(state=ProgressReport.State.DRAFT)
    )
    return {(report.assignment_id, report.period_id): report for report in reports}


def _lead_units(task_assignments):
    return UNIT_SEPARATOR.join(
        str(assignment.unit) for assignment in task_assignments if assignment.role == Assignment.Role.LEAD
    )


# --- Columns ---------------------------------------------------------------------------------------------


class LedgerResource(resources.Resource):
    """The ledger's twelve columns (Chinese headers), each dehydrated from a `LedgerRow`."""

    number = fields.Field(column_name=COLUMNS[0])
    task_number = fields.Field(column_name=COLUMNS[1])
    task = fields.Field(column_name=COLUMNS[2])
    lead_units = fields.Field(column_name=COLUMNS[3])
    unit = fields.Field(column_name=COLUMNS[4])
    period = fields.Field(column_name=COLUMNS[5])
    state = fields.Field(column_name=COLUMNS[6])
    progress = fields.Field(column_name=COLUMNS[7])
    body = fields.Field(column_name=COLUMNS[8])
    problems = fields.Field(column_name=COLUMNS[9])
    submitted_at = fields.Field(column_name=COLUMNS[10])
    review_note = fields.Field(column_name=COLUMNS[11])

    class Meta:
        fields = (
            "number",
            "task_number",
            "task",
            "lead_units",
            "unit",
            "period",
            "state",
            "progress",
            "body",
            "problems",
            "submitted_at",
            "review_note",
        )

    def dehydrate_number(self, row):
        return row.number

    def dehydrate_task_number(self, row):
        return row.assignment.task.number

    def dehydrate_task(self, row):
        return row.assignment.task.title

    def dehydrate_lead_units(self, row):
        return row.lead_units

    def dehydrate_unit(self, row):
        return str(row.assignment.unit)

    def dehydrate_period(self, row):
        return row.period.name

    def dehydrate_state(self, row):
        return str(NOT_SENT) if row.report is None else row.report.get_state_display()

    def dehydrate_progress(self, row):
        return "" if row.report is None else row.report.get_progress_display()

    def dehydrate_body(self, row):
        return "" if row.report is None else row.report.body

    def dehydrate_problems(self, row):
        return "" if row.report is None else row.report.problems

    def dehydrate_submitted_at(self, row):
        if row.report is None or row.report.submitted_at is None:
            return ""
        return timezone.localtime(row.report.submitted_at).strftime(TIME_FORMAT)

    def dehydrate_review_note(self, row):
        return "" if row.report is None else row.report.review_note


# --- Workbook --------------------------------------------------------------------------------------------


def ledger_title(plan):
    """The ledger's name, e.g. 2022年法治政府建设工作台账."""
    return str(LEDGER_TITLE % {"year": plan.year})


def ledger_filename(plan):
    """The file's name, e.g. 2022年法治政府建设工作台账.xlsx."""
    return safe_filename(ledger_title(plan) + ".xlsx")


def write_ledger(plan, out, periods=None):
    """Write the plan's ledger as .xlsx to `out` (a path or a binary file object); return the number of rows."""
    rows = ledger_rows(plan, periods)
    dataset = LedgerResource().export(rows)
    workbook = Workbook(write_only=True)  # streamed: it keeps the freeze, filter, widths and print settings
    _add_cell_styles(workbook)
    sheet = workbook.create_sheet(sheet_title(ledger_title(plan)))
    _lay_out(sheet, plan, row_count=len(rows), on=plan.as_of())
    sheet.append([_cell(sheet, header, HEADER_STYLE) for header in dataset.headers])
    styles = [TEXT_STYLE if column.wrap else SHORT_STYLE for column in LAYOUT]
    for values in dataset:
        sheet.append([_cell(sheet, value, style) for value, style in zip(values, styles, strict=True)])
    workbook.save(out)
    return len(rows)


def sheet_title(text):
    """A sheet name Excel accepts: none of []:*?/\\ , no apostrophe at either end, at most 31 characters."""
    title = SHEET_TITLE_FORBIDDEN.sub("", excel_text(text))[:MAX_SHEET_TITLE].strip("'")
    return title or "Sheet1"


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


def put_value(cell, value):
    """Put `value` in an openpyxl cell: text stays text, never a formula (formula injection), and empty text is an
    empty cell. Every workbook the product writes goes through here."""
    if not isinstance(value, str):
        cell.value = value
    elif text := excel_text(value):
        cell.value = text
        cell.data_type = "s"  # openpyxl would make a formula of "=…"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


def excel_text(value):
    """The text as Excel can store it: without control characters, line breaks as \\n, cut to 32,767."""
    text = UNSTORABLE.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    return _cut(text)


def _cut(text):
    if _excel_length(text) <= MAX_CELL_LENGTH:
        return text
    room, used = MAX_CELL_LENGTH - len(ELLIPSIS), 0
    for end, character in enumerate(text):
        used += 2 if ord(character) > 0xFFFF else 1  # Excel counts UTF-16 units
        if used > room:
            return text[:end] + ELLIPSIS
    return text


def _excel_length(text):
    return len(text.encode("utf-16-le")) // 2
