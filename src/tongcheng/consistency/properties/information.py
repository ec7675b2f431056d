"""The properties of information: ``information_monotonic`` (less information never changes a
settled decision) and ``information_complete`` (undetermined names what is missing, and giving
it settles)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tongcheng import testing as ts
from tongcheng.consistency.facts import field_at, format_path, parse_path
from tongcheng.consistency.properties.context import (
    SETTLED,
    Context,
    Failure,
    Violation,
    _describe,
    _outcome_json,
    status_text,
)
from tongcheng.evaluate.decision import Status


def _what_is_less(full: dict[str, Any], less: dict[str, Any]) -> list[tuple[str, str]]:
    """What the less informed situation lacks, each in English and Chinese."""
    out = []

    def walk(a: Any, b: Any, prefix: tuple[str | int, ...]) -> None:
        if isinstance(a, dict):
            for k, v in a.items():
                if not isinstance(b, dict) or k not in b:
                    path = format_path((*prefix, k))
                    out.append((f"{path} removed", f"去掉 `{path}`"))
                else:
                    walk(v, b[k], (*prefix, k))
        elif isinstance(a, list) and isinstance(b, list):
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, (*prefix, i))
        elif a != b:
            path = format_path(prefix)
            out.append((f"{path} given as {b} instead of {a}", f"`{path}` 给为 {b} 而非 {a}"))

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
    less_said = _what_is_less(full, less_model.to_dict())
    lacking, lacking_zh = "; ".join(en for en, _ in less_said), ";".join(
        zh for _, zh in less_said)
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
                (("less informed", less_model.to_dict()), ("more informed", full)),
                zh=f"规则 {rid}:信息较少时({lacking_zh})判定已确定为{_describe(d, 'zh')};给出"
                   f"这些信息后却为{_describe(e, 'zh')}。补充未知的事实、或把市细化为其下的区县"
                   "后,已确定的判定必须保持不变。"))


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
        _names_what_settles(prop, rid, d, s)
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
            d.rule, (("counterexample", s),),
            zh=f"规则 {d.rule} 的判定为待定,把 {list(d.missing)} 列为缺失,但{e.describe('zh')}"
            )) from None
    given_model = ctx.parse(given)
    after = ctx.decide(given_model, rules=[d.rule])[d.rule]
    if after.status is Status.UNDETERMINED and after.missing:
        raise Violation(Failure(
            prop, f"rule {d.rule} is undetermined and names {list(d.missing)} as missing; with "
            f"values given for exactly these it is still undetermined and now names "
            f"{list(after.missing)}: 'missing' must name every fact that can settle the "
            "decision.", d.rule,
            (("undetermined", s), ("given the missing facts", given_model.to_dict())),
            zh=f"规则 {d.rule} 的判定为待定,把 {list(d.missing)} 列为缺失;恰好为这些事实给出数值"
               f"后仍为待定,且改列 {list(after.missing)}:`missing` 必须列出所有能确定该判定的"
               "事实。"))


def _names_what_settles(prop: str, rid: str, d: Any, s: Any) -> None:
    """A decision names what would settle it: an undetermined one a missing fact or
    parameter, each a path of the situation; an eligible one with an unknown outcome what it
    lacks."""

    def fails(en: str, zh: str) -> Violation:
        return Violation(Failure(prop, en, rid, (("counterexample", s),), zh=zh))

    if d.status is Status.UNDETERMINED and not d.missing and not d.missing_parameters:
        raise fails(f"rule {rid} is undetermined but names neither a missing fact nor a "
                    "missing parameter: a caseworker cannot tell what would settle it",
                    f"规则 {rid} 的判定为待定,却既没有列出缺少的事实,也没有列出缺少的参数:"
                    "经办人员无从知道补充什么才能确定")
    for path in d.missing:
        parsed = parse_path(path)
        if parsed is None or field_at(parsed) is None:
            raise fails(f"rule {rid} ({d.status.value}) names {path!r} as missing, which is "
                        "not a path of the situation: a caseworker cannot give it",
                        f"规则 {rid}({status_text(d.status, 'zh')})把 {path!r} 列为缺失,但它"
                        "不是情形中的路径:经办人员无法提供它")
    if d.status is Status.ELIGIBLE:
        nulls = [k for k, v in d.outcome.items() if v is None]
        if nulls and not d.missing and not d.missing_parameters:
            raise fails(f"rule {rid} is eligible with outcome {', '.join(nulls)} unknown "
                        "(null), but names nothing missing",
                        f"规则 {rid} 的判定为符合,结果 {'、'.join(f'`{n}`' for n in nulls)} 未知"
                        "(`null`),却没有列出任何缺失")
