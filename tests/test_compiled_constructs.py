"""The compiled evaluator against the reference on constructs the bundled pack hardly uses.

``tests/test_compiled.py`` proves the two evaluators alike over the bundled pack's rules; a
mutation run over the compiled evaluator (benchmarks/README.md, "Mutation testing") found
faults no test of that pack could see, in constructs it uses rarely or not at all: definitions
that weigh the zones in a rule whose zone entries differ in firmness, ``in_zone`` as the only
zone function, a place chosen by a fact of few values, definitions reading the target or a
parameter under finite cases, the evaluation date, negation, exceptions with conditions of their
own. The rules of ``tests/packs/constructs`` are made of these; each is decided by both
evaluators over generated situations, and the decisions the contract fixes are pinned as well
(so that a fault in the code both evaluators share is caught too).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tongcheng
from test_compiled import assert_same
from tongcheng.evaluate.decision import replaced
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.situation import parse_situation
from tongcheng.testing import situations

PACK = tongcheng.load_pack(Path(__file__).parent / "packs" / "constructs")


def both(situation: dict, trace: bool, rules: list[str] | None = None):
    model = parse_situation(situation)
    ref = tongcheng.evaluate(model, PACK, rules=rules, trace=trace, evaluator="interpreter")
    fast = tongcheng.evaluate(model, PACK, rules=rules, trace=trace, evaluator="compiled")
    return ref, fast


def decide_or_fail(model, trace: bool, evaluator: str):
    """The evaluation, or the rule error it ends in (the same from both evaluators)."""
    try:
        return tongcheng.evaluate(model, PACK, trace=trace, evaluator=evaluator)
    except RuleError as e:
        return ("error", str(e))


@settings(max_examples=150)
@given(st.data())
def test_constructs_decide_as_the_interpreter(data):
    rule = data.draw(st.sampled_from(PACK.rule_ids))
    model = parse_situation(data.draw(situations(pack=PACK, rule=rule)))
    for trace in (False, True):
        ref = decide_or_fail(model, trace, "interpreter")
        fast = decide_or_fail(model, trace, "compiled")
        if isinstance(ref, tuple) or isinstance(fast, tuple):
            assert ref == fast
        else:
            assert_same(ref, fast)


def period(place: str, start: str = "2022-01", end: str = "2023-06") -> dict:
    return {"scheme": "pension", "place": place, "from": start, "to": end}


QINGDAO = {"as_of": "2023-06-01", "target": "370200"}


def decided(situation: dict, rule: str, trace: bool = False):
    """The rule's decision, the same from both evaluators (else the test fails)."""
    ref, fast = both(situation, trace, [rule])
    assert_same(ref, fast)
    return fast.decisions[0]


def articles(d) -> list[str]:
    return [b.article for b in d.basis]


@pytest.mark.parametrize("trace", [False, True])
def test_a_definition_weighing_zones_is_weighed_entry_by_entry(trace):
    # 烟台 is in `cities` (in force), not in `later` (a promise): the grant rests on `cities` only
    d = decided({**QINGDAO, "insurance": [period("370600")]}, "test.zone_let", trace)
    assert (d.status.value, d.firmness) == ("eligible", "in_force")
    assert articles(d) == ["第三条", "第一条"]
    # 青岛 is in both: both entries grant, the firmest gives the firmness
    d = decided({**QINGDAO, "insurance": [period("370200")]}, "test.zone_let", trace)
    assert (d.status.value, d.firmness) == ("eligible", "in_force")
    assert articles(d) == ["第三条", "第一条", "第二条"]



def test_a_value_weighing_zones_is_not_shared_between_rules():
    # the same definition, `cities` (烟台 a member) and `mixed` (青岛 and 高密 only)
    ref, fast = both({**QINGDAO, "insurance": [period("370600")]}, False,
                     ["test.zone_let", "test.zone_let_mixed"])
    assert_same(ref, fast)
    assert [d.status.value for d in fast.decisions] == ["eligible", "ineligible"]


@pytest.mark.parametrize("rule", ["test.in_zone", "test.in_zone_let"])
def test_a_zone_named_in_a_clause_or_a_definition_is_weighed_entry_by_entry(rule):
    d = decided({**QINGDAO, "person": {"hukou": "370600"}}, rule)
    assert d.status.value == "eligible"
    assert "第二条" not in articles(d) and "第一条" in articles(d)  # `later` alone does not grant


def test_a_place_chosen_by_a_fact_of_two_values_is_decided_case_by_case():
    # a man is asked at his work place (青岛), a woman at her hukou (烟台): both in `cities`,
    # each place with its own test.dated in 2022 (10 and 11): the definitions weighing the zones
    # and reading the parameter are the case's own, not those of the unknown place
    facts = {"as_of": "2022-06-01", "target": "370200",
             "insurance": [period("370600", "2021-01", "2022-05")]}
    both_in = {"hukou": "370600", "work_place": "370200"}
    d = decided({**facts, "person": both_in}, "test.anchor_by_case")
    assert (d.status.value, d.missing) == ("eligible", ())
    # in 2023 烟台 has no value: a woman's case is undetermined, a man's eligible
    d = decided({**facts, "as_of": "2023-06-01", "person": both_in}, "test.anchor_by_case")
    assert (d.status.value, d.missing) == ("undetermined", ("person.sex",))
    d = decided({**facts, "as_of": "2023-06-01", "person": {**both_in, "sex": "male"}},
                "test.anchor_by_case")
    assert d.status.value == "eligible"
    # a woman's hukou 威海 lies outside: the sex decides, and is what is missing
    d = decided({**facts, "person": {"hukou": "371000", "work_place": "370200"}},
                "test.anchor_by_case")
    assert (d.status.value, d.missing) == ("undetermined", ("person.sex",))


def test_definitions_reading_the_target_and_a_parameter_under_cases():
    # 25 months: a man has the 20 months test.dated asks in 2023, a woman needs none
    d = decided({**QINGDAO, "insurance": [period("370600", "2021-06")]}, "test.case_lets")
    assert (d.status.value, dict(d.outcome), d.missing) == ("eligible", {"needed": 20}, ())
    d = decided({**QINGDAO, "insurance": [period("370600")]}, "test.case_lets")  # 18 months
    assert (d.status.value, d.missing) == ("undetermined", ("person.sex",))


def test_every_value_of_a_fact_of_three_values_is_tried():
    d = decided(QINGDAO, "test.grades")  # grades 1, 2, 3 all meet "1 to 3"
    assert d.status.value == "eligible"
    assert d.missing == ("request.hospital_grade",)  # the outcome depends on it
    d = decided(QINGDAO, "test.grades_below_three")  # grade 3 does not
    assert (d.status.value, d.missing) == ("undetermined", ("request.hospital_grade",))
    d = decided({**QINGDAO, "request": {"hospital_grade": 2}}, "test.grades_below_three")
    assert d.status.value == "eligible"


def test_date_negation_and_shared_functions():
    facts = {**QINGDAO, "insurance": [period("370600", "2022-10"), period("370200", "2021-01",
                                                                          "2021-03")]}
    facts["results"] = [{"kind": "medical_test", "place": "370200", "level": "甲"}]
    d = decided(facts, "test.shapes", trace=True)
    assert d.status.value == "eligible"
    assert dict(d.outcome) == {"run": 9, "less": -12, "where": ["370200", "370600"],
                               "day": "2023-06-01", "grade_above_one": None,
                               "made_in_qingdao": True, "level_370200": False}
    d = decided({**facts, "as_of": "2020-06-01"}, "test.shapes")
    assert d.status.value == "not_applicable"  # before 2021


@pytest.mark.parametrize(("person", "months", "status", "handling"), [
    ({"employment": "flexible"}, 9, "eligible", "standard"),  # the exception's own conditions
    ({"employment": "flexible"}, 4, "ineligible", None),
    ({"sex": "female", "employment": "employed"}, 12, "eligible", "women counter"),
    ({"sex": "female", "employment": "employed"}, 4, "ineligible", None),  # the rule's conditions
    ({"sex": "female", "employment": "flexible"}, 9, "eligible", "standard"),  # overrides women
    ({"sex": "male", "employment": "employed"}, 12, "eligible", "standard"),
])
def test_exceptions_with_and_without_conditions(person, months, status, handling):
    start = {9: "2022-10", 4: "2023-03", 12: "2022-07"}[months]
    d = decided({**QINGDAO, "person": person, "insurance": [period("370600", start)]},
                "test.exception_shapes")
    assert d.status.value == status
    assert dict(d.outcome).get("handling") == handling


def test_an_exception_that_may_apply_where_the_scope_is_unknown():
    # no insurance given: the scope is unknown, and so is whether the woman's exception applies;
    # every variant is then undetermined without outcome, and the insurance is what is missing
    for trace in (False, True):
        d = decided({**QINGDAO, "person": {"employment": "employed"}}, "test.exception_shapes",
                    trace)
        assert (d.status.value, d.missing, dict(d.outcome)) == ("undetermined", ("insurance",), {})


@pytest.mark.parametrize("evaluator", ["compiled", "interpreter"])
def test_a_division_by_zero_with_one_zone_entry_alone_is_reported(evaluator):
    # 烟台's months count under `cities`, none under `later` alone: weighing `later` alone for the
    # grant's firmness divides by zero, and that defect of the rule is reported, not hidden
    model = parse_situation({**QINGDAO, "insurance": [period("370600")]})
    with pytest.raises(RuleError, match=r"test\.divides_alone: division by zero"):
        tongcheng.evaluate(model, PACK, rules=["test.divides_alone"], trace=False,
                           evaluator=evaluator)
    # 青岛 is in both: nothing divides by zero
    model = parse_situation({**QINGDAO, "insurance": [period("370200")]})
    (d,) = tongcheng.evaluate(model, PACK, rules=["test.divides_alone"],
                              evaluator=evaluator).decisions
    assert (d.status.value, d.outcome["per_month"]) == ("eligible", 120 / 18)


def test_a_decision_reads_in_one_line_and_writes_chinese_by_default():
    d = decided({**QINGDAO, "insurance": [period("370600")]}, "test.zone_let", trace=True)
    assert repr(d) == "<Decision test.zone_let: eligible (months=18)>"
    assert d.to_json() == d.to_json("zh") != d.to_json("en")
    d = decided({**QINGDAO, "person": {"employment": "employed"}}, "test.exception_shapes")
    assert repr(d) == "<Decision test.exception_shapes: undetermined; missing insurance>"
    long = replaced(d, outcome={"note": "长" * 30 + " \n " + "x" * 40})
    assert repr(long) == ("<Decision test.exception_shapes: undetermined (note=" + "长" * 30
                          + " " + "x" * 28 + "…); missing insurance>")  # one short line


def test_a_case_that_changes_the_subject_does_not_apply():
    # a project's rule reading an enterprise's credit: a case giving the credit creates the
    # enterprise, making the situation an enterprise's, to which the rule does not apply
    project = {**QINGDAO, "project": {"major_industrial": False}}
    for trace in (False, True):
        d = decided(project, "test.subject_case", trace)
        assert (d.status.value, d.missing) == ("undetermined", ("enterprise.credit",))
    d = decided({**QINGDAO, "project": {"major_industrial": True}}, "test.subject_case")
    assert d.status.value == "eligible"


def test_a_settled_split_shows_each_case_in_both_languages():
    facts = {**QINGDAO, "insurance": [period("370600", "2022-11")]}  # 8 months
    d = decided(facts, "test.couple", trace=True)
    assert (d.status.value, d.missing) == ("eligible", ())
    (cases,) = [r for r in d.reasons if r.kind == "cases"]
    assert [(n.zh, n.en) for n in cases.notes] == [
        ("provident_fund.couple_application = 否:符合",
         "provident_fund.couple_application = false: eligible"),
        ("provident_fund.couple_application = 是:符合",
         "provident_fund.couple_application = true: eligible")]
    d = decided({**QINGDAO, "insurance": [period("370600", "2023-02")]}, "test.couple")  # 5
    assert (d.status.value, d.missing) == ("undetermined", ("provident_fund.couple_application",))


def test_a_condition_holding_a_definitions_path_keeps_the_next_clause_its_own():
    # `when: couple` holds the path `provident_fund.couple_application` itself; the next
    # condition, `exists(insurance)`, must still be decided as written: a couple without
    # periods is ineligible, and an unknown application stays among what is missing
    d = decided({**QINGDAO, "insurance": [period("370600")]}, "test.plain_path_let")
    assert (d.status.value, d.missing) == ("undetermined",
                                           ("provident_fund.couple_application",))
    d = decided({**QINGDAO}, "test.plain_path_let")
    assert (d.status.value, d.missing) == ("undetermined",
                                           ("insurance", "provident_fund.couple_application"))
    d = decided({**QINGDAO, "provident_fund": {"couple_application": True}, "insurance": []},
                "test.plain_path_let")
    assert d.status.value == "ineligible"
    d = decided({**QINGDAO, "provident_fund": {"couple_application": True},
                 "insurance": [period("370600")]}, "test.plain_path_let", trace=True)
    assert (d.status.value, dict(d.outcome)) == ("eligible", {"as_couple": True})


@pytest.mark.parametrize("trace", [False, True])
def test_a_definition_reading_the_place_by_default_is_evaluated_again_in_each_case(trace):
    # male: asked at the hukou (潍坊, not declared); female: at the target (青岛, not declared):
    # ineligible either way, so the unknown sex is not what is missing
    d = decided({**QINGDAO, "person": {"hukou": "370600"}}, "test.declared_at_place", trace)
    assert (d.status.value, d.missing) == ("ineligible", ())
    # a hukou in a county that declares it (高密): the answer differs with the sex
    d = decided({**QINGDAO, "person": {"hukou": "370785"}}, "test.declared_at_place", trace)
    assert (d.status.value, d.missing) == ("undetermined", ("person.sex",))
