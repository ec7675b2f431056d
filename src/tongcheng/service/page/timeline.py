"""The contribution and deposit periods by city, as the lanes of an SVG."""

from __future__ import annotations

from datetime import date
from typing import Any

from tongcheng.evaluate.decision import Evaluation
from tongcheng.months import count as count_months
from tongcheng.months import format_month, merge, month_of
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry
from tongcheng.service.page.fields import OPTION_WORDS
from tongcheng.situation import Situation

RECOGNISING_RULE = {
    "employee_medical": "medical_insurance.contribution_years_recognition",
    "fund": "provident_fund.transfer",
}
KIND_ORDER = ("employee_medical", "resident_medical", "pension", "unemployment", "work_injury",
              "fund")


def _member(pack: RulePack, registry: PlaceRegistry, rule_id: str, place: str, target: str,
            at: date) -> bool:
    """``place`` shares a zone of the rule in force at ``at`` with ``target`` (surely)."""
    rule = next((r for r in pack.rules if r.id == rule_id), None)
    if rule is None:
        return False
    for ref in rule.zones:
        if not ref.active(at):
            continue
        if (
            zone_logic.contains(registry, ref.zone, target, at) is True
            and zone_logic.contains(registry, ref.zone, place, at) is True
        ):
            return True
    return False


def timeline(
    situation: Situation, result: Evaluation, pack: RulePack, registry: PlaceRegistry, lang: str
) -> dict[str, Any] | None:
    """Contribution and deposit periods by city, as lanes of an SVG, with the months counted
    at the target (by the recognising rule's eligible decision) marked."""
    last = month_of(result.as_of)
    periods = _periods(situation, result, pack, registry, last)
    if not periods:
        return None
    target = situation.target
    first = min(p["start"] for p in periods)
    start = first - first % 12
    span = last - start + 1
    # Horizontal positions are percentages of the drawing's width, so the SVG stretches to any
    # screen while its text keeps its size; vertical ones are pixels.
    left, right, top, lane_h = 0.8, 0.8, 30, 44
    scale = (100.0 - left - right) / span

    def x(month: int) -> float:
        return round(left + (month - start) * scale, 3)

    target_city = registry.city_of(target) if target else None
    lanes = [_lane(city, kind, items, top + i * lane_h, x, scale, target_city, registry, lang)
             for i, ((city, kind), items) in enumerate(_ordered_lanes(periods, registry,
                                                                      target_city))]
    # few enough year labels to stay apart on a phone
    step = 1 if span <= 6 * 12 else 2 if span <= 14 * 12 else 5 if span <= 40 * 12 else 10
    ticks = []
    for year in range(start // 12, last // 12 + 1):
        if year % step == 0:
            # the label is drawn right of its line: none too close to the right edge
            ticks.append({"x": x(year * 12), "label": str(year) if x(year * 12) < 93 else ""})
    return {
        "height": top + len(lanes) * lane_h + 6,
        "lanes": lanes,
        "ticks": ticks,
        "as_of_x": x(last + 1),
        "as_of": format_month(last),
        "target_name": registry.name(target, lang) if target else None,
        "any_recognised": any(p["recognised"] for p in periods),
        "has_insurance": any(p["kind"] != "fund" for p in periods),
        "has_fund": any(p["kind"] == "fund" for p in periods),
        "has_deemed": any(p["deemed"] for p in periods),
    }


def _periods(situation: Situation, result: Evaluation, pack: RulePack, registry: PlaceRegistry,
             last: int) -> list[dict[str, Any]]:
    """Every insurance and fund period begun by ``last`` (ends cut there), each marked
    ``recognised`` when the recognising rule is eligible and its place shares a zone with the
    target."""
    periods: list[dict[str, Any]] = []
    for p in situation.insurance or ():
        periods.append({"kind": p.scheme, "place": p.place, "start": p.from_, "end": p.to,
                        "deemed": p.deemed})
    fund = situation.provident_fund
    for p in (fund.periods if fund is not None and fund.periods else ()):
        periods.append({"kind": "fund", "place": p.place, "start": p.from_, "end": p.to,
                        "deemed": False})
    periods = [p for p in periods if p["start"] <= last]
    target = situation.target
    eligible = {d.rule for d in result.decisions if d.status.value == "eligible"}
    for p in periods:
        p["end"] = min(p["end"] if p["end"] is not None else last, last)
        rule_id = RECOGNISING_RULE.get(p["kind"])
        p["recognised"] = bool(
            target is not None
            and rule_id in eligible
            and not p["deemed"]
            and _member(pack, registry, rule_id, p["place"], target, result.as_of)
        )
    return periods


def _ordered_lanes(periods: list[dict[str, Any]], registry: PlaceRegistry,
                   target_city: str | None) -> list[tuple[tuple[str, str], list[dict[str, Any]]]]:
    """Periods by (city, kind): the target's city first, then cities by their first month."""
    lanes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in periods:
        city = registry.city_of(p["place"]) or p["place"]
        lanes.setdefault((city, p["kind"]), []).append(p)
    city_start: dict[str, int] = {}
    for (city, _), items in lanes.items():
        first_here = min(p["start"] for p in items)
        city_start[city] = min(city_start.get(city, first_here), first_here)

    def lane_order(item: tuple[tuple[str, str], list[dict[str, Any]]]) -> tuple:
        city, kind = item[0]
        rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
        return (city != target_city, city_start[city], city, rank)

    return sorted(lanes.items(), key=lane_order)


def _lane(city: str, kind: str, items: list[dict[str, Any]], y: int, x: Any, scale: float,
          target_city: str | None, registry: PlaceRegistry, lang: str) -> dict[str, Any]:
    """One lane: its bars (one per period), the recognised strips and the months counted."""
    bars = []
    for p in sorted(items, key=lambda p: p["start"]):
        name = registry.name(p["place"], lang)
        bars.append({
            "x": x(p["start"]),
            "w": max(round((p["end"] - p["start"] + 1) * scale, 3), 0.3),
            "deemed": p["deemed"],
            "recognised": p["recognised"],
            "title": f"{name} {format_month(p['start'])} – {format_month(p['end'])}",
            "place": p["place"],
            "place_name": name,
            "from": format_month(p["start"]),
            "to": format_month(p["end"]),
            "months": p["end"] - p["start"] + 1,
        })
    strips = [
        {"x": x(lo), "w": max(round((hi - lo + 1) * scale, 3), 0.3)}
        for lo, hi in merge((p["start"], p["end"]) for p in items if p["recognised"])
    ]
    return {
        "y": y,
        "city": city,
        "city_name": registry.name(city, lang),
        "kind": kind,
        "kind_name": OPTION_WORDS.get(kind, (kind, kind))[1 if lang == "en" else 0],
        "months": count_months((p["start"], p["end"]) for p in items),
        "recognised": count_months((p["start"], p["end"]) for p in items if p["recognised"]),
        "bars": bars,
        "strips": strips,
        "is_target": city == target_city,
    }
