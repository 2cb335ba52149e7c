"""The dashboards' numbers on a hand-built plan whose right answers are worked out below, by hand.

The plan (judged on Thursday 2030-06-20; the period 上半年 is due Friday 2030-06-14; 2030 is past the holiday
library's data, so Monday–Friday are the working days):

    unit A 测试县 (county), B 测试开发区 (development zone), C 市测试局 (city department)
    section 1: task 1 — A lead: accepted, done, sent 06-10          → 已完成, on time
                        B:      submitted, on track, sent 06-15     → 序时推进, late
                        C:      no report                           → 逾期 (past due, not reported)
               task 2 — B lead: returned (sent 06-12)               → 逾期 (returned = not reported)
                        A:      accepted, behind, sent 06-11        → 即将到期 (behind), on time
    section 2: task 3 — C lead: draft, task deadline 2030-06-01     → 逾期 (past its deadline)
                        A:      accepted, done, sent 06-05          → 已完成, on time
               task 4 — B lead: accepted, done, sent 06-13          → 已完成, on time

    totals: 8 assignments; 已完成 3, 序时推进 1, 即将到期 1, 逾期 3, 未启动 0; reported 5; on time 4;
            accepted 4; returned 1.
    tasks: 1 逾期, 2 逾期, 3 逾期, 4 已完成 → 1 of 4 done.
    sections: 1 → 5 assignments, 3 reported, 2 overdue, 0 tasks done; 2 → 3, 2, 1, 1 task done.
    units: A 3 assignments, 3 reported, 3 on time, 0 overdue, 1 due soon, 0 returned, last 06-11;
           B 3, 2, 1, 1, 0, 1, last 06-15; C 2, 0, 0, 2, 0, 0, never.
"""

import datetime
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.metrics import Overview
from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, WorkPlan
from tasks.workdays import WorkCalendar
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER
from units.models import Unit

pytestmark = pytest.mark.django_db

ON = datetime.date(2030, 6, 20)
SECRET = "本单位内部数据甲乙丙"  # report text that must never reach the public page


def at(month, day):
    return timezone.make_aware(datetime.datetime(2030, month, day, 12, 0))


@pytest.fixture
def on_day(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: ON)
    return ON


@pytest.fixture
def world(on_day):
    plan = WorkPlan.objects.create(
        year=2030,
        title="测试市2030年法治政府建设工作计划",
        doc_number="测政办字〔2030〕1号",
        status=WorkPlan.Status.ACTIVE,
    )
    s1 = Section.objects.create(plan=plan, number=1, title="第一部分")
    s2 = Section.objects.create(plan=plan, number=2, title="第二部分")
    units = {
        "A": Unit.objects.create(
            name="测试县人民政府", short_name="测试县", kind=Unit.Kind.COUNTY, order=9001
        ),
        "B": Unit.objects.create(
            name="测试开发区管委会", short_name="测试开发区", kind=Unit.Kind.DEV_ZONE, order=9002
        ),
        "C": Unit.objects.create(
            name="测试市测试局", short_name="市测试局", kind=Unit.Kind.CITY_DEPARTMENT, order=9003
        ),
    }
    period = ReportingPeriod.objects.create(
        plan=plan,
        name="上半年",
        starts_on=datetime.date(2030, 1, 1),
        ends_on=datetime.date(2030, 6, 30),
        due_on=datetime.date(2030, 6, 14),
    )
    tasks = {}
    for number, section, deadline in (
        (1, s1, None),
        (2, s1, None),
        (3, s2, datetime.date(2030, 6, 1)),
        (4, s2, None),
    ):
        tasks[number] = Task.objects.create(
            plan=plan,
            section=section,
            number=number,
            title=f"测试任务{number}",
            content="内容",
            deadline=deadline,
        )
    State, Progress = ProgressReport.State, ProgressReport.Progress
    lines = [
        # task, unit, role, state, progress, sent
        (1, "A", "lead", State.ACCEPTED, Progress.DONE, at(6, 10)),
        (1, "B", "responsible", State.SUBMITTED, Progress.ON_TRACK, at(6, 15)),
        (1, "C", "responsible", None, None, None),
        (2, "B", "lead", State.RETURNED, Progress.ON_TRACK, at(6, 12)),
        (2, "A", "responsible", State.ACCEPTED, Progress.BEHIND, at(6, 11)),
        (3, "C", "lead", State.DRAFT, Progress.ON_TRACK, None),
        (3, "A", "responsible", State.ACCEPTED, Progress.DONE, at(6, 5)),
        (4, "B", "lead", State.ACCEPTED, Progress.DONE, at(6, 13)),
    ]
    assignments = {}
    for number, unit, role, state, progress, sent in lines:
        task = tasks[number]
        assignment = Assignment.objects.create(task=task, unit=units[unit], role=role, deadline=task.deadline)
        assignments[(number, unit)] = assignment
        if state:
            ProgressReport.objects.create(
                assignment=assignment,
                period=period,
                state=state,
                progress=progress,
                submitted_at=sent,
                body=f"{SECRET}{number}{unit}",
                problems=SECRET,
                review_note=SECRET,
            )
    return {"plan": plan, "period": period, "units": units, "tasks": tasks, "assignments": assignments}


def page(client, name, plan, **params):
    response = client.get(reverse(name, args=[plan.pk]), params)
    assert response.status_code == 200, response.status_code
    return response


def kpi(html, key):
    return int(re.search(rf'data-kpi="{key}">(\d+)<', html).group(1))


def test_overview_figures(login, world):
    client = login(LEADER)
    response = page(client, "dashboards:dashboard", world["plan"])
    html = response.content.decode()
    assert (kpi(html, "tasks_done"), kpi(html, "reported"), kpi(html, "on_time"), kpi(html, "accepted")) == (
        1,
        5,
        4,
        4,
    )
    assert (kpi(html, "overdue"), kpi(html, "due_soon")) == (3, 1)
    totals = response.context["totals"]
    assert totals.lights == {"done": 3, "on_track": 1, "due_soon": 1, "overdue": 3, "not_started": 0}
    assert (totals.assignments, totals.returned) == (8, 1)
    assert response.context["percent"] == {"tasks_done": 25, "reported": 63, "on_time": 50, "accepted": 50}
    sections = response.context["sections"]
    assert [
        (s.figures.assignments, s.figures.reported, s.figures.overdue, s.tasks_done) for s in sections
    ] == [
        (5, 3, 2, 0),
        (3, 2, 1, 1),
    ]
    assert [[line.light for line in s.tasks] for s in sections] == [
        ["overdue", "overdue"],
        ["overdue", "done"],
    ]
    overdue = dict((title, rows) for title, _light, rows, _n in response.context["attention"])["逾期"]
    assert [(a.task.number, a.unit.short_name) for a in overdue] == [
        (1, "市测试局"),
        (2, "测试开发区"),
        (3, "市测试局"),
    ]


def test_every_figure_links_to_the_list_behind_it(login, world):
    """Drill down from the overview's numbers; each list holds exactly the assignments counted."""
    client = login(LEADER)
    plan, period = world["plan"], world["period"]
    expected = {
        "what=reported": {(1, "测试县"), (1, "测试开发区"), (2, "测试县"), (3, "测试县"), (4, "测试开发区")},
        "what=on_time": {(1, "测试县"), (2, "测试县"), (3, "测试县"), (4, "测试开发区")},
        "what=accepted": {(1, "测试县"), (2, "测试县"), (3, "测试县"), (4, "测试开发区")},
        "what=returned": {(2, "测试开发区")},
        "what=not_reported": {(1, "市测试局"), (2, "测试开发区"), (3, "市测试局")},
        "light=overdue": {(1, "市测试局"), (2, "测试开发区"), (3, "市测试局")},
        "light=due_soon": {(2, "测试县")},
        f"section={plan.sections.get(number=2).pk}": {(3, "市测试局"), (3, "测试县"), (4, "测试开发区")},
        f"unit={world['units']['B'].pk}&what=reported": {(1, "测试开发区"), (4, "测试开发区")},
        "kind=county": {(1, "测试县"), (2, "测试县"), (3, "测试县")},
    }
    overview = page(client, "dashboards:dashboard", plan).content.decode()
    list_url = reverse("dashboards:dashboard_list", args=[plan.pk])
    for query, rows in expected.items():
        if not query.startswith(("unit", "kind")):
            assert f"{list_url}?period={period.pk}&amp;{query}" in overview, query
        response = client.get(f"{list_url}?period={period.pk}&{query}")
        found = {(a.task.number, a.unit.short_name) for a in response.context["page"]}
        assert found == rows, query
    # and from the list to the report
    response = client.get(f"{list_url}?period={period.pk}&light=due_soon")
    report = ProgressReport.objects.get(assignment=world["assignments"][(2, "A")])
    assert reverse("tasks:report_detail", args=[report.pk]) in response.content.decode()


def test_unit_table(login, world):
    client = login(LEADER)
    response = page(client, "dashboards:dashboard_units", world["plan"])
    lines = response.context["lines"]
    table = [
        (
            line.unit.short_name,
            line.figures.assignments,
            line.figures.reported,
            line.figures.on_time,
            line.figures.overdue,
            line.figures.due_soon,
            line.figures.returned,
            timezone.localtime(line.last_submission).date() if line.last_submission else None,
        )
        for line in lines
    ]
    # laggards first: by overdue, most first
    assert table == [
        ("市测试局", 2, 0, 0, 2, 0, 0, None),
        ("测试开发区", 3, 2, 1, 1, 0, 1, datetime.date(2030, 6, 15)),
        ("测试县", 3, 3, 3, 0, 1, 0, datetime.date(2030, 6, 11)),
    ]
    html = response.content.decode()
    assert html.count('class="laggard"') == 2
    assert [
        line.unit.short_name
        for line in page(client, "dashboards:dashboard_units", world["plan"], sort="on_time").context["lines"]
    ] == ["测试县", "测试开发区", "市测试局"]
    assert [
        line.unit.short_name
        for line in page(client, "dashboards:dashboard_units", world["plan"], sort="last").context["lines"]
    ] == ["市测试局", "测试县", "测试开发区"]
    county = page(client, "dashboards:dashboard_units", world["plan"], kind="county").context["lines"]
    assert [line.unit.short_name for line in county] == ["测试县"]
    # an unknown sort falls back to the default, it does not fail
    assert (
        page(client, "dashboards:dashboard_units", world["plan"], sort="drop table").context["sort"] == "overdue"
    )


def test_matrix_cells_and_links(login, world):
    client = login(LEADER)
    response = page(client, "dashboards:matrix", world["plan"])
    units, rows = response.context["units"], response.context["rows"]
    assert [u.short_name for u in units] == ["测试县", "测试开发区", "市测试局"]
    assert [(row.task.number, row.light, [c.light for c in row.cells]) for row in rows] == [
        (1, "overdue", ["done", "on_track", "overdue"]),
        (2, "overdue", ["due_soon", "overdue", "not_assigned"]),
        (3, "overdue", ["done", "not_assigned", "overdue"]),
        (4, "done", ["not_assigned", "done", "not_assigned"]),
    ]
    html = response.content.decode()
    for report in ProgressReport.objects.filter(period=world["period"]):
        assert reverse("tasks:report_detail", args=[report.pk]) in html
    # colour-blind readers and print: every cell carries its words
    assert html.count('title="逾期"') + html.count('title="逾期（未填写报告）"') == 3
    for words in ("已完成", "序时推进", "即将到期", "逾期", "未启动", "未分工"):
        assert words in html
    county = page(client, "dashboards:matrix", world["plan"], kind="county").context
    assert [u.short_name for u in county["units"]] == ["测试县"]
    second = page(
        client, "dashboards:matrix", world["plan"], section=world["plan"].sections.get(number=2).pk
    ).context
    assert [row.task.number for row in second["rows"]] == [3, 4]


def test_trend_counts_submissions_per_day(world):
    overview = Overview(world["plan"], world["period"], WorkCalendar.load(), ON)
    assert overview.trend() == [
        (datetime.date(2030, 6, 5), 1),
        (datetime.date(2030, 6, 10), 1),
        (datetime.date(2030, 6, 11), 1),
        (datetime.date(2030, 6, 13), 1),
        (datetime.date(2030, 6, 15), 1),
    ]


def test_charts_are_on_the_overview(login, world):
    html = page(login(LEADER), "dashboards:dashboard", world["plan"]).content.decode()
    assert html.count("<svg") == 3
    assert "截止 6月14日" in html
    assert "3/5" in html and "2/3" in html  # reported of assignments, per section


def test_excel_exports(login, world):
    client = login(LEADER)
    plan = world["plan"]
    response = client.get(reverse("dashboards:dashboard_units_xlsx", args=[plan.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[2]][:6] == ["序号", "单位", "类别", "分工数", "已报送", "按时报送"]
    assert [[c.value for c in row][1:11] for row in sheet.iter_rows(min_row=3)] == [
        ["测试市测试局", "市直部门", 2, 0, 0, "0%", 2, 0, 0, 0],
        ["测试开发区管委会", "市属开发区", 3, 2, 1, "33%", 1, 0, 1, 1],
        ["测试县人民政府", "县（市、区）政府", 3, 3, 3, "100%", 0, 1, 0, 3],
    ]
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$2:$2"
    response = client.get(reverse("dashboards:matrix_xlsx", args=[plan.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[2]] == ["编号", "任务", "任务状态", "测试县", "测试开发区", "市测试局"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=4)] == [
        [1, "测试任务1", "逾期", "已完成", "序时推进", "逾期"],
        [2, "测试任务2", "逾期", "即将到期", "逾期", None],
    ]
    assert sheet["D3"].fill.fgColor.rgb.endswith("C8E6C9")


def test_the_public_page_is_off_until_the_coordinator_switches_it_on(client, login, world):
    plan = world["plan"]
    url = reverse("dashboards:public_dashboard", args=[plan.pk])
    assert client.get(url).status_code == 404
    assert (
        login(LEADER).post(reverse("dashboards:public_switch", args=[plan.pk]), {"public": "on"}).status_code
        == 403
    )
    switch = reverse("dashboards:public_switch", args=[plan.pk])
    response = login(COORDINATOR).post(switch, {"public": "on"}, follow=True)  # not confirmed: stays off
    assert "请先勾选“我已核对公开内容”" in response.content.decode()
    assert client.get(url).status_code == 404
    response = login(COORDINATOR).post(switch, {"public": "on", "confirmed": "on"})
    assert response.status_code == 302
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert (kpi(html, "tasks_done"), kpi(html, "reported")) == (1, 63)
    assert SECRET not in html  # no report text, no review note
    for unit in world["units"].values():  # aggregate only: no unit, no person
        assert unit.name not in html and unit.short_name not in html
    assert "coordinator" not in html and "退出" not in html
    plan.status = WorkPlan.Status.DRAFT
    plan.save()
    assert client.get(url).status_code == 404


READER_PAGES = [
    "dashboards:dashboard",
    "dashboards:dashboard_units",
    "dashboards:matrix",
    "dashboards:dashboard_list",
    "dashboards:dashboard_units_xlsx",
    "dashboards:matrix_xlsx",
]


@pytest.mark.parametrize("name", READER_PAGES)
def test_only_coordinators_and_leaders_see_the_dashboards(client, login, world, name):
    url = reverse(name, args=[world["plan"].pk])
    assert client.get(url).status_code == 302  # anonymous: to the log-in page
    for username in (COUNTY_REPORTER, LEAD_REPORTER):
        assert login(username).get(url).status_code == 403
    for username in (COORDINATOR, LEADER):
        assert login(username).get(url).status_code == 200


def test_the_plain_addresses_open_the_current_plan(login, plan):
    client = login(LEADER)
    assert client.get(reverse("dashboards:dashboard")).url == reverse("dashboards:dashboard", args=[plan.pk])
    assert client.get(reverse("dashboards:matrix")).url == reverse("dashboards:matrix", args=[plan.pk])


def test_a_plan_without_periods_says_so(login, world):
    ProgressReport.objects.filter(period=world["period"]).delete()
    world["period"].delete()
    html = page(login(LEADER), "dashboards:dashboard", world["plan"]).content.decode()
    assert "还没有报送期" in html


def grow(world, extra_units, start=0):
    """More units on the plan, each with an assignment and a submitted report on task 1 (bulk: thousands)."""
    units = Unit.objects.bulk_create(
        Unit(name=f"增加单位{n}", short_name=f"增加{n}", kind=Unit.Kind.COUNTY, order=9100 + n)
        for n in range(start, start + extra_units)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(task=world["tasks"][1], unit=unit, role="responsible") for unit in units
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            assignment=assignment,
            period=world["period"],
            state=ProgressReport.State.SUBMITTED,
            progress=ProgressReport.Progress.ON_TRACK,
            submitted_at=at(6, 1 + n % 13),
        )
        for n, assignment in enumerate(assignments)
    )


PAGES = [*READER_PAGES, "dashboards:public_dashboard"]


def test_query_counts_do_not_grow_with_units(login, world):
    """The same number of queries with 20 units and with 2,000: every block is one GROUP BY."""
    world["plan"].public_dashboard = True
    world["plan"].save()
    client = login(LEADER)

    def counts():
        result = {}
        for name in PAGES:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(name, args=[world["plan"].pk]))
                if response.streaming:
                    b"".join(response.streaming_content)
            assert response.status_code == 200
            result[name] = len(queries)
        return result

    grow(world, 17)
    assert Unit.objects.filter(assignments__task__plan=world["plan"]).distinct().count() == 20
    small = counts()
    grow(world, 1980, start=17)
    assert Unit.objects.filter(assignments__task__plan=world["plan"]).distinct().count() == 2000
    assert counts() == small
    assert all(n < 20 for n in small.values()), small
