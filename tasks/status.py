"""Status lights (红黄绿灯), derived — never typed in.

`assignment_status` is the one rule for an assignment in a reporting period; `task_status` combines a task's
assignments. Every page, reminder, dashboard and export calls these; they take plain values (no queries), so
a page can compute thousands of lights from one annotated query.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
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


@dataclass(frozen=True)
class Status:
    light: str
    reason: str  # why, in words a user reads beside the light
    days_left: int | None = None  # working days to the period's due date (negative: overdue)

    @property
    def colour(self):
        return COLOURS[self.light]

    @property
    def label(self):
        return Light(self.light).label

    def __str__(self):
        return str(self.label)


def today():
    return timezone.localdate()


def assignment_status(
    *,
    calendar,
    due_on,
    deadline=None,
    state=None,
    progress=None,
    last_submitted_at=None,
    on=None,
):
    """The light of one assignment in one period.

    - `due_on`: the period's due date; `deadline`: the assignment's completion deadline (after extensions);
    - `state`, `progress`: this period's report (None when the unit has not started one);
    - `last_submitted_at`: the unit's latest submission on this assignment in any period;
    - `on`: the day to judge on (today).

    Rules, in order: accepted as done → 已完成; submitted as done → 序时推进 (the unit has done its part, the
    review is the coordinator's); past the completion deadline and not done → 逾期; reported this
    period → 序时推进 (滞后 progress → 即将到期, it needs attention); not reported: past the due date → 逾期,
    within DUE_SOON_WORKDAYS working days → 即将到期; silent for STALE_WORKDAYS working days → 即将到期;
    never reported → 未启动; otherwise 序时推进.
    """
    on = on or today()
    days_left = calendar.workdays_left(on, due_on) if due_on else None
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


def task_status(statuses):
    """A task's light from its assignments' statuses: all done → done; otherwise the worst one."""
    statuses = list(statuses)
    if not statuses:
        return Status(Light.NOT_ASSIGNED, _("尚未分工"))
    lights = {s.light for s in statuses}
    if lights == {Light.DONE}:
        return Status(Light.DONE, _("全部单位已完成"))
    if lights <= {Light.NOT_STARTED}:
        return Status(Light.NOT_STARTED, _("各单位均未报送"))
    for light in (Light.OVERDUE, Light.DUE_SOON):
        if light in lights:
            return next(s for s in statuses if s.light == light)
    return Status(Light.ON_TRACK, _("正在推进"))
