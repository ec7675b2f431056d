"""The ``mutual_recognition_symmetric`` property: recognition does not depend on which member
place a record comes from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from hypothesis import strategies as st

from tongcheng import testing as ts
from tongcheng.consistency import analysis
from tongcheng.consistency.facts import field_at, format_path
from tongcheng.consistency.properties.context import (
    Context,
    Failure,
    Violation,
    _describe,
    _name,
    _outcome_json,
    essence,
)
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import Rule

# -- mutual recognition --


def _symmetric_rules(ctx: Context) -> list[Rule]:
    return [r for r in ctx.rules if analysis.uses_membership(r) and analysis.anchor_path(r)
            and (r.subject != "project" or ts.HAS_PROJECT)]


def _profile(ctx: Context, zone_ids: Sequence[str], place: str, at: date) -> tuple | None:
    """Membership of ``place`` in each zone at ``at``; None when one is unknown (too coarse)."""
    out = []
    for zid in zone_ids:
        inside = zone_logic.contains(ctx.registry, ctx.pack.zones[zid], place, at)
        if inside is None:
            return None
        out.append(inside)
    return tuple(out)


def _rename(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new if value == old else value.replace(f"[{old}]", f"[{new}]")
    if isinstance(value, list):
        return [_rename(v, old, new) for v in value]
    if isinstance(value, dict):
        return {_rename(k, old, new): _rename(v, old, new) for k, v in value.items()}
    return value


def _as_sets(value: Any) -> Any:
    if isinstance(value, list):
        return sorted((_as_sets(v) for v in value), key=_outcome_json)
    if isinstance(value, dict):
        return {k: _as_sets(v) for k, v in value.items()}
    return value


def check_mutual_recognition_symmetric(ctx: Context, data: st.DataObject) -> None:
    prop = "mutual_recognition_symmetric"
    rules = _symmetric_rules(ctx)
    rule = ctx.draw_rule(data, rules)
    anchor = analysis.anchor_path(rule)
    assert anchor is not None
    model, s = ctx.draw(data, rule, completeness=data.draw(st.sampled_from((6, 9, 10))))
    at = model.as_of
    assert at is not None
    zone_ids = sorted({ref.zone.id for ref in rule.zones} | analysis.named_zones(rule))
    active = [ref for ref in rule.zones if ref.active(at)]
    if not active:
        return
    ref = data.draw(st.sampled_from(active), label="zone")
    places = _member_places(ctx, data, rule, ref, zone_ids, at)
    if places is None:
        return
    target, p_old, p_new = places
    base = _with_record_in(ctx, data, s, anchor, target, p_old, p_new, at)
    if base is None:
        return
    moved = _rename(base, p_old, p_new)
    before_model, after_model = ctx.parse(base), ctx.parse(moved)
    d = ctx.decide(before_model, rules=[rule.id])[rule.id]
    e = ctx.decide(after_model, rules=[rule.id])[rule.id]
    # Lists in an outcome are sets of records (shown sorted): compared as sets.
    expected = _as_sets(_rename(essence(d), p_old, p_new))
    if _as_sets(essence(e)) != expected:
        shared = ref.zone.name.en
        raise Violation(Failure(
            prop, f"rule {rule.id} treats member places {_name(ctx, p_old)} and "
            f"{_name(ctx, p_new)} differently: both share {shared} with "
            f"{format_path(anchor)} {_name(ctx, target)} at {at}, with the same membership in "
            f"every zone the rule uses, yet moving the record from the first to the second "
            f"changes the decision from {_describe(d)} to {_describe(e)} (expected the same "
            "with the place renamed). Recognition must not depend on which member a record "
            "comes from.", rule.id,
            (("record in " + p_old, before_model.to_dict()),
             ("record moved to " + p_new, after_model.to_dict())),
            zh=f"规则 {rule.id} 对成员地 {_name(ctx, p_old, 'zh')} 与 {_name(ctx, p_new, 'zh')} "
               f"区别对待:{at} 时两地都与 `{format_path(anchor)}` {_name(ctx, target, 'zh')} "
               f"同属{ref.zone.name.zh},在规则用到的每个区域中成员身份也相同,但把记录从前者移到"
               f"后者,判定却从{_describe(d, 'zh')}变为{_describe(e, 'zh')}(应当只是换了地名的"
               "同一判定)。互认不应取决于记录来自哪个成员地。"))


def _member_places(ctx: Context, data: st.DataObject, rule: Rule, ref: Any,
                   zone_ids: Sequence[str], at: date) -> tuple[str, str, str] | None:
    """The anchor (a member of ``ref``'s zone) and two members of other cities with the same
    membership in every zone the rule uses (the record's place before and after the move);
    None when the pool has no such three."""
    reg = ctx.registry
    candidates = sorted(set(ts.rule_places(ctx.pack, rule)) | set(ctx.pool.fine_places()))
    members = [p for p in candidates if p in ctx.pool.fine
               and zone_logic.contains(reg, ref.zone, p, at) is True
               and _profile(ctx, zone_ids, p, at) is not None]
    if len(members) < 3:
        return None
    target = data.draw(st.sampled_from(members), label="anchor")
    t_city = reg.city_of(target) or target
    first = [p for p in members if (reg.city_of(p) or p) != t_city]
    if not first:
        return None
    p_old = data.draw(st.sampled_from(first), label="from place")
    old_city = reg.city_of(p_old) or p_old
    profile = _profile(ctx, zone_ids, p_old, at)
    second = [p for p in first if (reg.city_of(p) or p) != old_city
              and _profile(ctx, zone_ids, p, at) == profile]
    if not second:
        return None
    return target, p_old, data.draw(st.sampled_from(second), label="to place")


def _with_record_in(ctx: Context, data: st.DataObject, s: dict[str, Any], anchor: Any,
                    target: str, p_old: str, p_new: str, at: date) -> dict[str, Any] | None:
    """The situation anchored at ``target`` with one record (drawn, or an insurance period
    added) in ``p_old``, where only ``p_old`` stands for its city and ``p_new``'s city
    appears nowhere: moving the record is then a renaming."""
    reg = ctx.registry
    old_city = reg.city_of(p_old) or p_old
    new_city = reg.city_of(p_new) or p_new
    base = json.loads(json.dumps(s))
    ts.set_path(base, anchor, target)
    paths = [p for p in ts.place_paths(base) if p != anchor]
    if not paths:
        kind = field_at(("insurance",))
        if kind is None:
            return None
        base.setdefault("insurance", []).append(
            {"scheme": "employee_medical", "place": p_old, "from": f"{at.year - 3}-01"})
        paths = ts.place_paths(base)
        paths = [p for p in paths if p != anchor]
    else:
        chosen = data.draw(st.sampled_from(paths), label="record")
        ts.set_path(base, chosen, p_old)
    for path in paths:
        code = ts.get_path(base, path)
        city = reg.city_of(code) or code
        if city in (old_city, new_city):
            ts.set_path(base, path, p_old)
    return base
