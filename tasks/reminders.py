"""The daily reminders (run by `manage.py send_reminders` from cron).

On a working day:
- "due in N working days" (N in settings.REMINDER_WORKDAYS) to each unit with unreported tasks in a period;
- "overdue" once per working day to each unit that missed a period's due date (for OVERDUE_REMINDER_DAYS
  calendar days after it);
- a digest to each coordinator: reports to review, overdue units, contested assignments, pending extension
  requests, per active plan.
Then the e-mail outbox is drained (`notifications.service.deliver_outbox`: e-mails that failed earlier and are due again).

Only active plans and periods that are not locked count. An assignment has reported for a period when its
report for that period is submitted or accepted.

Every reminder has a key saying what and for when (`due:{period}:{unit}:{N}`, `overdue:{period}:{unit}:{day}`,
`digest:{user}:{day}`). The key is written to `SentReminder` (unique) in the same transaction as the
notifications, before them: a second run on the same day — or two runs at once — skips what is already there.

Queries: the calendar once, the open periods once, their assignments and reports once each, the digest's
counts once each — then per reminder sent, its recipients and its writes. Nothing per assignment.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import SentReminder
from notifications.service import Delivery, deliver_outbox, notify
from tasks.models import Assignment, ExtensionRequest, ProgressReport, ReportingPeriod, WorkPlan
from tasks.workdays import WorkCalendar
from tasks.workflow import coordinators, unit_users
from units.models import Membership

OVERDUE_REMINDER_DAYS = 30  # no overdue reminders for a period whose due date is longer ago than this
LISTED_TASKS = 5  # task numbers named in a unit's reminder

REPORTED = (ProgressReport.State.SUBMITTED, ProgressReport.State.ACCEPTED)


class Kind:
    DUE = "due"
    OVERDUE = "overdue"
    DIGEST = "digest"


@dataclass
class Reminder:
    kind: str
    key: str
    title: str
    body: str
    url: str
    unit_id: int | None = None  # a unit's reminder goes to its reporters, read only when it is to be sent
    users: list | None = None


@dataclass
class Result:
    day: datetime.date
    dry_run: bool = False
    sent: dict = field(default_factory=lambda: {Kind.DUE: 0, Kind.OVERDUE: 0, Kind.DIGEST: 0})
    reminders: list = field(default_factory=list)  # the reminders sent (in a dry run: that would be sent)
    emails: Delivery = field(default_factory=Delivery)  # what draining the outbox did

    def summary(self):
        text = _(
            "到期提醒 %(due)s 条，逾期提醒 %(overdue)s 条，每日汇总 %(digest)s 条，补发邮件 %(emails)s 封"
            "（待重试 %(retrying)s 封，发送失败 %(failed)s 封）。"
        ) % {
            "due": self.sent[Kind.DUE],
            "overdue": self.sent[Kind.OVERDUE],
            "digest": self.sent[Kind.DIGEST],
            "emails": self.emails.sent,
            "retrying": self.emails.retrying,
            "failed": self.emails.failed,
        }
        if self.dry_run:
            text = _("（试运行，未发送，未记录）") + text
        return text


def send_reminders(day=None, dry_run=False):
    """Send the reminders of `day` (default: today); returns a `Result`. A dry run sends and records nothing."""
    day = day or timezone.localdate()
    result = Result(day=day, dry_run=dry_run)
    calendar = WorkCalendar.load()
    if calendar.is_workday(day):
        periods = list(
            ReportingPeriod.objects.filter(plan__status=WorkPlan.Status.ACTIVE, locked=False).select_related(
                "plan"
            )
        )
        # Only the periods that remind today or are late matter; the others' reports are not read.
        periods = [
            p
            for p in periods
            if p.due_on < day or calendar.workdays_left(day, p.due_on) in settings.REMINDER_WORKDAYS
        ]
        unreported = unreported_by_unit(periods)
        reminders = unit_reminders(periods, unreported, day, calendar)
        reminders += digest_reminders(periods, unreported, day)
        deliver(reminders, result)
    if not dry_run:
        result.emails = deliver_outbox()
    return result


def unreported_by_unit(periods):
    """{period pk: {unit pk: [task numbers not reported]}} for the given periods, in two queries."""
    if not periods:
        return {}
    plan_periods = defaultdict(list)
    for period in periods:
        plan_periods[period.plan_id].append(period.pk)
    reported = set(
        ProgressReport.objects.filter(period_id__in=[p.pk for p in periods], state__in=REPORTED)
        .values_list("period_id", "assignment_id")
    )
    result = {period.pk: defaultdict(list) for period in periods}
    rows = (
        Assignment.objects.active().filter(task__plan_id__in=list(plan_periods), task__completed_at__isnull=True)
        .values_list("pk", "unit_id", "task__plan_id", "task__number")
    )
    for assignment_id, unit_id, plan_id, number in rows:
        for period_id in plan_periods[plan_id]:
            if (period_id, assignment_id) not in reported:
                result[period_id][unit_id].append(number)
    return result


def task_numbers(numbers):
    numbers = sorted(set(numbers))
    text = "、".join(str(n) for n in numbers[:LISTED_TASKS])
    if len(numbers) > LISTED_TASKS:
        return _("第%(numbers)s项等") % {"numbers": text}
    return _("第%(numbers)s项") % {"numbers": text}


def overdue_nagged(period, day):
    """Overdue reminders go out on the working days within OVERDUE_REMINDER_DAYS after the due date."""
    return period.due_on < day <= period.due_on + datetime.timedelta(days=OVERDUE_REMINDER_DAYS)


def unit_reminders(periods, unreported, day, calendar):
    """The "due in N working days" and "overdue" reminders of `day` (a working day), one per unit and period."""
    my_tasks = reverse("tasks:my_tasks")
    reminders = []
    for period in periods:
        left = calendar.workdays_left(day, period.due_on)
        due_soon = period.due_on >= day and left in settings.REMINDER_WORKDAYS
        overdue = overdue_nagged(period, day)
        if not (due_soon or overdue):
            continue
        names = {"plan": period.plan.title, "period": period.name, "due": period.due_on.isoformat()}
        url = f"{my_tasks}?period={period.pk}"  # 我的任务 opened on this period
        for unit_id, numbers in sorted(unreported[period.pk].items()):
            names.update(count=len(numbers), tasks=task_numbers(numbers))
            if due_soon:
                kind, key = Kind.DUE, f"due:{period.pk}:{unit_id}:{left}"
                names["days"] = left
                title = _("【报送提醒】“%(period)s”还有 %(days)s 个工作日截止报送") % names
                body = (
                    _(
                        "%(plan)s“%(period)s”的报送截止日期为%(due)s，本单位还有 %(count)s 项任务未报送（%(tasks)s），"
                        "请按时报送。"
                    )
                    % names
                )
            else:
                kind, key = Kind.OVERDUE, f"overdue:{period.pk}:{unit_id}:{day.isoformat()}"
                names["days"] = -left
                title = _("【逾期提醒】“%(period)s”已过报送截止日期") % names
                body = (
                    _(
                        "%(plan)s“%(period)s”的报送截止日期为%(due)s，已逾期 %(days)s 个工作日，本单位还有 %(count)s "
                        "项任务未报送（%(tasks)s），请尽快报送。"
                    )
                    % names
                )
            reminders.append(Reminder(kind, key, title, body, url, unit_id=unit_id))
    return reminders


def digest_reminders(periods, unreported, day):
    """One digest per coordinator, or none when there is nothing to do."""
    plans = {plan.pk: plan for plan in WorkPlan.objects.filter(status=WorkPlan.Status.ACTIVE)}
    if not plans:
        return []
    to_review = dict(
        ProgressReport.objects.filter(state=ProgressReport.State.SUBMITTED, period__plan_id__in=list(plans))
        .values_list("period__plan_id")
        .annotate(n=Count("pk"))
    )
    contested = dict(
        Assignment.objects.active().filter(receipt=Assignment.Receipt.CONTESTED, task__plan_id__in=list(plans))
        .values_list("task__plan_id")
        .annotate(n=Count("pk"))
    )
    extensions = dict(
        ExtensionRequest.objects.filter(
            state=ExtensionRequest.State.PENDING, assignment__task__plan_id__in=list(plans)
        )
        .values_list("assignment__task__plan_id")
        .annotate(n=Count("pk"))
    )
    overdue_units = defaultdict(set)  # plan pk → units late in any of its open periods
    overdue_lines = defaultdict(list)
    for period in periods:
        if period.due_on < day and unreported[period.pk]:
            overdue_units[period.plan_id].update(unreported[period.pk])
            overdue_lines[period.plan_id].append(
                _("“%(period)s”（%(due)s截止）%(units)s 个单位")
                % {
                    "period": period.name,
                    "due": period.due_on.isoformat(),
                    "units": len(unreported[period.pk]),
                }
            )
    sections = []
    for plan_id, plan in sorted(plans.items(), key=lambda item: (-item[1].year, item[0])):
        counts = {
            "review": to_review.get(plan_id, 0),
            "overdue": len(overdue_units[plan_id]),
            "contested": contested.get(plan_id, 0),
            "extensions": extensions.get(plan_id, 0),
        }
        if not any(counts.values()):
            continue
        lines = [plan.title]
        lines.append(_("待审核报告：%(review)s 份") % counts)
        lines.append(_("逾期未报送单位：%(overdue)s 个") % counts)
        lines.extend(f"  {line}" for line in overdue_lines[plan_id])
        lines.append(_("分工异议待处理：%(contested)s 项") % counts)
        lines.append(_("延期申请待审批：%(extensions)s 份") % counts)
        sections.append("\n".join(lines))
    if not sections:
        return []
    title = _("【每日汇总】%(day)s 待办事项") % {"day": day.isoformat()}
    body = "\n\n".join(sections)
    url = reverse("tasks:review_queue")
    return [
        Reminder(Kind.DIGEST, f"digest:{user.pk}:{day.isoformat()}", title, body, url, users=[user])
        for user in coordinators()
    ]


def deliver(reminders, result):
    """Send each reminder not sent before, in its own transaction, its key recorded first."""
    already = set(
        SentReminder.objects.filter(key__in=[r.key for r in reminders]).values_list("key", flat=True)
    )
    reminders = [r for r in reminders if r.key not in already]
    # Units without a reporter are left out in one query (nothing recorded: a reporter added later is told).
    unit_ids = {r.unit_id for r in reminders if r.unit_id is not None}
    staffed = (
        set(
            Membership.objects.filter(
                unit_id__in=unit_ids, role=Membership.Role.REPORTER, user__is_active=True
            ).values_list("unit_id", flat=True)
        )
        if unit_ids
        else set()
    )
    for reminder in reminders:
        if reminder.users is None:
            if reminder.unit_id not in staffed:
                continue
            reminder.users = list(unit_users(reminder.unit_id))
        if not reminder.users:
            continue
        if result.dry_run:
            result.reminders.append(reminder)
            result.sent[reminder.kind] += 1
            continue
        try:
            with transaction.atomic():
                SentReminder.objects.create(key=reminder.key, recipients=len(reminder.users))
                notify(reminder.users, reminder.title, reminder.body, reminder.url)
        except IntegrityError:
            continue  # another run sent it a moment ago
        result.reminders.append(reminder)
        result.sent[reminder.kind] += 1
