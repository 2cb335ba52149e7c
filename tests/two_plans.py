"""Two live plans at once, as every office has them each spring: last year's (its year-end report being
written) and this year's, for the same units, with reports in every state.

The demo's 2022 plan is closed for these tests, so exactly these two plans are live. Each plan has three tasks,
each led by 市司法局 with 东昌府区 responsible, and three periods: 第一期 (overdue, still open), 第二期 (due
tomorrow: the current one) and 第三期 (not started). What 东昌府区 (the county reporter) has in each plan:

this year's ("newer")                          last year's ("older")
- 第一期: task 1 returned, 2 and 3 accepted     - 第一期: 1 accepted, 2 submitted, 3 none
- 第二期: task 1 draft, 2 submitted, 3 none;    - 第二期: 1 returned, 2 and 3 none
  市司法局's task 1 accepted                     - task 2: an extension request pending
- task 3 not signed for (待签收)                 - task 3 contested (有异议)
- task 3 urged in 第二期
"""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks import workflow
from tasks.models import Assignment, AssignmentEvent, ProgressReport, ReportingPeriod, Section, Task, WorkPlan
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, user
from units.models import Unit

State = ProgressReport.State
DAY = datetime.timedelta(days=1)


def make_plan(year, tasks=3, suffix=""):
    """A live plan of `year` with `tasks` tasks (市司法局 lead, 东昌府区 responsible) and three periods."""
    plan = WorkPlan.objects.create(
        year=year, title=f"聊城市{year}年法治政府建设工作计划{suffix}", doc_number=f"聊政办字〔{year}〕{suffix or 1}号",
        status=WorkPlan.Status.ACTIVE,
    )
    section = Section.objects.create(plan=plan, number=1, title="全面履行政府职能")
    lead, county = Unit.objects.get(short_name="市司法局"), Unit.objects.get(short_name="东昌府区")
    for number in range(1, tasks + 1):
        task = Task.objects.create(plan=plan, section=section, number=number, title=f"{year}年第{number}项任务",
                                   content="任务内容。")
        Assignment.objects.create(task=task, unit=lead, role=Assignment.Role.LEAD, receipt=Assignment.Receipt.CONFIRMED)
        Assignment.objects.create(task=task, unit=county, role=Assignment.Role.RESPONSIBLE,
                                  receipt=Assignment.Receipt.CONFIRMED)
    today = timezone.localdate()
    for name, starts, due in (("第一期", -60, -10), ("第二期", -5, 1), ("第三期", 30, 90)):
        ReportingPeriod.objects.create(
            plan=plan, name=name, starts_on=today + starts * DAY, ends_on=today + due * DAY, due_on=today + due * DAY,
        )
    return plan


def period_of(plan, name):
    return ReportingPeriod.objects.get(plan=plan, name=name)


def county_assignment(plan, number):
    return Assignment.objects.select_related("task__plan", "unit").get(
        task__plan=plan, task__number=number, unit__short_name="东昌府区"
    )


def lead_assignment(plan, number):
    return Assignment.objects.select_related("task__plan", "unit").get(
        task__plan=plan, task__number=number, unit__short_name="市司法局"
    )


def report(assignment, period, state, reporter=None):
    """A report of `assignment` in `period` brought to `state` through the workflow."""
    reporter = reporter or user(COUNTY_REPORTER)
    coordinator = user(COORDINATOR)
    made = workflow.save_report(assignment=assignment, period=period, user=reporter,
                                data={"progress": "on_track", "body": f"{assignment.task.title}的进展。"})
    if state == State.DRAFT:
        return made
    made = workflow.submit(made, reporter)
    if state == State.ACCEPTED:
        made = workflow.accept(made, coordinator)
    elif state == State.RETURNED:
        made = workflow.return_report(made, coordinator, "请补充具体数据。")
    return made


def build(old_plan):
    """Close the demo's plan and make last year's and this year's live plans; returns (older, newer)."""
    WorkPlan.objects.filter(pk=old_plan.pk).update(status=WorkPlan.Status.CLOSED)
    year = timezone.localdate().year
    older, newer = make_plan(year - 1), make_plan(year)
    fill(older, newer)
    return older, newer


def fill(older, newer):
    p1, p2 = period_of(newer, "第一期"), period_of(newer, "第二期")
    report(county_assignment(newer, 1), p1, State.RETURNED)
    report(county_assignment(newer, 2), p1, State.ACCEPTED)
    report(county_assignment(newer, 3), p1, State.ACCEPTED)
    report(county_assignment(newer, 1), p2, State.DRAFT)
    report(county_assignment(newer, 2), p2, State.SUBMITTED)
    report(lead_assignment(newer, 1), p2, State.ACCEPTED, reporter=user(LEAD_REPORTER))
    unsigned = county_assignment(newer, 3)
    Assignment.objects.filter(pk=unsigned.pk).update(receipt=Assignment.Receipt.PENDING)
    AssignmentEvent.objects.create(assignment=unsigned, period=p2, actor=user(COORDINATOR),
                                   action=AssignmentEvent.Action.URGE, comment="请尽快报送。")

    q1, q2 = period_of(older, "第一期"), period_of(older, "第二期")
    report(county_assignment(older, 1), q1, State.ACCEPTED)
    report(county_assignment(older, 2), q1, State.SUBMITTED)
    report(county_assignment(older, 1), q2, State.RETURNED)
    workflow.request_extension(county_assignment(older, 2), user(COUNTY_REPORTER),
                               timezone.localdate() + 200 * DAY, "等待上级文件")
    workflow.contest(county_assignment(older, 3), user(COUNTY_REPORTER), "该项工作不属于本单位职责。")


def add_tasks(plan, count):
    """`count` more tasks in `plan` (for flat query counts), each with both units and a submitted report of
    东昌府区 in 第二期 and a returned one in 第一期."""
    section = plan.sections.get()
    lead, county = Unit.objects.get(short_name="市司法局"), Unit.objects.get(short_name="东昌府区")
    start = plan.tasks.count() + 1
    p1, p2 = period_of(plan, "第一期"), period_of(plan, "第二期")
    for number in range(start, start + count):
        task = Task.objects.create(plan=plan, section=section, number=number, title=f"追加第{number}项任务",
                                   content="任务内容。")
        Assignment.objects.create(task=task, unit=lead, role=Assignment.Role.LEAD)
        a = Assignment.objects.create(task=task, unit=county, role=Assignment.Role.RESPONSIBLE,
                                      receipt=Assignment.Receipt.CONFIRMED)
        a = county_assignment(plan, number)
        report(a, p1, State.RETURNED)
        report(a, p2, State.SUBMITTED)


def query_counts(client, old_plan, url, data=None, grow_older=False):
    """The queries of one GET of `url` (a path, or newer plan → path) with one live plan, with two, and with
    three more tasks in this year's plan (and in last year's, grow_older): (one, two, more), for the tests
    that a page's query count stays flat in plans and rows."""
    older, newer = build(old_plan)
    if callable(url):
        url = url(newer)
    data = data(newer) if callable(data) else data or {}

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, data)
        assert response.status_code == 200
        return len(queries)

    WorkPlan.objects.filter(pk=older.pk).update(status=WorkPlan.Status.CLOSED)  # one live plan
    client.get(url, data)  # the working-day calendar and the session warm up
    one = count()
    WorkPlan.objects.filter(pk=older.pk).update(status=WorkPlan.Status.ACTIVE)  # two live plans
    two = count()
    add_tasks(newer, 3)
    if grow_older:
        add_tasks(older, 3)
    return one, two, count()
