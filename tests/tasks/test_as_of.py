"""A plan judged as of a day (截至): a small year worked out by hand, whatever today is; a closed plan's pages and
exports; closing and reopening; the dashboards' query counts with and without a chosen day.

The small year: one task of a 2024 plan, three units, 上半年 due Tuesday 25 June 2024 (DUE_SOON_WORKDAYS = 3).

    东昌府区  draft 6-10, sent 6-20 (on time, 序时推进), accepted 6-26
    开发区    draft 6-20, sent 7-02 (late), returned 7-03
    市司法局  nothing

    as of        东昌府区            开发区                 市司法局        reported  on time  accepted  returned
    2024-06-21   序时推进 (sent)      即将到期 (2 days left)  即将到期        1         1        0         0
    2024-06-28   序时推进 (accepted)  逾期 (3 working days)   逾期            1         1        1         0
    2024-07-05   序时推进 (accepted)  逾期 (returned)         逾期            1         1        1         1
"""

import datetime
import io
from unittest import mock

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annual.ledger import write_ledger
from dashboards import metrics
from tasks import selectors, workflow
from tasks.models import Assignment, PlanEvent, ReportingPeriod, Section, Task, WorkPlan
from tasks.status import Light
from tasks.workdays import WorkCalendar
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER, ZONE_REPORTER, user
from units.models import Unit

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
DONGCHANGFU = "聊城市东昌府区人民政府"
ZONE = "聊城经济技术开发区管理委员会"
JUSTICE = "聊城市司法局"


def frozen(moment):
    """The site's clock stopped at `moment` ("2024-06-20 10:00", site time)."""
    at = timezone.make_aware(datetime.datetime.fromisoformat(moment))
    return mock.patch("django.utils.timezone.now", return_value=at)


@pytest.fixture
def year(settings):
    settings.SESSION_IDLE_SECONDS = 10**9  # the frozen clock is not the idle timer's
    settings.DUE_SOON_WORKDAYS = 3
    settings.STALE_WORKDAYS = 40
    plan = WorkPlan.objects.create(year=2024, title="测试2024年计划", doc_number="测试〔2024〕1号", status="active")
    section = Section.objects.create(plan=plan, number=1, title="测试部分")
    task = Task.objects.create(plan=plan, section=section, number=1, title="测试任务", content="内容", deadline=D("2024-12-31"))
    units = {name: Unit.objects.get(name=name) for name in (DONGCHANGFU, ZONE, JUSTICE)}
    assignments = {
        name: Assignment.objects.create(task=task, unit=unit, role="lead" if name == JUSTICE else "responsible",
                                        deadline=task.deadline)
        for name, unit in units.items()
    }
    period = ReportingPeriod.objects.create(
        plan=plan, name="上半年", starts_on=D("2024-01-01"), ends_on=D("2024-06-30"), due_on=D("2024-06-25")
    )
    coordinator = user(COORDINATOR)
    text = {"progress": "on_track", "body": "按计划推进。"}
    with frozen("2024-06-10 10:00"):
        county = workflow.save_report(assignment=assignments[DONGCHANGFU], period=period, user=user(COUNTY_REPORTER), data=text)
    with frozen("2024-06-20 10:00"):
        workflow.submit(county, user(COUNTY_REPORTER))
        zone = workflow.save_report(assignment=assignments[ZONE], period=period, user=user(ZONE_REPORTER), data=text)
    with frozen("2024-06-26 09:00"):
        workflow.accept(county, coordinator)
    with frozen("2024-07-02 16:00"):
        workflow.submit(zone, user(ZONE_REPORTER))
    with frozen("2024-07-03 11:00"):
        workflow.return_report(zone, coordinator, "请补充数据")
    return plan, period, assignments


EXPECTED = {
    "2024-06-21": ({DONGCHANGFU: Light.ON_TRACK, ZONE: Light.DUE_SOON, JUSTICE: Light.DUE_SOON}, (1, 1, 0, 0)),
    "2024-06-28": ({DONGCHANGFU: Light.ON_TRACK, ZONE: Light.OVERDUE, JUSTICE: Light.OVERDUE}, (1, 1, 1, 0)),
    "2024-07-05": ({DONGCHANGFU: Light.ON_TRACK, ZONE: Light.OVERDUE, JUSTICE: Light.OVERDUE}, (1, 1, 1, 1)),
}


@pytest.mark.parametrize("now", ["2026-12-03 15:00", "2031-02-17 09:00"])
@pytest.mark.parametrize("day", list(EXPECTED))
def test_the_small_year_as_of_a_day_is_the_hand_computed_one_whatever_today_is(year, now, day):
    plan, period, assignments = year
    lights, (reported, on_time, accepted, returned) = EXPECTED[day]
    names = {a.pk: name for name, a in assignments.items()}
    on = D(day)
    calendar = WorkCalendar.load()
    with frozen(now):
        sql = dict(metrics.plan_assignments_with_light(plan, period, calendar, on).values_list("pk", "light"))
        rows = selectors.rows_for(
            list(selectors.last_submitted(Assignment.objects.filter(task__plan=plan), on)), lambda a: period, calendar, on
        )
        overview = metrics.Overview(plan, period, calendar, on)
        totals = overview.totals(overview.task_lines())
        trend = overview.trend()
    assert {names[pk]: light for pk, light in sql.items()} == lights
    assert {names[row.assignment.pk]: row.status.light for row in rows} == lights
    assert (totals.reported, totals.on_time, totals.accepted, totals.returned) == (reported, on_time, accepted, returned)
    assert trend == [(D("2024-06-20"), 1)]  # the line counts what counted as reported that day: 东昌府区's
    if day == "2024-06-28":  # days late: 6-26, 6-27, 6-28
        assert {names[r.assignment.pk]: r.status.days_left for r in rows}[ZONE] == -3


def test_a_report_sent_after_the_day_counts_as_not_yet_sent_then(year):
    plan, period, assignments = year
    with frozen("2026-12-03 15:00"):
        rows = selectors.rows_for([assignments[ZONE], assignments[JUSTICE]], lambda a: period, WorkCalendar.load(), D("2024-06-19"))
    assert [row.report for row in rows] == [None, None]  # 开发区's draft was started on 6-20
    with frozen("2026-12-03 15:00"):
        (row,) = selectors.rows_for([assignments[ZONE]], lambda a: period, WorkCalendar.load(), D("2024-07-02"))
    assert row.report.state == "submitted" and row.report.reviewed_at is None


def test_the_dashboard_as_of_a_chosen_day_shows_the_hand_computed_figures(year, login):
    plan, period, _assignments = year
    client = login(LEADER)
    with frozen("2026-12-03 15:00"):
        html = client.get(reverse("dashboards:dashboard", args=[plan.pk]), {"period": period.pk, "as_of": "2024-06-28"}).content.decode()
    assert 'data-as-of="2024-06-28"' in html and "截至 2024年6月28日" in html
    assert '<strong data-kpi="reported">1</strong>' in html and '<strong data-kpi="overdue">2</strong>' in html
    assert "as_of=2024-06-28" in html  # the links keep the day
    with frozen("2026-12-03 15:00"):
        response = client.get(reverse("dashboards:dashboard", args=[plan.pk]), {"as_of": "2024-13-01"}, follow=True)
    assert "不是有效的日期" in response.content.decode()


def test_a_closed_plan_is_judged_at_its_close_on_every_page_and_export(year, login):
    plan, period, _assignments = year
    client = login(COORDINATOR)
    with frozen("2026-12-03 15:00"):
        response = client.post(reverse("tasks:plan_close", args=[plan.pk]), {"closed_on": "2024-06-28", "confirm": "yes"})
        assert response.status_code == 302
        plan.refresh_from_db()
        assert (plan.status, plan.closed_on, plan.closed_by.username) == ("closed", D("2024-06-28"), COORDINATOR)
        assert PlanEvent.objects.get(plan=plan).action == "close"
        pages = {
            name: client.get(reverse(name, args=[plan.pk])).content.decode()
            for name in ("dashboards:dashboard", "dashboards:dashboard_units", "dashboards:matrix", "tasks:plan_detail", "tasks:task_list")
        }
        task_page = client.get(reverse("tasks:task_detail", args=[plan.tasks.get().pk])).content.decode()
        units_xlsx = client.get(reverse("dashboards:dashboard_units_xlsx", args=[plan.pk]))
        matrix_xlsx = client.get(reverse("dashboards:matrix_xlsx", args=[plan.pk]))
        ledger = io.BytesIO()
        write_ledger(plan, ledger)
    for name, html in pages.items():
        assert "截至 2024年6月28日" in html, name
    assert "截至 2024年6月28日" in task_page and "逾期" in task_page
    assert '<strong data-kpi="overdue">2</strong>' in pages["dashboards:dashboard"]  # as hand-computed for 6-28
    for download in (units_xlsx, matrix_xlsx):
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
        assert "截至 2024年6月28日" in sheet["A1"].value
    ledger.seek(0)
    assert "截至 2024年6月28日" in openpyxl.load_workbook(ledger).active.oddHeader.center.text


def test_closing_and_reopening_need_a_coordinator_a_real_day_and_a_reason(year, login):
    plan, _period, _assignments = year
    with pytest.raises(workflow.PermissionDenied):
        workflow.close_plan(plan, user(LEAD_REPORTER))
    with frozen("2026-12-03 15:00"):
        with pytest.raises(workflow.WorkflowError, match="不能晚于今天"):
            workflow.close_plan(plan, user(COORDINATOR), D("2026-12-04"))
        client = login(COORDINATOR)
        client.post(reverse("tasks:plan_close", args=[plan.pk]), {"closed_on": "2024-12-31"})  # not confirmed
        plan.refresh_from_db()
        assert plan.status == "active"
        workflow.close_plan(plan, user(COORDINATOR), D("2024-12-31"))
        with pytest.raises(workflow.WorkflowError, match="理由"):
            workflow.reopen_plan(plan, user(COORDINATOR), "  ")
        response = client.post(reverse("tasks:plan_reopen", args=[plan.pk]), {"reason": "补录年底报告"}, follow=True)
    plan.refresh_from_db()
    assert (plan.status, plan.closed_on) == ("active", None)
    assert [(e.action, e.reason) for e in PlanEvent.objects.filter(plan=plan).order_by("pk")] == [
        ("close", ""), ("reopen", "补录年底报告")
    ]
    assert "补录年底报告" in response.content.decode()  # the plan page lists its events


def test_a_plan_whose_year_is_over_is_judged_at_its_end(year):
    plan, period, _assignments = year
    assert plan.as_of(today=D("2024-06-28")) == D("2024-06-28")
    assert plan.as_of(today=D("2025-01-02")) == D("2024-12-31")
    period.due_on = D("2025-01-08")  # a last period due in the next year: judged at that due date
    period.save()
    assert plan.as_of(today=D("2025-01-05")) == D("2025-01-05")
    assert plan.as_of(today=D("2025-03-01")) == D("2025-01-08")


@pytest.mark.parametrize("name", ["dashboards:dashboard", "dashboards:dashboard_units", "dashboards:matrix", "dashboards:dashboard_list"])
def test_the_dashboards_query_counts_do_not_change_with_the_day(plan, login, settings, name):
    """On the demo's 2022 plan (608 assignments): judged on today (the clock in October 2022: the reports as
    they are), as of its year end (today), and as of chosen days (the reports as they stood then)."""
    settings.SESSION_IDLE_SECONDS = 10**9
    client = login(LEADER)
    url = reverse(name, args=[plan.pk])
    counts = []
    for now, params in (
        ("2022-10-10 10:00", {}),
        ("2022-10-10 10:00", {"as_of": "2022-06-30"}),
        ("2026-12-03 15:00", {}),
        ("2026-12-03 15:00", {"as_of": "2022-09-15"}),
    ):
        with frozen(now):
            client.get(url, params)  # warm the session
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, params)
        assert response.status_code == 200
        # (not counting the session's idle stamp, written at most once a minute, whenever a minute has passed)
        stamp = ("SAVEPOINT", "RELEASE SAVEPOINT", 'UPDATE "django_session"')
        counts.append(sum(1 for q in queries.captured_queries if not q["sql"].startswith(stamp)))
    assert len(set(counts)) == 1, counts
