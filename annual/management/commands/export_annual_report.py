"""manage.py export_annual_report --plan ID --out FILE.docx [--period ID] [--reassemble]: the year-end report.

Exports the plan's draft with the coordinator's edits. Without a draft, one is assembled (default: the full-year
period) and saved; `--reassemble` re-assembles first, keeping the edited parts; a `--period` other than the
draft's re-assembles from that period.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

import audit
from annual import assembly
from annual.digest import count_placeholders
from annual.docx import HEADING1, HEADING3, PARAGRAPH, write_docx
from tasks.models import ReportingPeriod, WorkPlan


class Command(BaseCommand):
    help = "导出工作计划的年度法治政府建设情况报告（Word）：含统筹人员的修改；尚未汇编时先汇编并保存草稿。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True, help="工作计划的编号（ID）")
        parser.add_argument("--out", required=True, help="输出的 .docx 文件")
        parser.add_argument("--period", type=int, help="汇编所据的报送期（ID）；默认全年报送期")
        parser.add_argument("--reassemble", action="store_true", help="导出前重新汇编（保留人工修改的部分）")

    def handle(self, *args, plan, out, period, reassemble, **options):
        plan = _plan(plan)
        period = _period(plan, period) if period else None
        path = _out_path(out)
        draft = assembly.load_draft(plan)
        if draft is None or reassemble or (period is not None and period != draft.period):
            draft = self._assemble(plan, period, first=draft is None)
        draft.plan = plan
        document = assembly.document_for(draft)
        try:
            write_docx(document, path)
        except OSError as error:
            raise CommandError(
                _("无法写入文件 %(path)s：%(error)s") % {"path": path, "error": error}
            ) from None
        audit.record(
            "export",
            plan,
            changes={_("文件"): str(path), _("报送期"): draft.period.name if draft.period_id else ""},
        )
        text = "".join(block.text for block in document.blocks)
        self.stdout.write(
            _(
                "已写入 %(path)s：《%(title)s》，%(headings)s 个一级标题，%(paragraphs)s 段正文，"
                "正文 %(characters)s 字，待补充 %(todo)s 处（Word 中以黄色标出）。"
            )
            % {
                "path": path,
                "title": draft.title,
                "headings": sum(block.kind == HEADING1 for block in document.blocks),
                "paragraphs": sum(block.kind in (PARAGRAPH, HEADING3) for block in document.blocks),
                "characters": len(text),
                "todo": count_placeholders(text),
            }
        )

    def _assemble(self, plan, period, first):
        try:
            summary = assembly.assemble(plan, period=period)
        except assembly.AssemblyError as error:
            raise CommandError(str(error)) from None
        draft = summary.draft
        values = {"period": draft.period.name, "reports": summary.reports}
        if first:
            self.stdout.write(_("尚无草稿，已按“%(period)s”已通过的报告 %(reports)s 份汇编并保存。") % values)
        else:
            values.update(new=summary.newly_included, kept=summary.kept_edited)
            self.stdout.write(
                _(
                    "已按“%(period)s”重新汇编：已通过的报告 %(reports)s 份，新纳入 %(new)s 份，保留人工修改 %(kept)s 处。"
                )
                % values
            )
        return draft


def _plan(plan_id):
    plan = WorkPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise CommandError(_("找不到编号为 %(id)s 的工作计划。") % {"id": plan_id})
    return plan


def _period(plan, period_id):
    period = ReportingPeriod.objects.filter(pk=period_id).first()
    if period is None or period.plan_id != plan.pk:
        raise CommandError(
            _("报送期 %(id)s 不存在或不属于工作计划《%(plan)s》（编号 %(plan_id)s）。")
            % {"id": period_id, "plan": plan.title, "plan_id": plan.pk}
        )
    return period


def _out_path(out):
    path = Path(out).expanduser().resolve()
    if path.is_dir():
        raise CommandError(_("%(path)s 是一个文件夹，请给出文件名，如 年度报告.docx。") % {"path": path})
    if not path.parent.is_dir():
        raise CommandError(_("输出文件夹不存在：%(folder)s，请先创建它。") % {"folder": path.parent})
    return path
