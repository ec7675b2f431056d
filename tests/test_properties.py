"""Properties of the reference evaluator over generated situations (hypothesis)."""

from __future__ import annotations

import json
import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

import tongcheng
from tongcheng.testing import reduced, situations

PACK = tongcheng.bundled_pack()


def decide(situation):
    return {d.rule: d for d in tongcheng.evaluate(situation, PACK).decisions}


def essence(d):
    """What a decision says, without the trace; list positions in paths are blanked out."""
    missing = sorted(re.sub(r"\[\d+\]", "[*]", p) for p in d.missing)
    return (d.status, json.dumps(d.outcome, sort_keys=True, default=str),
            missing, d.missing_parameters, d.exception)


@given(situations())
def test_every_generated_situation_is_valid_and_decided(situation):
    decisions = decide(situation)
    assert list(decisions) == list(PACK.rule_ids)


@given(situations())
def test_deterministic(situation):
    a = tongcheng.evaluate(situation, PACK).to_json()
    b = tongcheng.evaluate(situation, PACK).to_json()
    assert a == b


@given(situations(), st.randoms(use_true_random=False))
def test_order_of_list_items_never_changes_a_decision(situation, rnd: random.Random):
    shuffled = json.loads(json.dumps(situation))
    for key in ("insurance", "cards"):
        if key in shuffled:
            rnd.shuffle(shuffled[key])
    if "periods" in shuffled.get("provident_fund", {}):
        rnd.shuffle(shuffled["provident_fund"]["periods"])
    if "residence" in shuffled.get("person", {}):
        rnd.shuffle(shuffled["person"]["residence"])
    before, after = decide(situation), decide(shuffled)
    for rule in before:
        assert essence(before[rule]) == essence(after[rule]), rule


@given(st.data())
def test_giving_a_value_to_an_absent_fact_never_changes_a_settled_decision(data):
    """Information monotonicity: eligible/ineligible with less known stays so with more known."""
    full = data.draw(situations())
    partial = data.draw(reduced(full))
    less, more = decide(partial), decide(full)
    for rule, d in less.items():
        if d.status.value in ("eligible", "ineligible"):
            assert more[rule].status == d.status, (rule, partial, full)
            for key, value in d.outcome.items():
                if value is not None:
                    assert more[rule].outcome.get(key) == value, (rule, key, partial, full)


@given(situations())
def test_undetermined_always_says_what_is_missing(situation):
    for d in decide(situation).values():
        if d.status.value == "undetermined":
            assert d.missing or d.missing_parameters, d.to_json("en")
        else:
            assert d.status.value != "eligible" or all(
                v is not None for v in d.outcome.values()) or d.missing or d.missing_parameters


def _refusal_figures(rule_id: str) -> set[str]:
    """The outcome values a rule gives when it refuses (``on_ineligible``: the figures the
    refusal turned on, such as a shortfall of months)."""
    rule = tongcheng.bundled_pack().rule(rule_id)
    clauses = [*rule.outcome, *(c for e in rule.exceptions for c in e.outcome)]
    return {c.name for c in clauses if c.on_ineligible}


@given(situations())
def test_not_applicable_carries_no_outcome_and_ineligible_only_its_figures(situation):
    for d in decide(situation).values():
        if d.status.value in ("not_applicable", "undetermined"):
            assert d.outcome == {}, d.to_json("en")
        elif d.status.value == "ineligible":
            assert set(d.outcome) <= _refusal_figures(d.rule), d.to_json("en")


@settings(max_examples=5)
@given(st.lists(situations(), min_size=12, max_size=12))
def test_evaluation_is_thread_safe(samples):
    """Many threads evaluating different situations at once give the single-threaded answers."""
    from concurrent.futures import ThreadPoolExecutor

    expected = [tongcheng.evaluate(s, PACK).to_json() for s in samples]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda s: tongcheng.evaluate(s, PACK).to_json(), samples * 8))
    assert got == expected * 8


@given(situations())
def test_evaluating_without_trace_decides_the_same(situation):
    full = tongcheng.evaluate(situation, PACK)
    bare = tongcheng.evaluate(situation, PACK, trace=False)
    for a, b in zip(full.decisions, bare.decisions, strict=True):
        assert essence(a) == essence(b)
        assert b.reasons == ()
    assert full.questions == bare.questions
