"""tasks.workflow against the demo: every transition, every refusal, and the audit trail it leaves.

Each test works in its own reporting period ("测试期"), so the demo's own progress reports (上半年, 全年) never
get in the way. After every refusal the database is compared with a snapshot taken before: a refused action
changes nothing — no state, no version, no event, no notification.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max, ProtectedError

from notifications.models import Notification
from notifications.service import deliver_outbox
from tasks import workflow
from tasks.models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
    ReportAttachment,
    ReportEvent,
    ReportingPeriod,
    Section,
    Task,
    WorkPlan,
)
from tasks.uploads import check_attachment
from tasks.workflow import ApprovalRequired, PeriodLocked, StaleReport, WorkflowError
from tests.conftest import (
    ADMIN,
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

State = ProgressReport.State
Action = ReportEvent.Action

TEXT = {
    "progress": ProgressReport.Progress.ON_TRACK,
    "body": "组织全区政府工作人员学法12场，覆盖1500余人。",
    "problems": "基层执法人员培训不足。",
    "next_steps": "下半年开展专题培训。",
}


# --- fixtures and helpers ---------------------------------------------------------------------------------


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
def county(plan):
    """东昌府区's share of task 13 (responsible unit; 市司法局 is not on that task).

    The demo leaves it as the import made it ("untouched" in fixtures/demo_reports.json): not signed for,
    no report, no history, so receipt and extension tests start from scratch.
    """
    assignment = assignment_of(plan, DONGCHANGFU, 13)
    assert untouched(assignment), "the demo should leave 东昌府区's assignment of task 13 untouched"
    return assignment


def untouched(assignment):
    return (
        assignment.receipt == Assignment.Receipt.PENDING
        and not assignment.reports.exists()
        and not assignment.events.exists()
        and not assignment.extension_requests.exists()
    )


@pytest.fixture
def draft(county, period):
    return workflow.save_report(assignment=county, period=period, user=user(COUNTY_REPORTER), data=TEXT)


@pytest.fixture
def submitted(draft):
    return workflow.submit(draft, user(COUNTY_REPORTER))


@pytest.fixture
def approval_on(plan):
    WorkPlan.objects.filter(pk=plan.pk).update(unit_approval=True)


def last_notification_pk():
    return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


def notifications_since(pk):
    return list(Notification.objects.filter(pk__gt=pk).select_related("recipient").order_by("pk"))


def recipients(notes):
    return sorted(n.recipient.username for n in notes)


def report_snapshot(report):
    """Everything a refused action must leave alone."""
    return {
        "row": ProgressReport.objects.filter(pk=report.pk).values().get(),
        "events": list(ReportEvent.objects.filter(report_id=report.pk).values()),
        "notifications": Notification.objects.count(),
        "reports": ProgressReport.objects.count(),
    }


def assignment_snapshot(assignment):
    return {
        "row": Assignment.objects.filter(pk=assignment.pk).values().get(),
        "events": list(AssignmentEvent.objects.filter(assignment_id=assignment.pk).values()),
        "extensions": list(ExtensionRequest.objects.filter(assignment_id=assignment.pk).values()),
        "notifications": Notification.objects.count(),
    }


def events(report):
    return list(ReportEvent.objects.filter(report_id=report.pk).order_by("at", "pk"))


# --- save_report: create and edit --------------------------------------------------------------------------


def test_the_first_save_creates_version_1_with_a_create_event(county, period):
    reporter = user(COUNTY_REPORTER)
    before = last_notification_pk()

    report = workflow.save_report(assignment=county, period=period, user=reporter, data=TEXT)

    stored = ProgressReport.objects.get(assignment=county, period=period)
    assert stored.pk == report.pk
    assert (stored.state, stored.version) == (State.DRAFT, 1)
    assert (stored.progress, stored.body, stored.problems, stored.next_steps) == (
        TEXT["progress"], TEXT["body"], TEXT["problems"], TEXT["next_steps"]
    )
    [event] = events(stored)
    assert (event.action, event.actor, event.from_state, event.to_state, event.version) == (
        Action.CREATE, reporter, "", State.DRAFT, 1
    )
    assert event.changes == dict(TEXT)
    assert notifications_since(before) == []  # a draft concerns nobody else yet


def test_a_new_report_without_progress_is_not_started(county, period):
    report = workflow.save_report(
        assignment=county, period=period, user=user(COUNTY_REPORTER), data={"body": "已部署。"}
    )
    report.refresh_from_db()
    assert report.progress == ProgressReport.Progress.NOT_STARTED
    assert events(report)[0].changes == {
        "progress": ProgressReport.Progress.NOT_STARTED, "body": "已部署。", "problems": "", "next_steps": "",
    }


def test_an_edit_bumps_the_version_and_records_only_the_changed_fields(draft):
    reporter = user(COUNTY_REPORTER)
    data = dict(TEXT, body="组织学法14场。", progress=ProgressReport.Progress.DONE)

    report = workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=reporter, data=data, version=1
    )

    report.refresh_from_db()
    assert (report.version, report.state, report.body) == (2, State.DRAFT, "组织学法14场。")
    assert report.problems == TEXT["problems"]
    create, edit = events(report)
    assert create.action == Action.CREATE
    assert (edit.action, edit.actor, edit.from_state, edit.to_state, edit.version) == (
        Action.EDIT, reporter, State.DRAFT, State.DRAFT, 2
    )
    assert edit.changes == {"body": "组织学法14场。", "progress": ProgressReport.Progress.DONE}


def test_a_form_version_as_text_is_understood(draft):
    report = workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=user(COUNTY_REPORTER),
        data=dict(TEXT, body="改。"), version="1",
    )
    assert ProgressReport.objects.get(pk=report.pk).version == 2


def test_saving_the_same_text_writes_nothing(draft):
    before = report_snapshot(draft)

    report = workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=user(COUNTY_REPORTER), data=dict(TEXT), version=1
    )

    assert report.version == 1
    assert report_snapshot(draft) == before


def test_a_save_on_an_old_version_is_refused_and_the_newer_text_is_kept(draft):
    reporter = user(COUNTY_REPORTER)
    workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=reporter, data=dict(TEXT, body="第二版。"), version=1
    )
    before = report_snapshot(draft)

    with pytest.raises(StaleReport) as refused:
        workflow.save_report(
            assignment=draft.assignment, period=draft.period, user=reporter,
            data=dict(TEXT, body="基于第一版的修改。"), version=1,
        )

    assert refused.value.code == "stale"
    assert refused.value.current.pk == draft.pk
    assert refused.value.current.version == 2
    assert "第 2 版" in str(refused.value)
    assert report_snapshot(draft) == before
    assert ProgressReport.objects.get(pk=draft.pk).body == "第二版。"


def test_a_save_without_a_version_over_an_existing_report_is_stale(draft):
    """A second "new report" form opened before the first was saved must not overwrite it."""
    before = report_snapshot(draft)
    with pytest.raises(StaleReport):
        workflow.save_report(
            assignment=draft.assignment, period=draft.period, user=user(COUNTY_REPORTER),
            data=dict(TEXT, body="另一个窗口。"),
        )
    assert report_snapshot(draft) == before


def test_an_edit_of_a_report_that_does_not_exist_is_refused(county, period):
    """The form was read at version 3 of a report that is not there (another database, a stale tab)."""
    with pytest.raises(WorkflowError):
        workflow.save_report(assignment=county, period=period, user=user(COUNTY_REPORTER), data=TEXT, version=3)
    assert not ProgressReport.objects.filter(assignment=county, period=period).exists()


@pytest.mark.parametrize("username", [ZONE_REPORTER, LEAD_REPORTER, APPROVER, LEADER, COORDINATOR])
def test_only_the_units_reporters_create_a_report(county, period, username):
    count = ProgressReport.objects.count()
    with pytest.raises(PermissionDenied):
        workflow.save_report(assignment=county, period=period, user=user(username), data=TEXT)
    assert ProgressReport.objects.count() == count
    assert not ProgressReport.objects.filter(assignment=county, period=period).exists()


@pytest.mark.parametrize("username", [ZONE_REPORTER, APPROVER, LEADER, COORDINATOR])
def test_only_the_units_reporters_edit_a_report(draft, username):
    before = report_snapshot(draft)
    with pytest.raises(PermissionDenied):
        workflow.save_report(
            assignment=draft.assignment, period=draft.period, user=user(username),
            data=dict(TEXT, body="越权修改。"), version=1,
        )
    assert report_snapshot(draft) == before


def test_the_lead_units_reporter_reads_but_does_not_write_a_responsible_units_report(plan, period):
    """市司法局 leads task 18 and consolidates it, but 东昌府区's own account stays 东昌府区's."""
    assignment = assignment_of(plan, DONGCHANGFU, 18)
    with pytest.raises(PermissionDenied):
        workflow.save_report(assignment=assignment, period=period, user=user(LEAD_REPORTER), data=TEXT)
    assert not ProgressReport.objects.filter(assignment=assignment, period=period).exists()


def test_a_period_of_another_plan_is_refused(county):
    other = WorkPlan.objects.create(year=2023, title="2023年计划", doc_number="测试〔2023〕1号", status="active")
    foreign = ReportingPeriod.objects.create(
        plan=other, name="测试期", starts_on=datetime.date(2023, 1, 1),
        ends_on=datetime.date(2023, 6, 30), due_on=datetime.date(2023, 7, 10),
    )
    with pytest.raises(WorkflowError):
        workflow.save_report(assignment=county, period=foreign, user=user(COUNTY_REPORTER), data=TEXT)
    assert not ProgressReport.objects.filter(assignment=county).filter(period=foreign).exists()


@pytest.mark.parametrize("status", [WorkPlan.Status.CLOSED, WorkPlan.Status.DRAFT])
def test_a_plan_that_is_not_active_refuses_saves(plan, period, draft, status):
    WorkPlan.objects.filter(pk=plan.pk).update(status=status)
    before = report_snapshot(draft)
    # Fresh objects: the caller reads the plan as it is now.
    county = assignment_of(plan, DONGCHANGFU, 13)
    zone = assignment_of(plan, ZONE, 13)

    with pytest.raises(WorkflowError) as refused:
        workflow.save_report(
            assignment=county, period=period, user=user(COUNTY_REPORTER), data=dict(TEXT, body="改。"), version=1
        )
    assert refused.value.code == "plan"
    with pytest.raises(WorkflowError):
        workflow.save_report(assignment=zone, period=period, user=user(ZONE_REPORTER), data=TEXT)

    assert report_snapshot(draft) == before
    assert not ProgressReport.objects.filter(assignment=zone, period=period).exists()


def test_a_locked_period_refuses_new_reports_and_edits(plan, period, draft):
    workflow.set_period_locked(period, user(COORDINATOR), True)
    before = report_snapshot(draft)
    zone = assignment_of(plan, ZONE, 13)

    with pytest.raises(PeriodLocked) as refused:
        workflow.save_report(
            assignment=draft.assignment, period=period, user=user(COUNTY_REPORTER),
            data=dict(TEXT, body="锁定后修改。"), version=1,
        )
    assert refused.value.code == "locked"
    assert "测试期" in str(refused.value)
    with pytest.raises(PeriodLocked):
        workflow.save_report(assignment=zone, period=period, user=user(ZONE_REPORTER), data=TEXT)

    assert report_snapshot(draft) == before
    assert not ProgressReport.objects.filter(assignment=zone, period=period).exists()


@pytest.mark.parametrize("state", [State.SUBMITTED, State.ACCEPTED])
def test_a_submitted_or_accepted_report_cannot_be_edited(submitted, state):
    if state == State.ACCEPTED:
        workflow.accept(submitted, user(COORDINATOR))
    current = ProgressReport.objects.get(pk=submitted.pk)
    before = report_snapshot(submitted)

    with pytest.raises(WorkflowError) as refused:
        workflow.save_report(
            assignment=current.assignment, period=current.period, user=user(COUNTY_REPORTER),
            data=dict(TEXT, body="报送后偷偷修改。"), version=current.version,
        )

    assert not isinstance(refused.value, StaleReport)
    assert report_snapshot(submitted) == before


# --- attachments -------------------------------------------------------------------------------------------


def pdf(name="会议纪要.pdf"):
    uploaded = SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf")
    return uploaded, check_attachment(uploaded)


def test_attaching_and_removing_files_bump_the_version_and_are_recorded(draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reporter = user(COUNTY_REPORTER)

    report = workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=reporter, data=TEXT, version=1,
        attachments=[pdf()],
    )
    report.refresh_from_db()
    [attachment] = report.attachments.all()
    assert (report.version, attachment.name, attachment.kind, attachment.uploaded_by) == (
        2, "会议纪要.pdf", "pdf", reporter
    )

    workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=reporter, data=TEXT, version=2,
        remove_attachments=[attachment.pk],
    )
    report.refresh_from_db()
    attachment.refresh_from_db()
    assert report.version == 3
    assert attachment.removed_at is not None  # kept for the record, no longer on the report
    assert [(e.action, e.version, e.changes) for e in events(report)[1:]] == [
        (Action.ATTACH, 2, {"attachments": ["会议纪要.pdf"]}),
        (Action.DETACH, 3, {"attachments": ["会议纪要.pdf"]}),
    ]


def test_too_many_attachments_are_refused_with_the_text_edit_rolled_back(draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENTS_PER_REPORT = 1
    before = report_snapshot(draft)

    with pytest.raises(WorkflowError) as refused:
        workflow.save_report(
            assignment=draft.assignment, period=draft.period, user=user(COUNTY_REPORTER),
            data=dict(TEXT, body="连同两个附件。"), version=1, attachments=[pdf("一.pdf"), pdf("二.pdf")],
        )

    assert refused.value.code == "attachments"
    assert report_snapshot(draft) == before
    assert not ReportAttachment.objects.filter(report_id=draft.pk).exists()


# --- submit ------------------------------------------------------------------------------------------------


def test_submit_sends_the_report_to_the_coordinators(draft):
    reporter = user(COUNTY_REPORTER)
    before = last_notification_pk()

    report = workflow.submit(draft, reporter, expected_version=1)

    stored = ProgressReport.objects.get(pk=draft.pk)
    assert report.state == stored.state == State.SUBMITTED
    assert report.version == stored.version == 2
    assert stored.submitted_by == reporter
    assert stored.submitted_at is not None
    event = events(stored)[-1]
    assert (event.action, event.actor, event.from_state, event.to_state, event.version) == (
        Action.SUBMIT, reporter, State.DRAFT, State.SUBMITTED, 2
    )
    notes = notifications_since(before)
    assert recipients(notes) == [COORDINATOR]
    assert "东昌府区" in notes[0].title and "第13项" in notes[0].title and "测试期" in notes[0].title
    assert notes[0].url == stored.get_absolute_url()


def test_the_people_concerned_get_an_email_through_the_outbox(draft, mailoutbox, django_capture_on_commit_callbacks):
    User.objects.filter(username=COORDINATOR).update(email="coordinator@example.cn")
    User.objects.filter(username=COUNTY_REPORTER).update(email="dongchangfu@example.cn")
    mark = last_notification_pk()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(draft, user(COUNTY_REPORTER))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(WorkflowError):  # refused: nobody is told anything
            workflow.return_report(draft, user(COORDINATOR), " ")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_report(draft, user(COORDINATOR), "请补充数据。")
    assert mailoutbox == []  # the action only wrote the outbox; the worker sends
    deliver_outbox()

    assert [(m.to, m.subject.split("：")[0]) for m in mailoutbox] == [
        (["coordinator@example.cn"], "新报送"),
        (["dongchangfu@example.cn"], "报告被退回"),
    ]
    assert "请补充数据。" in mailoutbox[1].body
    assert all(note.emailed_at for note in notifications_since(mark))


def test_submitting_twice_is_refused(submitted):
    before = report_snapshot(submitted)
    with pytest.raises(WorkflowError) as refused:
        workflow.submit(submitted, user(COUNTY_REPORTER))
    assert "已报送" in str(refused.value)
    assert report_snapshot(submitted) == before


@pytest.mark.parametrize("body", ["", "  \n\t "])
def test_an_empty_report_cannot_be_submitted(county, period, body):
    report = workflow.save_report(
        assignment=county, period=period, user=user(COUNTY_REPORTER), data=dict(TEXT, body=body)
    )
    before = report_snapshot(report)
    with pytest.raises(WorkflowError) as refused:
        workflow.submit(report, user(COUNTY_REPORTER))
    assert refused.value.code == "empty"
    assert report_snapshot(report) == before


@pytest.mark.parametrize("username", [ZONE_REPORTER, LEAD_REPORTER, APPROVER, LEADER, COORDINATOR])
def test_only_the_units_reporters_submit(draft, username):
    before = report_snapshot(draft)
    with pytest.raises(PermissionDenied):
        workflow.submit(draft, user(username))
    assert report_snapshot(draft) == before


def test_a_locked_period_refuses_submission_until_it_is_unlocked(draft, period):
    coordinator = user(COORDINATOR)
    workflow.set_period_locked(period, coordinator, True)
    before = report_snapshot(draft)

    with pytest.raises(PeriodLocked):
        workflow.submit(draft, user(COUNTY_REPORTER))
    assert report_snapshot(draft) == before

    workflow.set_period_locked(period, coordinator, False)
    workflow.submit(draft, user(COUNTY_REPORTER))
    assert ProgressReport.objects.get(pk=draft.pk).state == State.SUBMITTED


def test_submit_on_an_old_version_is_stale(draft):
    workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=user(COUNTY_REPORTER),
        data=dict(TEXT, body="第二版。"), version=1,
    )
    before = report_snapshot(draft)
    with pytest.raises(StaleReport):
        workflow.submit(draft, user(COUNTY_REPORTER), expected_version=1)
    assert report_snapshot(draft) == before


def test_a_closed_plan_refuses_submission(plan, draft):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    before = report_snapshot(draft)
    with pytest.raises(WorkflowError) as refused:
        workflow.submit(draft, user(COUNTY_REPORTER))
    assert refused.value.code == "plan"
    assert report_snapshot(draft) == before


# --- accept and return -------------------------------------------------------------------------------------


def test_accept_records_the_review_and_tells_the_units_reporters(submitted):
    coordinator = user(COORDINATOR)
    before = last_notification_pk()

    report = workflow.accept(submitted, coordinator, expected_version=2, note="  内容翔实。 ")

    stored = ProgressReport.objects.get(pk=submitted.pk)
    assert report.state == stored.state == State.ACCEPTED
    assert (stored.version, stored.reviewed_by, stored.review_note) == (3, coordinator, "内容翔实。")
    assert stored.reviewed_at is not None
    event = events(stored)[-1]
    assert (event.action, event.actor, event.from_state, event.to_state, event.version, event.comment) == (
        Action.ACCEPT, coordinator, State.SUBMITTED, State.ACCEPTED, 3, "内容翔实。"
    )
    notes = notifications_since(before)
    assert recipients(notes) == [COUNTY_REPORTER]  # the reporters, not the approver, not other units
    assert notes[0].body == "内容翔实。"


@pytest.mark.parametrize("state", [State.DRAFT, State.RETURNED, State.ACCEPTED])
def test_only_a_submitted_report_can_be_accepted(submitted, state):
    coordinator = user(COORDINATOR)
    if state == State.DRAFT:
        report = workflow.save_report(
            assignment=assignment_of(submitted.assignment.task.plan, ZONE, 13), period=submitted.period,
            user=user(ZONE_REPORTER), data=TEXT,
        )
    elif state == State.RETURNED:
        report = workflow.return_report(submitted, coordinator, "请补充数据。")
    else:
        report = workflow.accept(submitted, coordinator)
    before = report_snapshot(report)

    with pytest.raises(WorkflowError):
        workflow.accept(report, coordinator)

    assert report_snapshot(report) == before


@pytest.mark.parametrize("username", [COUNTY_REPORTER, LEAD_REPORTER, APPROVER, LEADER])
def test_only_coordinators_accept_or_return(submitted, username):
    before = report_snapshot(submitted)
    with pytest.raises(PermissionDenied):
        workflow.accept(submitted, user(username))
    with pytest.raises(PermissionDenied):
        workflow.return_report(submitted, user(username), "请补充。")
    assert report_snapshot(submitted) == before


def test_a_superuser_reviews_like_a_coordinator(submitted):
    workflow.accept(submitted, user(ADMIN))
    assert ProgressReport.objects.get(pk=submitted.pk).state == State.ACCEPTED


def test_accept_on_an_old_version_is_stale(submitted):
    before = report_snapshot(submitted)
    with pytest.raises(StaleReport):
        workflow.accept(submitted, user(COORDINATOR), expected_version=1)
    assert report_snapshot(submitted) == before


def test_a_locked_period_still_lets_the_coordinator_accept(submitted, period):
    coordinator = user(COORDINATOR)
    workflow.set_period_locked(period, coordinator, True)
    workflow.accept(submitted, coordinator)
    assert ProgressReport.objects.get(pk=submitted.pk).state == State.ACCEPTED


@pytest.mark.parametrize("note", ["", "   ", None])
def test_a_return_needs_a_note(submitted, note):
    before = report_snapshot(submitted)
    with pytest.raises(WorkflowError) as refused:
        workflow.return_report(submitted, user(COORDINATOR), note)
    assert refused.value.code == "note"
    assert report_snapshot(submitted) == before


def test_return_sends_the_report_back_with_the_note(submitted):
    coordinator = user(COORDINATOR)
    before = last_notification_pk()

    report = workflow.return_report(submitted, coordinator, "  请补充培训人数的统计口径。 ", expected_version=2)

    stored = ProgressReport.objects.get(pk=submitted.pk)
    assert report.state == stored.state == State.RETURNED
    assert (stored.version, stored.reviewed_by, stored.review_note) == (3, coordinator, "请补充培训人数的统计口径。")
    event = events(stored)[-1]
    assert (event.action, event.actor, event.from_state, event.to_state, event.version, event.comment) == (
        Action.RETURN, coordinator, State.SUBMITTED, State.RETURNED, 3, "请补充培训人数的统计口径。"
    )
    notes = notifications_since(before)
    assert recipients(notes) == [COUNTY_REPORTER]
    assert "请补充培训人数的统计口径。" in notes[0].body
    assert "退回" in notes[0].title


@pytest.mark.parametrize("state", [State.DRAFT, State.ACCEPTED])
def test_only_a_submitted_report_can_be_returned(draft, state):
    coordinator = user(COORDINATOR)
    report = draft
    if state == State.ACCEPTED:
        workflow.submit(draft, user(COUNTY_REPORTER))
        report = workflow.accept(draft, coordinator)
    before = report_snapshot(report)
    with pytest.raises(WorkflowError):
        workflow.return_report(report, coordinator, "请修改。")
    assert report_snapshot(report) == before


def test_return_on_a_locked_period_is_refused(submitted, period):
    workflow.set_period_locked(period, user(COORDINATOR), True)
    before = report_snapshot(submitted)
    with pytest.raises(PeriodLocked) as refused:
        workflow.return_report(submitted, user(COORDINATOR), "请修改。")
    assert "解锁" in str(refused.value)
    assert report_snapshot(submitted) == before


def test_return_on_an_old_version_is_stale(submitted):
    before = report_snapshot(submitted)
    with pytest.raises(StaleReport):
        workflow.return_report(submitted, user(COORDINATOR), "请修改。", expected_version=1)
    assert report_snapshot(submitted) == before


def test_a_returned_report_is_edited_and_submitted_again(submitted):
    reporter, coordinator = user(COUNTY_REPORTER), user(COORDINATOR)
    workflow.return_report(submitted, coordinator, "请补充数据。")

    report = workflow.save_report(
        assignment=submitted.assignment, period=submitted.period, user=reporter,
        data=dict(TEXT, body="组织学法12场，覆盖1532人。"), version=3,
    )
    assert ProgressReport.objects.get(pk=report.pk).state == State.RETURNED  # editing does not change the state
    workflow.submit(report, reporter, expected_version=4)

    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.state, stored.version, stored.body) == (State.SUBMITTED, 5, "组织学法12场，覆盖1532人。")
    edit, resubmit = events(stored)[-2:]
    assert (edit.action, edit.from_state, edit.to_state, edit.changes) == (
        Action.EDIT, State.RETURNED, State.RETURNED, {"body": "组织学法12场，覆盖1532人。"}
    )
    assert (resubmit.action, resubmit.from_state, resubmit.to_state) == (
        Action.SUBMIT, State.RETURNED, State.SUBMITTED
    )
    workflow.accept(stored, coordinator, expected_version=5)
    assert ProgressReport.objects.get(pk=report.pk).state == State.ACCEPTED


# --- accept_many -------------------------------------------------------------------------------------------


def test_accept_many_accepts_what_it_can_and_lists_the_rest(plan, period, submitted):
    coordinator = user(COORDINATOR)
    zone = workflow.save_report(
        assignment=assignment_of(plan, ZONE, 13), period=period, user=user(ZONE_REPORTER), data=TEXT
    )
    workflow.submit(zone, user(ZONE_REPORTER))  # version 2
    lead = workflow.save_report(  # stays a draft
        assignment=assignment_of(plan, SIFAJU, 18), period=period, user=user(LEAD_REPORTER), data=TEXT
    )
    zone_before, lead_before = report_snapshot(zone), report_snapshot(lead)

    accepted, refused = workflow.accept_many([(submitted, 2), (zone, 1), (lead, 1)], coordinator)

    assert [r.pk for r in accepted] == [submitted.pk]
    assert [r.pk for r, _message in refused] == [zone.pk, lead.pk]
    assert all(message for _report, message in refused)
    assert "第 2 版" in refused[0][1]  # the stale one says so
    assert ProgressReport.objects.get(pk=submitted.pk).state == State.ACCEPTED
    # The refused ones are untouched (the snapshots count notifications, which the accepted one added).
    for report, before in ((zone, zone_before), (lead, lead_before)):
        after = report_snapshot(report)
        assert (after["row"], after["events"]) == (before["row"], before["events"])


def test_accept_many_is_for_coordinators(submitted):
    before = report_snapshot(submitted)
    with pytest.raises(PermissionDenied):
        workflow.accept_many([(submitted, 2)], user(LEADER))
    assert report_snapshot(submitted) == before


# --- unit approval -----------------------------------------------------------------------------------------


def test_with_unit_approval_submit_waits_for_the_approver(approval_on, draft):
    before = report_snapshot(draft)
    with pytest.raises(ApprovalRequired) as refused:
        workflow.submit(draft, user(COUNTY_REPORTER))
    assert isinstance(refused.value, WorkflowError)
    assert isinstance(refused.value, PermissionDenied)
    assert refused.value.code == "approval"
    assert report_snapshot(draft) == before


def test_request_approval_tells_the_units_approvers(approval_on, draft):
    reporter = user(COUNTY_REPORTER)
    before = last_notification_pk()

    workflow.request_approval(draft, reporter)

    stored = ProgressReport.objects.get(pk=draft.pk)
    assert (stored.state, stored.version) == (State.DRAFT, 1)
    event = events(stored)[-1]
    assert (event.action, event.actor, event.version) == (Action.REQUEST_APPROVAL, reporter, 1)
    assert recipients(notifications_since(before)) == [APPROVER]


def test_request_approval_is_refused_when_the_plan_needs_none(draft):
    before = report_snapshot(draft)
    with pytest.raises(WorkflowError):
        workflow.request_approval(draft, user(COUNTY_REPORTER))
    with pytest.raises(WorkflowError):
        workflow.approve(draft, user(APPROVER))
    assert report_snapshot(draft) == before


def test_request_approval_on_a_locked_period_is_refused(approval_on, draft, period):
    workflow.set_period_locked(period, user(COORDINATOR), True)
    before = report_snapshot(draft)
    with pytest.raises(PeriodLocked):
        workflow.request_approval(draft, user(COUNTY_REPORTER))
    with pytest.raises(PeriodLocked):
        workflow.approve(draft, user(APPROVER))
    assert report_snapshot(draft) == before


@pytest.mark.parametrize("username", [APPROVER, ZONE_REPORTER, COORDINATOR])
def test_only_the_units_reporters_request_approval(approval_on, draft, username):
    before = report_snapshot(draft)
    with pytest.raises(PermissionDenied):
        workflow.request_approval(draft, user(username))
    assert report_snapshot(draft) == before


def test_approve_then_submit(approval_on, draft):
    approver, reporter = user(APPROVER), user(COUNTY_REPORTER)
    before = last_notification_pk()

    workflow.approve(draft, approver, expected_version=1)

    stored = ProgressReport.objects.get(pk=draft.pk)
    assert (stored.approved_by, stored.approved_version, stored.state, stored.version) == (
        approver, 1, State.DRAFT, 1
    )
    assert stored.approved_at is not None and stored.is_approved
    event = events(stored)[-1]
    assert (event.action, event.actor, event.version) == (Action.APPROVE, approver, 1)
    assert recipients(notifications_since(before)) == [COUNTY_REPORTER]

    workflow.submit(stored, reporter, expected_version=1)
    assert ProgressReport.objects.get(pk=draft.pk).state == State.SUBMITTED


def test_an_edit_after_approval_needs_a_new_approval(approval_on, draft):
    approver, reporter = user(APPROVER), user(COUNTY_REPORTER)
    workflow.approve(draft, approver)
    workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=reporter,
        data=dict(TEXT, body="审核后又改了。"), version=1,
    )
    before = report_snapshot(draft)

    with pytest.raises(ApprovalRequired):
        workflow.submit(draft, reporter)
    assert report_snapshot(draft) == before

    workflow.approve(draft, approver, expected_version=2)
    workflow.submit(draft, reporter, expected_version=2)
    assert ProgressReport.objects.get(pk=draft.pk).state == State.SUBMITTED


def test_approving_an_old_version_is_stale(approval_on, draft):
    workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=user(COUNTY_REPORTER),
        data=dict(TEXT, body="第二版。"), version=1,
    )
    before = report_snapshot(draft)
    with pytest.raises(StaleReport):
        workflow.approve(draft, user(APPROVER), expected_version=1)
    assert report_snapshot(draft) == before


def test_an_empty_report_is_not_approved(approval_on, county, period):
    report = workflow.save_report(
        assignment=county, period=period, user=user(COUNTY_REPORTER), data=dict(TEXT, body=" ")
    )
    before = report_snapshot(report)
    with pytest.raises(WorkflowError) as refused:
        workflow.approve(report, user(APPROVER))
    assert refused.value.code == "empty"
    assert report_snapshot(report) == before


def test_the_approver_approves_only_their_own_units_reports(approval_on, plan, period):
    zone = workflow.save_report(
        assignment=assignment_of(plan, ZONE, 13), period=period, user=user(ZONE_REPORTER), data=TEXT
    )
    before = report_snapshot(zone)
    with pytest.raises(PermissionDenied):
        workflow.approve(zone, user(APPROVER))
    assert report_snapshot(zone) == before


@pytest.mark.parametrize("username", [COUNTY_REPORTER, COORDINATOR, LEADER])
def test_only_the_units_approvers_approve(approval_on, draft, username):
    before = report_snapshot(draft)
    with pytest.raises(PermissionDenied):
        workflow.approve(draft, user(username))
    assert report_snapshot(draft) == before


def test_the_approver_does_not_submit_even_after_approving(approval_on, draft):
    workflow.approve(draft, user(APPROVER))
    before = report_snapshot(draft)
    with pytest.raises(PermissionDenied):
        workflow.submit(draft, user(APPROVER))
    assert report_snapshot(draft) == before


def test_a_submitted_report_is_not_approved_again(approval_on, draft):
    workflow.approve(draft, user(APPROVER))
    workflow.submit(draft, user(COUNTY_REPORTER))
    before = report_snapshot(draft)
    with pytest.raises(WorkflowError):
        workflow.approve(draft, user(APPROVER))
    assert report_snapshot(draft) == before


def test_a_returned_report_needs_a_new_approval(approval_on, draft):
    workflow.approve(draft, user(APPROVER))
    workflow.submit(draft, user(COUNTY_REPORTER))
    workflow.return_report(draft, user(COORDINATOR), "请补充。")
    before = report_snapshot(draft)
    with pytest.raises(ApprovalRequired):
        workflow.submit(draft, user(COUNTY_REPORTER))
    assert report_snapshot(draft) == before


# --- the audit trail ---------------------------------------------------------------------------------------


def test_the_events_of_a_full_round_trip_list_every_version_and_actor_in_order(approval_on, county, period):
    reporter, approver, coordinator = user(COUNTY_REPORTER), user(APPROVER), user(COORDINATOR)

    report = workflow.save_report(assignment=county, period=period, user=reporter, data=TEXT)  # v1
    workflow.save_report(
        assignment=county, period=period, user=reporter, data=dict(TEXT, body="第二版。"), version=1
    )  # v2
    workflow.request_approval(report, reporter)
    workflow.approve(report, approver, expected_version=2)
    workflow.submit(report, reporter, expected_version=2)  # v3
    first_events = list(ReportEvent.objects.filter(report=report).order_by("pk").values())
    workflow.return_report(report, coordinator, "请补充。", expected_version=3)  # v4
    workflow.save_report(
        assignment=county, period=period, user=reporter, data=dict(TEXT, body="第五版。"), version=4
    )  # v5
    workflow.approve(report, approver, expected_version=5)
    workflow.submit(report, reporter, expected_version=5)  # v6
    workflow.accept(report, coordinator, expected_version=6)  # v7

    trail = [(e.action, e.version, e.actor.username, e.from_state, e.to_state) for e in events(report)]
    assert trail == [
        (Action.CREATE, 1, COUNTY_REPORTER, "", State.DRAFT),
        (Action.EDIT, 2, COUNTY_REPORTER, State.DRAFT, State.DRAFT),
        (Action.REQUEST_APPROVAL, 2, COUNTY_REPORTER, State.DRAFT, State.DRAFT),
        (Action.APPROVE, 2, APPROVER, State.DRAFT, State.DRAFT),
        (Action.SUBMIT, 3, COUNTY_REPORTER, State.DRAFT, State.SUBMITTED),
        (Action.RETURN, 4, COORDINATOR, State.SUBMITTED, State.RETURNED),
        (Action.EDIT, 5, COUNTY_REPORTER, State.RETURNED, State.RETURNED),
        (Action.APPROVE, 5, APPROVER, State.RETURNED, State.RETURNED),
        (Action.SUBMIT, 6, COUNTY_REPORTER, State.RETURNED, State.SUBMITTED),
        (Action.ACCEPT, 7, COORDINATOR, State.SUBMITTED, State.ACCEPTED),
    ]
    # Every text version can be read back from the trail.
    assert [e.changes.get("body") for e in events(report) if e.changes] == [TEXT["body"], "第二版。", "第五版。"]
    # Append-only: the earlier rows are exactly as they were written.
    assert list(ReportEvent.objects.filter(pk__in=[e["id"] for e in first_events]).order_by("pk").values()) == (
        first_events
    )
    assert ProgressReport.objects.get(pk=report.pk).version == 7


def test_a_report_with_a_history_cannot_be_deleted(draft):
    with pytest.raises(ProtectedError):
        ProgressReport.objects.filter(pk=draft.pk).delete()
    assert ReportEvent.objects.filter(report_id=draft.pk).count() == 1


# --- urge --------------------------------------------------------------------------------------------------


def test_urge_records_the_urge_and_notifies_only_the_units_reporters(county, period):
    coordinator = user(COORDINATOR)
    before = last_notification_pk()

    count = workflow.urge(county, coordinator, "  请于本周五前报送。 ", period=period)

    assert count == 1
    [event] = AssignmentEvent.objects.filter(assignment=county)
    assert (event.action, event.actor, event.comment, event.period) == (
        AssignmentEvent.Action.URGE, coordinator, "请于本周五前报送。", period
    )
    notes = notifications_since(before)
    assert recipients(notes) == [COUNTY_REPORTER]  # not the approver, not any other unit
    assert "催办" in notes[0].title and "第13项" in notes[0].title and "测试期" in notes[0].title
    assert notes[0].body == "请于本周五前报送。"


def test_urge_without_a_note_says_what_to_do(county):
    before = last_notification_pk()
    workflow.urge(county, user(COORDINATOR))
    [note] = notifications_since(before)
    assert note.body == "请尽快报送本单位的工作进展。"


@pytest.mark.parametrize("username", [COUNTY_REPORTER, LEAD_REPORTER, APPROVER, LEADER])
def test_only_coordinators_urge(county, username):
    before = assignment_snapshot(county)
    with pytest.raises(PermissionDenied):
        workflow.urge(county, user(username), "快")
    assert assignment_snapshot(county) == before


def test_urge_on_a_closed_plan_is_refused(plan):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    county = assignment_of(plan, DONGCHANGFU, 13)
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError):
        workflow.urge(county, user(COORDINATOR), "快")
    assert assignment_snapshot(county) == before


# --- receipt: confirm, contest, insist, reassign -----------------------------------------------------------


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER])
def test_the_unit_confirms_receipt(county, username):
    person = user(username)
    result = workflow.confirm_receipt(county, person)

    stored = Assignment.objects.get(pk=county.pk)
    assert result.receipt == stored.receipt == Assignment.Receipt.CONFIRMED
    assert stored.receipt_by == person and stored.receipt_at is not None
    [event] = AssignmentEvent.objects.filter(assignment=county)
    assert (event.action, event.actor) == (AssignmentEvent.Action.CONFIRM, person)

    before = assignment_snapshot(county)
    workflow.confirm_receipt(county, person)  # again: nothing new
    assert assignment_snapshot(county) == before


@pytest.mark.parametrize("username", [ZONE_REPORTER, LEAD_REPORTER, COORDINATOR, LEADER])
def test_only_the_unit_confirms_or_contests(county, username):
    before = assignment_snapshot(county)
    with pytest.raises(PermissionDenied):
        workflow.confirm_receipt(county, user(username))
    with pytest.raises(PermissionDenied):
        workflow.contest(county, user(username), "不是我们的。")
    assert assignment_snapshot(county) == before


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_contest_needs_a_reason(county, reason):
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError) as refused:
        workflow.contest(county, user(COUNTY_REPORTER), reason)
    assert refused.value.code == "note"
    assert assignment_snapshot(county) == before


def test_contest_records_the_reason_and_tells_the_coordinators(county):
    reporter = user(COUNTY_REPORTER)
    before = last_notification_pk()

    workflow.contest(county, reporter, "  该项由市级部门负责，区里无对应职能。 ")

    stored = Assignment.objects.get(pk=county.pk)
    assert (stored.receipt, stored.receipt_note, stored.receipt_by) == (
        Assignment.Receipt.CONTESTED, "该项由市级部门负责，区里无对应职能。", reporter
    )
    [event] = AssignmentEvent.objects.filter(assignment=county)
    assert (event.action, event.comment) == (AssignmentEvent.Action.CONTEST, "该项由市级部门负责，区里无对应职能。")
    notes = notifications_since(before)
    assert recipients(notes) == [COORDINATOR]
    assert notes[0].body == "该项由市级部门负责，区里无对应职能。"


def test_a_unit_that_has_reported_cannot_contest(submitted):
    county = submitted.assignment
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError):
        workflow.contest(county, user(COUNTY_REPORTER), "不是我们的。")
    assert assignment_snapshot(county) == before


def test_insist_keeps_the_assignment_and_ends_the_dispute(county):
    coordinator = user(COORDINATOR)
    workflow.contest(county, user(COUNTY_REPORTER), "不是我们的。")
    before = last_notification_pk()

    workflow.insist(county, coordinator, "区政府负有属地责任。")

    stored = Assignment.objects.get(pk=county.pk)
    assert (stored.receipt, stored.receipt_by) == (Assignment.Receipt.INSISTED, coordinator)
    assert [e.action for e in AssignmentEvent.objects.filter(assignment=county).order_by("pk")] == [
        AssignmentEvent.Action.CONTEST, AssignmentEvent.Action.INSIST
    ]
    notes = notifications_since(before)
    assert recipients(notes) == [COUNTY_REPORTER]
    assert notes[0].body == "区政府负有属地责任。"

    after_insist = assignment_snapshot(county)
    with pytest.raises(WorkflowError):
        workflow.contest(county, user(COUNTY_REPORTER), "仍然不是我们的。")
    assert assignment_snapshot(county) == after_insist
    workflow.confirm_receipt(county, user(COUNTY_REPORTER))  # already settled: nothing changes
    assert assignment_snapshot(county) == after_insist


def test_insist_needs_a_dispute(county):
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError):
        workflow.insist(county, user(COORDINATOR))
    assert assignment_snapshot(county) == before


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, LEADER])
def test_only_coordinators_insist_or_reassign(plan, county, username):
    workflow.contest(county, user(COUNTY_REPORTER), "不是我们的。")
    before = assignment_snapshot(county)
    with pytest.raises(PermissionDenied):
        workflow.insist(county, user(username))
    with pytest.raises(PermissionDenied):
        workflow.reassign(county, user(username), Unit.objects.get(short_name="市税务局"))
    assert assignment_snapshot(county) == before


def test_reassign_moves_the_assignment_and_tells_both_units(plan):
    """Task 9 is 市政府办公室's and 市司法局's; it moves from 市司法局 to 东昌府区."""
    coordinator = user(COORDINATOR)
    assignment = assignment_of(plan, SIFAJU, 9)
    assert untouched(assignment)
    workflow.contest(assignment, user(LEAD_REPORTER), "应由东昌府区承担。")
    new_unit = Unit.objects.get(name=DONGCHANGFU)
    before = last_notification_pk()

    moved = workflow.reassign(assignment, coordinator, new_unit, "按属地原则调整。")

    stored = Assignment.objects.get(pk=assignment.pk)
    assert moved.unit == stored.unit == new_unit
    assert (stored.receipt, stored.receipt_at, stored.receipt_by, stored.receipt_note) == (
        Assignment.Receipt.PENDING, None, None, ""
    )
    event = AssignmentEvent.objects.filter(assignment=assignment).order_by("pk").last()
    assert (event.action, event.comment, event.data) == (
        AssignmentEvent.Action.REASSIGN, "按属地原则调整。", {"from_unit": SIFAJU, "to_unit": DONGCHANGFU}
    )
    notes = notifications_since(before)
    assert recipients(notes) == [COUNTY_REPORTER, LEAD_REPORTER]
    new_note = next(n for n in notes if n.recipient.username == COUNTY_REPORTER)
    assert "签收" in new_note.title and SIFAJU in new_note.body


def test_reassign_to_a_unit_already_on_the_task_is_refused(plan):
    assignment = assignment_of(plan, SIFAJU, 9)
    before = assignment_snapshot(assignment)
    with pytest.raises(WorkflowError):
        workflow.reassign(assignment, user(COORDINATOR), Unit.objects.get(short_name="市政府办公室"))
    with pytest.raises(WorkflowError):
        workflow.reassign(assignment, user(COORDINATOR), Unit.objects.get(name=SIFAJU))
    assert assignment_snapshot(assignment) == before


def test_a_unit_with_only_a_draft_may_contest_but_then_cannot_be_reassigned(draft):
    """The current rule: a draft does not stop a contest, any report stops a reassignment (add a unit instead)."""
    county = draft.assignment
    workflow.contest(county, user(COUNTY_REPORTER), "起草后才发现不是我们的职责。")
    assert Assignment.objects.get(pk=county.pk).receipt == Assignment.Receipt.CONTESTED
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError) as refused:
        workflow.reassign(county, user(COORDINATOR), Unit.objects.get(short_name="市税务局"))
    assert "新增分工" in str(refused.value)
    assert assignment_snapshot(county) == before


def test_reassign_after_the_unit_has_written_a_report_is_refused(draft):
    county = draft.assignment
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError):
        workflow.reassign(county, user(COORDINATOR), Unit.objects.get(short_name="市税务局"))
    assert assignment_snapshot(county) == before


# --- deadline extensions -----------------------------------------------------------------------------------

LATER = datetime.date(2023, 3, 31)


def test_request_extension_asks_the_coordinators_and_leaves_the_deadline(county):
    reporter = user(COUNTY_REPORTER)
    before = last_notification_pk()

    request = workflow.request_extension(county, reporter, LATER, "  需等待省级系统上线。 ")

    stored = ExtensionRequest.objects.get(pk=request.pk)
    assert (stored.state, stored.requested_by, stored.reason, stored.old_deadline, stored.new_deadline) == (
        ExtensionRequest.State.PENDING, reporter, "需等待省级系统上线。", datetime.date(2022, 12, 31), LATER
    )
    assert Assignment.objects.get(pk=county.pk).deadline == datetime.date(2022, 12, 31)
    [event] = AssignmentEvent.objects.filter(assignment=county)
    assert (event.action, event.data) == (
        AssignmentEvent.Action.EXTENSION_REQUEST, {"from": "2022-12-31", "to": "2023-03-31"}
    )
    notes = notifications_since(before)
    assert recipients(notes) == [COORDINATOR]
    assert "2023-03-31" in notes[0].body


@pytest.mark.parametrize("day", [datetime.date(2022, 12, 31), datetime.date(2022, 11, 30)])
def test_the_new_date_must_be_later_than_the_deadline(county, day):
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError) as refused:
        workflow.request_extension(county, user(COUNTY_REPORTER), day, "来不及。")
    assert refused.value.code == "date"
    assert assignment_snapshot(county) == before


def test_an_extension_needs_a_reason(county):
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError) as refused:
        workflow.request_extension(county, user(COUNTY_REPORTER), LATER, " ")
    assert refused.value.code == "note"
    assert assignment_snapshot(county) == before


def test_only_one_extension_request_waits_at_a_time(county):
    workflow.request_extension(county, user(COUNTY_REPORTER), LATER, "来不及。")
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError):
        workflow.request_extension(county, user(COUNTY_REPORTER), datetime.date(2023, 6, 30), "再晚一点。")
    assert assignment_snapshot(county) == before


@pytest.mark.parametrize("username", [ZONE_REPORTER, APPROVER, COORDINATOR, LEADER])
def test_only_the_units_reporters_request_an_extension(county, username):
    before = assignment_snapshot(county)
    with pytest.raises(PermissionDenied):
        workflow.request_extension(county, user(username), LATER, "来不及。")
    assert assignment_snapshot(county) == before


def test_a_granted_extension_moves_the_deadline(county):
    coordinator = user(COORDINATOR)
    request = workflow.request_extension(county, user(COUNTY_REPORTER), LATER, "来不及。")
    before = last_notification_pk()

    decided = workflow.decide_extension(request, coordinator, grant=True)

    assert decided.state == ExtensionRequest.State.GRANTED
    assert (decided.decided_by, decided.decision_note) == (coordinator, "")
    assert decided.decided_at is not None
    assert Assignment.objects.get(pk=county.pk).deadline == LATER
    event = AssignmentEvent.objects.filter(assignment=county).order_by("pk").last()
    assert (event.action, event.actor, event.data) == (
        AssignmentEvent.Action.EXTENSION_GRANT, coordinator, {"from": "2022-12-31", "to": "2023-03-31"}
    )
    notes = notifications_since(before)
    assert recipients(notes) == [COUNTY_REPORTER]
    assert "2023-03-31" in notes[0].body

    # Decided: a new request may follow, and must go past the new deadline.
    moved = Assignment.objects.get(pk=county.pk)
    with pytest.raises(WorkflowError):
        workflow.request_extension(moved, user(COUNTY_REPORTER), LATER, "再延。")
    workflow.request_extension(moved, user(COUNTY_REPORTER), datetime.date(2023, 6, 30), "再延。")
    assert ExtensionRequest.objects.filter(assignment=county, state=ExtensionRequest.State.PENDING).count() == 1


def test_the_date_check_uses_the_deadline_as_it_is_now(county):
    """The caller read the assignment before a grant moved its deadline (two tabs, or a grant in between)."""
    request = workflow.request_extension(county, user(COUNTY_REPORTER), LATER, "来不及。")
    workflow.decide_extension(request, user(COORDINATOR), grant=True)
    assert county.deadline == datetime.date(2022, 12, 31)  # the caller's object: read before the grant

    try:
        workflow.request_extension(county, user(COUNTY_REPORTER), LATER, "再延。")
    except WorkflowError:
        pass
    assert not ExtensionRequest.objects.filter(
        assignment=county, old_deadline=LATER, new_deadline=LATER
    ).exists()


def test_a_refusal_needs_a_note_and_leaves_the_deadline(county):
    coordinator = user(COORDINATOR)
    request = workflow.request_extension(county, user(COUNTY_REPORTER), LATER, "来不及。")
    before = assignment_snapshot(county)

    with pytest.raises(WorkflowError) as refused:
        workflow.decide_extension(request, coordinator, grant=False, note="  ")
    assert refused.value.code == "note"
    assert assignment_snapshot(county) == before

    mark = last_notification_pk()
    decided = workflow.decide_extension(request, coordinator, grant=False, note="年底前必须完成。")

    assert (decided.state, decided.decision_note) == (ExtensionRequest.State.REFUSED, "年底前必须完成。")
    assert Assignment.objects.get(pk=county.pk).deadline == datetime.date(2022, 12, 31)
    event = AssignmentEvent.objects.filter(assignment=county).order_by("pk").last()
    assert (event.action, event.comment) == (AssignmentEvent.Action.EXTENSION_REFUSE, "年底前必须完成。")
    notes = notifications_since(mark)
    assert recipients(notes) == [COUNTY_REPORTER]
    assert notes[0].body == "年底前必须完成。"


def test_a_decided_request_is_not_decided_again(county):
    coordinator = user(COORDINATOR)
    request = workflow.request_extension(county, user(COUNTY_REPORTER), LATER, "来不及。")
    workflow.decide_extension(request, coordinator, grant=False, note="不同意。")
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError):
        workflow.decide_extension(request, coordinator, grant=True)
    assert assignment_snapshot(county) == before
    assert ExtensionRequest.objects.get(pk=request.pk).state == ExtensionRequest.State.REFUSED


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, LEADER])
def test_only_coordinators_decide_extensions(county, username):
    request = workflow.request_extension(county, user(COUNTY_REPORTER), LATER, "来不及。")
    before = assignment_snapshot(county)
    with pytest.raises(PermissionDenied):
        workflow.decide_extension(request, user(username), grant=True)
    assert assignment_snapshot(county) == before


def test_an_extension_on_a_closed_plan_is_refused(plan):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    county = assignment_of(plan, DONGCHANGFU, 13)
    before = assignment_snapshot(county)
    with pytest.raises(WorkflowError):
        workflow.request_extension(county, user(COUNTY_REPORTER), LATER, "来不及。")
    assert assignment_snapshot(county) == before


# --- periods -----------------------------------------------------------------------------------------------


def test_the_coordinator_locks_and_unlocks_a_period(county, period):
    coordinator = user(COORDINATOR)

    assert workflow.set_period_locked(period, coordinator, True) == 1
    assert period.locked and ReportingPeriod.objects.get(pk=period.pk).locked
    with pytest.raises(PeriodLocked):
        workflow.save_report(assignment=county, period=period, user=user(COUNTY_REPORTER), data=TEXT)

    workflow.set_period_locked(period, coordinator, False)
    assert not ReportingPeriod.objects.get(pk=period.pk).locked
    workflow.save_report(assignment=county, period=period, user=user(COUNTY_REPORTER), data=TEXT)
    assert ProgressReport.objects.filter(assignment=county, period=period).exists()


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, LEADER])
def test_only_coordinators_lock_periods(period, username):
    with pytest.raises(PermissionDenied):
        workflow.set_period_locked(period, user(username), True)
    assert not ReportingPeriod.objects.get(pk=period.pk).locked


# --- a plan made from scratch: no demo assumptions ---------------------------------------------------------


def test_a_report_in_a_new_plan_goes_round_trip(db):
    unit = Unit.objects.create(name="测试县人民政府", short_name="测试县", kind=Unit.Kind.COUNTY)
    reporter = User.objects.create(username="ceshi_lianluo", full_name="测试联络员")
    reporter.memberships.create(unit=unit, role="reporter")
    plan = WorkPlan.objects.create(year=2024, title="2024年计划", doc_number="测试〔2024〕1号", status="active")
    section = Section.objects.create(plan=plan, number=1, title="一")
    task = Task.objects.create(plan=plan, section=section, number=1, title="任务", content="任务内容")
    assignment = Assignment.objects.create(task=task, unit=unit, role=Assignment.Role.LEAD)
    period = ReportingPeriod.objects.create(
        plan=plan, name="全年", starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2024, 12, 31), due_on=datetime.date(2024, 12, 10),
    )

    report = workflow.save_report(assignment=assignment, period=period, user=reporter, data=TEXT)
    workflow.submit(report, reporter)
    workflow.accept(report, user(COORDINATOR))

    assert ProgressReport.objects.get(pk=report.pk).state == State.ACCEPTED
    assert [e.action for e in events(report)] == [Action.CREATE, Action.SUBMIT, Action.ACCEPT]
