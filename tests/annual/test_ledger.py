"""The ledger (台账) as .xlsx: its rows on a hand-built plan, its layout, Excel-safe text, the command."""

import io
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from openpyxl import load_workbook

from annual.ledger import COLUMNS, ledger_filename, ledger_rows, write_ledger
from lib.spreadsheets import MAX_CELL_LENGTH, excel_text, sheet_title
from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, WorkPlan
from units.models import Unit

pytestmark = pytest.mark.django_db

LEAD, RESPONSIBLE = Assignment.Role.LEAD, Assignment.Role.RESPONSIBLE
State, Progress = ProgressReport.State, ProgressReport.Progress

HEADERS = "序号 任务编号 任务 牵头单位 责任单位 期间 状态 进展 工作情况 存在问题 提交时间 审核意见 办结".split()
FORMULA = '=HYPERLINK("http://example.com","点我")'
DRAFT_TEXT = "草稿中尚未报送的文字"


class World:
    """A plan by hand: 3 units (unit order 丙 1, 乙 2, 甲 5), tasks 1–3, periods 上半年 and 全年.

    Task 1: lead 甲, responsible 乙 and 丙. Task 2: leads 乙 and 甲, responsible 丙. Task 3: lead 丙.
    Reports (上半年): 1/甲 accepted, 1/乙 submitted (formula-like texts), 1/丙 a draft, 2/甲 returned
    (control characters); (全年): 1/甲 submitted. Every other assignment has no report.
    """

    def __init__(self):
        self.jia = Unit.objects.create(name="台账测试甲局（全称）", short_name="甲局", order=5)
        self.yi = Unit.objects.create(name="台账测试乙局（全称）", short_name="乙局", order=2)
        self.bing = Unit.objects.create(name="台账测试丙局（全称）", short_name="丙局", order=1)
        self.plan = WorkPlan.objects.create(year=2030, title="台账测试计划", doc_number="台账测试〔2030〕1号")
        first = Section.objects.create(plan=self.plan, number=1, title="第一部分")
        second = Section.objects.create(plan=self.plan, number=2, title="第二部分")
        # Created out of order: the ledger orders by task number and due date, not by id.
        task3 = self.task(second, 3, "任务三")
        task1 = self.task(first, 1, "任务一")
        task2 = self.task(first, 2, "任务二")
        self.full_year = self.period("全年", date(2030, 12, 10))
        self.half_year = self.period("上半年", date(2030, 6, 25))
        assign = Assignment.objects.create
        a1_jia = assign(task=task1, unit=self.jia, role=LEAD)
        a1_bing = assign(task=task1, unit=self.bing, role=RESPONSIBLE)
        a1_yi = assign(task=task1, unit=self.yi, role=RESPONSIBLE)
        a2_jia = assign(task=task2, unit=self.jia, role=LEAD)
        assign(task=task2, unit=self.yi, role=LEAD)
        assign(task=task2, unit=self.bing, role=RESPONSIBLE)
        assign(task=task3, unit=self.bing, role=LEAD)
        self.report(
            a1_jia,
            self.half_year,
            State.ACCEPTED,
            Progress.DONE,
            "甲局上半年工作",
            "无",
            at=datetime(2030, 7, 5, 6, 30, tzinfo=UTC),
            note="同意",
        )
        self.report(
            a1_yi,
            self.half_year,
            State.SUBMITTED,
            Progress.ON_TRACK,
            FORMULA,
            "-资金不足",
            at=datetime(2030, 6, 20, 1, 5, tzinfo=UTC),
            note="@备注",
        )
        self.report(a1_bing, self.half_year, State.DRAFT, Progress.BEHIND, DRAFT_TEXT, DRAFT_TEXT)
        self.report(
            a2_jia,
            self.half_year,
            State.RETURNED,
            Progress.BEHIND,
            "第一段\x01\x07第二段\r\n第三段",
            "",
            at=datetime(2030, 6, 30, 16, 0, tzinfo=UTC),
            note="请补充\x0b数据",
        )
        self.report(
            a1_jia,
            self.full_year,
            State.SUBMITTED,
            Progress.DONE,
            "全年完成",
            "",
            at=datetime(2030, 12, 1, 0, 0, tzinfo=UTC),
        )

    def task(self, section, number, title):
        return Task.objects.create(plan=self.plan, section=section, number=number, title=title, content=title)

    def period(self, name, due_on):
        return ReportingPeriod.objects.create(
            plan=self.plan, name=name, starts_on=date(2030, 1, 1), ends_on=due_on, due_on=due_on
        )

    def report(self, assignment, period, state, progress, body, problems, at=None, note=""):
        ProgressReport.objects.create(
            assignment=assignment,
            period=period,
            state=state,
            progress=progress,
            body=body,
            problems=problems,
            submitted_at=at,
            review_note=note,
        )


def unsent(number, task_number, task, leads, unit, period):
    return [number, task_number, task, leads, unit, period, "未报送", "", "", "", "", "", ""]


# The ledger of World, worked out by hand (blank cells read back as "").
# fmt: off
EXPECTED = [
    [1, 1, "任务一", "甲局", "甲局", "上半年", "已通过", "已完成", "甲局上半年工作", "无", "2030-07-05 14:30", "同意", ""],
    unsent(2, 1, "任务一", "甲局", "丙局", "上半年"),  # a draft is not in the ledger
    [3, 1, "任务一", "甲局", "乙局", "上半年", "已报送", "序时推进", FORMULA, "-资金不足", "2030-06-20 09:05", "@备注", ""],
    [4, 1, "任务一", "甲局", "甲局", "全年", "已报送", "已完成", "全年完成", "", "2030-12-01 08:00", "", ""],
    unsent(5, 1, "任务一", "甲局", "丙局", "全年"),
    unsent(6, 1, "任务一", "甲局", "乙局", "全年"),
    unsent(7, 2, "任务二", "乙局（主牵头）、甲局", "乙局", "上半年"),
    [8, 2, "任务二", "乙局（主牵头）、甲局", "甲局", "上半年", "已退回", "滞后", "第一段第二段\n第三段", "",
     "2030-07-01 00:00", "请补充数据", ""],
    unsent(9, 2, "任务二", "乙局（主牵头）、甲局", "丙局", "上半年"),
    unsent(10, 2, "任务二", "乙局（主牵头）、甲局", "乙局", "全年"),
    unsent(11, 2, "任务二", "乙局（主牵头）、甲局", "甲局", "全年"),
    unsent(12, 2, "任务二", "乙局（主牵头）、甲局", "丙局", "全年"),
    unsent(13, 3, "任务三", "丙局", "丙局", "上半年"),
    unsent(14, 3, "任务三", "丙局", "丙局", "全年"),
]
# fmt: on


@pytest.fixture
def world(db):
    return World()


def written(plan, periods=None):
    """(row count returned, the workbook read back) of the plan's ledger."""
    out = io.BytesIO()
    count = write_ledger(plan, out, periods=periods)
    out.seek(0)
    return count, load_workbook(out)


def table(sheet):
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


# --- Rows and columns -------------------------------------------------------------------------------------


def test_the_headers_are_the_twelve_columns_in_order(world):
    assert [str(header) for header in COLUMNS] == HEADERS
    _count, workbook = written(world.plan)
    assert table(workbook.active)[0] == HEADERS


def test_each_assignment_appears_once_per_period_with_its_report(world):
    count, workbook = written(world.plan)
    assert count == 7 * 2
    assert table(workbook.active)[1:] == EXPECTED


def test_the_rows_are_the_table(world):
    rows = ledger_rows(world.plan)
    assert [row[:7] for row in rows] == [tuple(row[:7]) for row in EXPECTED]
    assert rows[1][8] == ""  # the draft's body
    assert rows[7][8] == "第一段\x01\x07第二段\r\n第三段"  # as written: the workbook makes it storable


def test_a_draft_s_text_is_nowhere_in_the_ledger(world):
    _count, workbook = written(world.plan)
    assert not any(DRAFT_TEXT in str(value) for row in table(workbook.active) for value in row)


def test_chosen_periods_give_only_their_rows_in_due_date_order(world):
    rows = ledger_rows(world.plan, periods=[world.full_year, world.half_year, world.full_year])
    assert [row[5] for row in rows[:6]] == ["上半年"] * 3 + ["全年"] * 3
    count, workbook = written(world.plan, periods=[world.full_year])
    assert count == 7
    sheet_rows = table(workbook.active)[1:]
    assert {row[5] for row in sheet_rows} == {"全年"}
    assert [row[0] for row in sheet_rows] == list(range(1, 8))
    assert sheet_rows[0][6:9] == ["已报送", "已完成", "全年完成"]


def test_a_period_of_another_plan_is_refused(world, plan):
    with pytest.raises(ValueError, match="not of plan"):
        ledger_rows(world.plan, periods=[plan.periods.first()])


def test_a_plan_without_periods_gives_only_the_header(world):
    bare = WorkPlan.objects.create(year=2031, title="无报送期的计划", doc_number="台账测试〔2031〕1号")
    section = Section.objects.create(plan=bare, number=1, title="部分")
    task = Task.objects.create(plan=bare, section=section, number=1, title="任务", content="任务")
    Assignment.objects.create(task=task, unit=world.jia, role=LEAD)
    count, workbook = written(bare)
    assert count == 0
    assert table(workbook.active) == [HEADERS]


# --- Layout and print settings ----------------------------------------------------------------------------


def test_the_header_is_bold_frozen_and_filtered(world):
    sheet = written(world.plan)[1].active
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M15"


def test_text_columns_are_wide_wrapped_and_top_aligned(world):
    sheet = written(world.plan)[1].active
    widths = {
        header: sheet.column_dimensions[letter].width
        for header, letter in zip(HEADERS, "ABCDEFGHIJKLM", strict=True)
    }
    for narrow in ("序号", "任务编号", "期间", "状态", "进展", "提交时间"):
        for wide in ("任务", "工作情况", "存在问题"):
            assert widths[narrow] < widths[wide]
    body = sheet["I2"]  # 工作情况
    assert body.alignment.wrap_text and body.alignment.vertical == "top"
    assert sheet["C2"].alignment.wrap_text  # 任务
    assert not sheet["A2"].alignment.wrap_text  # 序号


def test_it_prints_a4_landscape_one_page_wide_with_the_header_on_every_page(world):
    sheet = written(world.plan)[1].active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    assert "台账测试〔2030〕1号" in sheet.oddHeader.center.text
    assert "&P" in sheet.oddFooter.center.text


def test_the_sheet_and_file_are_named_after_the_year(world):
    sheet = written(world.plan)[1].active
    assert sheet.title == "2030年法治政府建设工作台账"
    assert ledger_filename(world.plan) == "2030年法治政府建设工作台账.xlsx"


def test_a_sheet_title_is_one_excel_accepts():
    assert sheet_title("a[b]:c*?/\\d") == "abcd"
    assert len(sheet_title("很长的标题" * 10)) == 31
    assert sheet_title("'引号'") == "引号"
    assert sheet_title("[]") == "Sheet1"


# --- Excel-safe text --------------------------------------------------------------------------------------


def test_formula_like_text_stays_text(world):
    sheet = written(world.plan)[1].active
    body, problems, note = sheet["I4"], sheet["J4"], sheet["L4"]  # the report of 1/乙 (序号 3)
    assert (body.value, body.data_type) == (FORMULA, "s")
    assert body.quotePrefix and problems.quotePrefix and note.quotePrefix
    assert not sheet["I2"].quotePrefix


def test_control_characters_are_stripped_and_line_breaks_kept(world):
    sheet = written(world.plan)[1].active
    assert sheet["I9"].value == "第一段第二段\n第三段"
    assert sheet["L9"].value == "请补充数据"


def test_a_text_over_excel_s_limit_is_cut_with_an_ellipsis(world):
    ProgressReport.objects.filter(state=State.ACCEPTED, assignment__task__plan=world.plan).update(
        body="字" * 40_000
    )
    sheet = written(world.plan)[1].active
    body = sheet["I2"].value
    assert len(body) == MAX_CELL_LENGTH
    assert body.endswith("…") and body.startswith("字字")


def test_characters_beyond_the_basic_plane_count_twice_toward_the_limit():
    text = excel_text("😀" * 20_000)
    assert len(text) == 16_383 + 1  # 16,383 emoji (two units each) and the ellipsis: 32,767 units
    assert text.endswith("…")
    assert excel_text("短文本") == "短文本"


def test_it_writes_into_an_http_response(world):
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert write_ledger(world.plan, response) == 14
    assert table(load_workbook(io.BytesIO(response.content)).active)[1:] == EXPECTED


# --- Query count ------------------------------------------------------------------------------------------


def grow(world, extra_tasks):
    """30 more assignments (10 tasks × 3 units), half of them with reports."""
    section = world.plan.sections.get(number=2)
    for number in range(10, 10 + extra_tasks):
        task = world.task(section, number, f"增长任务{number}")
        for unit in (world.jia, world.yi, world.bing):
            role = LEAD if unit == world.jia else RESPONSIBLE
            assignment = Assignment.objects.create(task=task, unit=unit, role=role)
            world.report(assignment, world.half_year, State.SUBMITTED, Progress.ON_TRACK, "进展", "")


def test_the_query_count_does_not_grow_with_the_plan(world, django_assert_num_queries):
    # periods, assignments with tasks and units, the sent reports
    with django_assert_num_queries(3):
        assert write_ledger(world.plan, io.BytesIO()) == 14
    grow(world, extra_tasks=10)
    with django_assert_num_queries(3):
        assert write_ledger(world.plan, io.BytesIO()) == (7 + 30) * 2
    with django_assert_num_queries(2):  # the periods given
        assert write_ledger(world.plan, io.BytesIO(), periods=[world.half_year]) == 7 + 30


# --- The demo plan ----------------------------------------------------------------------------------------


def test_the_demo_plan_has_a_row_per_assignment_and_period(plan):
    expected = Assignment.objects.filter(task__plan=plan).count() * plan.periods.count()
    count, workbook = written(plan)
    rows = table(workbook.active)[1:]
    assert count == len(rows) == expected > 1000
    assert {row[6] for row in rows} == {"未报送", "已报送", "已退回", "已通过"}
    assert [row[0] for row in rows] == list(range(1, expected + 1))


# --- The command ------------------------------------------------------------------------------------------


def export(*args):
    out = io.StringIO()
    call_command("export_ledger", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_file_and_says_where(world, tmp_path):
    path = tmp_path / "台账.xlsx"
    message = export("--plan", str(world.plan.pk), "--out", str(path))
    assert message.strip() == f"已导出台账 14 行：{path}"
    assert table(load_workbook(path).active)[1:] == EXPECTED


def test_the_command_takes_periods(world, tmp_path):
    path = tmp_path / "全年.xlsx"
    message = export("--plan", str(world.plan.pk), "--out", str(path), "--period", str(world.full_year.pk))
    assert "已导出台账 7 行" in message
    assert {row[5] for row in table(load_workbook(path).active)[1:]} == {"全年"}


def test_the_command_groups_thousands(plan, tmp_path):
    message = export("--plan", str(plan.pk), "--out", str(tmp_path / "demo.xlsx"))
    count = Assignment.objects.filter(task__plan=plan).count() * plan.periods.count()
    assert f"已导出台账 {count:,} 行" in message and "," in message


def test_the_command_refuses_a_missing_plan(tmp_path):
    with pytest.raises(CommandError, match="找不到编号为 999999 的工作计划"):
        export("--plan", "999999", "--out", str(tmp_path / "x.xlsx"))


def test_the_command_refuses_a_period_of_another_plan(world, plan, tmp_path):
    stranger = plan.periods.first()
    with pytest.raises(CommandError, match=f"报送期 {stranger.pk} 不存在或不属于工作计划《台账测试计划》"):
        export("--plan", str(world.plan.pk), "--out", str(tmp_path / "x.xlsx"), "--period", str(stranger.pk))
    assert not (tmp_path / "x.xlsx").exists()


def test_the_command_refuses_a_missing_folder_or_a_folder_as_file(world, tmp_path):
    with pytest.raises(CommandError, match="输出文件夹不存在"):
        export("--plan", str(world.plan.pk), "--out", str(tmp_path / "nowhere" / "x.xlsx"))
    with pytest.raises(CommandError, match="是一个文件夹"):
        export("--plan", str(world.plan.pk), "--out", str(tmp_path))


def test_the_query_count_stays_flat_when_the_reports_double(world, django_assert_num_queries):
    def sent():
        return ProgressReport.objects.filter(assignment__task__plan=world.plan).exclude(state=State.DRAFT)

    with django_assert_num_queries(3):
        write_ledger(world.plan, io.BytesIO())
    before = sent().count()
    reported = set(ProgressReport.objects.values_list("assignment_id", "period_id"))  # drafts too
    missing = [
        (assignment, period)
        for assignment in Assignment.objects.filter(task__plan=world.plan).order_by("pk")
        for period in (world.half_year, world.full_year)
        if (assignment.pk, period.pk) not in reported
    ]
    for assignment, period in missing[:before]:
        world.report(assignment, period, State.SUBMITTED, Progress.ON_TRACK, "新增进展", "")
    assert sent().count() == 2 * before
    with django_assert_num_queries(3):
        count, workbook = written(world.plan)
    assert count == 14
    assert sum(row[8] == "新增进展" for row in table(workbook.active)) == before
