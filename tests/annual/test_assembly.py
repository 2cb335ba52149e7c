"""Assembling the year-end report draft on a hand-built plan: order, lead before responsible, each accepted text
once and nothing else, deduplicated problems and next steps, the leaders' part, re-assembly keeping the
coordinator's edits, the missing lists, and query counts that do not grow with the reports."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annual import assembly
from annual.docx import HEADING1, HEADING2, PARAGRAPH
from annual.models import AnnualReport, ReportPart
from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, WorkPlan
from tests.conftest import COORDINATOR, LEAD_REPORTER, user
from units.models import Unit

pytestmark = pytest.mark.django_db

LEAD, RESPONSIBLE = Assignment.Role.LEAD, Assignment.Role.RESPONSIBLE
State = ProgressReport.State

ACCEPTED_BODIES = [
    "【T1乙牵头】第一段\n\n  第二段【T1乙尾】",
    "【T1甲】责任单位的工作",
    "【T2甲牵头】第二部分的工作",
]
UNACCEPTED_MARKERS = [
    "【T1丙已报送】",
    "【T2乙已退回】",
    "【T3丙草稿】",
    "【T3甲上半年】",
    "【丙问题】",
    "【乙下一步】",
]


class World:
    """A plan by hand (year 2031): units 甲 (order 1), 乙 (2), 丙 (3), 丁 (4); periods 上半年 and 全年.

    一、第一部分: task 1 (lead 乙; responsible 甲, 丙). 二、压实第一责任人职责: task 2 (lead 甲; responsible 乙, 丁),
    task 3 (lead 丙; responsible 甲). Tasks are created out of order.
    全年: 1/乙 accepted (two paragraphs), 1/甲 accepted, 1/丙 submitted, 2/甲 accepted, 2/乙 returned, 3/丙 draft.
    上半年: 3/甲 accepted. 丁 never reports. Task 3 has no accepted report in 全年.
    """

    def __init__(self):
        self.jia = Unit.objects.create(name="年报测试甲局（全称）", short_name="甲局", order=1)
        self.yi = Unit.objects.create(name="年报测试乙局（全称）", short_name="乙局", order=2)
        self.bing = Unit.objects.create(name="年报测试丙局（全称）", short_name="丙局", order=3)
        self.ding = Unit.objects.create(name="年报测试丁局（全称）", short_name="丁局", order=4)
        self.plan = WorkPlan.objects.create(
            year=2031,
            title="测试市2031年法治政府建设工作计划",
            doc_number="年报测试〔2031〕1号",
            issuer="测试市人民政府办公室",
            status=WorkPlan.Status.ACTIVE,
        )
        self.second = Section.objects.create(plan=self.plan, number=2, title="压实第一责任人职责")
        self.first = Section.objects.create(plan=self.plan, number=1, title="第一部分")
        self.task3 = Task.objects.create(
            plan=self.plan, section=self.second, number=3, title="任务三。", content="三"
        )
        self.task1 = Task.objects.create(
            plan=self.plan, section=self.first, number=1, title="任务一。", content="一"
        )
        self.task2 = Task.objects.create(
            plan=self.plan, section=self.second, number=2, title="任务二。", content="二"
        )
        self.full_year = self.period("全年", datetime.date(2031, 12, 31))
        self.half_year = self.period("上半年", datetime.date(2031, 6, 30))
        a = self.assign
        self.a1_jia, self.a1_bing, self.a1_yi = (
            a(self.task1, self.jia),
            a(self.task1, self.bing),
            a(self.task1, self.yi, LEAD),
        )
        self.a2_jia, self.a2_yi, self.a2_ding = (
            a(self.task2, self.jia, LEAD),
            a(self.task2, self.yi),
            a(self.task2, self.ding),
        )
        self.a3_bing, self.a3_jia = a(self.task3, self.bing, LEAD), a(self.task3, self.jia)
        r = self.report
        self.r1_yi = r(
            self.a1_yi,
            State.ACCEPTED,
            ACCEPTED_BODIES[0],
            problems="共同的问题【P】",
            next_steps="下一步【N】",
        )
        self.r1_jia = r(
            self.a1_jia, State.ACCEPTED, ACCEPTED_BODIES[1], problems="共同的问题【P】\n", next_steps="无。"
        )
        self.r1_bing = r(self.a1_bing, State.SUBMITTED, "【T1丙已报送】", problems="【丙问题】")
        self.r2_jia = r(
            self.a2_jia,
            State.ACCEPTED,
            ACCEPTED_BODIES[2],
            problems="另一个问题【P2】",
            next_steps="下一步【N】",
        )
        self.r2_yi = r(self.a2_yi, State.RETURNED, "【T2乙已退回】", next_steps="【乙下一步】")
        self.r3_bing = r(self.a3_bing, State.DRAFT, "【T3丙草稿】")
        self.r3_jia_half = r(self.a3_jia, State.ACCEPTED, "【T3甲上半年】", period=self.half_year)

    def period(self, name, ends_on):
        return ReportingPeriod.objects.create(
            plan=self.plan, name=name, starts_on=datetime.date(2031, 1, 1), ends_on=ends_on, due_on=ends_on
        )

    def assign(self, task, unit, role=RESPONSIBLE):
        return Assignment.objects.create(task=task, unit=unit, role=role)

    def report(self, assignment, state, body, problems="", next_steps="", period=None):
        return ProgressReport.objects.create(
            assignment=assignment,
            period=period or self.full_year,
            state=state,
            body=body,
            problems=problems,
            next_steps=next_steps,
        )

    def accept(self, report):
        report.state = State.ACCEPTED
        report.save(update_fields=["state"])

    def grow(self, count):
        """`count` more units, each responsible for task 1 with an accepted report."""
        units = Unit.objects.bulk_create(
            Unit(name=f"年报增长单位{i}", short_name=f"增长{i}", order=10 + i) for i in range(count)
        )
        assignments = Assignment.objects.bulk_create(
            Assignment(task=self.task1, unit=unit, role=RESPONSIBLE) for unit in units
        )
        ProgressReport.objects.bulk_create(
            ProgressReport(
                assignment=a,
                period=self.full_year,
                state=State.ACCEPTED,
                body=f"【增长{i}】",
                problems=f"问题{i}",
            )
            for i, a in enumerate(assignments)
        )


@pytest.fixture
def world():
    return World()


@pytest.fixture
def coordinator():
    return user(COORDINATOR)


def draft_of(world):
    return AnnualReport.objects.get(plan=world.plan)


def parts_by_key(world):
    return {part.key: part for part in draft_of(world).parts.select_related("task")}


def entries_of(world):
    draft = draft_of(world)
    return assembly.outline(world.plan.year, assembly.plan_sections(world.plan), assembly.draft_parts(draft))


def all_text(world):
    return "\n".join(part.text for part in draft_of(world).parts.all())


# --- order and content -------------------------------------------------------------------------------------


def test_headings_follow_the_plans_sections_then_the_closing_parts(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    blocks = assembly.document_blocks(entries_of(world))
    headings = [(block.kind, block.text) for block in blocks if block.kind != PARAGRAPH]
    assert headings == [
        (HEADING1, "一、第一部分"),
        (HEADING2, "（一）任务一"),
        (HEADING1, "二、压实第一责任人职责"),
        (HEADING2, "（一）任务二"),  # task 3 has no accepted report: not in the document
        (HEADING1, "三、存在的不足和原因"),
        (HEADING1, "四、党政主要负责人履行推进法治建设第一责任人职责情况"),
        (HEADING1, "五、2032年工作安排"),
    ]
    first = blocks[0]
    assert (
        first.kind == PARAGRAPH
        and first.text.startswith("2031年，")
        and first.text.endswith("现将有关情况报告如下：")
    )


def test_the_page_outline_keeps_empty_tasks_in_plan_order_without_a_number(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    tasks = [(entry.heading, entry.exported) for entry in entries_of(world) if entry.level == 2]
    assert tasks == [("（一）任务一", True), ("（一）任务二", True), ("任务三", False)]


def test_lead_units_come_before_responsible_units_each_text_verbatim(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    parts = parts_by_key(world)
    task1 = parts[assembly.task_key(world.task1.pk)]
    assert task1.text == "【T1乙牵头】第一段\n第二段【T1乙尾】\n【T1甲】责任单位的工作"
    assert task1.source_report_ids == [world.r1_yi.pk, world.r1_jia.pk]
    assert parts[assembly.task_key(world.task3.pk)].text == ""
    assert task1.edited is False and task1.assembled_text == task1.text and task1.new_report_ids == []


def test_each_accepted_body_appears_exactly_once_and_nothing_unaccepted(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    text = all_text(world)
    for body in ACCEPTED_BODIES:
        for paragraph in assembly.paragraphs(body):
            assert text.count(paragraph) == 1, paragraph
    for marker in UNACCEPTED_MARKERS:
        assert marker not in text
    document = "\n".join(block.text for block in assembly.document_blocks(entries_of(world)))
    assert all(marker not in document for marker in UNACCEPTED_MARKERS)


def test_problems_and_next_steps_are_gathered_once_each(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    parts = parts_by_key(world)
    assert parts["shortcomings"].text == "共同的问题【P】\n另一个问题【P2】"
    assert parts["shortcomings"].source_report_ids == [world.r1_yi.pk, world.r1_jia.pk, world.r2_jia.pk]
    assert parts["next_year"].text == "下一步【N】"  # “无。” says nothing and is left out
    assert parts["other"].text == ""


def test_the_leaders_part_is_empty_with_section_two_offered_as_material(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    assert parts_by_key(world)["leaders"].text == ""
    material = assembly.leaders_material(assembly.accepted_reports(world.full_year))
    assert material == [world.r2_jia]  # section 二's accepted reports, not put into the text


def test_the_head_fields_default_to_the_plans_issuer_without_its_office(world, coordinator):
    summary = assembly.assemble(world.plan, user=coordinator)
    draft = summary.draft
    assert summary.created and summary.reports == 3
    assert draft.issuer == "测试市人民政府"
    assert draft.title == "测试市人民政府关于2031年度法治政府建设情况的报告"
    assert draft.date is None and draft.addressee == "" and draft.period == world.full_year
    assert assembly.docx_filename(draft) == "测试市人民政府关于2031年度法治政府建设情况的报告.docx"


def test_the_other_part_is_exported_only_when_written(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    other = parts_by_key(world)["other"]
    assembly.save_part(other, text="需要报告的其他事项【O】", version=other.version, user=coordinator)
    headings = [b.text for b in assembly.document_blocks(entries_of(world)) if b.kind == HEADING1]
    assert headings[-1] == "六、其他需要报告的事项"


# --- periods ---------------------------------------------------------------------------------------------


def test_the_default_period_is_the_full_year_else_the_last_to_end(world):
    assert assembly.default_period(assembly.plan_periods(world.plan), 2031) == world.full_year
    world.full_year.starts_on = datetime.date(2031, 7, 1)
    world.full_year.ends_on = datetime.date(2031, 11, 30)
    world.full_year.save()
    assert assembly.default_period(assembly.plan_periods(world.plan), 2031) == world.full_year  # ends last
    assert assembly.default_period([], 2031) is None


def test_another_period_may_be_chosen(world, coordinator):
    assembly.assemble(world.plan, period=world.half_year, user=coordinator)
    text = all_text(world)
    assert "【T3甲上半年】" in text and "【T1甲】" not in text


def test_it_refuses_a_period_of_another_plan_and_a_plan_without_periods(world, coordinator):
    other = WorkPlan.objects.create(year=2031, title="另一计划", doc_number="年报测试〔2031〕2号")
    with pytest.raises(assembly.AssemblyError, match="还没有报送期"):
        assembly.assemble(other, user=coordinator)
    with pytest.raises(assembly.AssemblyError, match="不属于"):
        assembly.assemble(other, period=world.full_year, user=coordinator)
    assert not AnnualReport.objects.filter(plan=other).exists()


def test_only_coordinators_assemble_and_edit(world, coordinator):
    with pytest.raises(PermissionDenied):
        assembly.assemble(world.plan, user=user(LEAD_REPORTER))
    assembly.assemble(world.plan, user=coordinator)
    part = parts_by_key(world)["other"]
    with pytest.raises(PermissionDenied):
        assembly.save_part(part, text="不应保存", version=part.version, user=user(LEAD_REPORTER))


def test_one_draft_per_plan_and_one_part_per_key(world, coordinator):
    summary = assembly.assemble(world.plan, user=coordinator)
    assembly.assemble(world.plan, user=coordinator)
    assert AnnualReport.objects.filter(plan=world.plan).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.create(
            plan=world.plan, title="重复", issuer="重复", assembled_at=summary.draft.assembled_at
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportPart.objects.create(report=summary.draft, key="other", kind=ReportPart.Kind.OTHER)


# --- editing and re-assembling --------------------------------------------------------------------------------


def test_reassembly_keeps_an_edited_part_replaces_an_unedited_one_and_flags_the_new_reports(
    world, coordinator
):
    assembly.assemble(world.plan, user=coordinator)
    parts = parts_by_key(world)
    task1, task2 = parts[assembly.task_key(world.task1.pk)], parts[assembly.task_key(world.task2.pk)]
    edited = assembly.save_part(
        task1, text="统筹人员改写的任务一【改】", version=task1.version, user=coordinator
    )
    assert edited.edited and edited.version == task1.version + 1
    world.accept(world.r1_bing)
    world.accept(world.r2_yi)

    summary = assembly.assemble(world.plan, user=coordinator)

    parts = parts_by_key(world)
    task1, task2_after = parts[assembly.task_key(world.task1.pk)], parts[assembly.task_key(world.task2.pk)]
    assert task1.text == "统筹人员改写的任务一【改】" and task1.edited
    assert task1.assembled_text.endswith("【T1丙已报送】")
    assert task1.new_report_ids == [world.r1_bing.pk]
    assert task2_after.text == "【T2甲牵头】第二部分的工作\n【T2乙已退回】" and not task2_after.edited
    assert task2_after.version == task2.version + 1
    assert task2_after.new_report_ids == [world.r2_yi.pk]
    assert parts["shortcomings"].text == "共同的问题【P】\n【丙问题】\n另一个问题【P2】"  # plan order
    assert parts["shortcomings"].new_report_ids == [world.r1_bing.pk]
    assert parts["next_year"].new_report_ids == [world.r2_yi.pk]
    assert (summary.created, summary.reports, summary.kept_edited) == (False, 5, 1)
    assert summary.newly_included == 4  # task 1, task 2, problems, next steps


def test_use_the_reassembled_text_or_keep_mine(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    task1 = parts_by_key(world)[assembly.task_key(world.task1.pk)]
    assembly.save_part(task1, text="我的文本", version=task1.version, user=coordinator)
    world.accept(world.r1_bing)
    assembly.assemble(world.plan, user=coordinator)
    task1 = parts_by_key(world)[assembly.task_key(world.task1.pk)]

    kept = assembly.dismiss_news(task1, user=coordinator)
    assert kept.text == "我的文本" and kept.edited and kept.new_report_ids == []

    replaced = assembly.use_assembled_text(kept, version=kept.version, user=coordinator)
    assert replaced.text == replaced.assembled_text and not replaced.edited
    assert "【T1丙已报送】" in replaced.text


def test_a_stale_edit_is_refused_and_saves_nothing(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    part = parts_by_key(world)["leaders"]
    assembly.save_part(part, text="第一个标签页保存的文本", version=part.version, user=coordinator)
    with pytest.raises(assembly.StaleEdit) as refused:
        assembly.save_part(part, text="第二个标签页的文本", version=part.version, user=coordinator)
    assert refused.value.current.text == "第一个标签页保存的文本"
    assert "已被他人修改" in str(refused.value)
    part.refresh_from_db()
    assert part.text == "第一个标签页保存的文本" and part.version == 2


def test_saving_the_assembled_text_again_is_not_an_edit(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    part = parts_by_key(world)[assembly.task_key(world.task1.pk)]
    saved = assembly.save_part(part, text=part.text + "\n\n", version=part.version, user=coordinator)
    assert not saved.edited and saved.version == part.version


def test_a_removed_task_loses_its_part_and_a_new_task_gets_one(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    removed_key = assembly.task_key(world.task3.pk)
    world.task3.delete()
    task4 = Task.objects.create(
        plan=world.plan, section=world.first, number=4, title="新增任务四", content="四"
    )
    report = world.report(world.assign(task4, world.ding, LEAD), State.ACCEPTED, "【T4丁】")

    summary = assembly.assemble(world.plan, user=coordinator)

    parts = parts_by_key(world)
    assert removed_key not in parts
    new = parts[assembly.task_key(task4.pk)]
    assert new.text == "【T4丁】" and new.new_report_ids == [report.pk]
    assert summary.added_parts == 1
    assert [e.heading for e in entries_of(world) if e.level == 2] == [
        "（一）任务一",
        "（二）新增任务四",
        "（一）任务二",
    ]


# --- beside the draft -------------------------------------------------------------------------------------------


def test_the_missing_lists(world):
    tasks = assembly.plan_tasks(world.plan)
    assert assembly.tasks_without_accepted(tasks, assembly.accepted_reports(world.full_year)) == [world.task3]
    assert assembly.units_never_reported(world.plan) == [world.ding]
    world.report(world.a2_ding, State.DRAFT, "丁的草稿")
    assert assembly.units_never_reported(world.plan) == [world.ding]  # a draft is not a report sent


def test_the_statutory_dates():
    class EveryDayWorks:
        def workdays_left(self, today, due):
            return (due - today).days

    deadlines = assembly.statutory_deadlines(2031, datetime.date(2032, 2, 20), EveryDayWorks())
    assert [(d.due, d.days_left) for d in deadlines] == [
        (datetime.date(2032, 3, 1), 10),
        (datetime.date(2032, 4, 1), 41),
    ]


# --- queries ----------------------------------------------------------------------------------------------------


def count_queries(action):
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_assembly_takes_the_same_queries_with_more_reports(world):
    def assemble():
        assembly.assemble(world.plan, user=user(COORDINATOR))  # a fresh user: the role check is counted too

    first_small = count_queries(assemble)
    again_small = count_queries(assemble)
    world.grow(20)
    again_large = count_queries(assemble)
    AnnualReport.objects.filter(plan=world.plan).delete()
    first_large = count_queries(assemble)
    assert (first_large, again_large) == (first_small, again_small)
    # user, groups, periods, draft (get or create: + savepoint, insert), reports, tasks, parts (read, update or
    # insert), draft update, the transaction's savepoint
    assert first_small <= 13 and again_small <= 11, (first_small, again_small)
    assert all_text(world).count("【增长19】") == 1
