"""The unit approver returns a report to the liaison (退回联络员); the liaison withdraws (撤回) a submitted report
the coordinator has not decided on. Each through tasks.workflow, with its event and notifications."""

import pytest
from django.db.models import Max
from django.urls import reverse

from notifications.models import Notification
from tasks import workflow
from tasks.models import ProgressReport, ReportEvent, WorkPlan
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, user

pytestmark = pytest.mark.django_db
State = ProgressReport.State
TEXT = {"progress": "on_track", "body": "东昌府区组织集中学法4次。"}


def last_pk():
    return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


def since(pk):
    return list(Notification.objects.filter(pk__gt=pk).select_related("recipient").order_by("pk"))


@pytest.fixture
def approval(plan):
    WorkPlan.objects.filter(pk=plan.pk).update(unit_approval=True)
    plan.refresh_from_db()
    return plan


def draft(county, period):
    return workflow.save_report(assignment=county, period=period, user=user(COUNTY_REPORTER), data=TEXT)


# --- approver returns to the liaison ------------------------------------------------------------------------


def test_the_approver_returns_an_approved_draft_with_a_note(approval, county, period, login):
    report = draft(county, period)
    workflow.approve(report, user(APPROVER))
    assert report.is_approved
    version, before = report.version, last_pk()

    workflow.approver_return(report, user(APPROVER), "  第二段数据有误。 ", expected_version=report.version)

    stored = ProgressReport.objects.get(pk=report.pk)
    assert stored.state == State.DRAFT and stored.body == TEXT["body"]
    assert stored.version == version + 1 and not stored.is_approved and stored.approved_by is None
    event = stored.events.order_by("pk").last()
    assert (event.action, event.actor.username, event.comment) == (
        ReportEvent.Action.APPROVER_RETURN, APPROVER, "第二段数据有误。"
    )
    notes = since(before)
    assert [n.recipient.username for n in notes] == [COUNTY_REPORTER]
    assert "第二段数据有误。" in notes[0].body
    # the liaison sees the note as the current one, and cannot submit until approved again
    page = login(COUNTY_REPORTER).get(reverse("tasks:report_detail", args=[report.pk])).content.decode()
    assert "单位审核人退回意见" in page and "第二段数据有误。" in page
    with pytest.raises(workflow.ApprovalRequired):
        workflow.submit(stored, user(COUNTY_REPORTER))
    # with the liaison now: the approver approves only once the liaison edits it or sends it again
    with pytest.raises(workflow.WorkflowError, match="已退回联络员修改"):
        workflow.approve(stored, user(APPROVER))
    workflow.request_approval(stored, user(COUNTY_REPORTER))
    workflow.approve(stored, user(APPROVER))
    page = login(COUNTY_REPORTER).get(reverse("tasks:report_detail", args=[report.pk])).content.decode()
    assert 'class="error approver-note"' not in page  # history now, not the current note


def test_a_note_is_required_and_nothing_changes_without_it(approval, county, period, login):
    report = draft(county, period)
    before = (report.version, ReportEvent.objects.filter(report=report).count(), last_pk())
    with pytest.raises(workflow.WorkflowError, match="必须填写意见"):
        workflow.approver_return(report, user(APPROVER), "  ")
    response = login(APPROVER).post(
        reverse("tasks:report_approver_return", args=[report.pk]), {"version": report.version, "note": ""},
        follow=True,
    )
    assert "必须填写意见" in response.content.decode()
    report.refresh_from_db()
    assert (report.version, ReportEvent.objects.filter(report=report).count(), last_pk()) == before


def test_approver_return_is_for_the_approval_step_only(approval, county, period):
    report = draft(county, period)
    workflow.approve(report, user(APPROVER))
    workflow.submit(report, user(COUNTY_REPORTER))
    with pytest.raises(workflow.WorkflowError, match="不在单位审核环节"):
        workflow.approver_return(report, user(APPROVER), "再看看")
    with pytest.raises(workflow.PermissionDenied):
        workflow.approver_return(report, user(COUNTY_REPORTER), "再看看")


def test_without_unit_approval_there_is_no_approver_return(plan, county, period):
    report = draft(county, period)
    with pytest.raises(workflow.WorkflowError, match="不需要单位审核"):
        workflow.approver_return(report, user(APPROVER), "再看看")


# --- the liaison withdraws ----------------------------------------------------------------------------------


def test_the_liaison_withdraws_a_submitted_report(plan, county, period, login):
    report = draft(county, period)
    workflow.submit(report, user(COUNTY_REPORTER))
    version, before = report.version, last_pk()

    response = login(COUNTY_REPORTER).post(
        reverse("tasks:report_withdraw", args=[report.pk]), {"version": report.version}, follow=True
    )

    assert "报告已撤回，现为草稿" in response.content.decode()
    stored = ProgressReport.objects.get(pk=report.pk)
    assert stored.state == State.DRAFT and stored.body == TEXT["body"] and stored.version == version + 1
    assert stored.submitted_at is None and stored.submitted_by is None
    event = stored.events.order_by("pk").last()
    assert (event.action, event.from_state, event.to_state) == (ReportEvent.Action.WITHDRAW, State.SUBMITTED, State.DRAFT)
    notes = since(before)
    assert notes and all("撤回" in n.title for n in notes)
    assert {n.recipient.username for n in notes} == set(workflow.coordinators().values_list("username", flat=True))
    workflow.submit(stored, user(COUNTY_REPORTER))  # sent again, unchanged
    assert ProgressReport.objects.get(pk=report.pk).state == State.SUBMITTED


def test_a_withdrawn_report_needs_approval_again(approval, county, period):
    report = draft(county, period)
    workflow.approve(report, user(APPROVER))
    workflow.submit(report, user(COUNTY_REPORTER))
    before = last_pk()
    workflow.withdraw(report, user(COUNTY_REPORTER), expected_version=report.version)
    assert not report.is_approved
    assert APPROVER in {n.recipient.username for n in since(before)}
    with pytest.raises(workflow.ApprovalRequired):
        workflow.submit(report, user(COUNTY_REPORTER))


def test_no_withdrawal_once_the_coordinator_decided(plan, county, period):
    report = draft(county, period)
    workflow.submit(report, user(COUNTY_REPORTER))
    workflow.accept(report, user(COORDINATOR))
    with pytest.raises(workflow.WorkflowError, match="尚未审核的报告可以撤回"):
        workflow.withdraw(report, user(COUNTY_REPORTER))
    with pytest.raises(workflow.PermissionDenied):
        workflow.withdraw(report, user(APPROVER))


def test_a_stale_withdrawal_is_refused(plan, county, period):
    report = draft(county, period)
    workflow.submit(report, user(COUNTY_REPORTER))
    with pytest.raises(workflow.StaleReport):
        workflow.withdraw(report, user(COUNTY_REPORTER), expected_version=report.version - 1)
    assert ProgressReport.objects.get(pk=report.pk).state == State.SUBMITTED


def test_an_edit_after_the_approvers_return_makes_it_approvable_again(approval, county, period):
    report = draft(county, period)
    workflow.approver_return(report, user(APPROVER), "第二段数据有误。")
    assert not workflow.allowed(user(APPROVER), report)["approve"]
    workflow.save_report(
        assignment=county, period=period, user=user(COUNTY_REPORTER), data={**TEXT, "body": "已更正数据。"},
        version=report.version,
    )
    report.refresh_from_db()
    assert workflow.allowed(user(APPROVER), report)["approve"]
