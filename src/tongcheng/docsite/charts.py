"""Inline SVG drawings of the site: a step chart of a parameter's values at one place, and a
zone's members over time. Drawn at build time, so the page needs no script to show them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
from markupsafe import Markup, escape

COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989")
WIDTH, LEFT, RIGHT, TOP = 640, 56, 16, 14


@attrs.frozen
class Step:
    start: date
    end: date  # inclusive; the chart's end for an open value
    value: float
    open_end: bool = False
    undated: bool = False  # start unknown: drawn dashed


def _x(d: date, lo: date, hi: date) -> float:
    span = max((hi - lo).days, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (d - lo).days / span


def _year_ticks(lo: date, hi: date, height: int) -> list[str]:
    years = list(range(lo.year + 1, hi.year + 1))
    step = max(1, len(years) // 8)
    out = []
    for y in years[::step]:
        x = _x(date(y, 1, 1), lo, hi)
        out.append(f'<line class="tick" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{height}"/>'
                   f'<text class="year" x="{x:.1f}" y="{height + 14}">{y}</text>')
    return out


def numeric_series(value: Any) -> dict[str, float]:
    """The numbers a parameter value holds: itself, or the numeric fields of a record."""
    if isinstance(value, bool):
        return {}
    if isinstance(value, int | float | Decimal):
        return {"": float(value)}
    if isinstance(value, dict):
        return {str(k): float(v) for k, v in value.items()
                if isinstance(v, int | float | Decimal) and not isinstance(v, bool)}
    return {}


def step_chart(series: dict[str, Sequence[Step]], lo: date, hi: date, title: str,
               no_value: str) -> Markup:
    """One place's values over time: a step line per series, gaps shaded as "no value"."""
    height = 150
    plot_bottom = height - 10
    top = max((s.value for steps in series.values() for s in steps), default=0) or 1
    top *= 1.15

    def y(v: float) -> float:
        return plot_bottom - (plot_bottom - TOP) * v / top

    parts = [f'<svg class="chart step" viewBox="0 0 {WIDTH} {height + 22}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<rect class="gap" x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
             f'height="{plot_bottom - TOP}"><title>{escape(no_value)}</title></rect>',
             *_year_ticks(lo, hi, plot_bottom),
             f'<line class="axis" x1="{LEFT}" y1="{plot_bottom}" x2="{WIDTH - RIGHT}" '
             f'y2="{plot_bottom}"/>']
    covered: list[tuple[float, float]] = []
    # Series that hold the same value over the same dates share one label (single = couple).
    names: dict[tuple[date, date, float], list[str]] = {}
    for name, steps in series.items():
        for s in steps:
            names.setdefault((s.start, s.end, s.value), []).append(name)
    labelled: set[tuple[date, date, float]] = set()
    for n, steps in enumerate(series.values()):
        colour = COLOURS[n % len(COLOURS)]
        previous: tuple[float, float] | None = None
        for s in steps:
            x1, x2 = _x(max(s.start, lo), lo, hi), _x(min(s.end, hi), lo, hi)
            covered.append((x1, x2))
            dash = ' stroke-dasharray="5 4"' if s.undated else ""
            key = (s.start, s.end, s.value)
            who = ", ".join(n for n in names[key] if n)
            label = f"{who + ': ' if who else ''}{_number(s.value)}"
            parts.append(f'<line class="step" x1="{x1:.1f}" y1="{y(s.value):.1f}" x2="{x2:.1f}" '
                         f'y2="{y(s.value):.1f}" stroke="{colour}"{dash}>'
                         f'<title>{escape(label)} ({s.start} – '
                         f'{"…" if s.open_end else s.end})</title></line>')
            if previous and abs(previous[0] - x1) < 1.5:
                parts.append(f'<line class="riser" x1="{x1:.1f}" y1="{previous[1]:.1f}" '
                             f'x2="{x1:.1f}" y2="{y(s.value):.1f}" stroke="{colour}"/>')
            if key not in labelled:
                labelled.add(key)
                parts.append(f'<text class="value" x="{x1 + 3:.1f}" y="{y(s.value) - 4:.1f}" '
                             f'fill="{colour}">{escape(label)}</text>')
            previous = (x2, y(s.value))
    # values mask the "no value" shading where they hold
    for x1, x2 in covered:
        parts.append(f'<rect class="held" x="{x1:.1f}" y="{plot_bottom - 3}" '
                     f'width="{max(x2 - x1, 0.5):.1f}" height="3"/>')
    parts.append(f'<text class="axis-label" x="4" y="{y(0):.1f}">0</text></svg>')
    return Markup("".join(parts))


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


@attrs.frozen
class Bar:
    label: str
    start: date
    end: date | None
    href: str | None = None
    note: str | None = None


def timeline(bars: Sequence[Bar], lo: date, hi: date, title: str) -> Markup:
    """Rows of dated memberships: a bar from each start to its end (or on)."""
    row = 22
    height = TOP + row * len(bars) + 4
    parts = [f'<svg class="chart timeline" viewBox="0 0 {WIDTH} {height + 22}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             *_year_ticks(lo, hi, height)]
    for i, b in enumerate(bars):
        top = TOP + i * row
        x1 = _x(max(b.start, lo), lo, hi)
        x2 = _x(min(b.end, hi) if b.end else hi, lo, hi)
        tip = f"{b.label}: {b.start} – {b.end or '…'}" + (f" ({b.note})" if b.note else "")
        bar = (f'<rect class="member{" ended" if b.end else ""}" x="{x1:.1f}" y="{top + 3}" '
               f'width="{max(x2 - x1, 2):.1f}" height="{row - 8}"><title>{escape(tip)}</title>'
               f'</rect><text class="member-label" x="{x1 + 4:.1f}" y="{top + row - 9}">'
               f'{escape(b.label)}</text>')
        if b.href:
            bar = f'<a href="{escape(b.href)}">{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return Markup("".join(parts))


def chart_span(dates: Sequence[date | None]) -> tuple[date, date]:
    """From a little before the first date named to a year after the last."""
    known = [d for d in dates if d is not None]
    lo = min(known) if known else date(2020, 1, 1)
    hi = max(known) if known else lo
    return date(lo.year, 1, 1), date(hi.year + 1, 12, 31) + timedelta(days=0)
