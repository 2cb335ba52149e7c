"""manage.py export_annual_report: a Word file python-docx opens, headings mirroring the plan's sections, every
accepted report's body exactly once and nothing unaccepted (on a hand-built plan and on the demo), the
coordinator's edits kept, re-assembly, and clear errors."""

import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from annual import assembly
from annual.models import AnnualReport
from tasks.models import ProgressReport, WorkPlan
from tests.annual.test_assembly import ACCEPTED_BODIES, UNACCEPTED_MARKERS, World

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
    assert "尚无草稿，已按“全年”已通过的报告 3 份汇编并保存。" in printed
    assert f"已写入 {out}" in printed and "5 个一级标题" in printed
    assert AnnualReport.objects.filter(plan=world.plan, period=world.full_year).exists()
    lines = lines_of(out)
    assert level_one_headings(lines, {"第一部分", "压实第一责任人职责"}) == [
        "一、第一部分",
        "二、压实第一责任人职责",
    ]
    assert [line for line in lines if line.startswith("（")] == ["（一）任务一", "（一）任务二"]
    everything = "\n".join(lines)
    for body in ACCEPTED_BODIES:
        for paragraph in assembly.paragraphs(body):
            assert everything.count(paragraph) == 1, paragraph
    assert not any(marker in everything for marker in UNACCEPTED_MARKERS)


def test_it_exports_the_coordinators_edits_and_reassembles_keeping_them(world, tmp_path):
    assembly.assemble(world.plan)
    draft = AnnualReport.objects.get(plan=world.plan)
    task1 = draft.parts.get(key=assembly.task_key(world.task1.pk))
    assembly.save_part(task1, text="统筹人员改写的任务一【改】", version=task1.version, user=None)
    world.accept(world.r2_yi)

    out = tmp_path / "报告.docx"
    export(world.plan, out)
    everything = "\n".join(lines_of(out))
    assert "统筹人员改写的任务一【改】" in everything and "【T1乙牵头】" not in everything
    assert "【T2乙已退回】" not in everything  # accepted after the last assembly: not in the draft yet

    printed = export(world.plan, out, "--reassemble")
    assert "新纳入 2 份，保留人工修改 1 处" in printed
    everything = "\n".join(lines_of(out))
    assert "统筹人员改写的任务一【改】" in everything and "【T2乙已退回】" in everything


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
    """The demo's 全年 period has accepted reports: each body once, in the plan's nine sections' order."""
    out = tmp_path / "聊城市.docx"
    export(plan, out)
    lines = lines_of(out)
    assert lines[0].replace("\n", "") == "聊城市人民政府关于2022年度法治政府建设情况的报告"
    sections = list(plan.sections.order_by("number").values_list("title", flat=True))
    assert level_one_headings(lines, set(sections)) == [
        f"{numeral}、{title}" for numeral, title in zip("一二三四五六七八九", sections, strict=True)
    ]
    assert "十、存在的不足和原因" in lines and "十二、2023年工作安排" in lines
    full_year = plan.periods.get(name="全年")
    reports = ProgressReport.objects.filter(period=full_year).exclude(body="")
    accepted = [r.body for r in reports if r.state == State.ACCEPTED]
    others = [r.body for r in reports if r.state != State.ACCEPTED]
    assert len(accepted) > 20 and others
    body = "\n".join(lines)
    for text in accepted:
        for paragraph in assembly.paragraphs(text):
            assert body.count(paragraph) == 1, paragraph
    for text in others:
        if text not in accepted:
            assert assembly.paragraphs(text)[0] not in body
