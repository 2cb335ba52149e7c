"""manage.py export_circular --plan ID --period ID --out FILE.docx: the period's circular as a Word file
(the saved draft; generated from the data first when there is none yet)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

import audit
from annual.docx import write_docx
from tasks.models import ReportingPeriod, WorkPlan

from ...circular import document, draft_texts, placeholders
from ...models import Circular


class Command(BaseCommand):
    help = "导出某报送期的通报（Word，GB/T 9704 格式）。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True)
        parser.add_argument("--period", type=int, required=True)
        parser.add_argument("--out", required=True)

    def handle(self, *args, plan, period, out, **options):
        found = WorkPlan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"没有编号为 {plan} 的工作计划。")
        chosen = ReportingPeriod.objects.filter(plan=found, pk=period).first()
        if chosen is None:
            raise CommandError(f"计划 {plan} 没有编号为 {period} 的报送期。")
        circular = Circular.objects.filter(plan=found, period=chosen).first()
        if circular is None:  # not saved: the generated draft, written but not stored
            circular = Circular(plan=found, period=chosen, **draft_texts(found, chosen))
            self.stdout.write("还没有保存的通报草稿：按当前数据生成。")
        circular.plan, circular.period = found, chosen
        with Path(out).open("wb") as handle:
            write_docx(document(circular), handle)
        audit.record("export", found, changes={"文件": str(out), "报送期": chosen.name})
        self.stdout.write(f"已导出 {out}（待补充 {len(placeholders(circular))} 处）")
