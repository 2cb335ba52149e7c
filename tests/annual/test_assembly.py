"""Assembling the year-end report draft on a hand-built plan: parts and order from the template (the statutory
five, the county variant, a custom one), each task once from the lead unit's account or a limited, traceable
digest, grouped problems and next steps, placeholders, no unit's own voice, re-assembly keeping the coordinator's
edits, the missing lists, and query counts that do not grow with the reports."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annual import assembly, digest
from annual.docx import HEADING1, HEADING2, HEADING3, PARAGRAPH
from annual.models import AnnualReport, ReportPart, ReportTemplate
from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, WorkPlan
from tests.conftest import COORDINATOR, LEAD_REPORTER, user
from units.models import Unit

pytestmark = pytest.mark.django_db

LEAD, RESPONSIBLE = Assignment.Role.LEAD, Assignment.Role.RESPONSIBLE
State = ProgressReport.State

LEAD_BODY = (
    "2031年，乙局牵头推进任务一，现将有关情况报告如下：\n"
    "乙局印发《测试市任务一实施方案》（测政办发〔2031〕3号），全年办理案件120件。\n"
    "我局组织专题培训4次，培训干部300人次。\n"
    "乙局将继续深化任务一【T1乙将】。"
)
# what the lead account of task 1 says in the city's voice
LEAD_TEXT = "乙局印发《测试市任务一实施方案》（测政办发〔2031〕3号），全年办理案件120件。乙局组织专题培训4次，培训干部300人次。"
TASK4_BODIES = {
    "jia": "2031年，甲局认真落实任务四，主要做法如下：一是开展执法检查12次，发现问题35个。二是加强队伍建设，提升能力【T4甲空】。"
    "三是本单位制定《执法检查办法》。\n甲局将持续推进任务四【T4甲将】。",
    "yi": "一是开展执法检查15次，发现问题40个【T4乙重】。二是办理行政复议案件8件，纠错率12%。",
    "bing": "组织普法宣传活动20场次，覆盖群众5000人次，发放资料3000份，在各街道设立宣传点10个，开展以案释法活动6次【T4丙长】。",
    "ding": "我局印发通知2件【T4丁】。",
    "wu": "戊局完成评查案卷50卷，评查合格率95%【T4戊】。",
}
# five paraphrases of one problem, from five units
PARAPHRASES = {
    "jia": "基层执法力量薄弱，专业人员数量偏少。",
    "yi": "一是基层执法力量比较薄弱，专业人员偏少；二是信息化水平不高。",
    "bing": "基层执法力量较为薄弱，专业执法人员数量不足",
    "ding": "我局基层执法力量薄弱，专业人员数量偏少的问题仍然存在。",
    "wu": "执法力量不足，基层专业执法人员缺乏。",
}
NEXT_STEPS = {
    "jia": "下一步，甲局将加强执法队伍建设，开展业务培训。",
    "yi": "新的一年，乙局将加强执法队伍建设，组织业务培训。",
    "bing": "无。",
}
ACCEPTED_BODIES = [
    LEAD_BODY,
    "甲局配合开展联合检查6次【T1甲】。",
    "主要负责同志专题研究法治工作3次【T2甲牵头】。",
]
UNACCEPTED_MARKERS = [
    "【T1丙已报送】",
    "【T2乙已退回】",
    "【T3丙草稿】",
    "【T3甲上半年】",
    "【丙问题】",
    "【乙下一步】",
]
# never in the city's text: framing, a unit's intentions, a sentence without facts, a near-duplicate
NEVER_IN_TEXT = ["【T1乙将】", "【T4甲将】", "【T4甲空】", "【T4乙重】", "乙局牵头推进任务一"]


class World:
    """A plan by hand (year 2031): units 甲 (order 1), 乙 (2), 丙 (3), 丁 (4), 戊 (5); periods 上半年 and 全年.

    一、第一部分: task 1 (lead 乙; responsible 甲, 丙), task 4 (responsible 甲乙丙丁戊, no lead unit).
    二、压实第一责任人职责: task 2 (lead 甲; responsible 乙, 丁), task 3 (lead 丙; responsible 甲).
    Tasks are created out of order.
    全年: 1/乙 accepted (the lead account), 1/甲 accepted, 1/丙 submitted, 2/甲 accepted, 2/乙 returned,
    3/丙 draft, 4/each accepted (facts, a near-duplicate, own voice; five paraphrases of one problem).
    上半年: 3/甲 accepted. Task 3 has no accepted report in 全年.
    """

    def __init__(self):
        self.jia = Unit.objects.create(name="年报测试甲局（全称）", short_name="甲局", order=1)
        self.yi = Unit.objects.create(name="年报测试乙局（全称）", short_name="乙局", order=2)
        self.bing = Unit.objects.create(name="年报测试丙局（全称）", short_name="丙局", order=3)
        self.ding = Unit.objects.create(name="年报测试丁局（全称）", short_name="丁局", order=4)
        self.wu = Unit.objects.create(name="年报测试戊局（全称）", short_name="戊局", order=5)
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
        self.task4 = Task.objects.create(
            plan=self.plan, section=self.first, number=4, title="任务四。", content="四"
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
            self.a1_yi, State.ACCEPTED, ACCEPTED_BODIES[0], problems="信息化水平不高，数据共享不够。"
        )
        self.r1_jia = r(self.a1_jia, State.ACCEPTED, ACCEPTED_BODIES[1], next_steps="无。")
        self.r1_bing = r(self.a1_bing, State.SUBMITTED, "【T1丙已报送】组织检查9次。", problems="【丙问题】")
        self.r2_jia = r(self.a2_jia, State.ACCEPTED, ACCEPTED_BODIES[2])
        self.r2_yi = r(self.a2_yi, State.RETURNED, "【T2乙已退回】", next_steps="【乙下一步】")
        self.r3_bing = r(self.a3_bing, State.DRAFT, "【T3丙草稿】")
        self.r3_jia_half = r(
            self.a3_jia, State.ACCEPTED, "【T3甲上半年】开展督查2次。", period=self.half_year
        )
        self.r4 = {}
        for key in ("jia", "yi", "bing", "ding", "wu"):
            assignment = a(self.task4, getattr(self, key))
            self.r4[key] = r(
                assignment,
                State.ACCEPTED,
                TASK4_BODIES[key],
                problems=PARAPHRASES[key],
                next_steps=NEXT_STEPS.get(key, ""),
            )

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
        """`count` more units, each responsible for task 4 with an accepted report with a figure."""
        units = Unit.objects.bulk_create(
            Unit(name=f"年报增长单位{i}", short_name=f"增长{i}", order=10 + i) for i in range(count)
        )
        assignments = Assignment.objects.bulk_create(
            Assignment(task=self.task4, unit=unit, role=RESPONSIBLE) for unit in units
        )
        ProgressReport.objects.bulk_create(
            ProgressReport(
                assignment=a,
                period=self.full_year,
                state=State.ACCEPTED,
                body=f"开展专项检查{i + 1}次【增长{i}】。",
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
    return assembly.draft_outline(draft_of(world))


def all_text(world):
    return "\n".join(part.text for part in draft_of(world).parts.all())


# --- order and content -------------------------------------------------------------------------------------


def headings(world):
    return [
        (block.kind, block.text)
        for block in assembly.document_blocks(entries_of(world))
        if block.kind in (HEADING1, HEADING2)
    ]


def test_the_default_template_is_the_five_statutory_parts_in_order(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    assert headings(world) == [
        (HEADING1, "一、主要举措和成效"),
        (HEADING2, "（一）第一部分"),
        (HEADING1, "二、党政主要负责人履行推进法治建设第一责任人职责情况"),
        (HEADING1, "三、存在的不足和原因"),
        (HEADING1, "四、下一年度推进法治政府建设的主要安排"),
        (HEADING1, "五、其他需要报告的情况"),
    ]
    blocks = assembly.document_blocks(entries_of(world))
    first = blocks[0]
    assert first.kind == PARAGRAPH and first.text.startswith("2031年，") and first.text.endswith("报告如下：")
    # the section about the leaders' duty (found by its title, not its number) is written under part 二
    tasks = [(b.kind, b.text.partition("。")[0]) for b in blocks if b.kind == HEADING3]
    assert tasks == [
        (HEADING3, "1.任务一"),
        (HEADING3, "2.任务四"),
        (HEADING3, "1.任务二"),
        (HEADING3, "2.任务三"),
    ]


def test_each_task_is_written_once_from_the_lead_units_account(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    parts = parts_by_key(world)
    task1 = parts[assembly.task_key(world.task1.pk)]
    assert task1.text == LEAD_TEXT  # own voice (我局) named, framing and the unit's intention left out
    assert task1.digest == [[world.r1_yi.pk, 1], [world.r1_yi.pk, 2]]
    assert task1.source_report_ids == [world.r1_yi.pk, world.r1_jia.pk]  # 甲's report stays in the material
    assert "【T1甲】" not in all_text(world)
    assert task1.edited is False and task1.assembled_text == task1.text and task1.new_report_ids == []
    document = "\n".join(block.text for block in assembly.document_blocks(entries_of(world)))
    for marker in ("【T2甲牵头】", "【T4丙长】", "【T4丁】", "【T4戊】"):
        assert document.count(marker) == 1, marker
    for marker in UNACCEPTED_MARKERS + NEVER_IN_TEXT:
        assert marker not in document, marker


def test_without_a_lead_account_the_task_is_a_limited_traceable_digest(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    task4 = parts_by_key(world)[assembly.task_key(world.task4.pk)]
    assert task4.text == (
        "甲局开展执法检查12次，发现问题35个。甲局制定《执法检查办法》。"
        "乙局办理行政复议案件8件，纠错率12%。"
        "丙局组织普法宣传活动20场次，覆盖群众5000人次，发放资料3000份，在各街道设立宣传点10个，开展以案释法活动6次【T4丙长】。"
        "丁局印发通知2件【T4丁】。"
        "戊局完成评查案卷50卷，评查合格率95%【T4戊】。"
    )
    r = world.r4
    assert task4.digest == [[r["jia"].pk, 1], [r["jia"].pk, 3], [r["yi"].pk, 1], [r["bing"].pk, 0],
                            [r["ding"].pk, 0], [r["wu"].pk, 0]]  # fmt: skip
    by_id = {report.pk: report for report in r.values()}
    for report_id, index in task4.digest:  # every sentence comes whole from its report
        source = digest.strip_ordinal(digest.sentences(by_id[report_id].body)[index]).rstrip("。")
        assert source.replace("本单位", "甲局").replace("我局", "丁局") in task4.text


def test_the_digest_stops_at_the_templates_limit(world, coordinator):
    summary = assembly.assemble(world.plan, user=coordinator)
    ReportTemplate.objects.filter(report=summary.draft).update(digest_limit=100)
    assembly.assemble(world.plan, user=coordinator)
    task4 = parts_by_key(world)[assembly.task_key(world.task4.pk)]
    assert len(task4.text) <= 100
    assert "【T4丙长】" not in task4.text  # too long: left in the material
    assert "【T4丁】" in task4.text  # a shorter one after it still fits
    assert world.r4["bing"].pk in task4.source_report_ids


def test_five_paraphrases_of_one_problem_are_one_point_with_five_units(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    text = parts_by_key(world)["shortcomings"].text
    assert text.startswith("对照上级要求")
    assert text.count("（5 个单位提出）") == 1 and "一是" in text
    assert text.index("（5 个单位提出）") < text.index("二是")  # the largest group first
    assert "信息化水平不高" in text and "（1 个单位提出）" in text  # 乙 twice is one unit
    assert text.count("执法力量") == 1
    assert "三是" not in text


def test_next_steps_are_grouped_without_the_units_voice(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    text = parts_by_key(world)["next_year"].text
    assert text.startswith("2032年，将重点抓好以下工作：一是")
    assert "（2 个单位提出）" in text and "二是" not in text
    assert "甲局将" not in text and "乙局将" not in text and "新的一年" not in text


def test_placeholders_where_material_is_missing(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    parts = parts_by_key(world)
    task3 = parts[assembly.task_key(world.task3.pk)]
    assert task3.text.startswith("【待补充：第3项任务“任务三”暂无已通过的全年报告")
    assert parts["other"].text.startswith("【待补充：其他需要报告的情况")
    assert parts["leaders"].text == ""  # its tasks are its material
    entries = entries_of(world)
    assert assembly.placeholders_in(entries) == 2
    document = [block.text for block in assembly.document_blocks(entries)]
    assert any(text.startswith("2.任务三。【待补充：") for text in document)


def test_a_part_without_material_gets_a_placeholder(world, coordinator):
    ProgressReport.objects.filter(period=world.full_year).update(problems="", next_steps="无")
    assembly.assemble(world.plan, user=coordinator)
    parts = parts_by_key(world)
    assert parts["shortcomings"].text.startswith("【待补充：存在的不足和原因")
    assert parts["next_year"].text.startswith("【待补充：")


def test_no_own_voice_of_a_unit_in_the_citys_text(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    for part in draft_of(world).parts.all():
        assert not digest.has_own_voice(part.text), part.text
        for unit in ("甲局", "乙局", "丁局"):
            assert f"{unit}将" not in part.text, part.text


def test_the_county_template(world, coordinator):
    summary = assembly.assemble(world.plan, user=coordinator)
    assembly.apply_preset(summary.draft, ReportTemplate.Preset.COUNTY, user=coordinator)
    assembly.assemble(world.plan, user=coordinator)
    assert headings(world) == [
        (HEADING1, "一、主要工作情况"),
        (HEADING2, "（一）第一部分"),
        (HEADING2, "（二）压实第一责任人职责"),
        (HEADING1, "二、存在的问题和不足"),
        (HEADING1, "三、下一年工作思路"),
    ]
    assert "leaders" not in parts_by_key(world) and "other" not in parts_by_key(world)


def test_a_custom_template_is_honoured(world, coordinator):
    summary = assembly.assemble(world.plan, user=coordinator)
    rows = {row.kind: row for row in assembly.template_parts(summary.draft)}
    wanted = [
        {"pk": rows["leaders"].pk, "heading": "履行第一责任人职责", "kind": "leaders", "order": 1,
         "section_ids": [world.second.pk]},
        {"pk": rows["measures"].pk, "heading": "工作成效", "kind": "measures", "order": 2, "section_ids": []},
        {"pk": None, "heading": "经验做法", "kind": "text", "order": 3, "section_ids": []},
        {"pk": rows["next_year"].pk, "heading": "明年打算", "kind": "next_year", "order": 4, "section_ids": []},
    ]  # fmt: skip
    assembly.save_template(summary.draft, rows=wanted, digest_limit=400, user=coordinator)
    assembly.assemble(world.plan, user=coordinator)
    assert [text for kind, text in headings(world)] == [
        "一、履行第一责任人职责",
        "二、工作成效",
        "（一）第一部分",
        "三、经验做法",
        "四、明年打算",
    ]
    parts = parts_by_key(world)
    assert "shortcomings" not in parts and "other" not in parts
    free = next(part for part in parts.values() if part.kind == "text")
    assert free.text == "【待补充：经验做法，请统筹人员撰写】"


def test_a_template_refuses_what_it_cannot_hold(world, coordinator):
    summary = assembly.assemble(world.plan, user=coordinator)
    twice = [{"heading": "甲", "kind": "shortcomings", "order": 1, "section_ids": []}] * 2
    with pytest.raises(assembly.AssemblyError, match="只能有一个"):
        assembly.save_template(summary.draft, rows=twice, digest_limit=400, user=coordinator)
    other = Section.objects.create(
        plan=WorkPlan.objects.create(year=2031, title="另一计划", doc_number="x"), number=1, title="x"
    )
    foreign = [{"heading": "甲", "kind": "measures", "order": 1, "section_ids": [other.pk]}]
    with pytest.raises(assembly.AssemblyError, match="不属于"):
        assembly.save_template(summary.draft, rows=foreign, digest_limit=400, user=coordinator)
    with pytest.raises(assembly.AssemblyError, match="至少"):
        assembly.save_template(summary.draft, rows=[], digest_limit=400, user=coordinator)
    with pytest.raises(PermissionDenied):
        assembly.apply_preset(summary.draft, "county", user=user(LEAD_REPORTER))


def test_a_section_no_part_takes_is_never_left_out(world, coordinator):
    summary = assembly.assemble(world.plan, user=coordinator)
    only = [{"heading": "只有问题", "kind": "shortcomings", "order": 1, "section_ids": []}]
    assembly.save_template(summary.draft, rows=only, digest_limit=400, user=coordinator)
    assembly.assemble(world.plan, user=coordinator)
    document = "\n".join(block.text for block in assembly.document_blocks(entries_of(world)))
    assert "任务一" in document and "任务四" in document and "任务二" in document


def test_the_head_fields_default_to_the_plans_issuer_without_its_office(world, coordinator):
    summary = assembly.assemble(world.plan, user=coordinator)
    draft = summary.draft
    assert summary.created and summary.reports == 8
    assert draft.issuer == "测试市人民政府"
    assert draft.title == "测试市人民政府关于2031年度法治政府建设情况的报告"
    assert draft.date is None and draft.addressee == "" and draft.period == world.full_year
    assert assembly.docx_filename(draft) == "测试市人民政府关于2031年度法治政府建设情况的报告.docx"


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
    assert "【T3甲上半年】" in text and "【T1甲】" not in text and "120件" not in text


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
    task1, task3 = parts[assembly.task_key(world.task1.pk)], parts[assembly.task_key(world.task3.pk)]
    edited = assembly.save_part(
        task1, text="统筹人员改写的任务一【改】", version=task1.version, user=coordinator
    )
    assert edited.edited and edited.version == task1.version + 1
    world.accept(world.r1_bing)
    world.r3_bing.body = "丙局开展专项督查5次【T3丙】。"
    world.r3_bing.problems = "【丙问题】专项经费保障不足"
    world.r3_bing.save()
    world.accept(world.r3_bing)

    summary = assembly.assemble(world.plan, user=coordinator)

    parts = parts_by_key(world)
    task1, task3_after = parts[assembly.task_key(world.task1.pk)], parts[assembly.task_key(world.task3.pk)]
    assert task1.text == "统筹人员改写的任务一【改】" and task1.edited
    assert task1.assembled_text == LEAD_TEXT  # the lead account is still preferred
    assert task1.new_report_ids == [world.r1_bing.pk]  # flagged: new material
    assert task3_after.text == "丙局开展专项督查5次【T3丙】。" and not task3_after.edited
    assert task3_after.version == task3.version + 1
    assert task3_after.new_report_ids == [world.r3_bing.pk]
    assert "【丙问题】" in parts["shortcomings"].text
    assert (summary.created, summary.reports, summary.kept_edited) == (False, 10, 1)


def test_use_the_reassembled_text_or_keep_mine(world, coordinator):
    assembly.assemble(world.plan, user=coordinator)
    task4 = parts_by_key(world)[assembly.task_key(world.task4.pk)]
    assembly.save_part(task4, text="我的文本", version=task4.version, user=coordinator)
    world.grow(1)
    assembly.assemble(world.plan, user=coordinator)
    task4 = parts_by_key(world)[assembly.task_key(world.task4.pk)]
    assert len(task4.new_report_ids) == 1

    kept = assembly.dismiss_news(task4, user=coordinator)
    assert kept.text == "我的文本" and kept.edited and kept.new_report_ids == []

    replaced = assembly.use_assembled_text(kept, version=kept.version, user=coordinator)
    assert replaced.text == replaced.assembled_text and not replaced.edited
    assert "甲局开展执法检查12次" in replaced.text


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
        plan=world.plan, section=world.first, number=5, title="新增任务五", content="五"
    )
    report = world.report(world.assign(task4, world.ding, LEAD), State.ACCEPTED, "丁局新办事项3件【T5丁】。")

    summary = assembly.assemble(world.plan, user=coordinator)

    parts = parts_by_key(world)
    assert removed_key not in parts
    new = parts[assembly.task_key(task4.pk)]
    assert new.text == "丁局新办事项3件【T5丁】。" and new.new_report_ids == [report.pk]
    assert summary.added_parts == 1
    assert [e.heading for e in entries_of(world) if e.level == 3] == [
        "1.任务一",
        "2.任务四",
        "3.新增任务五",
        "1.任务二",
    ]


# --- beside the draft -------------------------------------------------------------------------------------------


def test_the_missing_lists(world):
    tasks = assembly.plan_tasks(world.plan)
    assert assembly.tasks_without_accepted(tasks, assembly.accepted_reports(world.full_year)) == [world.task3]
    ji = Unit.objects.create(name="年报测试己局（全称）", short_name="己局", order=6)
    assignment = world.assign(world.task2, ji)
    assert assembly.units_never_reported(world.plan) == [ji]
    world.report(assignment, State.DRAFT, "己的草稿")
    assert assembly.units_never_reported(world.plan) == [ji]  # a draft is not a report sent


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
    # + the template: get or create (read, savepoint, insert, its parts), its parts read
    assert first_small <= 20 and again_small <= 14, (first_small, again_small)
    assert all_text(world).count("开展专项检查") <= 1  # near-duplicates once
