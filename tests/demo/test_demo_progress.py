"""The demo's progress (demo/demo_progress.py) as `load_demo` leaves it in the test database.

The session loads the demo once (tests/conftest.py), progress included; these tests read what it wrote —
states in the promised shares, a complete and ordered history for every report, Chinese texts of the
promised lengths, 2022 dates — and run the loader again, on the demo plan (nothing happens) and on small
fresh plans (the same seed gives the same data).
"""

import datetime
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo import demo_progress
from demo.demo_progress import FULL_YEAR, MID_YEAR, gather, load_progress, make_script, read_json
from notifications.models import Notification
from tasks.models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
    ReportEvent,
    ReportingPeriod,
    Section,
    Task,
    WorkPlan,
)
from tests.conftest import COORDINATOR, COUNTY_REPORTER, PASSWORD
from units.models import Membership, Unit, User

pytestmark = pytest.mark.django_db

State = ProgressReport.State
Action = ReportEvent.Action
DEMO = read_json("demo.json")
DEMO_UNITS = demo_progress.demo_unit_names(DEMO)
MATERIAL = read_json(demo_progress.MATERIAL_FILE)
SIFAJU = "聊城市司法局"
DONGCHANGFU = "聊城市东昌府区人民政府"
CJK = re.compile(r"[\u4e00-\u9fff]")


def reports_of(plan, period=None):
    reports = ProgressReport.objects.filter(period__plan=plan).select_related(
        "assignment__unit", "assignment__task", "period"
    )
    return reports.filter(period__name=period) if period else reports


def events_by_report(reports):
    events = {}
    for event in ReportEvent.objects.filter(report__in=reports).select_related("actor").order_by("report_id", "pk"):
        events.setdefault(event.report_id, []).append(event)
    return events


def share(count, total):
    return count / total


def local(moment):
    return timezone.localtime(moment)


# --- people and receipts ------------------------------------------------------------------------------------


def test_every_unit_of_the_plan_has_a_reporter_and_the_liaisons_are_numbered_by_unit(plan):
    units = list(Unit.objects.filter(assignments__task__plan=plan).distinct().order_by("order", "name"))
    others = [unit for unit in units if unit.name not in DEMO_UNITS]
    assert len(DEMO_UNITS) == 5 and len(others) == len(units) - 5
    reporters = Membership.objects.filter(role=Membership.Role.REPORTER, user__is_active=True)
    assert {unit.pk for unit in units} <= set(reporters.values_list("unit_id", flat=True))

    for n, unit in enumerate(others, start=1):
        liaison = User.objects.get(username=f"liaison{n:03d}")
        assert liaison.full_name == f"{unit.short_name or unit.name}联络员"
        assert list(liaison.memberships.values_list("unit_id", "role")) == [(unit.pk, "reporter")]
    assert not User.objects.filter(username=f"liaison{len(others) + 1:03d}").exists()
    assert User.objects.get(username="liaison001").check_password(PASSWORD)


def test_about_nine_in_ten_assignments_are_signed_for_a_few_contested_the_rest_pending(plan):
    assignments = Assignment.objects.filter(task__plan=plan)
    receipts = Counter(assignments.values_list("receipt", flat=True))
    total = assignments.count()
    assert 0.88 <= share(receipts["confirmed"], total) <= 0.92
    assert receipts["contested"] in (2, 3)
    assert receipts["pending"] == total - receipts["confirmed"] - receipts["contested"] > 0

    for assignment in assignments.filter(receipt="contested").select_related("unit", "receipt_by"):
        assert "建议调整为" in assignment.receipt_note and "市" in assignment.receipt_note
        assert assignment.receipt_by.memberships.filter(unit=assignment.unit, role="reporter").exists()
        [event] = AssignmentEvent.objects.filter(assignment=assignment)
        assert (event.action, event.comment, event.actor) == ("contest", assignment.receipt_note, assignment.receipt_by)
        assert not assignment.reports.exists()

    confirmed = AssignmentEvent.objects.filter(assignment__task__plan=plan, action="confirm")
    assert confirmed.count() == receipts["confirmed"]
    # a unit that wrote a report has signed for the assignment; a pending one has no history at all
    reported = assignments.filter(reports__isnull=False).distinct()
    assert set(reported.values_list("receipt", flat=True)) == {"confirmed"}
    pending = assignments.filter(receipt="pending")
    assert not AssignmentEvent.objects.filter(assignment__in=pending).exists()
    assert not ProgressReport.objects.filter(assignment__in=pending).exists()


def test_two_extension_requests_wait_one_of_them_dongchangfus(plan):
    requests = ExtensionRequest.objects.filter(assignment__task__plan=plan).select_related(
        "assignment__unit", "requested_by"
    )
    assert requests.count() == 2
    assert {r.state for r in requests} == {ExtensionRequest.State.PENDING}
    by_unit = {r.assignment.unit.name: r for r in requests}
    assert by_unit[DONGCHANGFU].requested_by.username == COUNTY_REPORTER
    [other] = [r for name, r in by_unit.items() if name != DONGCHANGFU]
    assert other.assignment.unit.name not in DEMO_UNITS and other.requested_by.username.startswith("liaison")
    for request in requests:
        assert request.new_deadline > request.old_deadline == request.assignment.deadline
        assert request.reason
        assert AssignmentEvent.objects.filter(assignment=request.assignment, action="extension_request").count() == 1


# --- states ---------------------------------------------------------------------------------------------------


def test_the_first_half_year_has_every_state_in_the_promised_shares(plan):
    total = Assignment.objects.filter(task__plan=plan).count()
    reports = reports_of(plan, MID_YEAR)
    returned_once = set(
        ReportEvent.objects.filter(report__in=reports, action=Action.RETURN).values_list("report_id", flat=True)
    )
    states = Counter(reports.values_list("state", flat=True))
    fresh_submitted = reports.filter(state=State.SUBMITTED).exclude(pk__in=returned_once).count()

    assert 0.52 <= share(states[State.ACCEPTED], total) <= 0.58
    assert 0.13 <= share(fresh_submitted, total) <= 0.17  # waiting for review, first time
    assert 0.08 <= share(len(returned_once), total) <= 0.12  # returned with a note …
    resubmitted = reports.filter(pk__in=returned_once, state=State.SUBMITTED).count()
    assert 0 < resubmitted < len(returned_once)  # … some of them resubmitted since
    assert states[State.RETURNED] == len(returned_once) - resubmitted
    assert 0.03 <= share(states[State.DRAFT], total) <= 0.07
    assert 0.13 <= share(total - reports.count(), total) <= 0.17  # missing
    assert not reports.filter(state=State.ACCEPTED, pk__in=returned_once).exists()


def test_progress_is_mostly_on_track_with_some_done_and_some_behind(plan):
    for period in (MID_YEAR, FULL_YEAR):
        progress = Counter(reports_of(plan, period).values_list("progress", flat=True))
        assert progress[ProgressReport.Progress.NOT_STARTED] == 0
        assert progress[ProgressReport.Progress.DONE] and progress[ProgressReport.Progress.BEHIND]
    mid = Counter(reports_of(plan, MID_YEAR).values_list("progress", flat=True))
    assert mid.most_common(1)[0][0] == ProgressReport.Progress.ON_TRACK
    full = Counter(reports_of(plan, FULL_YEAR).values_list("progress", flat=True))
    assert full.most_common(1)[0][0] == ProgressReport.Progress.DONE


def test_the_full_year_has_begun_without_the_units_that_have_demo_log_ins(plan):
    total = Assignment.objects.filter(task__plan=plan).count()
    reports = reports_of(plan, FULL_YEAR)
    assert not reports.filter(assignment__unit__name__in=DEMO_UNITS).exists()
    states = Counter(reports.values_list("state", flat=True))
    assert 0.17 <= share(states[State.SUBMITTED] + states[State.ACCEPTED], total) <= 0.23
    assert states[State.SUBMITTED] and states[State.ACCEPTED]
    assert 0 < states[State.DRAFT] <= 0.05 * total
    assert states[State.RETURNED] == 0
    # a unit reports the year on an assignment whose half-year report was accepted
    mid_states = dict(reports_of(plan, MID_YEAR).values_list("assignment_id", "state"))
    for report in reports.exclude(state=State.DRAFT):
        assert mid_states[report.assignment_id] == State.ACCEPTED


def test_the_units_with_demo_log_ins_have_a_mix_of_states_and_untouched_assignments(plan):
    mid = reports_of(plan, MID_YEAR)
    for name in DEMO_UNITS:
        states = set(mid.filter(assignment__unit__name=name).values_list("state", flat=True))
        assert {State.ACCEPTED, State.SUBMITTED, State.RETURNED, State.DRAFT} <= states, name
    for name in (SIFAJU, DONGCHANGFU):
        assert mid.filter(assignment__unit__name=name, state=State.RETURNED).exists()
    for entry in MATERIAL["untouched"]:
        assignment = Assignment.objects.get(task__plan=plan, task__number=entry["task"], unit__name=entry["unit"])
        assert assignment.receipt == Assignment.Receipt.PENDING and assignment.receipt_at is None
        assert not assignment.reports.exists() and not assignment.events.exists()
        assert not assignment.extension_requests.exists()


# --- history --------------------------------------------------------------------------------------------------


def test_every_report_has_its_whole_history_in_order(plan):
    reports = list(reports_of(plan))
    events = events_by_report(reports)
    coordinator = User.objects.get(username=COORDINATOR)
    reporters = {}
    for unit_id, user_id in Membership.objects.filter(role="reporter").values_list("unit_id", "user_id"):
        reporters.setdefault(unit_id, set()).add(user_id)
    required = {
        State.DRAFT: set(),
        State.SUBMITTED: {Action.SUBMIT},
        State.ACCEPTED: {Action.SUBMIT, Action.ACCEPT},
        State.RETURNED: {Action.SUBMIT, Action.RETURN},
    }
    edited = 0
    for report in reports:
        trail = events[report.pk]
        assert trail[0].action == Action.CREATE and (trail[0].from_state, trail[0].to_state) == ("", State.DRAFT)
        assert required[report.state] <= {event.action for event in trail}
        state, version, at = State.DRAFT, 0, None
        for event in trail:
            if event.action != Action.CREATE:
                assert event.from_state == state, (report.pk, event.action)
            state = event.to_state
            assert event.version > version and (at is None or event.at > at), report.pk
            version, at = event.version, event.at
            unit_side = event.action in (Action.CREATE, Action.EDIT, Action.SUBMIT)
            if unit_side:
                assert event.actor_id in reporters[report.assignment.unit_id]
            else:
                assert event.actor == coordinator
            edited += event.action == Action.EDIT
        assert (state, version) == (report.state, report.version)
        submits = [e.at for e in trail if e.action == Action.SUBMIT]
        rounds = [e for e in trail if e.action in (Action.SUBMIT, Action.ACCEPT, Action.RETURN)]
        # the review fields hold the review that decided the current state; a resubmission has none yet
        decided = rounds[-1] if rounds and rounds[-1].action != Action.SUBMIT else None
        assert report.created_at == trail[0].at and report.updated_at == trail[-1].at
        assert report.submitted_at == (submits[-1] if submits else None)
        assert report.reviewed_at == (decided.at if decided else None)
        if decided:
            assert report.reviewed_by == coordinator and report.review_note == decided.comment
        else:
            assert (report.reviewed_by, report.review_note) == (None, "")
    assert edited  # some reports were completed or revised by an edit


def test_returned_reports_carry_the_coordinators_note(plan):
    returns = ReportEvent.objects.filter(report__period__plan=plan, action=Action.RETURN).select_related("report")
    assert returns.exists()
    for event in returns:
        assert len(event.comment) >= 8 and CJK.search(event.comment)
        assert event.comment in MATERIAL["return_notes"]
    for report in reports_of(plan).filter(state=State.RETURNED):
        assert report.review_note and report.review_note in MATERIAL["return_notes"]
    # a resubmitted report was revised after the return: the edit adds to the body
    revised = ReportEvent.objects.filter(
        report__period__plan=plan, action=Action.EDIT, from_state=State.RETURNED
    ).select_related("report")
    assert revised.exists()
    for event in revised:
        assert "审核意见" in event.changes["body"] or "补充" in event.changes["body"]


def test_the_coordinator_is_told_of_what_waits_and_read_the_rest(plan):
    coordinator = User.objects.get(username=COORDINATOR)
    unread = Notification.objects.filter(recipient=coordinator, read_at__isnull=True).count()
    waiting = reports_of(plan).filter(state=State.SUBMITTED).count()
    contested = Assignment.objects.filter(task__plan=plan, receipt="contested").count()
    extensions = ExtensionRequest.objects.filter(assignment__task__plan=plan, state="pending").count()
    assert unread == waiting + contested + extensions
    read = Notification.objects.filter(recipient=coordinator, read_at__isnull=False)
    assert read.exists() and all(n.read_at > n.created_at for n in read)


# --- texts ----------------------------------------------------------------------------------------------------


def test_texts_are_chinese_mention_the_unit_and_the_task_and_have_the_promised_lengths(plan):
    reports = list(reports_of(plan))
    assert len(reports) > 600
    for report in reports:
        unit, task = report.assignment.unit, report.assignment.task
        assert 300 <= len(report.body) <= 900, report.pk
        assert unit.name in report.body or unit.short_name in report.body
        assert task.title.rstrip("。") in report.body
        assert "一是" in report.body and "二是" in report.body
        for text in (report.problems, report.next_steps):
            if text or report.state != State.DRAFT:  # a draft may not have them yet
                assert 60 <= len(text) <= 200, report.pk
        for text in (report.body, report.problems, report.next_steps):
            assert not re.search(r"[A-Za-z{}]", text), text  # no placeholder left, no English
            assert len(CJK.findall(text)) >= 0.75 * len(text)
    bodies = [report.body for report in reports]
    assert len(set(bodies)) == len(bodies)


def test_all_dates_are_in_2022_around_each_periods_due_date(plan):
    year = datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)
    moments = []
    for report in reports_of(plan):
        moments += [report.created_at, report.updated_at, report.submitted_at, report.reviewed_at]
    moments += ReportEvent.objects.filter(report__period__plan=plan).values_list("at", flat=True)
    moments += AssignmentEvent.objects.filter(assignment__task__plan=plan).values_list("at", flat=True)
    moments += Assignment.objects.filter(task__plan=plan).values_list("receipt_at", flat=True)
    moments += ExtensionRequest.objects.filter(assignment__task__plan=plan).values_list("requested_at", flat=True)
    moments += Notification.objects.values_list("created_at", flat=True)
    moments = [local(m) for m in moments if m is not None]
    assert len(moments) > 5000
    assert all(year[0] <= m.date() <= year[1] for m in moments)
    assert all(8 <= m.hour <= 19 for m in moments)  # office hours, Beijing time

    for period in ReportingPeriod.objects.filter(plan=plan):
        submitted = [local(r.submitted_at).date() for r in reports_of(plan, period.name).exclude(submitted_at=None)]
        late = sum(day > period.due_on for day in submitted)
        assert 0 < late < 0.3 * len(submitted)  # most on time, some a few days late
        assert all(period.due_on - datetime.timedelta(days=20) <= day for day in submitted)
        assert all(day <= period.due_on + datetime.timedelta(days=30) for day in submitted)  # resubmissions
        assert all(local(r.created_at).date() >= period.starts_on for r in reports_of(plan, period.name))
    plan_issued = plan.issued_on
    receipts = Assignment.objects.filter(task__plan=plan).exclude(receipt_at=None).values_list("receipt_at", flat=True)
    assert all(local(at).date() > plan_issued for at in receipts)


# --- running it again, determinism ----------------------------------------------------------------------------


def counts():
    models = [ProgressReport, ReportEvent, AssignmentEvent, ExtensionRequest, Notification, User, Membership]
    return {model.__name__: model.objects.count() for model in models} | {
        "receipts": sorted(Assignment.objects.values_list("pk", "receipt", "receipt_at"))
    }


def test_running_load_demo_again_changes_nothing(plan):
    before = counts()
    out = io.StringIO()
    call_command("load_demo", "--fixed-year", stdout=out)  # the live year: tests/demo/test_load_demo.py
    assert counts() == before
    assert "演示进展" in out.getvalue() and "未重复载入" in out.getvalue()
    assert "liaison" not in out.getvalue()  # the liaisons are not offered in the log-in list

    summary = load_progress(plan)
    assert summary.skipped and summary.existing_reports == before["ProgressReport"] and summary.liaisons == 0
    assert counts() == before


def test_the_script_is_deterministic_and_is_what_was_loaded(plan):
    context = gather(plan)
    script = make_script(context, MATERIAL)
    assert make_script(gather(plan), read_json(demo_progress.MATERIAL_FILE)).digest() == script.digest()
    assert make_script(context, MATERIAL, seed=demo_progress.SEED + 1).digest() != script.digest()

    stored = {(r.assignment_id, r.period.name): r for r in reports_of(plan)}
    assert len(stored) == len(script.reports)
    events = events_by_report(list(stored.values()))
    for item in script.reports:
        report = stored[(item.row.assignment_id, item.period)]
        final = item.final
        assert {key: getattr(report, key) for key in final} == final
        assert [(e.action, e.at) for e in events[report.pk]] == [(s.action, s.at) for s in item.steps]


def copy_plan(plan, doc_number, task_numbers):
    """A fresh active plan with some of the demo plan's tasks, the same units on them, and the two periods."""
    copy = WorkPlan.objects.create(
        year=plan.year, title=f"{plan.title}（测试副本）", doc_number=doc_number, issuer=plan.issuer,
        issued_on=plan.issued_on, status=WorkPlan.Status.ACTIVE,
    )
    sections = {}
    for task in plan.tasks.filter(number__in=task_numbers).select_related("section"):
        if task.section.number not in sections:
            sections[task.section.number] = Section.objects.create(
                plan=copy, number=task.section.number, title=task.section.title
            )
        new = Task.objects.create(
            plan=copy, section=sections[task.section.number], number=task.number, title=task.title,
            content=task.content, deadline=task.deadline,
        )
        Assignment.objects.bulk_create(
            [Assignment(task=new, unit_id=a.unit_id, role=a.role, deadline=a.deadline) for a in task.assignments.all()]
        )
    for period in plan.periods.all():
        ReportingPeriod.objects.create(
            plan=copy, name=period.name, starts_on=period.starts_on, ends_on=period.ends_on, due_on=period.due_on
        )
    return copy


def loaded(plan):
    """What the loader wrote on `plan`, without ids (nor the document number, which differs): texts, states,
    events and their moments."""
    rows = []
    for report in reports_of(plan).order_by("assignment__task__number", "assignment__unit__order", "period__due_on"):
        trail = [(e.action, e.actor_id, e.at) for e in report.events.order_by("pk")]
        rows.append(
            (report.assignment.task.number, report.assignment.unit.name, report.period.name, report.state,
             report.progress, report.body.replace(plan.doc_number, "…"), report.problems, report.next_steps,
             report.review_note, trail)
        )
    receipts = sorted(
        Assignment.objects.filter(task__plan=plan).values_list("task__number", "unit__name", "receipt", "receipt_at")
    )
    return rows, receipts


def test_loading_two_identical_fresh_plans_gives_the_same_progress(plan):
    first = copy_plan(plan, "测试〔2022〕1号", [13, 18])
    second = copy_plan(plan, "测试〔2022〕2号", [13, 18])

    summary = load_progress(first)
    assert not summary.skipped and summary.liaisons == 0
    assert summary.receipts["contest"] == 1  # 市地方金融监管局 on task 13; the other two tasks are not there
    assert load_progress(second).states == summary.states
    assert loaded(first) == loaded(second)
    assert loaded(first)[0]  # something was written

    rows, _ = loaded(first)
    assert {row[2] for row in rows} == {MID_YEAR, FULL_YEAR}
    assert not [row for row in rows if row[2] == FULL_YEAR and row[1] in DEMO_UNITS]
    before = counts()
    assert load_progress(first).skipped  # the second time: nothing
    assert counts() == before


def test_a_plan_that_is_not_active_gets_no_progress(plan):
    draft = copy_plan(plan, "测试〔2022〕3号", [18])
    WorkPlan.objects.filter(pk=draft.pk).update(status=WorkPlan.Status.DRAFT)
    draft.refresh_from_db()
    summary = load_progress(draft)
    assert summary.skipped and summary.existing_reports == 0
    assert not ProgressReport.objects.filter(period__plan=draft).exists()
    assert "不在执行中" in str(summary)


@pytest.mark.parametrize("total", [0, 1, 7, 18, 21, 608])
def test_quotas_add_up_and_follow_the_shares(total):
    counts = demo_progress.quotas(total, demo_progress.MID_YEAR_SHARES)
    assert sum(counts.values()) == total
    for key, value in counts.items():
        assert abs(value - total * demo_progress.MID_YEAR_SHARES[key]) < 1
