"""manage.py export_annual_report: a Word file python-docx opens, headings mirroring the plan's sections, every
accepted report's body exactly once and nothing unaccepted (on a hand-built plan and on the demo), the
coordinator's edits kept, re-assembly, and clear errors."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from annual import assembly, digest
from annual.models import AnnualReport
from tasks.models import ProgressReport, WorkPlan
from tests.annual.test_assembly import LEAD_TEXT, NEVER_IN_TEXT, UNACCEPTED_MARKERS, World

pytestmark = pytest.mark.django_db

State = ProgressReport.State


@pytest.fixture
def world():
    return World()


def export(plan, out, *args):
    stdout = io.StringIO()
    call_command("export_annual_report", "--plan", plan.pk, "--out", str(out), *args, stdout=stdout)
    return stdout.getvalue()


def lines_of(path):
    return [p.text for p in Document(str(path)).paragraphs if p.text.strip()]


def level_one_headings(lines, titles):
    return [line for line in lines if line.partition("、")[2] in titles]


def test_it_assembles_saves_and_writes_the_draft(world, tmp_path):
    out = tmp_path / "年度报告.docx"
    printed = export(world.plan, out)
    assert "尚无草稿，已按“全年”已通过的报告 8 份汇编并保存。" in printed
    assert f"已写入 {out}" in printed and "5 个一级标题" in printed and "待补充 2 处" in printed
    assert AnnualReport.objects.filter(plan=world.plan, period=world.full_year).exists()
    lines = lines_of(out)
    assert level_one_headings(lines, {"主要举措和成效", "存在的不足和原因"}) == [
        "一、主要举措和成效",
        "三、存在的不足和原因",
    ]
    assert [line for line in lines if line.startswith("（")] == ["（一）第一部分"]
    everything = "\n".join(lines)
    assert everything.count(LEAD_TEXT) == 1
    assert not any(marker in everything for marker in UNACCEPTED_MARKERS + NEVER_IN_TEXT)


def test_it_exports_the_coordinators_edits_and_reassembles_keeping_them(world, tmp_path):
    assembly.assemble(world.plan)
    draft = AnnualReport.objects.get(plan=world.plan)
    task1 = draft.parts.get(key=assembly.task_key(world.task1.pk))
    assembly.save_part(task1, text="统筹人员改写的任务一【改】", version=task1.version, user=None)
    world.r3_bing.body = "丙局开展专项督查5次【T3丙】。"
    world.r3_bing.save()
    world.accept(world.r3_bing)

    out = tmp_path / "报告.docx"
    export(world.plan, out)
    everything = "\n".join(lines_of(out))
    assert "统筹人员改写的任务一【改】" in everything and LEAD_TEXT not in everything
    assert "【T3丙】" not in everything  # accepted after the last assembly: not in the draft yet

    printed = export(world.plan, out, "--reassemble")
    assert "新纳入 1 份，保留人工修改 1 处" in printed
    everything = "\n".join(lines_of(out))
    assert "统筹人员改写的任务一【改】" in everything and "【T3丙】" in everything


def test_another_period_reassembles_from_it(world, tmp_path):
    assembly.assemble(world.plan)
    out = tmp_path / "上半年.docx"
    printed = export(world.plan, out, "--period", world.half_year.pk)
    assert "已按“上半年”重新汇编" in printed
    everything = "\n".join(lines_of(out))
    assert "【T3甲上半年】" in everything and "【T1甲】" not in everything


def test_errors(world, plan, tmp_path):
    out = tmp_path / "报告.docx"
    with pytest.raises(CommandError, match="找不到编号为 999999 的工作计划"):
        call_command("export_annual_report", "--plan", 999999, "--out", str(out))
    with pytest.raises(CommandError, match="不属于工作计划"):
        export(world.plan, out, "--period", plan.periods.first().pk)
    empty = WorkPlan.objects.create(year=2031, title="没有报送期的计划", doc_number="年报测试〔2031〕9号")
    with pytest.raises(CommandError, match="还没有报送期"):
        export(empty, out)
    with pytest.raises(CommandError, match="输出文件夹不存在"):
        export(world.plan, tmp_path / "没有这个文件夹" / "报告.docx")
    with pytest.raises(CommandError, match="是一个文件夹"):
        export(world.plan, tmp_path)
    assert not out.exists()


def test_the_demo_plan(plan, tmp_path):
    """The demo's 全年 period: the five statutory parts, each plan section a level-2 heading, the length of a
    real report (6,000–15,000 characters), every accepted report traceable, nothing unaccepted."""
    out = tmp_path / "聊城市.docx"
    printed = export(plan, out)
    lines = lines_of(out)
    assert lines[0].replace("\n", "") == "聊城市人民政府关于2022年度法治政府建设情况的报告"
    assert [line for line in lines if line[:2] in {"一、", "二、", "三、", "四、", "五、"}] == [
        "一、主要举措和成效",
        "二、党政主要负责人履行推进法治建设第一责任人职责情况",
        "三、存在的不足和原因",
        "四、下一年度推进法治政府建设的主要安排",
        "五、其他需要报告的情况",
    ]
    sections = plan.sections.order_by("number")
    measures = [s.title for s in sections if not assembly.LEADERS_SECTION.search(s.title)]
    assert [line[3:] for line in lines if line.startswith("（")] == measures
    body = "\n".join(lines[1:-1])
    assert 6000 <= len(body) <= 15000, len(body)
    assert "正文" in printed and "待补充" in printed
    # every task once: its number-led paragraph
    tasks = plan.tasks.count()
    assert sum(1 for line in lines if re.match(r"^\d+\.", line)) == tasks
    full_year = plan.periods.get(name="全年")
    draft = AnnualReport.objects.get(plan=plan)
    accepted = {r.pk: r for r in ProgressReport.objects.filter(period=full_year, state=State.ACCEPTED)}
    for part in draft.parts.filter(kind="task"):
        for report_id, index in part.digest:
            assert report_id in accepted  # traceable to an accepted report
            assert index < len(digest.sentences(accepted[report_id].body))
    for report in (
        ProgressReport.objects.filter(period=full_year).exclude(state=State.ACCEPTED).exclude(body="")
    ):
        for sentence in digest.sentences(report.body):
            if len(sentence) > 30 and digest.fact_weight(sentence):
                assert sentence not in body
    assert not digest.has_own_voice(body.replace("我们", ""))
