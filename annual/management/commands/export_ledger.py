"""manage.py export_ledger --plan ID --out FILE.xlsx [--period ID ...]: the plan's ledger (台账) as Excel."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

import audit
from annual.ledger import write_ledger
from tasks.models import ReportingPeriod, WorkPlan


class Command(BaseCommand):
    help = "导出工作计划的台账（Excel）：每个任务分工在每个报送期一行。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True, help="工作计划的编号（ID）")
        parser.add_argument("--out", required=True, help="输出的 .xlsx 文件")
        parser.add_argument(
            "--period",
            type=int,
            action="append",
            dest="periods",
            help="只导出该报送期（ID），可重复；默认全部",
        )

    def handle(self, *args, plan, out, periods, **options):
        plan = _plan(plan)
        chosen = _periods(plan, periods) if periods else None
        path = _out_path(out)
        try:
            count = write_ledger(plan, path, periods=chosen)
        except OSError as error:
            raise CommandError(
                _("无法写入文件 %(path)s：%(error)s") % {"path": path, "error": error}
            ) from None
        periods_text = "、".join(period.name for period in chosen) if chosen else _("全部")
        audit.record("export", plan, changes={_("文件"): str(path), _("报送期"): periods_text})
        self.stdout.write(_("已导出台账 %(count)s 行：%(path)s") % {"count": f"{count:,}", "path": path})


def _plan(plan_id):
    plan = WorkPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise CommandError(_("找不到编号为 %(id)s 的工作计划。") % {"id": plan_id})
    return plan


def _periods(plan, period_ids):
    """The chosen periods; each must belong to the plan."""
    periods = list(ReportingPeriod.objects.filter(plan=plan, pk__in=period_ids))
    missing = sorted(set(period_ids) - {period.pk for period in periods})
    if missing:
        raise CommandError(
            _("报送期 %(ids)s 不存在或不属于工作计划《%(plan)s》（编号 %(plan_id)s）。")
            % {"ids": "、".join(map(str, missing)), "plan": plan.title, "plan_id": plan.pk}
        )
    return periods


def _out_path(out):
    path = Path(out).expanduser().resolve()
    if path.is_dir():
        raise CommandError(_("%(path)s 是一个文件夹，请给出文件名，如 台账.xlsx。") % {"path": path})
    if not path.parent.is_dir():
        raise CommandError(_("输出文件夹不存在：%(folder)s，请先创建它。") % {"folder": path.parent})
    return path
