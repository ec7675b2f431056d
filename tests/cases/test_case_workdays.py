"""Working-day deadlines on China's official calendar: holidays, adjusted working days, and
dates the calendar does not know (never a guess)."""

from __future__ import annotations

from datetime import date

import pytest

from tongcheng.cases.workdays import (
    CalendarUnknown,
    add_working_days,
    due_date,
    is_known,
    is_workday,
    known_years,
    working_days_after,
)


def test_known_years_come_from_the_package():
    first, last = known_years()
    assert first <= 2025 <= last


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 26), True),  # Sunday, adjusted working day before the Spring Festival
        (date(2025, 1, 28), False),  # 除夕
        (date(2025, 2, 4), False),  # last day of the Spring Festival holiday
        (date(2025, 2, 8), True),  # Saturday, adjusted working day
        (date(2025, 9, 28), True),  # Sunday, adjusted working day before National Day
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),  # National Day and Mid-Autumn, eight days
        (date(2025, 10, 11), True),  # Saturday, adjusted working day
        (date(2025, 10, 12), False),  # an ordinary Sunday
        (date(2025, 6, 3), True),  # an ordinary Tuesday
    ],
)
def test_official_working_days(day, working):
    assert is_workday(day) is working


def test_nine_working_days_across_national_day_2025():
    # Received Tuesday 30 September: 9, 10, 11 (Saturday, adjusted), 13-17, 20 October.
    assert add_working_days(date(2025, 9, 30), 9) == date(2025, 10, 20)
    # Received on the adjusted Sunday 28 September: 29, 30 September then 9-11, 13-16 October.
    assert add_working_days(date(2025, 9, 28), 9) == date(2025, 10, 16)


def test_nine_working_days_across_spring_festival_2025():
    # Received Friday 24 January: 26 (Sunday, adjusted), 27 January, then 5-8 (Saturday,
    # adjusted), 10-12 February.
    assert add_working_days(date(2025, 1, 24), 9) == date(2025, 2, 12)


def test_request_on_a_holiday_counts_from_the_next_working_day():
    assert add_working_days(date(2025, 10, 3), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 10, 3), 0) == date(2025, 10, 3)


def test_working_days_after():
    assert working_days_after(date(2025, 9, 30), date(2025, 10, 20)) == 9
    assert working_days_after(date(2025, 10, 20), date(2025, 10, 20)) == 0
    assert working_days_after(date(2025, 10, 20), date(2025, 10, 22)) == 2


def test_beyond_the_calendar_is_unknown_never_a_guess():
    first, last = known_years()
    with pytest.raises(CalendarUnknown, match=str(last + 1)):
        is_workday(date(last + 1, 3, 2))
    with pytest.raises(CalendarUnknown):
        is_workday(date(first - 1, 3, 3))
    due = due_date(date(last + 1, 3, 2), 9)
    assert due.due is None and not due.determined
    assert f"{last + 1} is not known" in due.reason


def test_last_days_of_december_of_the_last_year_wait_for_the_next_notice():
    # The next year's notice has moved days as late as 29 December (2007-12-29, 2018-12-29).
    _, last = known_years()
    assert is_known(date(last, 12, 19))
    assert not is_known(date(last, 12, 29))
    due = due_date(date(last, 12, 14), 9)
    assert due.due is None
    assert f"notice for {last + 1}" in due.reason
    # a deadline that ends before the unsettled days is determined
    assert due_date(date(last, 12, 1), 9).due is not None


@pytest.mark.parametrize("days", [None, "9", 9.0, True, -1, [9]])
def test_a_missing_or_odd_limit_leaves_the_due_date_undetermined(days):
    due = due_date(date(2025, 6, 3), days)
    assert due.due is None and "no processing limit" in due.reason


def test_negative_days_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 6, 3), -1)
