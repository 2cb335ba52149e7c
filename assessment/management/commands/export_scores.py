"""manage.py export_scores --plan ID [--period ID] --out FILE.xlsx: the ranking (the year without --period)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

import audit
from tasks.models import ReportingPeriod, WorkPlan

from ...excel import scores_workbook
from ...scoring import score_units


class Command(BaseCommand):
    help = "导出考核排名（Excel）；不指定 --period 时为全年。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True)
        parser.add_argument("--period", type=int)
        parser.add_argument("--out", required=True)

    def handle(self, *args, plan, period, out, **options):
        found = WorkPlan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"没有编号为 {plan} 的工作计划。")
        chosen = None
        if period is not None:
            chosen = ReportingPeriod.objects.filter(plan=found, pk=period).first()
            if chosen is None:
                raise CommandError(f"计划 {plan} 没有编号为 {period} 的报送期。")
        table = score_units(found, chosen)
        Path(out).write_bytes(scores_workbook(table))
        audit.record("export", found, changes={"文件": str(out)})
        units = sum(len(rows) for _kind, _label, rows in table.groups)
        self.stdout.write(f"已导出 {units} 个单位的得分到 {out}")
