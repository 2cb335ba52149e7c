"""workflow.allowed(): the one rule of what a user may do with a report now.

For every state × role × locked/open period × unit approval on/off, what `allowed()` says agrees with what the
workflow functions do (succeed, or raise the refusal with its words), the report page shows exactly the allowed
buttons, and the form page is read-only exactly when editing is refused.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from tasks import access, workflow
from tasks.models import ProgressReport, ReportingPeriod, WorkPlan
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER, ZONE_REPORTER, user

pytestmark = pytest.mark.django_db

State = ProgressReport.State
TEXT = {"progress": ProgressReport.Progress.ON_TRACK, "body": "完成年度学法计划。", "problems": "", "next_steps": ""}
ROLES = [COUNTY_REPORTER, APPROVER, LEAD_REPORTER, ZONE_REPORTER, COORDINATOR, LEADER]
STATES = ["none", "empty", "draft", "approved", "approver_returned", "submitted", "returned", "accepted"]


class Rollback(Exception):
    pass


def build(state, assignment, period, approval):
    """The county's report in `state`, made through the workflow; None for "none"."""
    reporter, approver, coordinator = user(COUNTY_REPORTER), user(APPROVER), user(COORDINATOR)
    if state == "none":
        return None
    data = dict(TEXT, body=" ") if state == "empty" else TEXT
    report = workflow.save_report(assignment=assignment, period=period, user=reporter, data=data)
    if state in ("empty", "draft"):
        return report
    if state == "approver_returned":
        workflow.approver_return(report, approver, "请补充。")
        return report
    if approval:
        workflow.approve(report, approver)
    if state == "approved":
        return report
    workflow.submit(report, reporter)
    if state == "returned":
        workflow.return_report(report, coordinator, "请补充数据。")
    elif state == "accepted":
        workflow.accept(report, coordinator)
    return report


def attempt(action, username, report_pk, assignment, period):
    """Run the workflow function of `action` and roll it back: None when it succeeded, else the error."""
    actor = user(username)
    report = ProgressReport.objects.get(pk=report_pk) if report_pk else None
    calls = {
        "edit": lambda: workflow.save_report(
            assignment=assignment, period=period, user=actor, data=dict(TEXT, body="改过的内容。"),
            version=report.version if report else None,
        ),
        "request_approval": lambda: workflow.request_approval(report, actor),
        "approve": lambda: workflow.approve(report, actor, expected_version=report.version),
        "approver_return": lambda: workflow.approver_return(report, actor, "请补充。", expected_version=report.version),
        "withdraw": lambda: workflow.withdraw(report, actor, expected_version=report.version),
        "submit": lambda: workflow.submit(report, actor, expected_version=report.version),
        "accept": lambda: workflow.accept(report, actor, expected_version=report.version),
        "return": lambda: workflow.return_report(report, actor, "请修改。", expected_version=report.version),
    }
    if report is None and action != "edit":
        return "no report"
    try:
        with transaction.atomic():
            calls[action]()
            raise Rollback
    except Rollback:
        return None
    except (PermissionDenied, workflow.WorkflowError) as error:
        return error


def rule_for(username, report_pk, assignment, period):
    actor = user(username)
    if report_pk is None:
        fresh_assignment = access.get_assignment_for_user(user(COORDINATOR), assignment.pk)
        fresh_period = ReportingPeriod.objects.get(pk=period.pk)
        return workflow.allowed(actor, None, assignment=fresh_assignment, period=fresh_period)
    return workflow.allowed(actor, access.get_report_for_user(user(COORDINATOR), report_pk))


def buttons(client, report_pk, assignment, period):
    """The actions the report page offers, read from its forms and the edit link."""
    page = client.get(reverse("tasks:report_detail", args=[report_pk]))
    if page.status_code == 404:
        return None
    html = page.content.decode()
    shown = set()
    edit = reverse("tasks:report_edit", args=[assignment.pk, period.pk])
    if f'href="{edit}"' in html:
        shown.add("edit")
    for action, name in [
        ("submit", "tasks:report_submit"), ("approve", "tasks:report_approve"),
        ("approver_return", "tasks:report_approver_return"), ("withdraw", "tasks:report_withdraw"),
        ("accept", "tasks:report_accept"), ("return", "tasks:report_return"),
    ]:
        if f'action="{reverse(name, args=[report_pk])}"' in html:
            shown.add(action)
    return shown


@pytest.mark.parametrize("approval", [False, True], ids=["no-approval", "approval"])
@pytest.mark.parametrize("locked", [False, True], ids=["open", "locked"])
@pytest.mark.parametrize("state", STATES)
def test_allowed_agrees_with_the_workflow_and_the_page(plan, period, county, client, state, locked, approval):
    if state in ("approved", "approver_returned") and not approval:
        pytest.skip("approval exists only with unit approval on")
    WorkPlan.objects.filter(pk=plan.pk).update(unit_approval=approval)
    county.task.plan.unit_approval = approval
    report = build(state, county, period, approval)
    ReportingPeriod.objects.filter(pk=period.pk).update(locked=locked)
    period.refresh_from_db()
    report_pk = report.pk if report else None
    if report_pk:
        assert ProgressReport.objects.get(pk=report_pk).state == {
            "empty": State.DRAFT, "draft": State.DRAFT, "approved": State.DRAFT, "approver_returned": State.DRAFT,
        }.get(state, state)

    for username in ROLES:
        rule = rule_for(username, report_pk, county, period)
        for action in workflow.ACTIONS:
            outcome = attempt(action, username, report_pk, county, period)
            where = (state, locked, approval, username, action, outcome, rule.refusal(action))
            if outcome is None:
                assert rule[action], where
                continue
            assert not rule[action], where
            if outcome == "no report":
                continue
            assert str(outcome) == rule.reason(action), where
            refusal = rule.refusal(action)
            kind = {"permission": PermissionDenied, "locked": workflow.PeriodLocked}.get(refusal.code)
            kind = workflow.ApprovalRequired if refusal.code == "approval" else kind or workflow.WorkflowError
            assert type(outcome) is kind, where

        client.force_login(user(username))
        if report_pk:
            shown = buttons(client, report_pk, county, period)
            offered = {a for a in rule.actions if a != "request_approval"}  # requested from the form page
            if shown is None:
                assert username == ZONE_REPORTER and not rule.actions
            else:
                assert shown == offered, (state, locked, approval, username)
        edit = client.get(reverse("tasks:report_edit", args=[county.pk, period.pk]))
        if username == COUNTY_REPORTER:
            assert edit.status_code == 200
            assert (edit.context["readonly_reason"] == "") == rule["edit"]
            assert edit.context["readonly_reason"] == rule.reason("edit")
        else:
            assert edit.status_code in (403, 404)


def test_reasons_are_the_module_constants(plan, period, county):
    report = build("draft", county, period, approval=False)
    ReportingPeriod.objects.filter(pk=period.pk).update(locked=True)
    rule = rule_for(COUNTY_REPORTER, report.pk, county, period)
    assert rule.reason("edit") == workflow.PERIOD_LOCKED % {"period": period.name}
    assert rule.refusal("submit").code == "locked"
    assert rule_for(LEADER, report.pk, county, period).reason("accept") == str(workflow.NOT_REVIEWER_ACCEPT)
    with pytest.raises(KeyError):
        rule["publish"]


def test_the_report_page_tells_why_an_action_waits(plan, period, county, login):
    WorkPlan.objects.filter(pk=plan.pk).update(unit_approval=True)
    report = build("draft", county, period, approval=True)
    text = login(COUNTY_REPORTER).get(reverse("tasks:report_detail", args=[report.pk])).content.decode()
    assert str(workflow.APPROVAL_REQUIRED) in text

    submitted = build("submitted", county, _other_period(plan), approval=True)
    ReportingPeriod.objects.filter(pk=submitted.period_id).update(locked=True)
    text = login(COORDINATOR).get(reverse("tasks:report_detail", args=[submitted.pk])).content.decode()
    assert str(workflow.PERIOD_LOCKED_RETURN % {"period": submitted.period.name}) in text
    assert reverse("tasks:report_accept", args=[submitted.pk]) in text
    assert reverse("tasks:report_return", args=[submitted.pk]) not in text


def test_my_tasks_next_step_follows_the_rule(plan, period, county, login):
    WorkPlan.objects.filter(pk=plan.pk).update(unit_approval=True)
    report = build("draft", county, period, approval=True)
    url = reverse("tasks:my_tasks") + f"?period={period.pk}"

    def step(username):
        rows = login(username).get(url).context["rows"]
        return next(r.action for r in rows if r.assignment.pk == county.pk)

    assert step(COUNTY_REPORTER)[0] == "继续填写"
    assert step(APPROVER)[:2] == ("审核", report.get_absolute_url())
    workflow.approve(report, user(APPROVER))
    assert step(APPROVER)[0] == "查看"  # approved: nothing left for the approver
    ReportingPeriod.objects.filter(pk=period.pk).update(locked=True)
    assert step(COUNTY_REPORTER)[0] == "查看"


def _other_period(plan):
    return ReportingPeriod.objects.create(
        plan=plan, name="另一期", starts_on=datetime.date(2022, 1, 1), ends_on=datetime.date(2022, 3, 31),
        due_on=datetime.date(2099, 4, 10),
    )


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, COORDINATOR, LEADER])
def test_the_report_page_reads_a_constant_number_of_queries(plan, period, county, login, username):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    WorkPlan.objects.filter(pk=plan.pk).update(unit_approval=True)
    report = build("submitted", county, period, approval=True)
    client = login(username)
    url = reverse("tasks:report_detail", args=[report.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    reporter, approver, coordinator = user(COUNTY_REPORTER), user(APPROVER), user(COORDINATOR)
    for n in range(3):  # three more rounds: return, edit, approve, submit
        workflow.return_report(report, coordinator, f"第{n}次退回。")
        workflow.save_report(
            assignment=county, period=period, user=reporter, data=dict(TEXT, body=f"第{n}次修改。"),
            version=report.version,
        )
        workflow.approve(report, approver)
        workflow.submit(report, reporter)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert "此前被退回过 3 次" in page.content.decode()
    assert len(large) == len(small) <= 10, [q["sql"] for q in large.captured_queries]
