"""The status lights: every rule of assignment_status, in its order, and how task_status combines them.

The days are hand-picked around National Day 2022 (10-01..10-07 off, Sat 10-08 and Sun 10-09 worked), so the
working-day arithmetic is the real calendar's.
"""

import datetime

import pytest
from django.utils import timezone

from tasks import selectors
from tasks.models import Assignment, CalendarDay, ProgressReport
from tasks.status import COLOURS, Light, Status, assignment_status, stale_cutoff, task_light, task_status
from tasks.workdays import WorkCalendar

D = datetime.date.fromisoformat
State = ProgressReport.State
Progress = ProgressReport.Progress

DUE = D("2022-10-10")  # the period's due date


@pytest.fixture
def calendar():
    return WorkCalendar()


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.DUE_SOON_WORKDAYS = 3
    settings.STALE_WORKDAYS = 40
    return settings


def status(calendar, on, **kwargs):
    kwargs.setdefault("due_on", DUE)
    return assignment_status(calendar=calendar, on=D(on), **kwargs)


def at(day, hour=10):
    """A submission time, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.fromisoformat(day).replace(hour=hour))


# --- assignment_status, rule by rule -----------------------------------------------------------------------


def test_accepted_and_done_is_done_even_past_every_date(calendar):
    s = status(calendar, "2022-12-31", deadline=D("2022-06-30"), state=State.ACCEPTED, progress=Progress.DONE)
    assert s.light == Light.DONE
    assert s.reason == "已完成并通过审核"
    assert s.days_left == calendar.workdays_left(D("2022-12-31"), DUE) < 0
    assert s.colour == "green" and str(s) == "已完成"


@pytest.mark.parametrize(
    ("state", "progress"),
    [
        (None, None),  # nothing written
        (State.DRAFT, Progress.DONE),
        (State.SUBMITTED, Progress.ON_TRACK),
        (State.ACCEPTED, Progress.ON_TRACK),  # accepted, but not done
        (State.RETURNED, Progress.DONE),
    ],
)
def test_past_the_completion_deadline_and_not_done_is_overdue(calendar, state, progress):
    s = status(calendar, "2022-10-01", deadline=D("2022-09-30"), state=state, progress=progress)
    assert s.light == Light.OVERDUE
    assert s.reason == "已过完成时限"
    assert s.colour == "red"


def test_on_the_completion_deadline_itself_it_is_not_yet_overdue(calendar):
    s = status(
        calendar, "2022-09-30", deadline=D("2022-09-30"), state=State.SUBMITTED, progress=Progress.ON_TRACK
    )
    assert s.light == Light.ON_TRACK


def test_reported_this_period_is_on_track(calendar):
    for state in (State.SUBMITTED, State.ACCEPTED):
        s = status(calendar, "2022-09-30", state=state, progress=Progress.ON_TRACK)
        assert (s.light, s.reason, s.days_left) == (Light.ON_TRACK, "本期已报送", 3)


def test_reported_even_after_the_due_date_is_on_track(calendar):
    s = status(calendar, "2022-10-20", state=State.SUBMITTED, progress=Progress.ON_TRACK)
    assert s.light == Light.ON_TRACK
    assert s.days_left == -8  # 10-11..10-14, 10-17..10-20


def test_reported_behind_needs_attention(calendar):
    s = status(calendar, "2022-09-01", state=State.SUBMITTED, progress=Progress.BEHIND)
    assert (s.light, s.reason) == (Light.DUE_SOON, "报告进度滞后")
    assert s.colour == "yellow"


def test_reported_done_waits_for_review(calendar):
    s = status(calendar, "2022-09-01", state=State.SUBMITTED, progress=Progress.DONE)
    assert (s.light, s.reason) == (Light.ON_TRACK, "报告已完成，待审核")


@pytest.mark.parametrize("state", [None, State.DRAFT, State.RETURNED])
def test_not_reported_past_the_due_date_is_overdue(calendar, state):
    s = status(calendar, "2022-10-11", state=state, progress=Progress.ON_TRACK if state else None)
    assert (s.light, s.reason, s.days_left) == (Light.OVERDUE, "超过报送截止日期未报送", -1)


def test_not_reported_on_the_due_day_is_due_soon_not_overdue(calendar):
    s = status(calendar, "2022-10-10", state=State.DRAFT, progress=Progress.ON_TRACK)
    assert (s.light, s.reason, s.days_left) == (Light.DUE_SOON, "临近报送截止日期", 0)


@pytest.mark.parametrize(
    ("on", "light"),
    [
        ("2022-09-29", Light.NOT_STARTED),  # 4 working days left
        ("2022-09-30", Light.DUE_SOON),  # 3 left (the holiday does not count)
        ("2022-10-05", Light.DUE_SOON),  # 3 left, from inside the holiday
        ("2022-10-09", Light.DUE_SOON),  # 1 left, a Sunday that is worked
    ],
)
def test_due_soon_counts_working_days(calendar, on, light):
    assert status(calendar, on).light == light


def test_due_soon_threshold_comes_from_settings(calendar, thresholds):
    thresholds.DUE_SOON_WORKDAYS = 4
    assert status(calendar, "2022-09-29").light == Light.DUE_SOON
    assert status(calendar, "2022-09-28").light == Light.NOT_STARTED  # 5 left
    thresholds.DUE_SOON_WORKDAYS = 0
    assert status(calendar, "2022-10-09").light == Light.NOT_STARTED  # 1 left
    assert status(calendar, "2022-10-10").light == Light.DUE_SOON  # due today


def test_never_reported_and_far_from_the_due_date_is_not_started(calendar):
    s = status(calendar, "2022-08-01")
    assert (s.light, s.reason) == (Light.NOT_STARTED, "尚未报送过进展")
    assert s.colour == "grey"


def test_a_draft_that_was_never_submitted_is_not_started(calendar):
    assert (
        status(calendar, "2022-08-01", state=State.DRAFT, progress=Progress.ON_TRACK).light
        == Light.NOT_STARTED
    )


def test_reported_in_an_earlier_period_recently_is_on_track(calendar):
    s = status(calendar, "2022-08-01", last_submitted_at=at("2022-06-24"))
    assert (s.light, s.reason) == (Light.ON_TRACK, "按期推进")


def test_silent_for_more_than_stale_workdays_is_due_soon(calendar, thresholds):
    thresholds.STALE_WORKDAYS = 5
    # submitted on Friday 09-23; 09-26..09-30 are 5 working days, the holiday adds none, 10-08 the sixth
    assert status(
        calendar, "2022-09-30", due_on=D("2022-12-10"), last_submitted_at=at("2022-09-23")
    ).light == (Light.ON_TRACK)
    assert status(
        calendar, "2022-10-07", due_on=D("2022-12-10"), last_submitted_at=at("2022-09-23")
    ).light == (Light.ON_TRACK)
    s = status(calendar, "2022-10-08", due_on=D("2022-12-10"), last_submitted_at=at("2022-09-23"))
    assert (s.light, s.reason) == (Light.DUE_SOON, "长时间未报送进展")


def test_the_last_submission_is_read_in_the_site_time_zone(calendar, thresholds):
    thresholds.STALE_WORKDAYS = 1
    # 2022-09-29 17:30 UTC is 09-30 01:30 in Shanghai: the last report was on Friday 09-30, not Thursday.
    late_night = datetime.datetime(2022, 9, 29, 17, 30, tzinfo=datetime.UTC)
    assert status(calendar, "2022-10-08", due_on=D("2022-12-10"), last_submitted_at=late_night).light == (
        Light.ON_TRACK
    )
    thursday = datetime.datetime(2022, 9, 29, 10, 0, tzinfo=datetime.UTC)  # 18:00 in Shanghai
    assert status(calendar, "2022-10-08", due_on=D("2022-12-10"), last_submitted_at=thursday).light == (
        Light.DUE_SOON
    )


def test_without_a_due_date_only_the_deadline_and_the_reports_count(calendar):
    s = assignment_status(calendar=calendar, due_on=None, on=D("2022-10-11"))
    assert (s.light, s.days_left) == (Light.NOT_STARTED, None)
    s = assignment_status(calendar=calendar, due_on=None, deadline=D("2022-10-10"), on=D("2022-10-11"))
    assert s.light == Light.OVERDUE


def test_the_calendar_overrides_change_the_light(db, calendar):
    # Without overrides, 09-29 has 4 working days left: not yet due soon.
    assert status(calendar, "2022-09-29").light == Light.NOT_STARTED
    CalendarDay.objects.create(date=D("2022-10-08"), is_workday=False, note="测试")
    s = status(WorkCalendar.load(), "2022-09-29")
    assert (s.light, s.days_left) == (Light.DUE_SOON, 3)


def test_judging_on_today_by_default(calendar):
    today = timezone.localdate()
    s = assignment_status(calendar=calendar, due_on=today - datetime.timedelta(days=1))
    assert s.light == Light.OVERDUE


# --- task_status ------------------------------------------------------------------------------------------


def light(name, reason="", days_left=None):
    return Status(name, reason or f"理由：{name}", days_left)


def test_no_assignments_is_not_assigned():
    s = task_status([])
    assert (s.light, s.reason) == (Light.NOT_ASSIGNED, "尚未分工")
    assert s.colour == COLOURS[Light.NOT_ASSIGNED] == "none"


def test_all_done_is_done():
    s = task_status(light(Light.DONE) for _ in range(3))  # any iterable
    assert (s.light, s.reason) == (Light.DONE, "全部单位已完成")


def test_all_not_started_is_not_started():
    s = task_status([light(Light.NOT_STARTED), light(Light.NOT_STARTED)])
    assert (s.light, s.reason) == (Light.NOT_STARTED, "各单位均未报送")


def test_any_overdue_is_overdue_with_that_units_reason():
    statuses = [
        light(Light.DONE),
        light(Light.DUE_SOON, "临近报送截止日期", 1),
        light(Light.OVERDUE, "超过报送截止日期未报送", -2),
        light(Light.OVERDUE, "已过完成时限", -5),
        light(Light.ON_TRACK),
    ]
    s = task_status(statuses)
    assert s is statuses[2]  # the first overdue one, its reason and days kept
    assert (s.light, s.reason, s.days_left) == (Light.OVERDUE, "超过报送截止日期未报送", -2)


def test_due_soon_without_overdue_is_due_soon():
    statuses = [light(Light.ON_TRACK), light(Light.NOT_STARTED), light(Light.DUE_SOON, "报告进度滞后")]
    s = task_status(statuses)
    assert (s.light, s.reason) == (Light.DUE_SOON, "报告进度滞后")


@pytest.mark.parametrize(
    "lights",
    [
        [Light.ON_TRACK],
        [Light.ON_TRACK, Light.DONE],
        [Light.DONE, Light.NOT_STARTED],
        [Light.ON_TRACK, Light.NOT_STARTED],
    ],
)
def test_otherwise_on_track(lights):
    s = task_status([light(name) for name in lights])
    assert (s.light, s.reason) == (Light.ON_TRACK, "正在推进")


def test_submitted_as_done_waits_for_review_without_turning_red(calendar):
    """The unit reported the work done before the deadline; the coordinator has not reviewed it yet."""
    s = status(calendar, "2022-10-01", deadline=D("2022-09-30"), state=State.SUBMITTED, progress=Progress.DONE)
    assert (s.light, s.reason) == (Light.ON_TRACK, "报告已完成，待审核")


def test_task_status_from_real_assignment_statuses(calendar):
    on = D("2022-10-11")
    lead = status(calendar, "2022-10-11", state=State.ACCEPTED, progress=Progress.DONE)
    late = status(calendar, "2022-10-11", state=State.DRAFT, progress=Progress.ON_TRACK)
    reported = status(calendar, "2022-10-11", state=State.SUBMITTED, progress=Progress.ON_TRACK)
    assert [lead.light, late.light, reported.light] == [Light.DONE, Light.OVERDUE, Light.ON_TRACK]
    assert task_status([lead, late, reported]).light == Light.OVERDUE
    assert task_status([lead, reported]).light == Light.ON_TRACK
    assert calendar.workdays_left(on, DUE) == late.days_left == -1


# --- the same rule in SQL (the dashboards count lights in the database) ----------------------------------------


@pytest.mark.parametrize("stale", [40, 5, 1])
def test_stale_cutoff_is_the_last_silent_day(calendar, thresholds, stale):
    thresholds.STALE_WORKDAYS = stale
    for on in (D("2022-10-08"), D("2022-10-10"), D("2022-02-07"), D("2022-06-30")):
        cutoff = stale_cutoff(calendar, on)
        for offset in range(-90, 3):
            day = on + datetime.timedelta(days=offset)
            assert (calendar.workdays_left(day, on) > stale) == (day <= cutoff), (on, day)


@pytest.mark.django_db
@pytest.mark.parametrize("stale", [40, 5])
def test_sql_light_equals_assignment_status_for_every_demo_assignment(plan, thresholds, stale):
    """Over the demo's 608 assignments, both periods, a day every ten days through the year and beyond (each
    day in the past, so both read the reports as they stood at the end of that day)."""
    thresholds.STALE_WORKDAYS = stale
    calendar = WorkCalendar.load()
    assignments = Assignment.objects.filter(task__plan=plan)
    checked = set()
    for period in plan.periods.all():
        for on in [D("2022-01-05") + datetime.timedelta(days=10 * n) for n in range(42)]:
            python_rows = list(selectors.last_submitted(assignments, on))
            sql = dict(selectors.assignments_with_light(assignments, period, calendar, on).values_list("pk", "light"))
            rows = selectors.rows_for(python_rows, lambda a, period=period: period, calendar, on)
            python = {row.assignment.pk: row.status.light for row in rows}
            assert sql == python, (period.name, on)
            checked |= set(python.values())
    assert checked == {Light.DONE, Light.ON_TRACK, Light.DUE_SOON, Light.OVERDUE, Light.NOT_STARTED}


def test_task_light_from_counts():
    assert task_light({}) == Light.NOT_ASSIGNED
    assert task_light({Light.DONE: 2}) == Light.DONE
    assert task_light({Light.NOT_STARTED: 2}) == Light.NOT_STARTED
    assert task_light({Light.DONE: 1, Light.NOT_STARTED: 1}) == Light.ON_TRACK
    assert task_light({Light.DUE_SOON: 1, Light.OVERDUE: 1, Light.DONE: 3}) == Light.OVERDUE
    assert task_light({Light.DUE_SOON: 1, Light.ON_TRACK: 1}) == Light.DUE_SOON
