"""The ``time`` property: no decision before a rule, its zone or its basis is in force, and a
parameter value used is the one valid on the date the trace shows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tongcheng import testing as ts
from tongcheng.consistency import analysis
from tongcheng.consistency.facts import format_path
from tongcheng.consistency.properties.context import (
    Context,
    Failure,
    GeneratorError,
    Violation,
    _describe,
)
from tongcheng.evaluate.decision import Decision, Status
from tongcheng.evaluate.values import to_json
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import Rule
from tongcheng.situation import Situation

# -- time --


def _valid_value(values: Sequence[Any], at: date) -> Any:
    """The value valid at ``at`` by the pack format's definition: the dated value whose dates
    hold ``at``; else the undated one, once every dated value has begun; else none."""
    dated = [v for v in values if not v.undated]
    holding = [v for v in dated if (v.start is None or v.start <= at)
               and (v.end is None or at <= v.end)]
    if holding:
        return holding[0]
    undated = [v for v in values if v.undated]
    if undated and all(v.start is None or v.start <= at for v in dated):
        return undated[0]
    return None


def _param_targets(ctx: Context) -> list[tuple[Rule, str, str, Any]]:
    """(rule, parameter, declaring place, value) for every dated value a rule can read."""
    out = []
    for rule in ctx.rules:
        for use in analysis.param_uses(rule):
            if use.call.func != "param" or use.place is not None:
                continue
            prm = ctx.pack.parameters.get(use.parameter)
            if prm is None:
                continue
            for place, values in prm.places.items():
                for v in values:
                    out.append((rule, use.parameter, place, v))
    return out


def check_time(ctx: Context, data: st.DataObject) -> None:
    prop = "time"
    targets = _param_targets(ctx)
    if targets and data.draw(st.integers(0, 2), label="parameter dates") > 0:
        _check_parameter_dates(ctx, data, targets)
        return
    rule = ctx.draw_rule(data)
    edges = sorted({d + timedelta(days=n) for d in ts._rule_dates(rule) for n in (-1, 0, 1)})
    at = data.draw(st.one_of(st.sampled_from(edges), ts.as_of_dates(ctx.pack, rule=rule))
                   if edges else ts.as_of_dates(ctx.pack, rule=rule), label="as_of")
    model, s = ctx.draw(data, rule, as_of=at)
    d = ctx.decide(model, rules=[rule.id])[rule.id]
    _check_params_used(ctx, rule, model, d, s)
    if d.status is Status.NOT_APPLICABLE:
        return
    speaks = f"rule {rule.id} decides ({_describe(d)}) on {at}"
    speaks_zh = f"规则 {rule.id} 在 {at} 作出了判定({_describe(d, 'zh')})"
    if not rule.in_force(at):
        dates = f"{rule.in_force_from} – {rule.in_force_to or '…'}"
        raise Violation(Failure(
            prop, f"{speaks}, outside its in-force dates {dates}", rule.id,
            (("counterexample", s),), zh=f"{speaks_zh},却在它的施行期 {dates} 之外"))
    anchor_path = analysis.anchor_path(rule)
    anchor = ts.get_path(s, anchor_path) if anchor_path else None
    active = [ref for ref in rule.zones if ref.active(at) and ref.zone.members_at(at)]
    holding = [ref for ref in active if isinstance(anchor, str)
               and zone_logic.contains(ctx.registry, ref.zone, anchor, at) is not False]
    if not active or (isinstance(anchor, str) and not holding):
        path = format_path(anchor_path or ("target",))
        where = f" for {path} {anchor}" if anchor else ""
        where_zh = f"(针对 `{path}` {anchor})" if anchor else ""
        raise Violation(Failure(
            prop, f"{speaks}{where}, but no zone of the rule holding that place is in force "
            f"then (zones: {', '.join(f'{r.zone.id} from {r.start}' for r in rule.zones)})",
            rule.id, (("counterexample", s),),
            zh=f"{speaks_zh}{where_zh},但当时规则中包含该地的区域都未施行(区域:"
               f"{'、'.join(f'{r.zone.id} 自 {r.start} 起' for r in rule.zones)})"))
    earliest = analysis.earliest_issued(rule)
    if earliest is not None and at < earliest:
        first = min((b for b in rule.basis if b.document.issued),
                    key=lambda b: b.document.issued)
        raise Violation(Failure(
            prop, f"{speaks}, before any of its basis documents was issued (the earliest, "
            f"{first.document.title.en}, on {earliest}): a rule cannot speak before its basis is "
            "in force", rule.id, (("counterexample", s),),
            zh=f"{speaks_zh},早于其任何依据文件的发布日期(最早的是《{first.document.title.zh}》,"
               f"发布于 {earliest}):依据生效之前,规则不能作出判定"))
    zone_dates = []
    for ref in holding:
        issued = [b.document.issued for b in ref.zone.basis if b.document.issued]
        zone_dates.append(min(issued) if issued else None)
    if zone_dates and all(z is not None and at < z for z in zone_dates):
        raise Violation(Failure(
            prop, f"{speaks}, before the documents establishing its zones "
            f"({', '.join(r.zone.id for r in holding)}) were issued "
            f"(the earliest on {min(z for z in zone_dates if z)})", rule.id,
            (("counterexample", s),),
            zh=f"{speaks_zh},早于确立其区域({'、'.join(r.zone.id for r in holding)})的文件的"
               f"发布日期(最早的发布于 {min(z for z in zone_dates if z)})"))


def _check_parameter_dates(ctx: Context, data: st.DataObject, targets: list) -> None:
    rule, _, place, value = targets[data.draw(st.integers(0, len(targets) - 1),
                                              label="parameter value")]
    start = value.start or (value.end - timedelta(days=730) if value.end else date(2020, 1, 1))
    end = value.end or (start + timedelta(days=730))
    # The first and last days of the value, the days next to them, or any day between.
    edges = [d for d in (start, end, start + timedelta(days=1), end - timedelta(days=1))
             if start <= d <= end]
    k = data.draw(st.integers(0, 2 * len(edges)), label="which day")
    at = edges[k % len(edges)] if k < 2 * len(edges) else data.draw(ts.dates(start, end),
                                                                     label="as_of")
    inner = list(ts._counties_inside(place)) if place in ctx.registry else []
    anchor_path = analysis.anchor_path(rule)
    if anchor_path is None:
        return
    spot = data.draw(st.sampled_from([place, *inner[:5]]), label="place")
    # A parameter an outcome reads is read only when the rule grants: a few tries to get there.
    for _ in range(4):
        _, s = ctx.draw(data, rule, as_of=at, completeness=data.draw(st.sampled_from((9, 10))))
        raw = json.loads(json.dumps(s))
        ts.set_path(raw, anchor_path, spot)
        try:
            model, s = ctx.canonical(raw)
        except GeneratorError:
            return  # the anchor is part of an object with other required facts
        d = ctx.decide(model, rules=[rule.id])[rule.id]
        _check_params_used(ctx, rule, model, d, s)
        if any(r.parameters for r in d.reasons):
            return


def _check_params_used(ctx: Context, rule: Rule, model: Situation, d: Decision,
                       s: dict[str, Any]) -> None:
    prop = "time"
    with_at = {u.parameter for u in analysis.param_uses(rule) if u.at is not None}
    for reason in d.reasons:
        for rec in reason.parameters:
            name, place, at_text = rec.get("parameter"), rec.get("place"), rec.get("at")
            prm = ctx.pack.parameters.get(name)
            if prm is None or not at_text:
                continue
            at = date.fromisoformat(at_text)
            if name not in with_at and at != model.as_of:
                raise Violation(Failure(
                    prop, f"rule {rule.id} took parameter {name} at {at}, not at as_of "
                    f"({model.as_of}), though it names no other date", rule.id,
                    (("counterexample", s),),
                    zh=f"规则 {rule.id} 按 {at} 取参数 {name} 的数值,而不是按评估日期 as_of"
                       f"({model.as_of}),尽管它没有指定其他日期"))
            if place not in prm.places:
                continue
            expected = _valid_value(prm.places[place], at)
            used = rec.get("value")
            found = rec.get("status", "found") == "found" and "reference" in rec
            if expected is None and found:
                raise Violation(Failure(
                    prop, f"rule {rule.id} used {name}[{place}] = {used!r} on {at}, but no value "
                    f"of it is valid on that date", rule.id, (("counterexample", s),),
                    zh=f"规则 {rule.id} 在 {at} 用了 {name}[{place}] = {used!r},但它在那天没有"
                       "有效的数值"))
            if expected is not None and (not found or used != to_json(expected.value)
                                         or rec.get("reference") != expected.reference):
                loc = expected.location
                raise Violation(Failure(
                    prop, f"rule {rule.id} took {name}[{place}] on {at} as "
                    f"{used if found else 'no value'}, but the value valid on that date is "
                    f"{to_json(expected.value)!r} ({loc}, {expected.start or '…'} – "
                    f"{expected.end or '…'})", rule.id, (("counterexample", s),),
                    zh=f"规则 {rule.id} 在 {at} 取 {name}[{place}] 为"
                       f"{f'`{used}`' if found else '无数值'},但那天有效的数值是 "
                       f"{to_json(expected.value)!r}({loc},{expected.start or '…'} – "
                       f"{expected.end or '…'})"))
