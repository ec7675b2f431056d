"""Calendar months as integers (tongcheng/months.py): parsing, formatting, unions, runs."""

from __future__ import annotations

from datetime import date

import pytest

from tongcheng import months as mo


@pytest.mark.parametrize("text, year, month", [
    ("2015-12", 2015, 12), ("2016-01", 2016, 1), ("1900-01", 1900, 1), ("2025-06", 2025, 6),
])
def test_a_month_is_year_times_twelve_plus_month_minus_one(text, year, month):
    index = mo.parse_month(text)
    assert index == year * 12 + month - 1
    assert mo.format_month(index) == text
    assert mo.first_day(index) == date(year, month, 1)
    assert mo.month_of(date(year, month, 28)) == index
    assert mo.parse_month(text) + 1 == mo.month_of(date(year + month // 12, month % 12 + 1, 1))


@pytest.mark.parametrize("text, message", [
    ("2015-13", "month 13 in '2015-13' is not a calendar month (01-12)"),
    ("2015-00", "month 00 in '2015-00' is not a calendar month (01-12)"),
    ("1899-12", "year 1899 in '1899-12' is before 1900"),
    ("2015-1", "expected a month as YYYY-MM, got '2015-1'"),
    ("2015/01", "expected a month as YYYY-MM, got '2015/01'"),
    ("2015-01-01", "expected a month as YYYY-MM, got '2015-01-01'"),
])
def test_a_month_that_is_not_a_calendar_month_is_refused_saying_why(text, message):
    with pytest.raises(ValueError) as caught:
        mo.parse_month(text)
    assert str(caught.value) == message


def test_merge_joins_overlapping_and_adjacent_intervals_and_drops_empty_ones():
    assert mo.merge([(10, 12), (1, 3), (4, 5), (11, 20), (30, 29), (22, 22)]) == (
        (1, 5), (10, 20), (22, 22))
    assert mo.merge([(1, 10), (2, 3)]) == ((1, 10),)  # one inside another
    assert mo.merge([(5, 5), (5, 5)]) == ((5, 5),)
    assert mo.merge([(1, 2), (4, 5)]) == ((1, 2), (4, 5))  # a one-month gap stays
    # a later interval grows only the last one, never the first
    assert mo.merge([(1, 20), (22, 30), (25, 26)]) == ((1, 20), (22, 30))
    assert mo.merge([(1, 5), (8, 9), (9, 12)]) == ((1, 5), (8, 12))
    assert mo.merge([]) == ()


def test_count_counts_a_month_paid_twice_once():
    assert mo.count([(1, 12), (7, 18)]) == 18
    assert mo.count([(1, 1)]) == 1
    assert mo.count([(3, 2)]) == 0
    assert mo.count([]) == 0


def test_run_ending_at_a_month():
    spans = [(1, 12), (13, 20), (25, 30)]
    assert mo.run_ending_at(spans, 20) == 20  # 1 … 20, adjacent spans joined
    assert mo.run_ending_at(spans, 5) == 5
    assert mo.run_ending_at(spans, 1) == 1
    assert mo.run_ending_at(spans, 25) == 1
    assert mo.run_ending_at(spans, 30) == 6
    assert mo.run_ending_at(spans, 22) == 0  # in the gap
    assert mo.run_ending_at(spans, 31) == 0
    assert mo.run_ending_at([], 5) == 0
