"""Labels that are true (issue 17): the unit approval holds for the version approved, and the report page and the
ledger show the current round's review, earlier return notes as history."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from annual.ledger import ledger_rows
from tasks import workflow
from tasks.models import ProgressReport, ReportEvent, WorkPlan
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, user

pytestmark = pytest.mark.django_db

State = ProgressReport.State
TEXT = {"progress": ProgressReport.Progress.ON_TRACK, "body": "完成年度学法计划。", "problems": "", "next_steps": ""}
STALE_APPROVAL = "审核后又有修改，需重新审核"


@pytest.fixture
def approval_on(plan):
    WorkPlan.objects.filter(pk=plan.pk).update(unit_approval=True)


@pytest.fixture
def draft(county, period):
    return workflow.save_report(assignment=county, period=period, user=user(COUNTY_REPORTER), data=TEXT)


def page(login, username, report):
    return login(username).get(reverse("tasks:report_detail", args=[report.pk])).content.decode()


def ledger_note(plan, report):
    """The ledger's 审核意见 (its twelfth column) on the report's row (task number, unit, period)."""
    unit, task = report.assignment.unit, report.assignment.task
    (row,) = [
        row for row in ledger_rows(plan)
        if row[1] == task.number and row[4] in (unit.name, unit.short_name, str(unit)) and row[5] == report.period.name
    ]
    return row[11]


def test_submitting_the_approved_version_keeps_it_approved(approval_on, draft, login):
    workflow.approve(draft, user(APPROVER), expected_version=1)
    workflow.submit(draft, user(COUNTY_REPORTER), expected_version=1)

    stored = ProgressReport.objects.get(pk=draft.pk)
    assert (stored.state, stored.version, stored.approved_version) == (State.SUBMITTED, 2, 2)
    assert stored.is_approved
    for username in (COORDINATOR, COUNTY_REPORTER, APPROVER):
        text = page(login, username, stored)
        assert "单位审核" in text and STALE_APPROVAL not in text

    workflow.accept(stored, user(COORDINATOR), note="同意。")
    stored = ProgressReport.objects.get(pk=draft.pk)
    assert stored.is_approved and STALE_APPROVAL not in page(login, COORDINATOR, stored)


def test_only_an_edit_after_approval_asks_for_a_new_one(approval_on, draft, login):
    workflow.approve(draft, user(APPROVER))
    workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=user(COUNTY_REPORTER),
        data=dict(TEXT, body="审核后又改了。"), version=1,
    )
    stored = ProgressReport.objects.get(pk=draft.pk)
    assert not stored.is_approved
    assert STALE_APPROVAL in page(login, COORDINATOR, stored)
    with pytest.raises(workflow.ApprovalRequired):
        workflow.submit(stored, user(COUNTY_REPORTER))


def test_a_return_ends_the_approval_without_a_false_label(approval_on, draft, login):
    workflow.approve(draft, user(APPROVER))
    workflow.submit(draft, user(COUNTY_REPORTER))
    workflow.return_report(draft, user(COORDINATOR), "请补充数据。")
    stored = ProgressReport.objects.get(pk=draft.pk)
    assert (stored.approved_version, stored.approved_by, stored.approved_at) == (None, None, None)
    text = page(login, COUNTY_REPORTER, stored)
    assert STALE_APPROVAL not in text
    assert str(workflow.APPROVAL_REQUIRED) in text  # what the reporter must do next, said once


def test_after_a_return_and_resubmission_the_page_and_ledger_show_the_new_round(plan, draft, login):
    coordinator, reporter = user(COORDINATOR), user(COUNTY_REPORTER)
    workflow.submit(draft, reporter)
    workflow.return_report(draft, coordinator, "请补充培训人数。")

    returned = ProgressReport.objects.get(pk=draft.pk)
    text = page(login, COUNTY_REPORTER, returned)
    assert "退回意见" in text and "请补充培训人数。" in text and "此前被退回过" not in text
    assert ledger_note(plan, returned) == "请补充培训人数。"

    workflow.save_report(
        assignment=draft.assignment, period=draft.period, user=reporter,
        data=dict(TEXT, body="培训1500人次。"), version=returned.version,
    )
    workflow.submit(returned, reporter)
    resubmitted = ProgressReport.objects.get(pk=draft.pk)
    assert (resubmitted.reviewed_at, resubmitted.reviewed_by, resubmitted.review_note) == (None, None, "")
    text = page(login, COORDINATOR, resubmitted)
    assert "审核意见：" not in text and "<dt>审核</dt>" not in text  # not shown as reviewed
    assert "此前被退回过 1 次" in text and "本次报送尚未审核" in text
    history = text[text.index("修改记录"):]
    assert "退回意见：</strong>请补充培训人数。" in history  # the earlier note is history
    assert ledger_note(plan, resubmitted) == ""

    workflow.accept(resubmitted, coordinator, note="内容翔实。")
    accepted = ProgressReport.objects.get(pk=draft.pk)
    text = page(login, COUNTY_REPORTER, accepted)
    assert "审核意见：</strong>内容翔实。" in text and "<dt>审核</dt>" in text
    assert ledger_note(plan, accepted) == "内容翔实。"


def test_the_migration_mends_the_labels_stored_before(approval_on, county, period, plan):
    """Rows the old workflow wrote: a resubmission keeping the return's review, an approval "lost" by a submit,
    an approval ended by a return, and an approval followed by an edit (which must stay unapproved)."""
    from tasks.models import ReportingPeriod

    reporter, approver, coordinator = user(COUNTY_REPORTER), user(APPROVER), user(COORDINATOR)
    others = [
        ReportingPeriod.objects.create(
            plan=plan, name=f"旧数据{n}", starts_on=period.starts_on, ends_on=period.ends_on, due_on=period.due_on
        )
        for n in range(3)
    ]
    resubmitted, submitted_approved, returned_approved, edited = [
        workflow.save_report(assignment=county, period=p, user=reporter, data=TEXT) for p in [period, *others]
    ]
    for report in (resubmitted, submitted_approved, returned_approved):
        workflow.approve(report, approver)
        workflow.submit(report, reporter)
    workflow.return_report(returned_approved, coordinator, "请修改。")
    workflow.approve(edited, approver)
    workflow.save_report(assignment=county, period=others[2], user=reporter, data=dict(TEXT, body="改。"), version=1)
    # what the old workflow stored
    ProgressReport.objects.filter(pk=resubmitted.pk).update(
        reviewed_at=ReportEvent.objects.filter(report=resubmitted).last().at, reviewed_by=coordinator,
        review_note="旧的退回意见",
    )
    ProgressReport.objects.filter(pk=submitted_approved.pk).update(approved_version=1)
    ProgressReport.objects.filter(pk=returned_approved.pk).update(
        approved_version=1, approved_by=approver, approved_at=resubmitted.created_at
    )

    migration = importlib.import_module("tasks.migrations.0004_true_review_labels")
    migration.forwards(apps, None)

    def get(report):
        return ProgressReport.objects.get(pk=report.pk)

    assert (get(resubmitted).reviewed_at, get(resubmitted).review_note) == (None, "")
    assert get(submitted_approved).is_approved
    assert get(returned_approved).approved_version is None and get(returned_approved).approved_by is None
    assert get(edited).approved_version == 1 and not get(edited).is_approved
