"""Unknown is not false, for any rule: the three-valued semantics over rules drawn by hypothesis.

``tongcheng verify`` checks the bundled pack (and an author's) for information monotonicity:
a decision settled with some facts unknown must stand once they are given, or a city narrowed
to one of its counties. The first half is not a property of its authors' care but of the
language itself — every operator and function is meant to be monotone in what is known
(``given()`` unknown, never false, when a fact is missing; a count with maybe-items a range;
finite facts tried value by value). Here it is checked for rules nobody wrote
(``tests/rulegen.py``): a failure is a fault of the evaluator's semantics, not of a rule.
(The second half depends on the rule: ``person.hukou == "370200"`` compares codes as written,
so a county and its city differ; ``tongcheng verify`` checks it pack by pack.) Independence of
the order of list items is checked alongside.
"""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from rulegen import SETTINGS, drawn_pack
from tongcheng.consistency.properties.context import Context, Violation
from tongcheng.consistency.properties.determinism import check_order_independent
from tongcheng.consistency.properties.information import _refines
from tongcheng.evaluate.decision import Status
from tongcheng.testing import reduced


def check_facts_given(ctx: Context, data) -> None:
    """A decision settled with facts removed is the decision with them given."""
    rule = ctx.draw_rule(data)
    model, full = ctx.draw(data, rule)
    less = data.draw(reduced(full, items=True), label="facts removed")
    if less == full:
        return
    with_less, with_more = ctx.decide(ctx.parse(less)), ctx.decide(model)
    for rid, d in with_less.items():
        if d.status not in (Status.ELIGIBLE, Status.INELIGIBLE, Status.NOT_APPLICABLE):
            continue
        e = with_more[rid]
        assert e.status is d.status, (rid, d, e)
        if d.status is Status.ELIGIBLE:
            for name, value in d.outcome.items():
                assert _refines(value, e.outcome.get(name), frozenset(), bool(d.missing)), (
                    rid, name, value, e.outcome.get(name))


@settings(max_examples=100, **SETTINGS)
@given(st.data())
def test_settled_decisions_stand_when_facts_are_given_for_any_rule(data):
    pack = drawn_pack(data)
    ctx = Context(pack)
    for check in (check_facts_given, check_order_independent):
        try:
            check(ctx, data)
        except Violation as v:
            raise AssertionError(v.failure.message) from None
    event("checked")
