"""Assignment control in the product (issue 17): the coordinator answers an objection by changing the role or
taking the unit off, adds and removes units, changes deadlines, edits periods and the unit-approval switch —
each through tasks.workflow (event, notification, refusal with a message)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annual.ledger import ledger_rows
from dashboards import metrics
from notifications.models import Notification
from tasks import access, selectors, workflow
from tasks.models import Assignment, AssignmentEvent, PlanEvent, ReportingPeriod, Task
from tasks.workdays import WorkCalendar
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, user
from units.models import Unit

pytestmark = pytest.mark.django_db

Action = AssignmentEvent.Action


def written(county, period, text="东昌府区开展了学法活动。"):
    return workflow.save_report(
        assignment=county, period=period, user=user(COUNTY_REPORTER), data={"progress": "on_track", "body": text}
    )


def notified(username, title_part):
    return Notification.objects.filter(recipient__username=username, title__contains=title_part).exists()


# --- the workflow functions ---------------------------------------------------------------------------------


def test_change_role_settles_an_objection_and_the_unit_signs_again(county):
    workflow.contest(county, user(COUNTY_REPORTER), "本单位只能配合")
    leads_before = county.task.assignments.filter(role="lead").count()
    workflow.change_role(county, user(COORDINATOR), Assignment.Role.LEAD, "同意调整")
    county.refresh_from_db()
    assert county.role == "lead" and county.order == leads_before  # last among the leads
    assert county.receipt == Assignment.Receipt.PENDING and county.receipt_note == ""
    event = county.events.get(action=Action.CHANGE_ROLE)
    assert event.data == {"from": "responsible", "to": "lead"} and event.comment == "同意调整"
    assert notified(COUNTY_REPORTER, "分工已调整")
    with pytest.raises(workflow.WorkflowError, match="已经是这项任务的牵头单位"):
        workflow.change_role(county, user(COORDINATOR), Assignment.Role.LEAD)
    with pytest.raises(PermissionDenied):
        workflow.change_role(county, user(LEAD_REPORTER), Assignment.Role.RESPONSIBLE)


def test_add_refuses_a_unit_on_the_task_and_reactivates_one_taken_off(county):
    coordinator = user(COORDINATOR)
    with pytest.raises(workflow.WorkflowError, match="已经是这项任务的责任单位，不能重复增加"):
        workflow.add_assignment(county.task, coordinator, county.unit, "responsible")
    newcomer = Unit.objects.filter(is_active=True).exclude(assignments__task=county.task).first()
    added = workflow.add_assignment(county.task, coordinator, newcomer, "lead", note="新增牵头")
    assert added.deadline == county.task.deadline and added.role == "lead" and added.is_active
    assert added.events.get().action == Action.ADD
    workflow.remove_assignment(county, coordinator, "职责调整")
    back = workflow.add_assignment(county.task, coordinator, county.unit, "responsible", datetime.date(2022, 10, 31))
    assert back.pk == county.pk and back.is_active and back.deadline == datetime.date(2022, 10, 31)
    assert [e.action for e in back.events.order_by("pk")][-2:] == [Action.REMOVE, Action.REACTIVATE]
    with pytest.raises(PermissionDenied):
        workflow.add_assignment(county.task, user(LEAD_REPORTER), newcomer, "lead")


def test_a_removed_unit_leaves_every_list_and_count_but_its_reports_stay(county, period, login):
    report = written(county, period)
    coordinator = user(COORDINATOR)
    plan = county.task.plan
    before_ledger = len(ledger_rows(plan, [period]))
    before_total = selectors.plan_totals(plan)["assignments"]
    with pytest.raises(workflow.WorkflowError, match="请写明移出的理由"):
        workflow.remove_assignment(county, coordinator, " ")
    workflow.submit(report, user(COUNTY_REPORTER))
    with pytest.raises(workflow.WorkflowError, match="正在等待审核"):
        workflow.remove_assignment(county, coordinator, "职责调整")
    workflow.return_report(report, coordinator, "请补充")
    workflow.remove_assignment(county, coordinator, "职责调整")
    county.refresh_from_db()
    assert not county.is_active and county.deactivated_by == coordinator and county.deactivation_reason == "职责调整"
    assert Assignment.objects.filter(pk=county.pk).exists()  # never deleted: the audit stays
    assert county.events.filter(action=Action.REMOVE).exists()
    assert notified(COUNTY_REPORTER, "已移出任务")
    # gone from the reporter's to-do list, the missing reports, the dashboards and the ledger
    assert not access.my_assignments(user(COUNTY_REPORTER)).filter(pk=county.pk).exists()
    page = login(COORDINATOR).get(reverse("tasks:missing_reports"), {"period": period.pk})
    assert all(row.assignment.pk != county.pk for _unit, rows in page.context["by_unit"] for row in rows)
    assert not metrics.plan_assignments_with_light(plan, period, WorkCalendar.load()).filter(pk=county.pk).exists()
    assert len(ledger_rows(plan, [period])) == before_ledger - 1
    assert selectors.plan_totals(plan)["assignments"] == before_total - 1
    # the report stays readable from the task's history, and can no longer be edited
    task_page = login(COORDINATOR).get(county.task.get_absolute_url())
    assert task_page.context["removed"][0].pk == county.pk
    assert report.get_absolute_url() in task_page.content.decode()
    assert login(COUNTY_REPORTER).get(report.get_absolute_url()).status_code == 200
    with pytest.raises(workflow.WorkflowError, match="移出这项任务"):
        written(county, period, "再写一点。")
    with pytest.raises(workflow.WorkflowError, match="已被移出"):
        workflow.remove_assignment(county, coordinator, "再次移出")


def test_task_deadline_moves_the_units_that_shared_it(plan):
    task = plan.tasks.get(number=1)
    coordinator = user(COORDINATOR)
    old = task.deadline
    extended = task.assignments.active().first()
    workflow.set_assignment_deadline(extended, coordinator, datetime.date(2023, 1, 31), "同意延期")
    assert extended.events.get(action=Action.DEADLINE).data == {"from": old.isoformat(), "to": "2023-01-31"}
    moved = workflow.set_task_deadline(task, coordinator, datetime.date(2022, 11, 30), "市委要求提前")
    task.refresh_from_db()
    assert task.deadline == datetime.date(2022, 11, 30)
    assert extended.pk not in {a.pk for a in moved}
    assert set(task.assignments.active().exclude(pk=extended.pk).values_list("deadline", flat=True)) == {task.deadline}
    assert Assignment.objects.get(pk=extended.pk).deadline == datetime.date(2023, 1, 31)
    assert PlanEvent.objects.get(task=task, action=PlanEvent.Action.TASK_DEADLINE).data["assignments"] == len(moved)
    assert notified(COUNTY_REPORTER, "完成时限调整")
    with pytest.raises(workflow.WorkflowError, match="请写明调整完成时限的理由"):
        workflow.set_task_deadline(task, coordinator, datetime.date(2022, 10, 30), "")
    with pytest.raises(workflow.WorkflowError, match="与现在相同"):
        workflow.set_task_deadline(task, coordinator, datetime.date(2022, 11, 30), "再调")


def test_update_period_refuses_bad_dates_with_clear_messages(period):
    coordinator = user(COORDINATOR)
    with pytest.raises(workflow.WorkflowError, match="报送截止日期不能早于开始日期"):
        workflow.update_period(
            period, coordinator, name="测试期", starts_on=period.starts_on, ends_on=period.ends_on,
            due_on=period.starts_on - datetime.timedelta(days=1),
        )
    with pytest.raises(workflow.WorkflowError, match="结束日期不能早于开始日期"):
        workflow.update_period(
            period, coordinator, name="测试期", starts_on=period.starts_on,
            ends_on=period.starts_on - datetime.timedelta(days=1), due_on=period.due_on,
        )
    other = period.plan.periods.exclude(pk=period.pk).first()
    with pytest.raises(workflow.WorkflowError, match="已有名为"):
        workflow.update_period(
            period, coordinator, name=other.name, starts_on=period.starts_on, ends_on=period.ends_on, due_on=period.due_on
        )
    workflow.update_period(
        period, coordinator, name="第三季度", starts_on=period.starts_on, ends_on=period.ends_on,
        due_on=datetime.date(2099, 10, 20),
    )
    period.refresh_from_db()
    assert (period.name, period.due_on) == ("第三季度", datetime.date(2099, 10, 20))
    event = PlanEvent.objects.get(action=PlanEvent.Action.PERIOD_CHANGE)
    assert event.data["due_on"] == ["2099-10-12", "2099-10-20"] and event.data["name"] == ["测试期", "第三季度"]
    assert notified(COUNTY_REPORTER, "报送期调整")
    with pytest.raises(PermissionDenied):
        workflow.update_period(period, user(LEAD_REPORTER), name="x", starts_on=None, ends_on=None, due_on=None)


def test_switching_unit_approval_off_keeps_waiting_reports_and_tells_their_units(plan, county, period):
    coordinator = user(COORDINATOR)
    workflow.set_unit_approval(plan, coordinator, True)
    report = written(county, period)
    workflow.request_approval(report, user(COUNTY_REPORTER))
    report.refresh_from_db()
    state, version = report.state, report.version
    with pytest.raises(workflow.WorkflowError, match="已经是"):
        workflow.set_unit_approval(plan, coordinator, True)
    waiting = workflow.set_unit_approval(plan, coordinator, False)
    assert waiting == 1
    plan.refresh_from_db()
    report.refresh_from_db()
    assert not plan.unit_approval and (report.state, report.version) == (state, version)
    assert notified(APPROVER, "单位审核设置调整") and notified(COUNTY_REPORTER, "单位审核设置调整")
    assert PlanEvent.objects.filter(action=PlanEvent.Action.UNIT_APPROVAL).count() == 2
    workflow.submit(report, user(COUNTY_REPORTER))  # no approval needed any more
    with pytest.raises(PermissionDenied):
        workflow.set_unit_approval(plan, user(LEAD_REPORTER), True)


# --- the pages ---------------------------------------------------------------------------------------------


def test_answering_objections_on_the_receipts_page(login, county, plan):
    client = login(COORDINATOR)
    workflow.contest(county, user(COUNTY_REPORTER), "本单位应为牵头")
    response = client.post(reverse("tasks:receipt_resolve", args=[county.pk]), {"decision": "change_role"}, follow=True)
    assert "已将聊城市东昌府区人民政府调整为牵头单位" in response.content.decode()
    county.refresh_from_db()
    assert county.role == "lead"
    workflow.contest(county, user(COUNTY_REPORTER), "不属于本单位")
    response = client.post(
        reverse("tasks:receipt_resolve", args=[county.pk]), {"decision": "remove", f"a{county.pk}-note": "同意"}, follow=True
    )
    assert "移出这项任务" in response.content.decode()
    county.refresh_from_db()
    assert not county.is_active and county.deactivation_reason == "同意"


def test_the_task_page_adds_and_removes_units_with_messages(login, county):
    client = login(COORDINATOR)
    task_url = county.task.get_absolute_url()
    response = client.post(
        reverse("tasks:assignment_add", args=[county.task.pk]), {"add-unit": county.unit_id, "add-role": "lead"}, follow=True
    )
    assert "所选单位已在这项任务中或已停用" in response.content.decode()
    response = client.post(reverse("tasks:assignment_remove", args=[county.pk]), {"reason": ""}, follow=True)
    assert "请写明移出的理由" in response.content.decode()
    response = client.post(reverse("tasks:assignment_remove", args=[county.pk]), {"reason": "职责调整"}, follow=True)
    assert response.redirect_chain[-1][0] == task_url
    page = response.content.decode()
    assert "已移出的单位" in page and "职责调整" in page
    response = client.post(
        reverse("tasks:assignment_add", args=[county.task.pk]), {"add-unit": county.unit_id, "add-role": "responsible"},
        follow=True,
    )
    assert "已将聊城市东昌府区人民政府增加为责任单位" in response.content.decode()
    assert Assignment.objects.get(pk=county.pk).is_active


def test_the_period_page_keeps_what_was_typed_when_refused(login, period):
    client = login(COORDINATOR)
    url = reverse("tasks:period_edit", args=[period.pk])
    assert client.get(url).status_code == 200
    data = {"name": "改名后的期", "starts_on": "2022-07-01", "ends_on": "2022-09-30", "due_on": "2022-06-01"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "报送截止日期不能早于开始日期" in page and "改名后的期" in page
    response = client.post(url, {**data, "due_on": "2099-10-15"})
    assert response.status_code == 302
    assert ReportingPeriod.objects.get(pk=period.pk).name == "改名后的期"


def grow(task, count):
    units = Unit.objects.bulk_create(Unit(name=f"分工增长单位{i}", short_name=f"增长{i}") for i in range(count))
    Assignment.objects.bulk_create(Assignment(task=task, unit=unit, role="responsible", order=100 + i) for i, unit in enumerate(units))
    return units


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_task_page_and_receipts_query_counts_stay_flat(login, plan, county):
    client = login(COORDINATOR)
    task = county.task
    removed = task.assignments.active().exclude(pk=county.pk).exclude(reports__state="submitted").filter(role="responsible").first()
    workflow.remove_assignment(removed, user(COORDINATOR), "测试")
    workflow.contest(county, user(COUNTY_REPORTER), "不属于本单位")
    task_url, receipts_url = task.get_absolute_url(), reverse("tasks:receipts", args=[plan.pk])
    client.get(task_url)
    before = (queries(client, task_url), queries(client, receipts_url))
    units = grow(task, 30)
    other = Task.objects.filter(plan=plan).exclude(pk=task.pk).first()
    Assignment.objects.bulk_create(
        Assignment(task=other, unit=unit, role="responsible", receipt=Assignment.Receipt.CONTESTED, receipt_note="异议")
        for unit in units[:10]
    )
    for assignment in list(task.assignments.active().filter(unit__in=units[:5])):
        workflow.remove_assignment(assignment, user(COORDINATOR), "测试")
    after = (queries(client, task_url), queries(client, receipts_url))
    assert after == before


def test_a_removed_assignment_cannot_be_signed_contested_reassigned_or_extended(county):
    coordinator, reporter = user(COORDINATOR), user(COUNTY_REPORTER)
    workflow.remove_assignment(county, coordinator, "职责调整")
    for act in (
        lambda: workflow.confirm_receipt(county, reporter),
        lambda: workflow.contest(county, reporter, "不属于本单位"),
        lambda: workflow.request_extension(county, reporter, datetime.date(2099, 1, 1), "等待文件"),
        lambda: workflow.change_role(county, coordinator, Assignment.Role.LEAD),
        lambda: workflow.set_assignment_deadline(county, coordinator, datetime.date(2022, 10, 1), "提前"),
    ):
        with pytest.raises(workflow.WorkflowError, match="已被移出这项任务"):
            act()


def test_reassigning_to_a_unit_taken_off_the_task_says_how(county):
    coordinator = user(COORDINATOR)
    other = county.task.assignments.active().exclude(pk=county.pk).exclude(reports__isnull=False).filter(
        role="responsible"
    ).first()
    workflow.remove_assignment(other, coordinator, "职责调整")
    fresh_on_task = Assignment.objects.create(
        task=county.task, unit=Unit.objects.create(name="改派测试局", short_name="改派测试局"), role="responsible"
    )
    with pytest.raises(workflow.WorkflowError, match="曾被移出这项任务"):
        workflow.reassign(fresh_on_task, coordinator, other.unit)
