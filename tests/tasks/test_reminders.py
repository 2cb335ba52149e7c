"""send_reminders: due and overdue reminders on working days, the coordinators' digest, idempotence, the outbox.

A period of our own on the demo plan, "国庆测试期" due Monday 2022-10-10, right after National Day 2022
(10-01..10-07 off; Saturday 10-08 and Sunday 10-09 are worked), so the demo's own periods (上半年 due 06-25, more
than 30 days before; 全年 due 12-10) never send a due or overdue reminder on the days used here.
"""

import datetime
import io

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, OutboxEmail, SentReminder
from notifications.service import deliver_outbox
from tasks import reminders, workflow
from tasks.models import Assignment, ExtensionRequest, ReportingPeriod, Section, Task, WorkPlan
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, ZONE_REPORTER, user
from units.models import Membership, Unit, User

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
DUE = D("2022-10-10")


class FlakyBackend(locmem.EmailBackend):
    """The in-memory test backend, but the mail server refuses the next `failures` connections' messages."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("测试：邮件服务器不可用")
        return super().send_messages(messages)


@pytest.fixture
def period(plan):
    return ReportingPeriod.objects.create(
        plan=plan, name="国庆测试期", starts_on=D("2022-07-01"), ends_on=D("2022-09-30"), due_on=DUE
    )


@pytest.fixture
def coordinator(db):
    return User.objects.get(username=COORDINATOR)


def unit_of(username):
    return Membership.objects.get(user__username=username, role=Membership.Role.REPORTER).unit


def reporter_units(plan):
    """The units of the plan that have a reporter: the only ones a unit reminder can reach."""
    return set(
        Unit.objects.filter(
            memberships__role=Membership.Role.REPORTER,
            memberships__user__is_active=True,
            assignments__task__plan=plan,
        ).values_list("pk", flat=True)
    )


def reminder_notes(**filters):
    """The due and overdue reminders of 国庆测试期 (the workflow's own notifications name the period too)."""
    return Notification.objects.filter(
        Q(title__startswith="【报送提醒】") | Q(title__startswith="【逾期提醒】"),
        title__contains="国庆测试期",
        **filters,
    )


def run(day, *args):
    out = io.StringIO()
    call_command("send_reminders", "--date", day, *args, stdout=out)
    return out.getvalue()


def keys(prefix):
    return set(SentReminder.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def submit(assignment, period, username, progress="on_track"):
    """The unit's reporter writes and submits its report, through the workflow."""
    reporter = user(username)
    report = workflow.save_report(
        assignment=assignment,
        period=period,
        user=reporter,
        data={"body": "已按计划推进。", "progress": progress},
    )
    return workflow.submit(report, reporter)


@pytest.fixture
def units(plan):
    """The plan's units with an active reporter (the demo gives every unit one)."""
    found = reporter_units(plan)
    assert unit_of(LEAD_REPORTER).pk in found and len(found) >= 5
    return found


@pytest.fixture
def new_notifications(db):
    """The notifications created during the test (the demo's history has many)."""
    mark = Notification.objects.aggregate(mark=Max("pk"))["mark"] or 0
    return lambda: Notification.objects.filter(pk__gt=mark)


# --- due in N working days -------------------------------------------------------------------------------


def test_due_in_3_working_days_on_the_friday_before_national_day(plan, period, units):
    out = run("2022-09-30")
    assert keys(f"due:{period.pk}:") == {f"due:{period.pk}:{unit}:3" for unit in units}
    assert f"到期提醒 {len(units)} 条" in out

    justice = unit_of(LEAD_REPORTER)
    assigned = Assignment.objects.filter(task__plan=plan, unit=justice)
    note = reminder_notes(recipient__username=LEAD_REPORTER).get()
    assert note.title == "【报送提醒】“国庆测试期”还有 3 个工作日截止报送"
    assert f"本单位还有 {assigned.count()} 项任务未报送" in note.body
    first = sorted(assigned.values_list("task__number", flat=True))[:5]
    assert f"第{'、'.join(map(str, first))}项" in note.body
    assert "2022-10-10" in note.body
    assert note.url == f"{reverse('tasks:my_tasks')}?period={period.pk}"
    assert SentReminder.objects.get(key=f"due:{period.pk}:{justice.pk}:3").recipients == 1


def test_nothing_for_the_period_with_4_working_days_left(period):
    run("2022-09-29")
    assert keys(f"due:{period.pk}:") == set()
    assert not reminder_notes().exists()


def test_nothing_at_all_on_a_holiday(period):
    before = Notification.objects.count()
    out = run("2022-10-05")  # 3 working days left, but nobody works today
    assert SentReminder.objects.count() == 0
    assert Notification.objects.count() == before
    assert "到期提醒 0 条，逾期提醒 0 条，每日汇总 0 条" in out


def test_due_in_1_on_the_sunday_that_is_worked(plan, period, units):
    run("2022-09-30")
    run("2022-10-08")  # Saturday, worked: 2 left — not a reminder day
    assert keys(f"due:{period.pk}:") == {f"due:{period.pk}:{unit}:3" for unit in units}
    out = run("2022-10-09")
    assert keys(f"due:{period.pk}:") == {f"due:{period.pk}:{unit}:{n}" for unit in units for n in (3, 1)}
    assert f"到期提醒 {len(units)} 条" in out
    assert Notification.objects.filter(
        recipient__username=COUNTY_REPORTER, title="【报送提醒】“国庆测试期”还有 1 个工作日截止报送"
    ).exists()


def test_the_reminder_days_come_from_settings(plan, period, units, settings):
    settings.REMINDER_WORKDAYS = (2,)
    run("2022-09-30")
    assert keys(f"due:{period.pk}:") == set()
    run("2022-10-08")
    assert keys(f"due:{period.pk}:") == {f"due:{period.pk}:{unit}:2" for unit in units}


# --- overdue ---------------------------------------------------------------------------------------------


def test_overdue_the_day_after_the_due_date(plan, period, units):
    out = run("2022-10-11")
    assert keys(f"overdue:{period.pk}:") == {f"overdue:{period.pk}:{unit}:2022-10-11" for unit in units}
    assert f"逾期提醒 {len(units)} 条" in out
    note = reminder_notes(recipient__username=ZONE_REPORTER).get()
    assert note.title == "【逾期提醒】“国庆测试期”已过报送截止日期"
    assert "已逾期 1 个工作日" in note.body


def test_overdue_once_per_working_day_and_never_on_a_weekend(plan, period, units):
    run("2022-10-14")  # Friday: 4 working days late
    run("2022-10-15")  # Saturday
    run("2022-10-16")  # Sunday
    assert {key.rsplit(":", 1)[1] for key in keys(f"overdue:{period.pk}:")} == {"2022-10-14"}
    run("2022-10-17")
    assert {key.rsplit(":", 1)[1] for key in keys(f"overdue:{period.pk}:")} == {"2022-10-14", "2022-10-17"}
    latest = reminder_notes(recipient__username=LEAD_REPORTER).first()
    assert "已逾期 5 个工作日" in latest.body


def test_no_overdue_reminder_more_than_30_days_after_the_due_date(period, units):
    assert reminders.OVERDUE_REMINDER_DAYS == 30
    run("2022-11-09")  # Wednesday, 30 days after
    assert len(keys(f"overdue:{period.pk}:")) == len(units)
    run("2022-11-10")  # Thursday, 31 days after
    assert {key.rsplit(":", 1)[1] for key in keys(f"overdue:{period.pk}:")} == {"2022-11-09"}


# --- who is reminded -------------------------------------------------------------------------------------


def test_a_unit_that_has_reported_gets_no_reminder(plan, period, units, coordinator):
    justice = unit_of(LEAD_REPORTER)
    assigned = list(Assignment.objects.filter(task__plan=plan, unit=justice).order_by("task__number"))
    for assignment in assigned[:-1]:
        submit(assignment, period, LEAD_REPORTER)
    last = assigned[-1]
    report = submit(last, period, LEAD_REPORTER)
    workflow.accept(report, coordinator)  # accepted counts as reported too

    county = unit_of(COUNTY_REPORTER)
    county_assigned = list(Assignment.objects.filter(task__plan=plan, unit=county).order_by("task__number"))
    submit(county_assigned[0], period, COUNTY_REPORTER)  # one reported
    workflow.save_report(  # a draft is not reported
        assignment=county_assigned[1], period=period, user=user(COUNTY_REPORTER), data={"body": "草稿"}
    )

    run("2022-09-30")
    sent = keys(f"due:{period.pk}:")
    assert f"due:{period.pk}:{justice.pk}:3" not in sent
    assert f"due:{period.pk}:{county.pk}:3" in sent
    assert len(sent) == len(units) - 1
    assert not reminder_notes(recipient__username=LEAD_REPORTER).exists()
    note = reminder_notes(recipient__username=COUNTY_REPORTER).get()
    assert f"本单位还有 {len(county_assigned) - 1} 项任务未报送" in note.body
    assert f"第{county_assigned[0].task.number}、" not in note.body  # the reported task is not listed


def test_a_returned_report_is_not_reported(plan, period, coordinator):
    zone = unit_of(ZONE_REPORTER)
    assigned = list(Assignment.objects.filter(task__plan=plan, unit=zone))
    for assignment in assigned:
        report = submit(assignment, period, ZONE_REPORTER)
    workflow.return_report(report, coordinator, "请补充具体数据。")
    run("2022-10-11")
    note = reminder_notes(recipient__username=ZONE_REPORTER).get()
    assert "本单位还有 1 项任务未报送" in note.body
    assert f"（第{report.assignment.task.number}项）" in note.body


def test_a_locked_period_gets_no_reminders(period, coordinator):
    workflow.set_period_locked(period, coordinator, True)
    run("2022-09-30")
    run("2022-10-11")
    assert keys(f"due:{period.pk}:") == keys(f"overdue:{period.pk}:") == set()
    assert not reminder_notes().exists()


def test_a_plan_that_is_not_active_gets_no_reminders(plan, period, units):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    out = run("2022-10-11")
    assert SentReminder.objects.count() == 0
    assert "到期提醒 0 条，逾期提醒 0 条，每日汇总 0 条" in out


def test_inactive_reporters_are_not_reminded(plan, period, units):
    zone = unit_of(ZONE_REPORTER)
    User.objects.filter(memberships__unit=zone, memberships__role=Membership.Role.REPORTER).update(
        is_active=False
    )
    run("2022-09-30")
    assert keys(f"due:{period.pk}:") == {f"due:{period.pk}:{unit}:3" for unit in units if unit != zone.pk}


# --- idempotence and dry run -----------------------------------------------------------------------------


def test_running_twice_on_one_day_sends_nothing_the_second_time(
    period, units, django_capture_on_commit_callbacks
):
    User.objects.filter(username=LEAD_REPORTER).update(email="sifaju@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        first = run("2022-09-30")
    assert f"到期提醒 {len(units)} 条" in first
    notes, sent, outbox = Notification.objects.count(), SentReminder.objects.count(), len(mail.outbox)
    assert [m.to for m in mail.outbox] == [["sifaju@example.com"]]
    assert "国庆测试期" in mail.outbox[0].subject
    assert f"?period={period.pk}" in mail.outbox[0].body  # the link, made absolute with SITE_URL

    with django_capture_on_commit_callbacks(execute=True):
        second = run("2022-09-30")
    assert "到期提醒 0 条，逾期提醒 0 条，每日汇总 0 条，补发邮件 0 封（待重试 0 封，发送失败 0 封）。" in second
    assert (Notification.objects.count(), SentReminder.objects.count(), len(mail.outbox)) == (
        notes,
        sent,
        outbox,
    )


def test_a_reminder_another_run_sent_meanwhile_is_skipped(plan, period, units, monkeypatch):
    """Two runs at once: the other one records the key between our check and our insert; ours sends nothing."""
    real_unit_users = reminders.unit_users

    def other_run_first(unit_id):
        SentReminder.objects.create(key=f"due:{period.pk}:{unit_id}:3", recipients=1)
        return real_unit_users(unit_id)

    monkeypatch.setattr(reminders, "unit_users", other_run_first)
    before = Notification.objects.count()
    result = reminders.send_reminders(D("2022-09-30"))
    assert result.sent[reminders.Kind.DUE] == 0
    assert not reminder_notes().exists()
    assert len(keys(f"due:{period.pk}:")) == len(units)  # the other run's rows, untouched
    assert Notification.objects.count() == before + result.sent[reminders.Kind.DIGEST]


def test_dry_run_lists_and_records_nothing(plan, period, units, new_notifications):
    out = run("2022-09-30", "--dry-run")
    assert "试运行" in out and f"到期提醒 {len(units)} 条" in out
    justice = unit_of(LEAD_REPORTER)
    assert f"due:{period.pk}:{justice.pk}:3" in out
    assert "赵磊" in out  # the reporter it would go to
    assert SentReminder.objects.count() == 0
    assert not new_notifications().exists()
    assert f"到期提醒 {len(units)} 条" in run("2022-09-30")  # the real run still sends them


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("2022-10-32")


def test_without_a_date_it_runs_for_today(period):
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert "补发邮件" in out.getvalue()
    assert SentReminder.objects.count() == 0


# --- the coordinators' digest ----------------------------------------------------------------------------


@pytest.fixture
def small_plan(plan, coordinator):
    """A plan of three tasks, the demo plan closed so that only this one counts.

    1: 市司法局 lead, 东昌府区 responsible; 2: 市司法局 lead, 测试单位 (no reporter) responsible; 3: 东昌府区 lead.
    Period 测试期 due 2022-10-10 is open; period 已锁定期 due 2022-09-01 is locked.
    """
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    small = WorkPlan.objects.create(
        year=2022, title="测试计划", doc_number="测试〔2022〕1号", status=WorkPlan.Status.ACTIVE
    )
    section = Section.objects.create(plan=small, number=1, title="测试部分")
    tasks = [
        Task.objects.create(plan=small, section=section, number=n, title=f"测试任务{n}", content="内容")
        for n in (1, 2, 3)
    ]
    justice, county = unit_of(LEAD_REPORTER), unit_of(COUNTY_REPORTER)
    nobody = Unit.objects.create(name="测试单位（无联络员）", short_name="测试单位")
    lead, responsible = Assignment.Role.LEAD, Assignment.Role.RESPONSIBLE
    rows = [
        (0, justice, lead),
        (0, county, responsible),
        (1, justice, lead),
        (1, nobody, responsible),
        (2, county, lead),
    ]
    assignments = [Assignment.objects.create(task=tasks[i], unit=unit, role=role) for i, unit, role in rows]
    open_period = ReportingPeriod.objects.create(
        plan=small, name="测试期", starts_on=D("2022-07-01"), ends_on=D("2022-09-30"), due_on=DUE
    )
    locked = ReportingPeriod.objects.create(
        plan=small,
        name="已锁定期",
        starts_on=D("2022-07-01"),
        ends_on=D("2022-08-31"),
        due_on=D("2022-09-01"),
    )
    workflow.set_period_locked(locked, coordinator, True)
    return small, assignments, open_period


def test_digest_counts(small_plan, coordinator, new_notifications):
    small, (j1, c1, j2, n2, c3), open_period = small_plan
    submit(j1, open_period, LEAD_REPORTER)
    workflow.accept(submit(j2, open_period, LEAD_REPORTER), coordinator)  # 市司法局 has reported everything
    workflow.save_report(assignment=c1, period=open_period, user=user(COUNTY_REPORTER), data={"body": "草稿"})
    workflow.contest(c3, user(COUNTY_REPORTER), "这项任务不属于本单位职责。")
    workflow.request_extension(j2, user(LEAD_REPORTER), D("2022-12-31"), "需要更多时间。")
    refused = workflow.request_extension(j1, user(LEAD_REPORTER), D("2022-12-31"), "需要更多时间。")
    workflow.decide_extension(refused, coordinator, grant=False, note="不同意。")
    assert (
        ExtensionRequest.objects.filter(
            state=ExtensionRequest.State.PENDING, assignment__task__plan=small
        ).count()
        == 1
    )

    out = run("2022-10-11")
    assert "每日汇总 1 条" in out
    assert keys("digest:") == {f"digest:{coordinator.pk}:2022-10-11"}  # the one coordinator
    digest = new_notifications().get(recipient=coordinator, title__startswith="【每日汇总】")
    assert digest.title == "【每日汇总】2022-10-11 待办事项"
    assert digest.url == reverse("tasks:review_queue")
    assert digest.body.splitlines() == [
        "测试计划",
        "待审核报告：1 份",  # j1 submitted; j2 accepted
        "逾期未报送单位：2 个",  # 东昌府区 (a draft and nothing) and 测试单位; not the locked period's
        "  “测试期”（2022-10-10截止）2 个单位",
        "分工异议待处理：1 项",
        "延期申请待审批：1 份",  # the refused one does not count
    ]
    # 东昌府区 is reminded of its 2 tasks; 测试单位 has nobody to remind; 市司法局 has reported
    assert keys(f"overdue:{open_period.pk}:") == {
        f"overdue:{open_period.pk}:{unit_of(COUNTY_REPORTER).pk}:2022-10-11"
    }

    run("2022-10-11")
    assert new_notifications().filter(recipient=coordinator, title__startswith="【每日汇总】").count() == 1
    run("2022-10-12")
    assert keys("digest:") == {f"digest:{coordinator.pk}:{day}" for day in ("2022-10-11", "2022-10-12")}


def test_no_digest_when_there_is_nothing_to_do(small_plan, coordinator, new_notifications):
    run("2022-09-30")  # before the due date, nothing submitted, contested or asked
    assert keys("digest:") == set()
    assert not new_notifications().filter(recipient=coordinator).exists()


def test_no_digest_on_a_day_off(small_plan, coordinator):
    run("2022-10-15")  # Saturday; units are overdue
    assert keys("digest:") == set()


def test_locked_periods_are_not_overdue_in_the_digest(small_plan, coordinator):
    small, _, open_period = small_plan
    workflow.set_period_locked(open_period, coordinator, True)
    run("2022-10-11")
    assert keys("digest:") == set()


def test_a_digest_for_each_coordinator(small_plan, coordinator, django_user_model):
    second = django_user_model.objects.create(username="coordinator2", full_name="第二统筹")
    second.groups.add(*coordinator.groups.all())
    run("2022-10-11")
    assert keys("digest:") == {f"digest:{u.pk}:2022-10-11" for u in (coordinator, second)}


# --- the e-mail outbox ----------------------------------------------------------------------------------------


def test_a_failed_email_is_sent_again_exactly_once(
    plan, period, units, coordinator, settings, django_capture_on_commit_callbacks, new_notifications
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 1
    User.objects.filter(pk=coordinator.pk).update(email="coordinator@example.com")
    assignment = Assignment.objects.filter(task__plan=plan, unit=unit_of(LEAD_REPORTER)).first()
    with django_capture_on_commit_callbacks(execute=True):
        submit(assignment, period, LEAD_REPORTER)  # tells the coordinator; the mail server is down
    note = new_notifications().get(recipient=coordinator, title__startswith="新报送")
    email = OutboxEmail.objects.get(notification=note)
    assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 0)  # the request only wrote it
    deliver_outbox()  # the worker's first attempt fails
    assert note.emailed_at is None and mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 1)

    with django_capture_on_commit_callbacks(execute=True):
        out = run("2022-10-05")  # within the back-off: not due yet
    assert "补发邮件 0 封" in out and mail.outbox == []

    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())  # a minute later
    with django_capture_on_commit_callbacks(execute=True):
        out = run("2022-10-05")  # a holiday: no reminders, only the outbox
    assert "补发邮件 1 封（待重试 0 封，发送失败 0 封）" in out
    assert [(m.to, m.subject) for m in mail.outbox] == [(["coordinator@example.com"], note.title)]
    note.refresh_from_db()
    assert note.emailed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        out = run("2022-10-05")
    assert "补发邮件 0 封" in out
    assert len(mail.outbox) == 1


def test_dry_run_retries_no_email(
    plan, period, coordinator, settings, django_capture_on_commit_callbacks, new_notifications
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 1
    User.objects.filter(pk=coordinator.pk).update(email="coordinator@example.com")
    assignment = Assignment.objects.filter(task__plan=plan, unit=unit_of(LEAD_REPORTER)).first()
    with django_capture_on_commit_callbacks(execute=True):
        submit(assignment, period, LEAD_REPORTER)
        run("2022-10-05", "--dry-run")
    assert mail.outbox == []
    note = new_notifications().get(recipient=coordinator, title__startswith="新报送")
    assert note.emailed_at is None
    OutboxEmail.objects.filter(notification=note).update(next_attempt_at=timezone.now())  # due again
    run("2022-10-05", "--dry-run")
    assert mail.outbox == []
    assert OutboxEmail.objects.get(notification=note).status == OutboxEmail.Status.PENDING


# --- queries ---------------------------------------------------------------------------------------------


def grow(plan, extra_tasks):
    """More tasks, each assigned to every unit the plan already has: more assignments, the same units."""
    section = plan.sections.first()
    unit_ids = sorted(set(Assignment.objects.filter(task__plan=plan).values_list("unit_id", flat=True)))
    start = plan.tasks.order_by("-number").first().number + 1
    tasks = Task.objects.bulk_create(
        Task(plan=plan, section=section, number=n, title=f"增加的任务{n}", content="内容")
        for n in range(start, start + extra_tasks)
    )
    Assignment.objects.bulk_create(
        Assignment(task=task, unit_id=unit_id, role=Assignment.Role.RESPONSIBLE)
        for task in tasks
        for unit_id in unit_ids
    )
    return len(tasks) * len(unit_ids)


def count_queries(day):
    with CaptureQueriesContext(connection) as queries:
        result = reminders.send_reminders(D(day))
    return len(queries), result


def test_the_number_of_queries_does_not_grow_with_the_assignments(plan, period, units):
    small_count, small = count_queries("2022-10-11")
    assert small.sent[reminders.Kind.OVERDUE] == len(units) and small.sent[reminders.Kind.DIGEST] == 1
    SentReminder.objects.all().delete()

    assert grow(plan, 40) > 1500  # about 600 assignments become well over 2,000
    large_count, large = count_queries("2022-10-11")
    assert large.sent == small.sent
    assert large_count == small_count
    # per reminder sent: its recipients and its writes (a savepoint in tests), nothing per assignment
    assert small_count <= 15 + 5 * sum(small.sent.values())

    again, _ = count_queries("2022-10-11")  # everything already sent: a handful of queries
    assert again <= 12
