"""The properties of one situation on its own: ``no_contradictions``, ``deterministic`` and
``order_independent``."""

from __future__ import annotations

import json
from typing import Any

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from tongcheng import testing as ts
from tongcheng.consistency.facts import format_path, parse_path
from tongcheng.consistency.properties.context import (
    Context,
    Failure,
    Violation,
    _describe,
    _differences,
    _EvalProblem,
    _outcome_json,
    essence,
    status_text,
)
from tongcheng.errors import RuleConflict, SituationError
from tongcheng.evaluate.decision import Status
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.situation import parse_situation


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
                e.rule, (("counterexample", s),),
                zh=f"规则 {e.rule}:例外 {e.first!r} 与 {e.second!r} 同时适用于这一情形且结论不同,"
                   f"两者都未声明优先于对方({where});经办人员得到的是错误而不是判定。请用 "
                   "`overrides` 声明哪一项优先,或收窄它们的 `applies`。")) from None
        if isinstance(e, RuleError):
            raise Violation(Failure(
                prop, f"rule {e.rule} fails to evaluate this situation: {e}", e.rule,
                (("counterexample", s),),
                zh=f"规则 {e.rule} 无法评估这一情形:{e.describe('zh')}")) from None
        raise Violation(Failure(
            prop, f"the evaluator crashed on this situation: {type(e).__name__}: {e} "
            "(a defect of tongcheng's evaluator, not of the pack)", None,
            (("counterexample", s),),
            zh=f"评估器在这一情形上崩溃:`{type(e).__name__}: {e}`(这是 tongcheng 评估器的缺陷,"
               "不是规则包的)")) from None
    ids = [d.rule for d in result.decisions]
    if ids != list(ctx.pack.rule_ids):
        raise Violation(Failure(
            prop, f"expected one decision per rule in the pack's order {list(ctx.pack.rule_ids)}, "
            f"got {ids}", None, (("counterexample", s),),
            zh=f"应按规则包的顺序 {list(ctx.pack.rule_ids)} 为每条规则给出一个判定,实际得到 "
               f"{ids}"))
    for d in result.decisions:
        figures = _refusal_figures(ctx.pack.rule(d.rule)) \
            if d.status is Status.INELIGIBLE else set()
        if d.status is not Status.ELIGIBLE and set(d.outcome) - figures:
            raise Violation(Failure(
                prop, f"rule {d.rule} is {d.status.value} yet gives an outcome "
                f"{_outcome_json(dict(d.outcome))}; only eligible decisions carry one (and "
                "ineligible ones the figures marked on_ineligible)", d.rule,
                (("counterexample", s),),
                zh=f"规则 {d.rule} 的判定为{status_text(d.status, 'zh')},却给出了结果 "
                   f"`{_outcome_json(dict(d.outcome))}`;只有符合的判定才带结果(不符合的判定只"
                   "带标为 `on_ineligible` 的数字)"))


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
                (("counterexample", s),),
                zh=f"写成 YAML 文件的情形无法读回:{e.describe('zh')}")) from None
        alone = ctx.evaluate(model, rules=[rule.id]).decisions[0]
        among = ctx.evaluate(model).decision(rule.id)
    except _EvalProblem:
        reject()
        return
    for label, label_zh, other in (
            ("a second evaluation", "同一情形再评估一次", second),
            ("the situation written as YAML and read back", "同一情形写成 YAML 再读回后",
             from_file)):
        if first != other:
            pair = next(((a, b) for a, b in zip(first["decisions"], other["decisions"],
                                                strict=False) if a != b), None)
            diff, diff_zh = (
                (f"rule {pair[0]['rule']}: {_differences(*pair)}",
                 f"规则 {pair[0]['rule']}:{_differences(*pair, lang='zh')}") if pair
                else ("the evaluations differ", "两次评估结果不同"))
            raise Violation(Failure(
                prop, f"{label} of the same situation gives different decisions — {diff}",
                None, (("counterexample", s),), zh=f"{label_zh},给出了不同的判定——{diff_zh}"))
    if essence(alone) != essence(among):
        raise Violation(Failure(
            prop, f"rule {rule.id} evaluated alone is {_describe(alone)}; evaluated with the "
            f"other rules it is {_describe(among)}: a rule's decision must not depend on the "
            "others", rule.id, (("counterexample", s),),
            zh=f"规则 {rule.id} 单独评估时为{_describe(alone, 'zh')};与其他规则一起评估时为"
               f"{_describe(among, 'zh')}:一条规则的判定不得取决于其他规则"))


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
                rid, (("original", s), ("reordered", other_model.to_dict())),
                zh=f"规则 {rid} 的判定为{_describe(d, 'zh')};同样的列表换一种顺序后为"
                   f"{_describe(e, 'zh')}:列表是一组记录,其顺序不应影响判定"))
