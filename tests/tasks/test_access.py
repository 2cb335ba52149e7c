"""tasks.access: who sees which reports and assignments, and who may write them, for every role of the demo.

A unit member sees their own unit's assignments and reports and, read-only, everything of a task their unit
leads; coordinators and leaders see everything; draft plans are the coordinator's alone. An object the user
may not see is a 404, as if it did not exist.
"""

import datetime

import pytest
from django.http import Http404

from tasks import access, workflow
from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, WorkPlan
from tests.conftest import (
    APPROVER,
    COORDINATOR,
    COUNTY_REPORTER,
    LEAD_REPORTER,
    LEADER,
    ZONE_REPORTER,
    assignment_of,
    user,
)
from units.models import Unit, User

pytestmark = pytest.mark.django_db

SIFAJU = "聊城市司法局"
DONGCHANGFU = "聊城市东昌府区人民政府"
ZONE = "聊城经济技术开发区管理委员会"
TEXT = {"progress": "on_track", "body": "按计划推进。"}


@pytest.fixture
def period(plan):
    return ReportingPeriod.objects.create(
        plan=plan,
        name="测试期",
        starts_on=datetime.date(2022, 1, 1),
        ends_on=datetime.date(2022, 9, 30),
        due_on=datetime.date(2022, 10, 14),
    )


@pytest.fixture
def reports(plan, period):
    """Four reports in the test period, written through the workflow by each unit's reporter.

    Task 13: 东昌府区 and 经开区 are responsible units, 市司法局 is not on it.
    Task 18: 市司法局 leads, 东昌府区 is a responsible unit.
    """
    rows = {}
    for key, unit_name, number, username in [
        ("county13", DONGCHANGFU, 13, COUNTY_REPORTER),
        ("zone13", ZONE, 13, ZONE_REPORTER),
        ("county18", DONGCHANGFU, 18, COUNTY_REPORTER),
        ("lead18", SIFAJU, 18, LEAD_REPORTER),
    ]:
        rows[key] = workflow.save_report(
            assignment=assignment_of(plan, unit_name, number), period=period, user=user(username), data=TEXT
        )
    return rows


def seen(username, reports, period):
    """The keys of `reports` the user sees in the test period."""
    visible = set(access.visible_reports(user(username)).filter(period=period).values_list("pk", flat=True))
    return {key for key, report in reports.items() if report.pk in visible}


# --- reports -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (COUNTY_REPORTER, {"county13", "county18"}),  # own unit only: leads no task
        (APPROVER, {"county13", "county18"}),
        (ZONE_REPORTER, {"zone13"}),
        (LEAD_REPORTER, {"lead18", "county18"}),  # own, and the task it leads; not task 13
        (COORDINATOR, {"county13", "zone13", "county18", "lead18"}),
        (LEADER, {"county13", "zone13", "county18", "lead18"}),
    ],
)
def test_each_role_sees_its_reports(reports, period, username, expected):
    assert seen(username, reports, period) == expected
    person = user(username)
    for key, report in reports.items():
        if key in expected:
            assert access.get_report_for_user(person, report.pk).pk == report.pk
        else:
            with pytest.raises(Http404):
                access.get_report_for_user(person, report.pk)


def test_a_reporter_writes_only_their_own_units_report(reports):
    reporter = user(COUNTY_REPORTER)
    own = access.get_report_for_user(reporter, reports["county13"].pk)
    assert own.assignment.unit.name == DONGCHANGFU
    assert own.period.name == "测试期"
    assert access.can_write(reporter, own.assignment)
    assert not access.can_approve(reporter, own.assignment)
    assert not access.can_review(reporter)


def test_the_lead_unit_reads_a_responsible_units_report_without_writing_it(reports):
    lead = user(LEAD_REPORTER)
    report = access.get_report_for_user(lead, reports["county18"].pk)

    assert report.assignment.unit.name == DONGCHANGFU
    assert access.leads_task(lead, report.assignment.task)
    assert not access.can_write(lead, report.assignment)
    assert not access.can_approve(lead, report.assignment)
    assert access.can_write(lead, reports["lead18"].assignment)


def test_a_responsible_unit_does_not_read_the_lead_units_report(reports):
    with pytest.raises(Http404):
        access.get_report_for_user(user(COUNTY_REPORTER), reports["lead18"].pk)
    assert not access.leads_task(user(COUNTY_REPORTER), reports["lead18"].assignment.task)


def test_the_approver_reads_and_approves_but_does_not_write(reports):
    approver = user(APPROVER)
    report = access.get_report_for_user(approver, reports["county13"].pk)
    assert access.can_approve(approver, report.assignment)
    assert not access.can_write(approver, report.assignment)
    assert not access.can_approve(approver, reports["zone13"].assignment)


@pytest.mark.parametrize("username", [COORDINATOR, LEADER])
def test_coordinators_and_leaders_read_every_report_but_write_none(reports, username):
    person = user(username)
    for report in reports.values():
        fetched = access.get_report_for_user(person, report.pk)
        assert not access.can_write(person, fetched.assignment)
        assert not access.can_approve(person, fetched.assignment)
    assert access.can_review(person) == (username == COORDINATOR)


def test_a_user_with_no_role_sees_nothing(reports, period, plan):
    nobody = User.objects.create(username="nobody", full_name="无角色")
    assert not access.visible_reports(nobody).exists()
    assert not access.visible_assignments(nobody).exists()
    with pytest.raises(Http404):
        access.get_report_for_user(nobody, reports["county13"].pk)
    with pytest.raises(Http404):
        access.get_assignment_for_user(nobody, reports["county13"].assignment_id)
    assert not access.can_write(nobody, reports["county13"].assignment)
    assert not access.can_review(nobody)


def test_a_report_that_does_not_exist_is_a_404(reports):
    missing = ProgressReport.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with pytest.raises(Http404):
        access.get_report_for_user(user(COORDINATOR), missing)


def test_members_of_a_unit_that_was_made_inactive_lose_access(reports, period):
    Unit.objects.filter(name=DONGCHANGFU).update(is_active=False)
    reporter = user(COUNTY_REPORTER)
    assert seen(COUNTY_REPORTER, reports, period) == set()
    assert not access.can_write(reporter, reports["county13"].assignment)


# --- assignments -------------------------------------------------------------------------------------------


def test_a_reporter_sees_the_assignments_of_their_unit(plan):
    reporter = user(COUNTY_REPORTER)
    visible = set(access.visible_assignments(reporter).filter(task__plan=plan).values_list("pk", flat=True))
    own = set(Assignment.objects.filter(task__plan=plan, unit__name=DONGCHANGFU).values_list("pk", flat=True))
    assert visible == own
    assert len(own) == 21

    for assignment in Assignment.objects.filter(task__plan=plan, task__number=13):
        if assignment.unit.name == DONGCHANGFU:
            assert access.get_assignment_for_user(reporter, assignment.pk) == assignment
        else:
            with pytest.raises(Http404):
                access.get_assignment_for_user(reporter, assignment.pk)


def test_the_lead_unit_sees_every_assignment_of_the_tasks_it_leads(plan):
    lead = user(LEAD_REPORTER)
    all_assignments = list(Assignment.objects.filter(task__plan=plan).select_related("unit"))
    led = {a.task_id for a in all_assignments if a.unit.name == SIFAJU and a.role == Assignment.Role.LEAD}
    expected = {a.pk for a in all_assignments if a.unit.name == SIFAJU or a.task_id in led}

    visible = set(access.visible_assignments(lead).filter(task__plan=plan).values_list("pk", flat=True))

    assert visible == expected
    assert len(led) == 15  # the demo: 市司法局 leads most of the 22 tasks
    other = assignment_of(plan, DONGCHANGFU, 18)
    fetched = access.get_assignment_for_user(lead, other.pk)
    assert not access.can_write(lead, fetched)
    with pytest.raises(Http404):  # task 13: not led by 市司法局, and 市司法局 is not on it
        access.get_assignment_for_user(lead, assignment_of(plan, DONGCHANGFU, 13).pk)


@pytest.mark.parametrize("username", [COORDINATOR, LEADER])
def test_coordinators_and_leaders_see_every_assignment(plan, username):
    visible = access.visible_assignments(user(username)).filter(task__plan=plan)
    assert visible.count() == Assignment.objects.filter(task__plan=plan).count()


# --- plans that are not live -------------------------------------------------------------------------------


@pytest.fixture
def draft_plan_report():
    """A draft plan (still being prepared by the coordinator) with a report of 东昌府区 in it."""
    plan = WorkPlan.objects.create(year=2023, title="2023年计划（草稿）", doc_number="测试〔2023〕草1号")
    section = Section.objects.create(plan=plan, number=1, title="一")
    task = Task.objects.create(plan=plan, section=section, number=1, title="任务", content="任务内容")
    assignment = Assignment.objects.create(task=task, unit=Unit.objects.get(name=DONGCHANGFU), role="lead")
    period = ReportingPeriod.objects.create(
        plan=plan, name="全年", starts_on=datetime.date(2023, 1, 1),
        ends_on=datetime.date(2023, 12, 31), due_on=datetime.date(2023, 12, 10),
    )
    return ProgressReport.objects.create(assignment=assignment, period=period, body="草稿期间的内容")


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, LEAD_REPORTER])
def test_draft_plans_are_invisible_to_unit_members(draft_plan_report, username):
    person = user(username)
    assert not access.visible_reports(person).filter(pk=draft_plan_report.pk).exists()
    assert not access.visible_assignments(person).filter(pk=draft_plan_report.assignment_id).exists()
    assert not access.my_assignments(person).filter(pk=draft_plan_report.assignment_id).exists()
    with pytest.raises(Http404):
        access.get_report_for_user(person, draft_plan_report.pk)
    with pytest.raises(Http404):
        access.get_assignment_for_user(person, draft_plan_report.assignment_id)


@pytest.mark.parametrize("username", [COORDINATOR, LEADER])
def test_draft_plans_are_visible_to_coordinators_and_leaders(draft_plan_report, username):
    person = user(username)
    assert access.get_report_for_user(person, draft_plan_report.pk) == draft_plan_report
    assert access.get_assignment_for_user(person, draft_plan_report.assignment_id) == draft_plan_report.assignment


def test_a_closed_plan_stays_readable_but_leaves_my_tasks(plan, reports, period):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    reporter = user(COUNTY_REPORTER)
    assert seen(COUNTY_REPORTER, reports, period) == {"county13", "county18"}
    assert access.get_report_for_user(reporter, reports["county13"].pk)
    assert not access.my_assignments(reporter).filter(task__plan=plan).exists()


# --- the one-object check agrees with the querysets ----------------------------------------------------------


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, ZONE_REPORTER, LEAD_REPORTER, COORDINATOR, LEADER])
def test_the_one_object_check_agrees_with_the_visible_querysets(plan, reports, draft_plan_report, username):
    """get_assignment_for_user / get_report_for_user read by id and check in Python (`can_see_assignment`);
    for every assignment and report they must say what `visible_assignments` / `visible_reports` say."""
    Unit.objects.filter(name=ZONE).update(is_active=False)  # an inactive unit's members see nothing
    person = user(username)
    visible = set(access.visible_assignments(person).values_list("pk", flat=True))
    for assignment in Assignment.objects.select_related("task__plan"):
        assert access.can_see_assignment(person, assignment) == (assignment.pk in visible), assignment
    visible_reports = set(access.visible_reports(person).values_list("pk", flat=True))
    for report in ProgressReport.objects.all():
        try:
            access.get_report_for_user(person, report.pk)
            shown = True
        except Http404:
            shown = False
        assert shown == (report.pk in visible_reports), report
    # the zone's reporter lost everything with the zone; every other role here sees some reports
    assert bool(visible_reports) == (username != ZONE_REPORTER)
