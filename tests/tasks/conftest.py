"""Fixtures the reporting tests share (a module may define its own `period` or `county`, which wins)."""

import datetime

import pytest

from tasks.models import Assignment, ReportingPeriod


@pytest.fixture
def period(plan):
    """An open period of our own (the demo's periods carry demo reports)."""
    return ReportingPeriod.objects.create(
        plan=plan, name="测试期", starts_on=datetime.date(2022, 7, 1), ends_on=datetime.date(2022, 9, 30),
        due_on=datetime.date(2099, 10, 12),
    )


@pytest.fixture
def county(plan):
    """东昌府区's assignment on task 1 (市司法局 leads it)."""
    return Assignment.objects.get(task__plan=plan, task__number=1, unit__short_name="东昌府区")
