"""Status lights (红黄绿灯), derived — never typed in.

`assignment_status` is the one rule for an assignment in a reporting period; `task_status` combines a task's
assignments. Every page, reminder and export calls these; they take plain values (no queries), so a page can
compute thousands of lights from one annotated query.

`assignment_light_sql` is the same rule as a database expression, for the dashboards, which count lights per
unit, section and task in the database (GROUP BY) instead of looping over every assignment in Python. For a
given period and day every working-day question in the rule is a constant, so it compiles to plain comparisons;
tests/tasks/test_status.py checks that both give the same light for every assignment of the demo on many days.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ProgressReport

State = ProgressReport.State
Progress = ProgressReport.Progress


class Light(models.TextChoices):
    DONE = "done", _("已完成")
    ON_TRACK = "on_track", _("序时推进")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("逾期")
    NOT_STARTED = "not_started", _("未启动")
    NOT_ASSIGNED = "not_assigned", _("未分工")


COLOURS = {
    Light.DONE: "green",
    Light.ON_TRACK: "green",
    Light.DUE_SOON: "yellow",
    Light.OVERDUE: "red",
    Light.NOT_STARTED: "grey",
    Light.NOT_ASSIGNED: "none",
}

REPORTED = (State.SUBMITTED, State.ACCEPTED)
COMPLETED_REASON = _("任务已办结")


class HasLight:
    """Something with a `light`: its colour and its words."""

    @property
    def colour(self):
        return COLOURS[self.light]

    @property
    def label(self):
        return Light(self.light).label


@dataclass(frozen=True)
class Status(HasLight):
    light: str
    reason: str  # why, in words a user reads beside the light
    days_left: int | None = None  # working days to the period's due date (negative: overdue)

    def __str__(self):
        return str(self.label)


def today():
    return timezone.localdate()


def as_of_words(on):
    """截至 2022年12月31日: the words pages and exports put beside figures judged on `on`."""
    return _("截至 %(day)s") % {"day": chinese_date(on)}


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def as_of_note(plan, on):
    """Why a plan's pages are judged on a past day `on` (its `WorkPlan.as_of`), in words; "" when on today."""
    if on >= today():
        return ""
    day = chinese_date(on)
    if plan.status == plan.Status.CLOSED:
        return _("本计划已于 %(day)s 结束：各项状态、统计和逾期天数均截至 %(day)s。") % {"day": day}
    return _("本计划年度已过、报送期均已截止：各项状态、统计和逾期天数均截至 %(day)s。") % {"day": day}


def assignment_status(
    *,
    calendar,
    due_on,
    deadline=None,
    state=None,
    progress=None,
    last_submitted_at=None,
    on=None,
    completed_on=None,
):
    """The light of one assignment in one period.

    - `due_on`: the period's due date; `deadline`: the assignment's completion deadline (after extensions);
    - `state`, `progress`: this period's report (None when the unit has not started one);
    - `last_submitted_at`: the unit's latest submission on this assignment in any period;
    - `on`: the day to judge on (today);
    - `completed_on`: the day the task was closed (办结), if it was.

    Rules, in order: the task closed (办结) on or before `on` → 已完成 (任务已办结); accepted as done → 已完成; submitted as done → 序时推进 (the unit has done its part, the
    review is the coordinator's); past the completion deadline and not done → 逾期; reported this
    period → 序时推进 (滞后 progress → 即将到期, it needs attention); not reported: past the due date → 逾期,
    within DUE_SOON_WORKDAYS working days → 即将到期; silent for STALE_WORKDAYS working days → 即将到期;
    never reported → 未启动; otherwise 序时推进.
    """
    on = on or today()
    days_left = calendar.workdays_left(on, due_on) if due_on else None
    if completed_on is not None and completed_on <= on:
        return Status(Light.DONE, COMPLETED_REASON, days_left)
    if state == State.ACCEPTED and progress == Progress.DONE:
        return Status(Light.DONE, _("已完成并通过审核"), days_left)
    if state == State.SUBMITTED and progress == Progress.DONE:
        return Status(Light.ON_TRACK, _("报告已完成，待审核"), days_left)
    if deadline and on > deadline:
        return Status(Light.OVERDUE, _("已过完成时限"), days_left)
    if state in REPORTED:
        if progress == Progress.BEHIND:
            return Status(Light.DUE_SOON, _("报告进度滞后"), days_left)
        return Status(Light.ON_TRACK, _("本期已报送"), days_left)
    if due_on and on > due_on:
        return Status(Light.OVERDUE, _("超过报送截止日期未报送"), days_left)
    if days_left is not None and days_left <= settings.DUE_SOON_WORKDAYS:
        return Status(Light.DUE_SOON, _("临近报送截止日期"), days_left)
    if last_submitted_at is None:
        return Status(Light.NOT_STARTED, _("尚未报送过进展"), days_left)
    last_day = timezone.localtime(last_submitted_at).date()
    if calendar.workdays_left(last_day, on) > settings.STALE_WORKDAYS:
        return Status(Light.DUE_SOON, _("长时间未报送进展"), days_left)
    return Status(Light.ON_TRACK, _("按期推进"), days_left)


def task_light(counts):
    """A task's light from {light: number of its assignments}: all done → done; none reported → not started;
    otherwise the worst light among them."""
    total = sum(counts.values())
    if not total:
        return Light.NOT_ASSIGNED
    if counts.get(Light.DONE, 0) == total:
        return Light.DONE
    if counts.get(Light.NOT_STARTED, 0) == total:
        return Light.NOT_STARTED
    for light in (Light.OVERDUE, Light.DUE_SOON):
        if counts.get(light):
            return light
    return Light.ON_TRACK


TASK_REASONS = {
    Light.NOT_ASSIGNED: _("尚未分工"),
    Light.DONE: _("全部单位已完成"),
    Light.NOT_STARTED: _("各单位均未报送"),
    Light.ON_TRACK: _("正在推进"),
}


def task_status(statuses):
    """A task's status from its assignments' statuses (see `task_light`); a red or yellow one says why."""
    statuses = list(statuses)
    counts = {}
    for status in statuses:
        counts[status.light] = counts.get(status.light, 0) + 1
    light = task_light(counts)
    if light in TASK_REASONS:
        return Status(light, TASK_REASONS[light])
    return next(s for s in statuses if s.light == light)


def stale_cutoff(calendar, on):
    """The last day a submission may have been made on and still count as silent for STALE_WORKDAYS on `on`:
    `workdays_left(day, on) > STALE_WORKDAYS` exactly when `day <= stale_cutoff(calendar, on)`."""
    day, workdays = on, 0
    while True:
        workdays += calendar.is_workday(day)
        day -= datetime.timedelta(days=1)
        if workdays > settings.STALE_WORKDAYS:
            return day


def start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def assignment_light_sql(*, calendar, due_on, on=None, state, progress, deadline, last_submitted, completed_at=None):
    """`assignment_status(...).light` as a CASE expression over the named fields (or annotations) of a query.

    `state`, `progress`: the period's report (NULL without one); `deadline`: the assignment's completion
    deadline; `last_submitted`: the latest submission in any period; `completed_at`: the task's closing time. `due_on` and `on` are the same for every
    row, so the working-day parts of the rule are decided here, once.
    """
    on = on or today()
    rules = []
    if completed_at:  # the task's closing time (办结): closed by the end of `on` → done
        rules.append(When(Q(**{f"{completed_at}__lt": start_of(on + datetime.timedelta(days=1))}), then=Value(Light.DONE)))
    rules += [
        When(Q(**{state: State.ACCEPTED, progress: Progress.DONE}), then=Value(Light.DONE)),
        When(Q(**{state: State.SUBMITTED, progress: Progress.DONE}), then=Value(Light.ON_TRACK)),
        When(Q(**{f"{deadline}__lt": on}), then=Value(Light.OVERDUE)),
        When(Q(**{f"{state}__in": REPORTED, progress: Progress.BEHIND}), then=Value(Light.DUE_SOON)),
        When(Q(**{f"{state}__in": REPORTED}), then=Value(Light.ON_TRACK)),
    ]
    days_left = calendar.workdays_left(on, due_on)
    if on > due_on:
        silent = Light.OVERDUE
    elif days_left <= settings.DUE_SOON_WORKDAYS:
        silent = Light.DUE_SOON
    else:
        rules += [
            When(Q(**{f"{last_submitted}__isnull": True}), then=Value(Light.NOT_STARTED)),
            When(
                Q(**{f"{last_submitted}__lt": start_of(stale_cutoff(calendar, on) + datetime.timedelta(days=1))}),
                then=Value(Light.DUE_SOON),
            ),
        ]
        silent = Light.ON_TRACK
    return Case(*rules, default=Value(silent), output_field=models.CharField())
