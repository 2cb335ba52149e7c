"""The working-day calendar: the library's holidays and adjusted working days, and the admin's overrides."""

import datetime

import pytest

from tasks.models import CalendarDay
from tasks.workdays import WorkCalendar, library_years

D = datetime.date.fromisoformat


@pytest.fixture
def calendar():
    return WorkCalendar()


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        ("2022-10-03", False),  # Monday, National Day holiday
        ("2022-10-07", False),  # Friday, National Day holiday
        ("2022-10-08", True),  # Saturday, adjusted working day
        ("2022-10-09", True),  # Sunday, adjusted working day
        ("2022-10-15", False),  # a plain Saturday
        ("2022-10-16", False),  # a plain Sunday
        ("2022-10-12", True),  # a plain Wednesday
        ("2023-01-23", False),  # Monday, Spring Festival
        ("2023-01-28", True),  # Saturday, adjusted working day after the Spring Festival
    ],
)
def test_is_workday(calendar, day, workday):
    assert calendar.is_workday(D(day)) is workday


def test_the_library_knows_2022_and_2023_but_not_2027():
    assert 2022 in library_years() and 2023 in library_years()
    assert 2027 not in library_years()


def test_workdays_left_is_zero_on_the_due_day(calendar):
    assert calendar.workdays_left(D("2022-10-10"), D("2022-10-10")) == 0
    assert calendar.workdays_left(D("2022-10-05"), D("2022-10-05")) == 0  # even on a holiday


@pytest.mark.parametrize(
    ("today", "due", "left"),
    [
        # National Day 2022: 10-01..10-07 off, Sat 10-08 and Sun 10-09 worked.
        ("2022-09-30", "2022-10-10", 3),  # 10-08, 10-09, 10-10
        ("2022-09-29", "2022-10-10", 4),  # + 09-30
        ("2022-10-05", "2022-10-10", 3),  # from within the holiday
        ("2022-10-08", "2022-10-10", 2),
        ("2022-10-09", "2022-10-10", 1),
        ("2022-09-30", "2022-10-07", 0),  # due on the last holiday: no working day left
        # Spring Festival 2023: 01-21..01-27 off, Sat 01-28 and Sun 01-29 worked.
        ("2023-01-19", "2023-01-30", 4),  # 01-20, 01-28, 01-29, 01-30
        ("2023-01-20", "2023-01-30", 3),
        ("2023-01-20", "2023-01-27", 0),
        # a plain week: Friday → next Friday
        ("2022-10-14", "2022-10-21", 5),
    ],
)
def test_workdays_left_before_the_due_date(calendar, today, due, left):
    assert calendar.workdays_left(D(today), D(due)) == left


@pytest.mark.parametrize(
    ("today", "due", "left"),
    [
        ("2022-10-11", "2022-10-10", -1),
        ("2022-10-15", "2022-10-10", -4),  # 10-11..10-14; Saturday 10-15 adds nothing
        ("2022-10-16", "2022-10-10", -4),
        ("2022-10-17", "2022-10-10", -5),
        ("2022-10-09", "2022-09-30", -2),  # only the adjusted weekend counts across the holiday
        ("2023-01-30", "2023-01-20", -3),  # 01-28, 01-29, 01-30
        ("2023-01-27", "2023-01-20", 0),  # late, but not by a working day yet
    ],
)
def test_workdays_left_after_the_due_date_is_negative(calendar, today, due, left):
    assert calendar.workdays_left(D(today), D(due)) == left


def test_count(calendar):
    assert calendar.count(D("2022-10-01"), D("2022-10-07")) == 0
    assert calendar.count(D("2022-10-01"), D("2022-10-10")) == 3
    assert calendar.count(D("2022-10-10"), D("2022-10-09")) == 0  # empty range


@pytest.mark.parametrize(
    ("day", "n", "result"),
    [
        ("2022-09-30", 1, "2022-10-08"),  # over the holiday to the adjusted Saturday
        ("2022-09-30", 3, "2022-10-10"),
        ("2022-09-29", 1, "2022-09-30"),
        ("2022-10-14", 1, "2022-10-17"),  # Friday → Monday
        ("2022-10-14", 5, "2022-10-21"),
        ("2022-10-12", 0, "2022-10-12"),  # a working day itself
        ("2022-10-01", 0, "2022-10-08"),  # a holiday: the next working day
        ("2022-10-15", 0, "2022-10-17"),  # a plain Saturday
        ("2023-01-20", 1, "2023-01-28"),
    ],
)
def test_add_workdays(calendar, day, n, result):
    assert calendar.add_workdays(D(day), n) == D(result)


def test_add_workdays_and_workdays_left_agree(calendar):
    start = D("2022-09-20")
    for n in range(1, 15):
        assert calendar.workdays_left(start, calendar.add_workdays(start, n)) == n


@pytest.mark.django_db
def test_overrides_beat_the_library():
    CalendarDay.objects.create(date=D("2022-10-10"), is_workday=False, note="测试：临时放假")
    CalendarDay.objects.create(date=D("2022-10-05"), is_workday=True, note="测试：临时上班")
    CalendarDay.objects.create(date=D("2022-10-15"), is_workday=True, note="测试：周六上班")
    calendar = WorkCalendar.load()
    assert calendar.is_workday(D("2022-10-10")) is False
    assert calendar.is_workday(D("2022-10-05")) is True
    assert calendar.is_workday(D("2022-10-15")) is True
    assert calendar.is_workday(D("2022-10-11")) is True  # untouched days keep the library's answer
    # 10-05 now counts, 10-10 no longer does
    assert calendar.workdays_left(D("2022-09-30"), D("2022-10-10")) == 3  # 10-05, 10-08, 10-09
    assert calendar.add_workdays(D("2022-09-30"), 1) == D("2022-10-05")
    assert calendar.add_workdays(D("2022-10-09"), 1) == D("2022-10-11")


@pytest.mark.django_db
def test_a_year_the_library_does_not_know_is_monday_to_friday_unless_overridden():
    plain = WorkCalendar.load()
    assert plain.is_workday(D("2027-01-04")) is True  # Monday
    assert plain.is_workday(D("2027-01-08")) is True  # Friday
    assert plain.is_workday(D("2027-01-09")) is False  # Saturday
    assert plain.is_workday(D("2027-01-10")) is False  # Sunday
    assert plain.workdays_left(D("2027-02-05"), D("2027-02-15")) == 6  # Fri → Mon a week later

    # The coordinator enters the 2027 Spring Festival (Feb 6 is the festival): 02-08..02-12 off, Sat 02-20 worked.
    for day in ("2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"):
        CalendarDay.objects.create(date=D(day), is_workday=False, note="春节")
    CalendarDay.objects.create(date=D("2027-02-20"), is_workday=True, note="春节调休上班")
    calendar = WorkCalendar.load()
    assert calendar.is_workday(D("2027-02-08")) is False
    assert calendar.is_workday(D("2027-02-20")) is True
    assert calendar.is_workday(D("2027-02-15")) is True  # not overridden: a Monday
    assert calendar.workdays_left(D("2027-02-05"), D("2027-02-15")) == 1
    assert calendar.workdays_left(D("2027-02-05"), D("2027-02-22")) == 7  # 02-15..02-19, 02-20, 02-22
    assert calendar.workdays_left(D("2027-02-22"), D("2027-02-05")) == -7
    assert calendar.add_workdays(D("2027-02-05"), 1) == D("2027-02-15")


@pytest.mark.django_db
def test_load_is_one_query_and_the_arithmetic_none(django_assert_num_queries):
    CalendarDay.objects.create(date=D("2027-02-08"), is_workday=False)
    with django_assert_num_queries(1):
        calendar = WorkCalendar.load()
    with django_assert_num_queries(0):
        assert calendar.workdays_left(D("2027-02-05"), D("2027-02-12")) == 4
        assert calendar.workdays_left(D("2022-09-30"), D("2022-10-10")) == 3
        assert calendar.add_workdays(D("2022-09-30"), 3) == D("2022-10-10")
