"""Reporting periods: the presets a coordinator starts from (quarterly; half-year + full year; monthly)."""

import calendar
import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access
from .models import ReportingPeriod

QUARTERLY, HALF_YEAR, MONTHLY = "quarterly", "half_year", "monthly"
PRESET_CHOICES = [
    (QUARTERLY, gettext_lazy("按季度（第一季度至第四季度）")),
    (HALF_YEAR, gettext_lazy("上半年 + 全年")),
    (MONTHLY, gettext_lazy("按月（1月至12月）")),
]
# Units report within this many working days after the period ends.
DUE_WORKDAYS_AFTER_END = 5

QUARTERS = ["第一季度", "第二季度", "第三季度", "第四季度"]


def month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def preset_spans(preset, year):
    """(name, starts_on, ends_on) of each period of the preset for the year."""
    if preset == QUARTERLY:
        return [
            (_(name), datetime.date(year, 3 * i + 1, 1), month_end(year, 3 * i + 3))
            for i, name in enumerate(QUARTERS)
        ]
    if preset == HALF_YEAR:
        return [
            (_("上半年"), datetime.date(year, 1, 1), datetime.date(year, 6, 30)),
            (_("全年"), datetime.date(year, 1, 1), datetime.date(year, 12, 31)),
        ]
    if preset == MONTHLY:
        return [
            (_("%(month)s月") % {"month": month}, datetime.date(year, month, 1), month_end(year, month))
            for month in range(1, 13)
        ]
    raise ValueError(preset)


def create_preset(plan, user, preset, calendar_):
    """Create the preset's periods for the plan's year; periods whose name exists are left as they are.

    Each is due DUE_WORKDAYS_AFTER_END working days after it ends. Returns the periods created.
    """
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以设置报送期。"))
    existing = set(plan.periods.values_list("name", flat=True))
    created = []
    with transaction.atomic():
        for name, starts_on, ends_on in preset_spans(preset, plan.year):
            if name in existing:
                continue
            due_on = calendar_.add_workdays(ends_on, DUE_WORKDAYS_AFTER_END)
            created.append(
                ReportingPeriod.objects.create(
                    plan=plan, name=name, starts_on=starts_on, ends_on=ends_on, due_on=due_on
                )
            )
    return created


def chosen_period(periods, wanted, today=None):
    """The period whose pk the user asked for (a query parameter), else the current one (on `today`: the day
    the page judges on)."""
    return next((p for p in periods if str(p.pk) == wanted), None) or current_period(periods, today)


def current_period(periods, today=None):
    """The period a unit is working on (on `today`, the day a page judges on): the first open one not yet past
    due, else the last open one.

    `periods` is a list ordered by due date.
    """
    now = timezone.localdate()
    today = today or now
    # (a past day is judged as it stood then: a period locked since was still open)
    open_periods = [p for p in periods if not p.locked or today < now] or list(periods)
    for period in open_periods:
        if period.due_on >= today:
            return period
    return open_periods[-1] if open_periods else None
