"""Working days by China's official calendar: holidays and adjusted working days (调休).

Processing limits in the sources are counted in working days (工作日): "办理时限缩短至9个工作日".
A working day is what the State Council's yearly holiday notice says it is — weekends are off
except the adjusted Saturdays and Sundays, and the public holidays are off — taken from the
``chinese_calendar`` package, which knows the notices of a fixed range of years and raises for
any other year.

Never a guess: a date outside the years the package knows is :class:`CalendarUnknown`, and so
are the last days of December of the last year it knows, because the next year's notice may
still move them (it made 2007-12-29 and 2018-12-29, Saturdays, working days and 2007-12-31 and
2018-12-31 holidays). A deadline that needs such a date is undetermined with that reason.

A due date counts working days *after* the day the request was received: a request received on
Tuesday 2025-09-30 with 9 working days is due on 2025-10-20 (1–8 October are the National Day
and Mid-Autumn holidays, Saturday 11 October is an adjusted working day).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import attrs

from tongcheng.errors import TongchengError

# From this day of December of the calendar's last known year onward, the next year's notice may
# still change the day (the earliest change seen so far is 29 December): treated as unknown.
_DECEMBER_GUARD = 20


class CalendarUnknown(TongchengError):
    """The official calendar for this date is not known: working days cannot be counted."""

    def __init__(self, day: date, first: int, last: int) -> None:
        self.day, self.first, self.last = day, first, last
        if day.year == last and day.month == 12:
            why = (
                f"the official holiday arrangement for {day.isoformat()} is not settled: the "
                f"notice for {last + 1}, not yet known to the calendar, may still move the last "
                f"days of December {last}"
            )
        else:
            why = (
                f"the official holiday calendar for {day.year} is not known (known years: "
                f"{first}–{last}; the last days of December {last} depend on the {last + 1} "
                "notice)"
            )
        super().__init__(why)


@cache
def known_years() -> tuple[int, int]:
    """The first and last year whose official calendar the ``chinese_calendar`` package holds."""
    import chinese_calendar

    years = []
    for year in range(1990, 2101):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        years.append(year)
    if not years:  # pragma: no cover - a broken installation
        raise RuntimeError("chinese_calendar knows no year at all")
    return min(years), max(years)


def is_known(day: date) -> bool:
    """Whether the official calendar settles ``day`` (see the module's note on December)."""
    first, last = known_years()
    if not first <= day.year <= last:
        return False
    return not (day.year == last and day.month == 12 and day.day >= _DECEMBER_GUARD)


def is_workday(day: date) -> bool:
    """Whether ``day`` is an official working day; CalendarUnknown where that is not known."""
    import chinese_calendar

    if not is_known(day):
        first, last = known_years()
        raise CalendarUnknown(day, first, last)
    return bool(chinese_calendar.is_workday(day))


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted).

    Zero days: ``start`` itself. Raises CalendarUnknown when a day that must be counted is not
    known to the official calendar, ValueError for a negative count.
    """
    if days < 0:
        raise ValueError(f"expected a non-negative number of working days, got {days}")
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def working_days_after(start: date, end: date) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 if none)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


@attrs.frozen
class DueDate:
    """A due date counted in working days, or why it cannot be counted (``due`` is None)."""

    start: date
    working_days: int | None
    due: date | None
    reason: str | None = None

    @property
    def determined(self) -> bool:
        return self.due is not None


def due_date(start: date, working_days: object) -> DueDate:
    """The due date ``working_days`` working days after ``start``, never a guess.

    ``working_days`` comes from a decision's outcome: anything but a non-negative whole number
    (null where the pack does not know the limit) leaves the due date undetermined, and so does
    a day the official calendar does not know yet.
    """
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 0:
        shown = "null" if working_days is None else repr(working_days)
        return DueDate(start, None, None,
                       f"the decision gives no processing limit in working days (got {shown})")
    try:
        return DueDate(start, working_days, add_working_days(start, working_days))
    except CalendarUnknown as exc:
        return DueDate(start, working_days, None, str(exc))
