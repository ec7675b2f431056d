"""A step's decisions are made untraced and traced only when read (cases/decided.py): what is
read must be exactly the whole traced evaluation's, and what nobody reads is never traced."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import tongcheng
from tongcheng.cases import Case, CaseStore
from tongcheng.cases.decided import Decided
from tongcheng.situation import load_situation

PACK = tongcheng.bundled_pack()
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_rule_traced_alone_is_the_whole_evaluations(path):
    situation = load_situation(path)
    truth = tongcheng.evaluate(situation, PACK)
    decided = Decided.of(situation, PACK)
    assert decided.quick == tongcheng.evaluate(situation, PACK, trace=False)
    rules = [d.rule for d in truth.decisions]
    # one at a time and in a different order: each is the whole evaluation's, missing facts
    # ordered as the whole pack orders them, reasons and all
    for rule in reversed(rules):
        assert decided.traced([rule])[rule] == truth.decision(rule)
    assert decided.evaluation == truth


def test_several_missing_facts_keep_the_whole_packs_order():
    situation = load_situation(EXAMPLES[0].parent / "transit-card-rizhao-in-yantai.yaml")
    truth = tongcheng.evaluate(situation, PACK)
    many = [d for d in truth.decisions if len(d.missing) > 1]
    assert many, "an example with a decision missing several facts"
    alone = tongcheng.evaluate(situation, PACK, rules=[d.rule for d in many])
    reordered = [d.rule for d in many if alone.decision(d.rule).missing != d.missing]
    assert reordered, "the example shows why the order must be taken from the whole pack"
    decided = Decided.of(situation, PACK)
    got = decided.traced(reordered)
    assert [got[r].missing for r in reordered] == [truth.decision(r).missing for r in reordered]


def test_a_step_traces_only_what_it_reports():
    store = CaseStore()
    case = Case.open("p", load_situation(EXAMPLES[0]).to_dict() | {"as_of": None},
                     on=date(2025, 5, 6), pack=PACK, store=store)
    opening = case.history[-1]
    assert opening.decided._full is None and not opening.decided._traced  # nothing read yet
    update = case.advance_to(date(2026, 6, 1))
    decided = update.decided
    reported = {c.rule for c in update.changes} | {n.rule for n in update.notifications}
    assert set(decided._traced) == {n.rule for n in update.notifications}
    for change in update.changes:
        assert change.decision == tongcheng.evaluate(case.situation, PACK).decision(change.rule)
    assert set(decided._traced) == reported and decided._full is None
    assert case.evaluation == tongcheng.evaluate(case.situation, PACK)
    assert decided._full is case.evaluation
