"""Dates and months: ``as_of`` dates around every date a pack names, and month arithmetic
(``(year, month)`` pairs, month indexes) for the other strategies."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tongcheng.testing.packs import (
    _resolve_pack,
    _resolve_rule,
    _rule_dates,
    _short_pack_repr,
    pack_dates,
)


def dates(start: date = date(1940, 1, 1), end: date = date(2027, 12, 31)) -> st.SearchStrategy:
    return st.dates(min_value=start, max_value=max(start, end))


def _around(days: Iterable[date]) -> list[date]:
    out = set()
    for d in days:
        for n in (-1, 0, 1):
            with contextlib.suppress(OverflowError):
                out.add(d + timedelta(days=n))
    return sorted(out)


@_short_pack_repr
def as_of_dates(pack: Any = None, *, rule: Any = None) -> st.SearchStrategy[date]:
    """Evaluation dates: on and a day either side of every date the pack names (of ``rule``'s
    dates only, when given), and anywhere from three years before the first to three years
    after the last."""
    pack = _resolve_pack(pack)
    focus = _resolve_rule(pack, rule)
    edges = _around(_rule_dates(focus) if focus is not None else pack_dates(pack))
    if not edges:
        return dates(date(2019, 1, 1), date(2027, 12, 31))
    lo = max(date(1990, 1, 1), edges[0] - timedelta(days=3 * 365))
    hi = min(date(2099, 12, 31), max(edges[-1], date(2026, 1, 1)) + timedelta(days=3 * 365))
    anywhere = st.one_of(st.sampled_from(edges), dates(lo, hi))
    if focus is None or not focus.zones:
        return anywhere
    start = max(min(ref.start for ref in focus.zones), focus.in_force_from or date.min)
    end = min(hi, focus.in_force_to or date.max)
    inside = [d for d in edges if start <= d <= end]
    window = dates(start, max(start, end))
    near = st.sampled_from(inside) if inside else window
    return st.integers(0, 9).flatmap(
        lambda k: near if k in (1, 2, 3) else anywhere if k == 9 else window)


def months(lo: int = 1985, hi: int = 2027) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(lo, hi), st.integers(1, 12))


def _fmt(ym: tuple[int, int]) -> str:
    return f"{ym[0]:04d}-{ym[1]:02d}"


def _index(ym: tuple[int, int]) -> int:
    return ym[0] * 12 + ym[1] - 1


def _ym(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def _month_index(draw, as_of: date | None, pack: Any) -> int:
    """A month: anywhere, near the month of as_of (before, at, after), or near a pack date."""
    now = as_of or date(2025, 6, 1)
    m_now = now.year * 12 + now.month - 1
    choice = draw(st.integers(0, 9))
    if choice < 4:
        return _index(draw(months(1985, now.year + 1)))
    if choice < 7:
        return m_now + draw(st.integers(-3, 1))
    edges = pack_dates(pack)
    if edges:
        d = draw(st.sampled_from(edges))
        return d.year * 12 + d.month - 1 + draw(st.integers(-1, 1))
    return m_now
