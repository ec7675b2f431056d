"""The properties every rule pack must have, searched with hypothesis over generated situations.

Each property draws situations from the pack itself (``tongcheng.testing``: its zones, places,
dates and parameters), evaluates them with the reference evaluator, and checks one promise the
contract makes to caseworkers. A failure is shrunk by hypothesis to a small situation and
reported with that situation (and, for properties comparing two situations, both), ready to run
with ``tongcheng check``.

The properties (names as ``tongcheng verify --property`` takes them):

``no_contradictions``
    Every situation gets exactly one decision per rule, in the pack's order; no rule fails to
    evaluate, and no two exceptions of a rule both apply with different answers unless one
    overrides the other (``RuleConflict`` is never raised); only eligible decisions carry an
    outcome. Rules with exceptions are drawn more often.
``deterministic``
    Evaluating the same situation twice, or the situation written as a YAML file and read back
    (the form counterexamples are printed in), gives the same JSON; a rule evaluated alone
    decides as it does among all the others.
``order_independent``
    Shuffling every list of the situation (periods, permits, cards, results) changes no
    decision; ``missing`` paths follow their items to their new positions.
``information_monotonic``
    With less information — facts removed, or a county given only as its city — a decision
    that is settled (eligible, ineligible, not applicable) stays the same, outcome values
    included, once the information is given.
``information_complete``
    An undetermined decision names what is missing; every ``missing`` entry is a path of the
    situation model; and an undetermined decision with no ``missing_parameters`` is settled once
    values are given for exactly its ``missing`` paths (absent facts drawn, too-coarse places
    narrowed to a county inside them). It may then name a missing *parameter* (the place that
    selects it was unknown before), never a new missing fact.
``mutual_recognition_symmetric``
    For every rule that recognises places through its zones (it calls ``member``,
    ``shares_zone`` or ``service_items``): moving a record from one member place to another —
    both sharing a zone of the rule with the anchor (the target), both in no city of the anchor,
    both with the same membership in every zone the rule cites or names, the second mentioned
    nowhere else in the situation — changes the decision only by that renaming: the same status,
    the same outcome with the one place code replaced by the other, the same missing facts.
    Recognition is mutual only when it does not depend on *which* member a record comes from.
``time``
    A rule never speaks (any status but not_applicable) before it is in force, outside every
    zone of it in force at ``as_of``, or before the earliest of its basis documents was issued;
    a parameter value used in a decision is the value valid on the date the trace shows, and
    that date is ``as_of`` unless the rule names another (``param(..., at=...)``).
``monotonic_outcomes``
    For each ``monotonic: {outcome: [fact paths]}`` a rule declares: more months at those paths
    (a period added, begun earlier, ended later or left open; a permit held from earlier) never
    turn an eligible decision into an ineligible or not-applicable one, and never lower those
    outcome values.

Situations that make a rule fail to evaluate are left to ``no_contradictions`` by the other
properties (they skip them), so a conflict is reported once, where it belongs.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import HealthCheck, Verbosity, given, reject, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from tongcheng import testing as ts
from tongcheng.consistency import analysis
from tongcheng.consistency.facts import field_at, format_path, parse_path
from tongcheng.errors import RuleConflict, SituationError
from tongcheng.evaluate.decision import Decision, Evaluation, Status
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.evaluate.values import to_json
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import Rule, RulePack
from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.situation import Situation, parse_situation

SETTLED = (Status.ELIGIBLE, Status.INELIGIBLE, Status.NOT_APPLICABLE)


# --- failures ---------------------------------------------------------------------------------


@attrs.frozen
class Failure:
    """A property that does not hold, with the situations that show it."""

    prop: str
    message: str
    rule: str | None = None
    situations: tuple[tuple[str, dict[str, Any]], ...] = ()  # (what it is, Situation.to_dict())

    def to_json(self) -> dict[str, Any]:
        return {
            "property": self.prop,
            "rule": self.rule,
            "message": self.message,
            "situations": [{"label": label, "situation": s} for label, s in self.situations],
        }


class Violation(AssertionError):
    def __init__(self, failure: Failure) -> None:
        self.failure = failure
        super().__init__(failure.message)


class GeneratorError(RuntimeError):
    """The strategies produced an invalid situation: a defect of tongcheng, not of the pack."""


class _EvalProblem(Exception):
    def __init__(self, error: BaseException) -> None:
        self.error = error
        super().__init__(str(error))


# --- context ----------------------------------------------------------------------------------


class Context:
    """One pack under test: its rules, places, and a way to evaluate generated situations."""

    def __init__(self, pack: RulePack, registry: PlaceRegistry | None = None) -> None:
        self.pack = pack
        self.registry = registry or default_registry()
        self.pool = ts.place_pool(pack)
        self.rules: tuple[Rule, ...] = tuple(pack.rules)

    # situations

    def parse(self, data: dict[str, Any]) -> Situation:
        try:
            return parse_situation(data, registry=self.registry)
        except SituationError as e:
            raise GeneratorError(f"generated an invalid situation {data!r}: {e}") from None

    def draw(self, data: st.DataObject, rule: Rule | None = None, **kw: Any
             ) -> tuple[Situation, dict[str, Any]]:
        raw = data.draw(ts.situations(pack=self.pack, rule=rule, **kw), label="situation")
        model = self.parse(raw)
        return model, model.to_dict()

    def canonical(self, raw: dict[str, Any]) -> tuple[Situation, dict[str, Any]]:
        model = self.parse(raw)
        return model, model.to_dict()

    def draw_rule(self, data: st.DataObject, among: Sequence[Rule] | None = None,
                  weight: Callable[[Rule], int] | None = None) -> Rule:
        rules = list(among if among is not None else self.rules)
        if weight is not None:
            rules = [r for r in rules for _ in range(max(1, weight(r)))]
        return rules[data.draw(st.integers(0, len(rules) - 1), label="rule")]

    # evaluation

    def evaluate(self, model: Situation, rules: Sequence[str] | None = None) -> Evaluation:
        """Decisions; a rule that fails to evaluate raises _EvalProblem."""
        try:
            return evaluate_pack(self.pack, model, rules=rules, registry=self.registry)
        except (RuleConflict, RuleError) as e:
            raise _EvalProblem(e) from None
        except Exception as e:  # an evaluator defect: no_contradictions reports it
            raise _EvalProblem(e) from None

    def decide(self, model: Situation, rules: Sequence[str] | None = None
               ) -> dict[str, Decision]:
        """Decisions by rule; situations a rule fails on are skipped (no_contradictions
        reports them)."""
        try:
            return {d.rule: d for d in self.evaluate(model, rules).decisions}
        except _EvalProblem:
            reject()
            raise AssertionError("unreachable") from None


# --- comparing decisions ----------------------------------------------------------------------


def _outcome_json(outcome: Any) -> str:
    return json.dumps(outcome, sort_keys=True, ensure_ascii=False, default=str)


def essence(d: Decision, *, sort_missing: bool = True) -> dict[str, Any]:
    """What a decision says, without the trace."""
    return {
        "status": d.status.value,
        "outcome": json.loads(_outcome_json(dict(d.outcome))),
        "missing": sorted(d.missing) if sort_missing else list(d.missing),
        "missing_parameters": sorted(d.missing_parameters),
        "exception": d.exception,
    }


def _describe(d: Decision) -> str:
    out = d.status.value
    if d.outcome:
        out += f" with outcome {_outcome_json(dict(d.outcome))}"
    if d.missing:
        out += f", missing {list(d.missing)}"
    if d.missing_parameters:
        out += f", missing parameters {list(d.missing_parameters)}"
    if d.exception:
        out += f" (exception {d.exception})"
    return out


def _differences(a: dict[str, Any], b: dict[str, Any]) -> str:
    keys = [k for k in a if a.get(k) != b.get(k)]
    return "; ".join(f"{k}: {a.get(k)!r} vs {b.get(k)!r}" for k in keys)


def _name(ctx: Context, code: str) -> str:
    try:
        return f"{code} {ctx.registry.name(code)}"
    except ValueError:
        return code


# --- the properties ---------------------------------------------------------------------------


def check_no_contradictions(ctx: Context, data: st.DataObject) -> None:
    rule = ctx.draw_rule(data, weight=lambda r: 1 + 3 * (len(r.exceptions) > 1))
    model, s = ctx.draw(data, rule)
    prop = "no_contradictions"
    try:
        result = ctx.evaluate(model)
    except _EvalProblem as p:
        e = p.error
        if isinstance(e, RuleConflict):
            where = ", ".join(str(w) for w in e.where)
            raise Violation(Failure(
                prop,
                f"rule {e.rule}: exceptions {e.first!r} and {e.second!r} both apply to this "
                f"situation and give different answers, and neither overrides the other "
                f"({where}); a caseworker gets an error instead of a decision. Say which one "
                "wins with 'overrides', or narrow their 'applies'.",
                e.rule, (("counterexample", s),))) from None
        if isinstance(e, RuleError):
            raise Violation(Failure(
                prop, f"rule {e.rule} fails to evaluate this situation: {e}", e.rule,
                (("counterexample", s),))) from None
        raise Violation(Failure(
            prop, f"the evaluator crashed on this situation: {type(e).__name__}: {e} "
            "(a defect of tongcheng's evaluator, not of the pack)", None,
            (("counterexample", s),))) from None
    ids = [d.rule for d in result.decisions]
    if ids != list(ctx.pack.rule_ids):
        raise Violation(Failure(
            prop, f"expected one decision per rule in the pack's order {list(ctx.pack.rule_ids)}, "
            f"got {ids}", None, (("counterexample", s),)))
    for d in result.decisions:
        figures = _refusal_figures(ctx.pack.rule(d.rule)) \
            if d.status is Status.INELIGIBLE else set()
        if d.status is not Status.ELIGIBLE and set(d.outcome) - figures:
            raise Violation(Failure(
                prop, f"rule {d.rule} is {d.status.value} yet gives an outcome "
                f"{_outcome_json(dict(d.outcome))}; only eligible decisions carry one (and "
                "ineligible ones the figures marked on_ineligible)", d.rule,
                (("counterexample", s),)))


def _refusal_figures(rule: Any) -> set[str]:
    """Outcome names an ineligible decision of ``rule`` may carry (``on_ineligible``)."""
    clauses = [*rule.outcome, *(c for e in rule.exceptions for c in e.outcome)]
    return {c.name for c in clauses if c.on_ineligible}


def check_deterministic(ctx: Context, data: st.DataObject) -> None:
    from tongcheng.consistency.report import situation_yaml

    prop = "deterministic"
    rule = ctx.draw_rule(data)
    model, s = ctx.draw(data, rule)
    try:
        first = ctx.evaluate(ctx.parse(s)).to_json("en")
        second = ctx.evaluate(ctx.parse(s)).to_json("en")
        text = situation_yaml(s)
        try:
            from_file = ctx.evaluate(parse_situation(text)).to_json("en")
        except SituationError as e:
            raise Violation(Failure(
                prop, f"the situation written as a YAML file does not read back: {e}", None,
                (("counterexample", s),))) from None
        alone = ctx.evaluate(model, rules=[rule.id]).decisions[0]
        among = ctx.evaluate(model).decision(rule.id)
    except _EvalProblem:
        reject()
        return
    for label, other in (("a second evaluation", second),
                         ("the situation written as YAML and read back", from_file)):
        if first != other:
            diff = next(
                (f"rule {a['rule']}: {_differences(a, b)}"
                 for a, b in zip(first["decisions"], other["decisions"], strict=False) if a != b),
                "the evaluations differ")
            raise Violation(Failure(
                prop, f"{label} of the same situation gives different decisions — {diff}",
                None, (("counterexample", s),)))
    if essence(alone) != essence(among):
        raise Violation(Failure(
            prop, f"rule {rule.id} evaluated alone is {_describe(alone)}; evaluated with the "
            f"other rules it is {_describe(among)}: a rule's decision must not depend on the "
            "others", rule.id, (("counterexample", s),)))


def _list_paths(situation: dict[str, Any]) -> list[tuple[str | int, ...]]:
    out = []

    def walk(node: Any, prefix: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*prefix, k))
        elif isinstance(node, list):
            if len(node) > 1:
                out.append(prefix)
            for i, v in enumerate(node):
                walk(v, (*prefix, i))

    walk(situation, ())
    return out


def _map_indices(path: str, perms: dict[tuple[str | int, ...], list[int]]) -> str:
    parsed = parse_path(path)
    if parsed is None:
        return path
    out: list[str | int] = []
    for part in parsed:
        if isinstance(part, int) and tuple(out) in perms:
            part = perms[tuple(out)][part]
        out.append(part)
    return format_path(out)


def check_order_independent(ctx: Context, data: st.DataObject) -> None:
    prop = "order_independent"
    rule = ctx.draw_rule(data)
    model, s = ctx.draw(data, rule)
    lists = _list_paths(s)
    if not lists:
        return
    rnd = data.draw(st.randoms(use_true_random=False), label="shuffle")
    shuffled = json.loads(json.dumps(s))
    perms: dict[tuple[str | int, ...], list[int]] = {}
    for path in sorted(lists, key=len, reverse=True):
        items = ts.get_path(shuffled, path)
        order = list(range(len(items)))
        rnd.shuffle(order)
        ts.set_path(shuffled, path, [items[i] for i in order])
        perms[path] = order  # new index j holds old item order[j]
    other_model = ctx.parse(shuffled)
    before, after = ctx.decide(model), ctx.decide(other_model)
    for rid, d in before.items():
        e = after[rid]
        mapped = attrs.evolve(e, missing=tuple(_map_indices(p, perms) for p in e.missing))
        if essence(d) != essence(mapped):
            raise Violation(Failure(
                prop, f"rule {rid} is {_describe(d)}; with the same lists in another order it is "
                f"{_describe(e)}: a list is a set of records, its order must not matter",
                rid, (("original", s), ("reordered", other_model.to_dict()))))


def _what_is_less(full: dict[str, Any], less: dict[str, Any]) -> list[str]:
    out = []

    def walk(a: Any, b: Any, prefix: tuple[str | int, ...]) -> None:
        if isinstance(a, dict):
            for k, v in a.items():
                if not isinstance(b, dict) or k not in b:
                    out.append(f"{format_path((*prefix, k))} removed")
                else:
                    walk(v, b[k], (*prefix, k))
        elif isinstance(a, list) and isinstance(b, list):
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, (*prefix, i))
        elif a != b:
            out.append(f"{format_path(prefix)} given as {b} instead of {a}")

    walk(full, less, ())
    return out


def _narrowed_codes(full: dict[str, Any], less: dict[str, Any]) -> frozenset[str]:
    out: set[str] = set()
    for path in ts.place_paths(full):
        a, b = ts.get_path(full, path), ts.get_path(less, path)
        if isinstance(b, str) and a != b:
            out |= {a, b}
    return frozenset(out)


def _mentions(value: Any, codes: frozenset[str]) -> bool:
    return bool(codes) and any(c in _outcome_json(value) for c in codes)


def _refines(less: Any, more: Any, narrowed: frozenset[str], partial: bool = False) -> bool:
    """Whether an outcome value with more information is consistent with the value with less:
    an unknown (null) is refined by anything; a record listed as given (``usable_cards``) may
    gain the fields that were unknown; a place given as its city may be its county; with facts
    missing (``partial``), a list (the items surely in) may gain items."""
    if less is None:
        return True
    if isinstance(less, str) and isinstance(more, str):
        return less == more or (less in narrowed and more in narrowed)
    if isinstance(less, dict) and isinstance(more, dict):
        if _mentions(less, narrowed) and set(less) != set(more):
            return True  # keyed by a place given less precisely (months_by_place)
        return set(less) <= set(more) and all(
            _refines(v, more[k], narrowed) for k, v in less.items())
    if isinstance(less, list) and isinstance(more, list):
        if len(less) > len(more) or (len(less) != len(more) and not partial):
            return False
        left = list(more)
        for item in less:
            match = next((i for i, m in enumerate(left) if _refines(item, m, narrowed)), None)
            if match is None:
                return False
            left.pop(match)
        return True
    return less == more


def check_information_monotonic(ctx: Context, data: st.DataObject) -> None:
    prop = "information_monotonic"
    rule = ctx.draw_rule(data)
    model, full = ctx.draw(data, rule)
    less = data.draw(ts.less_informed(full, pack=ctx.pack), label="less informed")
    if less == full:
        return
    less_model = ctx.parse(less)
    with_less, with_more = ctx.decide(less_model), ctx.decide(model)
    lacking = "; ".join(_what_is_less(full, less_model.to_dict()))
    # Places given less precisely (a county and its city): an outcome that repeats one of them
    # (usable_cards lists the cards as given) differs by that alone, and is not compared.
    narrowed = _narrowed_codes(full, less_model.to_dict())
    for rid, d in with_less.items():
        if d.status not in SETTLED:
            continue
        e = with_more[rid]
        changed = e.status != d.status
        if not changed and d.status is Status.ELIGIBLE:
            changed = any(
                not _refines(v, e.outcome.get(k), narrowed, bool(d.missing))
                for k, v in d.outcome.items()
            )
        if changed:
            raise Violation(Failure(
                prop, f"rule {rid}: with less information ({lacking}) the decision is settled as "
                f"{_describe(d)}; with the information given it is {_describe(e)}. A settled "
                "decision must stand when an unknown fact is given or a city narrowed to one "
                "of its counties.", rid,
                (("less informed", less_model.to_dict()), ("more informed", full))))


def check_information_complete(ctx: Context, data: st.DataObject) -> None:
    prop = "information_complete"
    rule = ctx.draw_rule(data)
    model, s = ctx.draw(data, rule)
    if data.draw(st.booleans(), label="reduce"):
        # A full situation with some facts removed: what a caseworker typically holds.
        model, s = ctx.canonical(data.draw(ts.reduced(s, items=True), label="reduced"))
    decisions = ctx.decide(model)
    candidates = []
    for rid, d in decisions.items():
        if d.status is Status.UNDETERMINED and not d.missing and not d.missing_parameters:
            raise Violation(Failure(
                prop, f"rule {rid} is undetermined but names neither a missing fact nor a "
                "missing parameter: a caseworker cannot tell what would settle it", rid,
                (("counterexample", s),)))
        for path in d.missing:
            parsed = parse_path(path)
            if parsed is None or field_at(parsed) is None:
                raise Violation(Failure(
                    prop, f"rule {rid} ({d.status.value}) names {path!r} as missing, which is "
                    "not a path of the situation: a caseworker cannot give it", rid,
                    (("counterexample", s),)))
        if d.status is Status.ELIGIBLE:
            nulls = [k for k, v in d.outcome.items() if v is None]
            if nulls and not d.missing and not d.missing_parameters:
                raise Violation(Failure(
                    prop, f"rule {rid} is eligible with outcome {', '.join(nulls)} unknown "
                    "(null), but names nothing missing", rid, (("counterexample", s),)))
        if d.status is Status.UNDETERMINED and d.missing and not d.missing_parameters:
            candidates.append(d)
    if not candidates:
        return
    focus = [d for d in candidates if d.rule == rule.id]
    d = focus[0] if focus else data.draw(st.sampled_from(candidates), label="undetermined")
    try:
        given = data.draw(ts.given_values(s, d.missing, pack=ctx.pack,
                                          rule=ctx.pack.rule(d.rule)), label="given")
    except ts.NotAPath as e:
        raise Violation(Failure(
            prop, f"rule {d.rule} is undetermined and names {list(d.missing)} as missing, but {e}",
            d.rule, (("counterexample", s),))) from None
    given_model = ctx.parse(given)
    after = ctx.decide(given_model, rules=[d.rule])[d.rule]
    if after.status is Status.UNDETERMINED and after.missing:
        raise Violation(Failure(
            prop, f"rule {d.rule} is undetermined and names {list(d.missing)} as missing; with "
            f"values given for exactly these it is still undetermined and now names "
            f"{list(after.missing)}: 'missing' must name every fact that can settle the "
            "decision.", d.rule,
            (("undetermined", s), ("given the missing facts", given_model.to_dict()))))


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
    reg = ctx.registry
    candidates = sorted(set(ts.rule_places(ctx.pack, rule)) | set(ctx.pool.fine_places()))
    members = [p for p in candidates if p in ctx.pool.fine
               and zone_logic.contains(reg, ref.zone, p, at) is True
               and _profile(ctx, zone_ids, p, at) is not None]
    if len(members) < 3:
        return
    target = data.draw(st.sampled_from(members), label="anchor")
    t_city = reg.city_of(target) or target
    first = [p for p in members if (reg.city_of(p) or p) != t_city]
    if not first:
        return
    p_old = data.draw(st.sampled_from(first), label="from place")
    old_city = reg.city_of(p_old) or p_old
    profile = _profile(ctx, zone_ids, p_old, at)
    second = [p for p in first if (reg.city_of(p) or p) != old_city
              and _profile(ctx, zone_ids, p, at) == profile]
    if not second:
        return
    p_new = data.draw(st.sampled_from(second), label="to place")
    new_city = reg.city_of(p_new) or p_new
    base = json.loads(json.dumps(s))
    ts.set_path(base, anchor, target)
    paths = [p for p in ts.place_paths(base) if p != anchor]
    if not paths:
        kind = field_at(("insurance",))
        if kind is None:
            return
        base.setdefault("insurance", []).append(
            {"scheme": "employee_medical", "place": p_old, "from": f"{at.year - 3}-01"})
        paths = ts.place_paths(base)
        paths = [p for p in paths if p != anchor]
    else:
        chosen = data.draw(st.sampled_from(paths), label="record")
        ts.set_path(base, chosen, p_old)
    # Only p_old stands for its city, and p_new's city appears nowhere: the move is a renaming.
    for path in paths:
        code = ts.get_path(base, path)
        city = reg.city_of(code) or code
        if city in (old_city, new_city):
            ts.set_path(base, path, p_old)
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
             ("record moved to " + p_new, after_model.to_dict()))))


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
    if not rule.in_force(at):
        raise Violation(Failure(
            prop, f"{speaks}, outside its in-force dates {rule.in_force_from} – "
            f"{rule.in_force_to or '…'}", rule.id, (("counterexample", s),)))
    anchor_path = analysis.anchor_path(rule)
    anchor = ts.get_path(s, anchor_path) if anchor_path else None
    active = [ref for ref in rule.zones if ref.active(at) and ref.zone.members_at(at)]
    holding = [ref for ref in active if isinstance(anchor, str)
               and zone_logic.contains(ctx.registry, ref.zone, anchor, at) is not False]
    if not active or (isinstance(anchor, str) and not holding):
        where = f" for {format_path(anchor_path or ('target',))} {anchor}" if anchor else ""
        raise Violation(Failure(
            prop, f"{speaks}{where}, but no zone of the rule holding that place is in force "
            f"then (zones: {', '.join(f'{r.zone.id} from {r.start}' for r in rule.zones)})",
            rule.id, (("counterexample", s),)))
    earliest = analysis.earliest_issued(rule)
    if earliest is not None and at < earliest:
        first = min((b for b in rule.basis if b.document.issued),
                    key=lambda b: b.document.issued)
        raise Violation(Failure(
            prop, f"{speaks}, before any of its basis documents was issued (the earliest, "
            f"{first.document.title.en}, on {earliest}): a rule cannot speak before its basis is "
            "in force", rule.id, (("counterexample", s),)))
    zone_dates = []
    for ref in holding:
        issued = [b.document.issued for b in ref.zone.basis if b.document.issued]
        zone_dates.append(min(issued) if issued else None)
    if zone_dates and all(z is not None and at < z for z in zone_dates):
        raise Violation(Failure(
            prop, f"{speaks}, before the documents establishing its zones "
            f"({', '.join(r.zone.id for r in holding)}) were issued "
            f"(the earliest on {min(z for z in zone_dates if z)})", rule.id,
            (("counterexample", s),)))


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
                    (("counterexample", s),)))
            if place not in prm.places:
                continue
            expected = _valid_value(prm.places[place], at)
            used = rec.get("value")
            found = rec.get("status", "found") == "found" and "reference" in rec
            if expected is None and found:
                raise Violation(Failure(
                    prop, f"rule {rule.id} used {name}[{place}] = {used!r} on {at}, but no value "
                    f"of it is valid on that date", rule.id, (("counterexample", s),)))
            if expected is not None and (not found or used != to_json(expected.value)
                                         or rec.get("reference") != expected.reference):
                loc = expected.location
                raise Violation(Failure(
                    prop, f"rule {rule.id} took {name}[{place}] on {at} as "
                    f"{used if found else 'no value'}, but the value valid on that date is "
                    f"{to_json(expected.value)!r} ({loc}, {expected.start or '…'} – "
                    f"{expected.end or '…'})", rule.id, (("counterexample", s),)))


# -- declared monotonic outcomes --


def _monotonic_cases(ctx: Context) -> list[tuple[Rule, str, tuple[str, ...]]]:
    out = []
    for rule in ctx.rules:
        for field, paths in rule.monotonic.items():
            for path in paths:
                parts = tuple(path.split("."))
                kind = field_at(parts)
                if kind is None:
                    continue
                elem = kind.elem.model if kind.name == "list" and kind.elem else None
                fields_ = elem.model_fields if elem else {}
                if ("from_" in fields_ or "since" in fields_) or kind.name in (
                        "money", "count", "int"):
                    out.append((rule, field, parts))
    return out


def check_monotonic_outcomes(ctx: Context, data: st.DataObject) -> None:
    prop = "monotonic_outcomes"
    cases = _monotonic_cases(ctx)
    rule, field, path = cases[data.draw(st.integers(0, len(cases) - 1), label="declaration")]
    _, s = ctx.draw(data, rule, completeness=data.draw(st.sampled_from((6, 9, 10))))
    base = data.draw(ts.with_list(s, path, pack=ctx.pack), label="with the list")
    more = data.draw(ts.more_months(base, path, pack=ctx.pack), label="more months")
    base_model, more_model = ctx.canonical(base)[0], ctx.canonical(more)[0]
    d = ctx.decide(base_model, rules=[rule.id])[rule.id]
    e = ctx.decide(more_model, rules=[rule.id])[rule.id]
    dotted = ".".join(path)
    pair = (("fewer months", base_model.to_dict()), ("more months", more_model.to_dict()))
    if d.status is Status.ELIGIBLE and e.status in (Status.INELIGIBLE, Status.NOT_APPLICABLE):
        raise Violation(Failure(
            prop, f"rule {rule.id} declares {field} monotonic in {dotted}, yet with more months "
            f"there the decision goes from eligible to {e.status.value} ({_describe(e)})",
            rule.id, pair))
    if d.status is Status.ELIGIBLE and e.status is Status.ELIGIBLE:
        a, b = d.outcome.get(field), e.outcome.get(field)
        if isinstance(a, int | float) and isinstance(b, int | float) and b < a:
            raise Violation(Failure(
                prop, f"rule {rule.id} declares {field} monotonic in {dotted}, yet more months "
                f"there lower it from {a} to {b}", rule.id, pair))


# --- the suite --------------------------------------------------------------------------------


@attrs.frozen
class Property:
    name: str
    summary: str
    check: Callable[[Context, st.DataObject], None]
    applies: Callable[[Context], str | None] = lambda ctx: None  # a reason to skip, or None


def _needs_symmetric(ctx: Context) -> str | None:
    return None if _symmetric_rules(ctx) else "no rule recognises places through its zones"


def _needs_monotonic(ctx: Context) -> str | None:
    return None if _monotonic_cases(ctx) else "no rule declares a monotonic outcome"


PROPERTIES: tuple[Property, ...] = (
    Property("no_contradictions", "one decision per rule; no rule fails; no exception "
             "conflict", check_no_contradictions),
    Property("deterministic", "same situation, same decisions (twice, from a file, rule "
             "alone)", check_deterministic),
    Property("order_independent", "list order never changes a decision",
             check_order_independent),
    Property("information_monotonic", "a settled decision stands when a fact is given",
             check_information_monotonic),
    Property("information_complete", "undetermined names what is missing, and giving it "
             "settles", check_information_complete),
    Property("mutual_recognition_symmetric", "recognition does not depend on which member",
             check_mutual_recognition_symmetric, _needs_symmetric),
    Property("time", "no decision before zone and basis; parameters valid at their date",
             check_time),
    Property("monotonic_outcomes", "more months never lower a declared monotonic outcome",
             check_monotonic_outcomes, _needs_monotonic),
)

PROPERTY_NAMES = tuple(p.name for p in PROPERTIES)


@attrs.frozen
class Result:
    prop: Property
    status: str  # passed | failed | skipped | inconclusive | error
    examples: int
    seconds: float
    failure: Failure | None = None
    note: str | None = None


def run_property(prop: Property, ctx: Context, *, examples: int = 200, seed: int = 0,
                 shrink_seconds: float = 30.0) -> Result:
    """Search for a counterexample to ``prop``; return what was found, shrunk (for at most
    ``shrink_seconds``)."""
    reason = prop.applies(ctx)
    if reason:
        return Result(prop, "skipped", 0, 0.0, note=reason)
    tried = [0, 0]  # examples run; examples run when the first failure was found

    def test(data: st.DataObject) -> None:
        tried[0] += 1
        try:
            prop.check(ctx, data)
        except Violation:
            tried[1] = tried[1] or tried[0]
            raise

    runner = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )(given(st.data())(test))
    runner = hypothesis_seed(seed)(runner)
    state = random.getstate()
    start = time.monotonic()
    try:
        with _shrink_budget(shrink_seconds):
            runner()
    except Violation as v:
        return Result(prop, "failed", tried[1] or tried[0], time.monotonic() - start,
                      v.failure)
    except Unsatisfiable:
        return Result(prop, "inconclusive", tried[0], time.monotonic() - start,
                      note="no generated situation could be used for this property")
    except GeneratorError:
        raise
    except Exception as e:  # a defect of tongcheng itself: say so, without a traceback
        failure = Failure(prop.name, f"tongcheng's property code failed: {type(e).__name__}: "
                          f"{e} (a defect of tongcheng, not of the pack; please report it)")
        return Result(prop, "error", tried[0], time.monotonic() - start, failure)
    finally:
        random.setstate(state)
    return Result(prop, "passed", tried[0], time.monotonic() - start)


@contextlib.contextmanager
def _shrink_budget(seconds: float) -> Iterator[None]:
    """Bound the time hypothesis spends shrinking a counterexample (its own limit is five
    minutes; the module global is hypothesis's, read when shrinking starts)."""
    from hypothesis.internal.conjecture import engine

    before = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if before is not None:
        engine.MAX_SHRINKING_SECONDS = seconds  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if before is not None:
            engine.MAX_SHRINKING_SECONDS = before  # type: ignore[attr-defined]


def run(pack: RulePack, *, properties: Sequence[str] | None = None, examples: int = 200,
        seed: int = 0, registry: PlaceRegistry | None = None, shrink_seconds: float = 30.0,
        on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Run the suite (or the named properties) on ``pack``."""
    ctx = Context(pack, registry)
    chosen = [p for p in PROPERTIES if not properties or p.name in properties]
    out = []
    for prop in chosen:
        result = run_property(prop, ctx, examples=examples, seed=seed,
                              shrink_seconds=shrink_seconds)
        if on_result:
            on_result(result)
        out.append(result)
    return out
