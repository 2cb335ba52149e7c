"""manage.py import_plan PATH [--year YYYY] [--dry-run] [--json] [--replace] [--publish]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importing.parser import NoticeError, parse_notice
from importing.reader import read_notice_file
from importing.service import import_notice, notice_as_json, preview_notice
from tasks.models import WorkPlan
from tasks.plans import PlanDataError


class Command(BaseCommand):
    help = "导入工作计划通知（.txt、.docx、.xlsx 或 .pdf）。--dry-run 只解析不保存，--json 输出解析结果。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="通知文件（.txt、.docx、.xlsx 或 .pdf）")
        parser.add_argument("--year", type=int, help="计划年度（默认从通知中识别）")
        parser.add_argument("--dry-run", action="store_true", help="只解析，不保存")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出解析结果")
        parser.add_argument("--replace", action="store_true", help="替换同文号的草稿计划")
        parser.add_argument("--publish", action="store_true", help="导入后直接发布（执行中）")

    def handle(self, *args, path, year, dry_run, json: bool, replace, publish, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            text = read_notice_file(file.name, file.read_bytes())
            notice = parse_notice(text, year=year)
        except NoticeError as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_dumps(notice_as_json(notice)))
        if dry_run:
            if not json:
                self._summary(notice)
            return
        preview = preview_notice(notice)
        if preview.unresolved:
            names = "、".join(
                f"{name}（第{'、'.join(map(str, items))}项）" for name, items in preview.unresolved.items()
            )
            raise CommandError(
                f"以下名称找不到对应单位，未导入任何内容：{names}。请在单位名录中添加单位或别名，或使用导入页面逐项处理。"
            )
        status = WorkPlan.Status.ACTIVE if publish else WorkPlan.Status.DRAFT
        try:
            plan = import_notice(notice, source_text=text, replace=replace, status=status)
        except PlanDataError as error:
            raise CommandError("；".join(error.problems)) from None
        if not json:
            self.stdout.write(
                f"已导入《{plan.title}》（{plan.doc_number}）：{plan.sections.count()} 个部分、{plan.tasks.count()} 项任务。"
            )
            if preview.selective:
                self.stdout.write(
                    f"有 {len(preview.selective)} 处“有关部门”一类的单位组待统筹人员在任务页面选定。"
                )

    def _summary(self, notice):
        items = list(notice.items())
        self.stdout.write(
            f"《{notice.title}》{notice.doc_number}：{len(notice.sections)} 个部分、{len(items)} 项任务（未保存）。"
        )
        for warning in notice.warnings:
            self.stdout.write(f"  提示：{warning.message}")


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
