"""The ``monotonic_outcomes`` property: more months at the paths a rule declares never lower
its declared outcome values."""

from __future__ import annotations

from hypothesis import strategies as st

from tongcheng import testing as ts
from tongcheng.consistency.facts import field_at
from tongcheng.consistency.properties.context import (
    Context,
    Failure,
    Violation,
    _describe,
)
from tongcheng.evaluate.decision import Status
from tongcheng.pack.model import Rule

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
            rule.id, pair,
            zh=f"规则 {rule.id} 声明 `{field}` 随 `{dotted}` 单调,但那里的月数增加后,判定却从"
               f"符合变为{_describe(e, 'zh')}"))
    if d.status is Status.ELIGIBLE and e.status is Status.ELIGIBLE:
        a, b = d.outcome.get(field), e.outcome.get(field)
        if isinstance(a, int | float) and isinstance(b, int | float) and b < a:
            raise Violation(Failure(
                prop, f"rule {rule.id} declares {field} monotonic in {dotted}, yet more months "
                f"there lower it from {a} to {b}", rule.id, pair,
                zh=f"规则 {rule.id} 声明 `{field}` 随 `{dotted}` 单调,但那里的月数增加后,它却从 "
                   f"{a} 降到 {b}"))
