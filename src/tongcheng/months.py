"""Calendar months as plain integers, and sets of months as merged intervals.

A month is stored as ``year * 12 + (month - 1)`` so that ranges, unions and counts are
integer arithmetic. Contribution periods are month ranges with both ends included; a month
paid in two places counts once, which is exactly a union of intervals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)  # not ２０２５ nor ٢٠٢٥


def parse_month(text: str) -> int:
    """``"2015-12"`` -> month index; raises ValueError naming what was expected."""
    m = _MONTH_RE.match(text)
    if not m:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"month {month:02d} in {text!r} is not a calendar month (01-12)")
    if year < 1900:
        raise ValueError(f"year {year} in {text!r} is before 1900")
    return year * 12 + month - 1


def month_of(d: date) -> int:
    """The month index that contains a date."""
    return d.year * 12 + d.month - 1


def format_month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


Interval = tuple[int, int]  # both ends included


def merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, disjoint, non-adjacent intervals covering the same months."""
    out: list[list[int]] = []
    for lo, hi in sorted(i for i in intervals if i[0] <= i[1]):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def count(intervals: Iterable[Interval]) -> int:
    """Number of distinct months covered (overlaps count once)."""
    return sum(hi - lo + 1 for lo, hi in merge(intervals))


def run_ending_at(intervals: Iterable[Interval], month: int) -> int:
    """Length of the unbroken run of covered months that ends at ``month`` (0 if not covered)."""
    for lo, hi in merge(intervals):
        if lo <= month <= hi:
            return month - lo + 1
    return 0
