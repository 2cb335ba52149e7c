"""The figures the accepted reports give (数据一览): value, unit word, task, reporting unit and the sentence, for
the office to check and cite; on a page and as an Excel sheet (`FiguresWorkbook.render()`, shared by the view)."""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from lib.spreadsheets import put_value, sheet_title
from tasks.uploads import safe_filename

from . import digest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Figure:
    value: str
    unit_word: str
    task_number: int
    task_title: str
    unit: str
    sentence: str
    report_id: int
    sentence_index: int


def figures_of(reports):
    """Every figure of the reports' bodies, in the reports' order (the plan's), with its sentence."""
    rows = []
    for report in reports:
        task, unit = report.assignment.task, report.assignment.unit
        for index, sentence in enumerate(digest.sentences(report.body)):
            for value, word in digest.figures(sentence):
                rows.append(
                    Figure(
                        value,
                        word,
                        task.number,
                        task.title,
                        unit.short_name or unit.name,
                        sentence,
                        report.pk,
                        index,
                    )
                )
    return rows


COLUMNS = [
    (gettext_lazy("序号"), 6),
    (gettext_lazy("数值"), 10),
    (gettext_lazy("单位"), 8),
    (gettext_lazy("任务"), 8),
    (gettext_lazy("任务名称"), 30),
    (gettext_lazy("报送单位"), 18),
    (gettext_lazy("原句"), 80),
    (gettext_lazy("报告编号"), 10),
]


class FiguresWorkbook:
    """The figures as a printable .xlsx (text never becomes a formula: lib.spreadsheets.put_value)."""

    def __init__(self, plan, period, rows):
        self.plan, self.period, self.rows = plan, period, rows

    def filename(self):
        return safe_filename(_("%(plan)s_数据一览.xlsx") % {"plan": self.plan.title})

    def render(self):
        book = Workbook()
        sheet = book.active
        sheet.title = sheet_title(_("数据一览"))
        for column, (label, width) in enumerate(COLUMNS, 1):
            put_value(sheet.cell(row=1, column=column), str(label)).font = Font(bold=True)
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
        wrap = Alignment(wrap_text=True, vertical="top")
        for number, row in enumerate(self.rows, 1):
            values = [
                number,
                float(row.value) if "." in row.value else int(row.value),
                row.unit_word,
                row.task_number,
                row.task_title,
                row.unit,
                row.sentence,
                row.report_id,
            ]
            for column, value in enumerate(values, 1):
                put_value(sheet.cell(row=number + 1, column=column), value).alignment = wrap
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:H{len(self.rows) + 1}"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        buffer = io.BytesIO()
        book.save(buffer)
        return self.filename(), XLSX, buffer.getvalue()
