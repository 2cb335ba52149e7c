"""Chinese working days: weekends, public holidays and adjusted working days (调休).

The State Council's arrangements come from the `chinesecalendar` library; `CalendarDay` rows (edited in the
admin) override it, for corrections and for years the library does not know yet — for those, without
overrides, Monday to Friday are working days.
"""

import datetime
from functools import lru_cache

import chinese_calendar

from .models import CalendarDay

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=4096)
def library_workday(day):
    """The library's answer; None for a year it has no data for."""
    if day.year not in _library_years():  # asked first: the library's own refusal (an exception) is slow
        return None
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def library_years():
    """The years the library knows, e.g. range(2004, 2027)."""
    known = [d.year for d in chinese_calendar.constants.holidays]
    return range(min(known), max(known) + 1)


@lru_cache(maxsize=1)
def _library_years():
    return library_years()


class WorkCalendar:
    """Working-day arithmetic. `WorkCalendar.load()` reads the overrides in one query; reuse it per request."""

    def __init__(self, overrides=None):
        self.overrides = dict(overrides or {})
        self._left = {}

    @classmethod
    def load(cls):
        return cls(CalendarDay.objects.values_list("date", "is_workday"))

    def is_workday(self, day):
        if day in self.overrides:
            return self.overrides[day]
        known = library_workday(day)
        if known is None:
            return day.weekday() < 5
        return known

    def workdays_left(self, today, due):
        """Working days from tomorrow up to and including `due`: 0 when due today, negative when overdue.

        When overdue, minus the working days from the day after `due` up to and including today.
        """
        key = (today, due)
        if key not in self._left:
            if due >= today:
                self._left[key] = self.count(today + ONE_DAY, due)
            else:
                self._left[key] = -self.count(due + ONE_DAY, today)
        return self._left[key]

    def count(self, start, end):
        """Working days in [start, end]."""
        days, day = 0, start
        while day <= end:
            days += self.is_workday(day)
            day += ONE_DAY
        return days

    def add_workdays(self, day, n):
        """The n-th working day after `day` (n ≥ 1), or `day` itself when it is one and n is 0."""
        if n == 0:
            while not self.is_workday(day):
                day += ONE_DAY
            return day
        while n > 0:
            day += ONE_DAY
            n -= self.is_workday(day)
        return day
