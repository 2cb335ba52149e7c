"""办结 (issue 17): the coordinator closes a task when its units' final-period reports are accepted, or with a note
saying why not; a closed task leaves the to-do lists and shows as done on dashboards and in the ledger."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from annual.ledger import ledger_rows
from dashboards import metrics
from notifications.models import Notification
from tasks import selectors, workflow
from tasks.models import PlanEvent, ProgressReport, ReportingPeriod
from tasks.reminders import unreported_by_unit
from tasks.status import Light
from tasks.workdays import WorkCalendar
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def final(plan):
    """A final period of our own, due last, so that the demo's reports are not the final ones."""
    return ReportingPeriod.objects.create(
        plan=plan, name="最终期", starts_on=datetime.date(2022, 1, 1), ends_on=datetime.date(2022, 12, 31),
        due_on=datetime.date(2099, 12, 31),
    )


def quiet_tasks(plan):
    """The plan's tasks with no report awaiting review (the demo has some)."""
    return plan.tasks.exclude(assignments__reports__state="submitted").order_by("number")


def accept_all(task, period):
    coordinator = user(COORDINATOR)
    for assignment in task.assignments.active():
        ProgressReport.objects.update_or_create(
            assignment=assignment, period=period,
            defaults={"state": ProgressReport.State.ACCEPTED, "progress": "done", "body": "完成。"},
        )
    return coordinator


def test_closing_needs_accepted_final_reports_or_a_note(plan, final):
    task = quiet_tasks(plan)[0]
    coordinator = user(COORDINATOR)
    with pytest.raises(workflow.WorkflowError, match="“最终期”的报告尚未审核通过.*请在“办结说明”中写明原因"):
        workflow.complete_task(task, coordinator)
    with pytest.raises(PermissionDenied):
        workflow.complete_task(task, user(LEAD_REPORTER), "理由")
    workflow.complete_task(task, coordinator, "市委已确认完成，个别单位未报送")
    task.refresh_from_db()
    assert task.is_completed and task.completed_by == coordinator
    event = PlanEvent.objects.get(task=task, action=PlanEvent.Action.TASK_COMPLETE)
    assert event.reason == "市委已确认完成，个别单位未报送" and event.data["unaccepted"]
    assert Notification.objects.filter(title__startswith="任务已办结").exists()
    with pytest.raises(workflow.WorkflowError, match="已经办结"):
        workflow.complete_task(task, coordinator, "再次")
    with pytest.raises(workflow.WorkflowError, match="请填写重新办理的理由"):
        workflow.reopen_task(task, coordinator, "")
    workflow.reopen_task(task, coordinator, "发现遗漏")
    task.refresh_from_db()
    assert not task.is_completed
    assert PlanEvent.objects.filter(task=task, action=PlanEvent.Action.TASK_REOPEN, reason="发现遗漏").exists()
    # all accepted: no note needed
    accept_all(task, final)
    workflow.complete_task(task, coordinator)
    assert plan.tasks.get(pk=task.pk).is_completed


def test_a_report_awaiting_review_must_be_decided_first(plan, final, county):
    report = workflow.save_report(
        assignment=county, period=final, user=user(COUNTY_REPORTER), data={"progress": "done", "body": "完成。"}
    )
    workflow.submit(report, user(COUNTY_REPORTER))
    with pytest.raises(workflow.WorkflowError, match="等待审核"):
        workflow.complete_task(county.task, user(COORDINATOR), "理由")


def test_a_closed_task_leaves_the_to_do_lists_and_shows_as_done(plan, final, county, login):
    task = county.task
    ProgressReport.objects.filter(assignment__task=task, state="submitted").update(state="accepted")  # settled
    calendar = WorkCalendar.load()
    before_missing = sum(len(v) for v in unreported_by_unit([final])[final.pk].values())
    workflow.complete_task(task, user(COORDINATOR), "已完成")
    # reminders skip it
    after_missing = sum(len(v) for v in unreported_by_unit([final])[final.pk].values())
    assert after_missing == before_missing - task.assignments.active().count()
    # missing reports page and the coordinator's home count agree, without it
    page = login(COORDINATOR).get(reverse("tasks:missing_reports"), {"period": final.pk})
    assert all(row.assignment.task_id != task.pk for _unit, rows in page.context["by_unit"] for row in rows)
    # dashboards: every assignment of the task is done, so the task is
    lights = set(
        metrics.plan_assignments_with_light(plan, final, calendar).filter(task=task).values_list("light", flat=True)
    )
    assert lights == {Light.DONE}
    # 我的任务 still lists it, as 已办结, not as something to do; writing is refused with a message
    client = login(COUNTY_REPORTER)
    response = client.get(reverse("tasks:my_tasks"), {"plan": plan.pk, "period": final.pk})
    assert "已办结" in response.content.decode()
    with pytest.raises(workflow.WorkflowError, match="已办结"):
        workflow.save_report(assignment=county, period=final, user=user(COUNTY_REPORTER), data={"body": "x"})
    home = selectors.reporter_work(
        selectors.Assignment.objects.active().filter(unit=county.unit), [plan], calendar, datetime.date(2099, 12, 1), 3
    )
    items = [item for plan_work in home for key in ("returned", "unsigned", "due_soon", "urged") for item in plan_work[key]]
    assert items and all(item[0].task_id != task.pk for item in items)
    # the ledger's 办结 column
    rows = [row for row in ledger_rows(plan, [final]) if row[1] == task.number]
    assert rows and all(row[-1].startswith("已办结") for row in rows)
    # the task page says so, with the reopen form
    page = login(COORDINATOR).get(task.get_absolute_url()).content.decode()
    assert "已办结" in page and reverse("tasks:task_reopen", args=[task.pk]) in page


def test_closing_through_the_task_page(login, plan, final):
    task = plan.tasks.get(number=5)
    ProgressReport.objects.filter(assignment__task=task, state="submitted").update(state="accepted")  # settled
    client = login(COORDINATOR)
    response = client.post(reverse("tasks:task_complete", args=[task.pk]), {"note": ""}, follow=True)
    assert "请在“办结说明”中写明原因" in response.content.decode()
    response = client.post(reverse("tasks:task_complete", args=[task.pk]), {"note": "经研究办结"}, follow=True)
    assert f"第{task.number}项已办结" in response.content.decode()
    response = client.post(reverse("tasks:task_reopen", args=[task.pk]), {"note": "重新推进"}, follow=True)
    assert "已重新办理" in response.content.decode()
