"""Decisions over time on the page: one strip per rule, a month a cell, from five years before
the evaluation date to five after (``tongcheng.timeline``), with the days they change and why."""

from __future__ import annotations

from typing import Any

from tongcheng.months import format_month, month_of
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry
from tongcheng.service.page.decisions import STATUS_WORDS
from tongcheng.situation import Situation

YEARS_AROUND = 5
LEFT, SPAN = 30.0, 70.0  # the strips take the right 70% of the width, labels the left 30%
WORDS = {
    "zh": {"title": "判断随时间的变化(按每月月末)", "changes": "判断发生变化的日期与原因",
           "none": "窗口内判断没有变化", "months": "个月"},
    "en": {"title": "Decisions over time (as of each month's end)",
           "changes": "The days decisions change, and why",
           "none": "no change in the window", "months": "months"},
}
FIRMNESS = {"pilot": ("试点", "pilot"), "promise": ("承诺", "promise")}


def strips(situation: Situation, as_of_month: int, pack: RulePack, registry: PlaceRegistry,
           lang: str) -> dict[str, Any]:
    """The strips' view: per rule its stretches as percentages of the window, and changes."""
    from tongcheng.timeline import build

    year = as_of_month // 12
    start, end = (year - YEARS_AROUND) * 12, (year + YEARS_AROUND) * 12 + 11
    born = situation.person.birth_date if situation.person else None
    if born is not None:
        start = max(start, month_of(born) + 1)
    start = min(start, end)
    timeline = build(pack, situation, start, end, registry=registry)
    width = end - start + 1
    zh = lang == "zh"
    rows = []
    for r in timeline.rules:
        cells = []
        for s in r.segments:
            status = s.first.status.value
            firm = FIRMNESS.get(s.first.firmness)
            label = STATUS_WORDS[status][1 if zh else 2] + (
                f" ({firm[0 if zh else 1]})" if firm else "")
            cells.append({"x": _x(s.start - start, width),
                          "w": round(SPAN * (s.end - s.start + 1) / width, 3),
                          "status": status, "firmness": s.first.firmness,
                          "title": f"{format_month(s.start)} – {format_month(s.end)}: {label}"})
        changes = [{"day": c.day.isoformat(),
                    "from": STATUS_WORDS[c.before.status.value][1 if zh else 2],
                    "to": STATUS_WORDS[c.after.status.value][1 if zh else 2],
                    "why": "; ".join(w.text.get(lang) for w in c.why)} for c in r.changes]
        rows.append({"rule": r.rule.id, "title": r.rule.title.get(lang), "cells": cells,
                     "changes": changes, "y": 20 + 24 * len(rows)})
    ticks = [{"x": _x(m - start, width), "label": str(m // 12)}
             for m in range(start, end + 1) if m % 12 == 0]
    return {"words": WORDS[lang], "rows": rows, "ticks": ticks,
            "as_of_x": _x(as_of_month - start + 1, width),
            "height": 22 + 24 * len(rows),
            "from": format_month(start), "to": format_month(end),
            "legend": [(s, STATUS_WORDS[s][1 if zh else 2]) for s in STATUS_WORDS]}


def _x(months: int, width: int) -> float:
    return round(LEFT + SPAN * months / width, 3)
