"""The ranking as an Excel workbook (openpyxl write-only; text cells through lib.spreadsheets: never a formula)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from lib.spreadsheets import xlsx_cell

from .scoring import DEDUCTING, EARNING, LABELS


def _number(value):
    return float(value) if value is not None else ""


def scores_workbook(table):
    """Bytes of an .xlsx with one sheet: each unit kind's ranking, each item's points and the score."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("考核排名"))
    scope = table.period.name if table.period else _("全年")

    def row(values):
        sheet.append([xlsx_cell(sheet, value) for value in values])

    row([_("%(plan)s · %(scope)s考核得分（截至 %(on)s，细则第 %(version)s 版）")
         % {"plan": table.plan.title, "scope": scope, "on": table.on.isoformat(), "version": table.rule.version}])
    header = [_("类别"), _("排名"), _("单位")]
    header += [str(LABELS[key]) for key in EARNING]
    header += [_("%(item)s扣分") % {"item": LABELS[key]} for key in DEDUCTING]
    header += [_("调整"), _("调整理由"), _("得分")]
    row(header)
    for _kind, label, rows in table.groups:
        for unit_row in rows:
            items = unit_row.items
            values = [str(label), unit_row.rank or "", unit_row.unit.name]
            values += [f"{items[key].earned}/{items[key].possible}" for key in EARNING]
            values += [_number(-items[key].earned) for key in DEDUCTING]
            values.append(_number(items["adjust"].earned))
            values.append("；".join(f"{a.points:+}：{a.reason}" for a in unit_row.adjustments))
            values.append(_number(unit_row.score))
            row(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filename(table):
    scope = table.period.name if table.period else _("全年")
    return f"{table.plan.year}年{scope}考核排名.xlsx"
