"""The screening evaluator against the reference on rules nobody wrote: drawn by hypothesis.

``test_batch_differential.py`` proves the columns decide the bundled pack's rules as the
reference does; here each example draws a small pack (``tests/rulegen.py``), builds the
columnar evaluator for it, and screens a population drawn for its rules: every row's status,
firmness and outcome values must be the reference's. A rule the columns cannot compute is
decided by the reference row by row (``fallback_rules``), as in a real run; the test counts
how many compile, and the compiled ones are what it proves.
"""

from __future__ import annotations

from batchtools import assert_same, assert_screened_as_the_reference
from hypothesis import event, given, settings
from hypothesis import strategies as st

import tongcheng
from rulegen import SETTINGS, drawn_pack, load_generated
from tongcheng.batch.engine import BatchEvaluator
from tongcheng.batch.layout import from_situations
from tongcheng.situation import parse_situation
from tongcheng.testing import situations


@settings(max_examples=60, **SETTINGS)
@given(st.data())
def test_generated_rules_screen_as_the_reference(data):
    pack = drawn_pack(data)
    engine = BatchEvaluator(pack)
    event(f"{len(pack.rules) - len(engine.fallback_rules)} of {len(pack.rules)} rules in columns")
    dicts = [data.draw(situations(pack=pack, rule=data.draw(st.sampled_from(pack.rule_ids))))
             for _ in range(data.draw(st.integers(1, 8)))]
    models = [parse_situation(d) for d in dicts]
    event(assert_screened_as_the_reference(engine, models))


# --- what the generated rules found, kept as rules of their own ------------------------------

LABEL = {"zh": "条件", "en": "A condition"}
BASIS = [{"document": "test_notice", "article": "第十条"}]


def _rule(**parts) -> dict:
    return {"id": "gen.r0", "title": {"zh": "规则", "en": "A rule"}, "domain": "test",
            "zones": [{"zone": "cities", "from": "2020-01-01"}], **parts, "basis": BASIS}


def _screened(rules: list[dict], dicts: list[dict]) -> BatchEvaluator:
    engine = BatchEvaluator(load_generated(rules))
    models = [parse_situation(d) for d in dicts]
    result = engine.evaluate(from_situations(models), lambda idx: [models[i] for i in idx])
    assert_same(engine, result, models)
    return engine


def test_a_literal_place_in_in_zone_is_left_to_the_reference():
    # polars gathered a zone table by the text "370200" and the screen stopped
    rule = _rule(conditions=[{"label": LABEL, "when": 'in_zone("370200", "cities")'}])
    engine = _screened([rule], [{}, {"as_of": "2023-01-01", "target": "370200"}])
    assert engine.fallback_rules == {"gen.r0": "in_zone() of a non-place"}


def test_an_outcome_of_two_kinds_is_left_to_the_reference():
    # a list of service items in the rule, a count in its exception: one column cannot hold
    # both (polars refused to compare a text with a number and the screen stopped)
    exception = {"label": "special", "title": {"zh": "例外", "en": "An exception"},
                 "applies": [{"label": LABEL, "when": 'person.birth_date < date("1990-01-01")'}],
                 "outcome": {"o": "count(insurance)"},
                 "basis": [{"document": "test_notice", "article": "第九条"}]}
    rule = _rule(conditions=[{"label": LABEL, "when": 'as_of >= date("2022-01-01")'}],
                 outcome={"o": "service_items(target)"}, exceptions=[exception])
    engine = _screened([rule], [{}, {"as_of": "2023-01-01", "target": "370200",
                                     "person": {"birth_date": "1980-05-01"}}])
    assert engine.fallback_rules == {
        "gen.r0": "outcome 'o' of different kinds in the rule and an exception"}


def test_the_mark_for_the_reference_reads_its_cases_in_columns():
    # a hospital grade of three values decided case by case, under an exception weighing a
    # zone: the rows to hand the reference are marked by the cases' own marks, which were
    # computed on the re-decided rows only and never gathered back (a missing column)
    exception = {"label": "special", "title": {"zh": "例外", "en": "An exception"},
                 "applies": [{"label": LABEL, "when": 'in_zone(d0, "later")'}],
                 "basis": [{"document": "test_notice", "article": "第九条"}]}
    rule = _rule(zones=[{"zone": "later", "from": "2020-01-01"}],
                 let={"d0": "person.work_place"},
                 conditions=[{"label": LABEL, "when": 'request.hospital_grade == age('
                              'person.birth_date, date("2020-01-01")) or declared("test.county")'}],
                 exceptions=[exception])
    engine = _screened([rule], [{}, {"request": {"hospital_grade": 2}}])
    assert engine.fallback_rules == {}


def test_a_place_outside_every_zone_is_no_member_where_the_target_is_unknown():
    # as the reference: the scope member(person.hukou) is false for a hukou in no zone even
    # with no target given, so the rule does not apply (the columns said undetermined)
    rule = _rule(zones=[{"zone": "mixed", "from": "2020-01-01"}],
                 scope=[{"label": LABEL, "when": "member(person.hukou)"}],
                 conditions=[{"label": LABEL, "when": "exists(insurance)"}])
    outside = {"as_of": "2020-01-01", "person": {"hukou": "370811"}, "insurance": []}
    inside = {"as_of": "2020-01-01", "person": {"hukou": "370785"}, "insurance": []}
    engine = _screened([rule], [outside, inside])
    assert engine.fallback_rules == {}
    models = [parse_situation(d) for d in (outside, inside)]
    assert [tongcheng.evaluate(m, engine.pack).decisions[0].status.value for m in models] == [
        "not_applicable", "undetermined"]
