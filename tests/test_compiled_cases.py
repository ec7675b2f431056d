"""Finite cases the compiled evaluator knows cannot settle a decision (``compiled/cases.py``).

The shortcut must never change a decision: where it is taken, the reference interpreter (which
decides every case) gives the same evaluation; where a case could settle the decision (the scope
reads the fact, or the case may change the kind of subject), the cases are decided.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tongcheng
from tongcheng.evaluate.compiled import cases
from tongcheng.situation import parse_situation
from tongcheng.testing import situations

PACK = tongcheng.bundled_pack()
plan = sys.modules["tongcheng.evaluate.compiled.plan"]

# a person in 莱阳 asking in 莱西 without test results: the scope (results from another city)
# is unknown, and so is the hospital grade asked about (a fact of three values)
WITHOUT_RESULTS = {"as_of": "2025-06-01", "target": "370285", "person": {"hukou": "370682"}}


def decide(situation: dict, rule: str, evaluator: str, trace: bool = False):
    model = parse_situation(situation)
    return tongcheng.evaluate(model, PACK, rules=[rule], trace=trace, evaluator=evaluator)


def test_scope_roots_follow_definitions_and_the_anchor():
    rule = PACK.rule("health.test_result_recognition")  # scope: exists(outside), a definition
    assert cases.scope_roots(rule) == {"results", "target"}  # outside <- tests <- results
    talent = PACK.rule("household.talent_recognition_laixi_laiyang")
    assert cases.scope_roots(talent) == {"person", "target"}


def test_only_cases_the_scope_cannot_read_are_skipped():
    roots = frozenset({"results", "target"})
    assert cases.cannot_settle(roots, ["request.hospital_grade", "results"])
    assert cases.cannot_settle(roots, ["results"])  # no finite fact: nothing to decide anyway
    assert not cases.cannot_settle(frozenset({"request", "target"}), ["request.hospital_grade"])
    assert not cases.cannot_settle(frozenset({"person"}), ["person.sex"])
    # a case that may create the project or enterprise changes the subject: always decided
    assert not cases.cannot_settle(frozenset({"target"}), ["enterprise.credit"])
    assert not cases.cannot_settle(frozenset({"target"}), ["project.major_industrial"])


@pytest.mark.parametrize("trace", [False, True])
def test_the_shortcut_is_taken_and_decides_as_the_reference(monkeypatch, trace):
    rule = "health.test_result_recognition"
    split = []
    real = plan.finite.by_cases
    monkeypatch.setattr(plan.finite, "by_cases", lambda *a, **k: split.append(a) or real(*a, **k))
    fast = decide(WITHOUT_RESULTS, rule, "compiled", trace)
    assert split == []  # no case decided
    ref = decide(WITHOUT_RESULTS, rule, "interpreter", trace)
    assert split, "the reference decides the cases"
    (d,) = fast.decisions
    assert d.status.value == "undetermined"
    assert set(d.missing) == {"results", "request.hospital_grade"}
    assert fast == ref  # the same decision as the reference's three grades, trace included


def test_cases_are_decided_where_the_scope_reads_the_fact(monkeypatch):
    rule = "household.talent_recognition_laixi_laiyang"  # scope: person.talent in [...]
    split = []
    real = plan.finite.by_cases
    monkeypatch.setattr(plan.finite, "by_cases", lambda *a, **k: split.append(a) or real(*a, **k))
    situation = {"as_of": "2025-06-01", "target": "370285", "person": {"hukou": "370682"}}
    fast = decide(situation, rule, "compiled")
    assert split and split[0][4] is not None, "the scope reads the talent: cases decided"
    assert fast == decide(situation, rule, "interpreter")


@given(st.data())
def test_rules_with_finite_unknowns_decide_as_the_reference(data):
    rule = data.draw(st.sampled_from(["health.test_result_recognition",
                                      "medical_insurance.retiree_benefit_years",
                                      "household.talent_recognition_laixi_laiyang",
                                      "medical.inpatient_direct_settlement"]))
    situation = data.draw(situations(rule=rule))
    for trace in (False, True):
        assert decide(situation, rule, "compiled", trace) == decide(situation, rule,
                                                                    "interpreter", trace)


def test_a_scope_that_reads_the_fact_is_settled_by_its_cases(tmp_path):
    """Every talent status passes this scope: its cases settle the decision (the shortcut must
    not take an unknown scope for one no case can change)."""
    from packtools import copy_pack, replace_once

    path = copy_pack(tmp_path)
    replace_once(path / "rules" / "household.yaml",
                 'when: person.talent in ["high_level", "shortage_technical"]',
                 'when: person.talent in ["high_level", "shortage_technical", "none"]')
    pack = tongcheng.load_pack(path)
    rule = "household.talent_recognition_laixi_laiyang"
    model = parse_situation({"as_of": "2025-06-01", "target": "370285",
                             "person": {"hukou": "370682"}})
    fast, ref = (tongcheng.evaluate(model, pack, rules=[rule], trace=False, evaluator=e)
                 for e in ("compiled", "interpreter"))
    (d,) = fast.decisions
    assert d.status.value == "eligible" and "person.talent" in d.missing  # (talent: outcome)
    assert fast == ref


def test_a_rule_that_divides_has_its_cases_decided():
    """A case's known value may divide by zero where the unknown did not: the reference would
    report it, so such a rule's cases are always decided."""
    import attrs

    from tongcheng.expr.parser import parse

    rule = PACK.rule("health.test_result_recognition")
    assert cases.scope_roots(rule) is not None
    condition = rule.conditions[-1]
    dividing = attrs.evolve(rule, conditions=(
        *rule.conditions[:-1],
        attrs.evolve(condition, expr=parse("1 / request.hospital_grade > 0")),
    ))
    assert cases.scope_roots(dividing) is None


def test_a_decision_left_to_the_shared_loops_is_generated_once(monkeypatch):
    """Where an exception may or may not apply, the generated decision gives None and the
    shared loops decide: they do not run the generated decision again (the decision is the
    reference's all the same)."""
    from tongcheng.evaluate import compiled

    rule = PACK.rule("services.cross_city_handling")
    untraced, traced = compiled.compiled_pack(PACK).rules[rule.id].decider
    runs = []

    def counted(frame, outcomes):
        runs.append(frame)
        return untraced(frame, outcomes)

    deciders = compiled.runners(PACK).deciders
    monkeypatch.setitem(deciders, id(rule), (counted, traced))
    plans = compiled.runners(PACK).plans
    monkeypatch.setattr(plans[id(rule)], "runs", (counted, traced))
    open_ = {"as_of": "2026-06-01", "target": "370682",
             "person": {"birth_date": "1980-01-01", "hukou": "370200"}}  # hukou too coarse
    fast = decide(open_, rule.id, "compiled")
    # once for the decision, once for each zone entry weighed alone (how firm the grant is)
    weighed = [tuple(ref.zone.id for ref in f.active_zones) for f in runs]
    assert len(weighed) == len(set(weighed)) > 1, weighed
    assert fast.decisions[0].outcome["handling"] is None
    assert fast == decide(open_, rule.id, "interpreter")
