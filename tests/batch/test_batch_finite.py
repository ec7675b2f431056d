"""Unknown facts with a few possible values decide when every value gives the same answer: in
general (an enumeration, a boolean, a bounded grade, a list item's field), in the reference
evaluator and in the columnar one alike. The rules below are written so that three-valued logic
alone cannot see it (``x == a or x != a`` is unknown to Kleene)."""

from __future__ import annotations

from pathlib import Path

import pytest
from batchtools import assert_same

import tongcheng
from packtools import copy_pack
from tongcheng.batch.engine import BatchEvaluator
from tongcheng.batch.layout import from_situations
from tongcheng.situation import parse_situation

RULES = """
- id: cases.any_employment
  title: {zh: 任一就业状态, en: Any employment}
  domain: test
  zones: [{zone: shandong, from: 2021-01-01}]
  conditions:
    - label: {zh: 是否退休均可, en: Retired or not}
      when: person.employment == "retired" or person.employment != "retired"
  outcome:
    retired: person.employment == "retired"
    fixed: "7"
  basis: [{document: shandong_senior_preferential_2021}]
- id: cases.any_couple
  title: {zh: 是否夫妻申请均可, en: Couple or not}
  domain: test
  zones: [{zone: shandong, from: 2021-01-01}]
  conditions:
    - label: {zh: 是否夫妻申请均可, en: Couple or not}
      when: provident_fund.couple_application or not provident_fund.couple_application
  basis: [{document: shandong_senior_preferential_2021}]
- id: cases.grade
  title: {zh: 医院等级, en: Hospital grade}
  domain: test
  zones: [{zone: shandong, from: 2021-01-01}]
  conditions:
    - label: {zh: 一级以上, en: Grade one or above}
      when: request.hospital_grade >= 1
    - label: {zh: 二级以上, en: Grade two or above}
      when: request.hospital_grade >= 2 or person.sex == "female"
  basis: [{document: shandong_senior_preferential_2021}]
- id: cases.result_grade
  title: {zh: 结果医院等级, en: Result hospital grade}
  domain: test
  zones: [{zone: shandong, from: 2021-01-01}]
  conditions:
    - label: {zh: 有一级以上医院的结果, en: A result from a hospital of grade one or above}
      when: exists(results[item.hospital_grade >= 1])
  basis: [{document: shandong_senior_preferential_2021}]
- id: cases.sex_and_employment
  title: {zh: 性别与就业, en: Sex and employment}
  domain: test
  zones: [{zone: shandong, from: 2021-01-01}]
  conditions:
    - label: {zh: 任一性别, en: Either sex}
      when: person.sex == "male" or person.sex == "female"
    - label: {zh: 任一就业状态, en: Any employment}
      when: person.employment in ["employed", "flexible", "retired", "unemployed"]
  basis: [{document: shandong_senior_preferential_2021}]
"""

BASE = {"as_of": "2025-06-01", "target": "370200", "person": {"birth_date": "1970-01-01"}}
RESULT = {"kind": "medical_test", "place": "370600"}
CASES = [
    # (situation, rule, status, outcome fields, missing)
    (BASE, "cases.any_employment", "eligible", {"retired": None, "fixed": 7},
     ["person.employment"]),
    ({**BASE, "person": {"employment": "retired"}}, "cases.any_employment", "eligible",
     {"retired": True}, []),
    ({**BASE, "provident_fund": {"balance": 1}}, "cases.any_couple", "eligible", {}, []),
    (BASE, "cases.grade", "undetermined", {}, ["person.sex", "request.hospital_grade"]),
    ({**BASE, "person": {"sex": "female"}}, "cases.grade", "eligible", {}, []),
    ({**BASE, "person": {"sex": "male"}}, "cases.grade", "undetermined", {},
     ["request.hospital_grade"]),
    ({**BASE, "request": {"hospital_grade": 1}}, "cases.grade", "undetermined", {},
     ["person.sex"]),
    ({**BASE, "results": [RESULT]}, "cases.result_grade", "eligible", {}, []),
    ({**BASE, "results": [RESULT, RESULT]}, "cases.result_grade", "eligible", {}, []),
    ({**BASE, "results": []}, "cases.result_grade", "ineligible", {}, []),
    (BASE, "cases.sex_and_employment", "eligible", {}, []),
]


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> tongcheng.RulePack:
    root = copy_pack(Path(tmp_path_factory.mktemp("finite")))
    (root / "rules" / "zz_cases.yaml").write_text(RULES, encoding="utf-8")
    return tongcheng.load_pack(root)


@pytest.mark.parametrize(("situation", "rule", "status", "outcome", "missing"), CASES)
def test_reference_decides_by_cases(pack, situation, rule, status, outcome, missing):
    d = tongcheng.evaluate(situation, pack, rules=[rule]).decision(rule)
    assert d.status.value == status, d.to_json("en")
    for key, value in outcome.items():
        assert d.outcome[key] == value, d.outcome
    assert sorted(d.missing) == sorted(missing), d.missing
    if status == "eligible" and missing:  # the trace lists each value and its answer
        cases = [r for r in d.reasons if r.kind == "cases"]
        assert cases and all(": eligible" in n.en for n in cases[0].notes)


def test_columns_decide_by_cases_alike(pack):
    engine = BatchEvaluator(pack)
    assert engine.fallback_rules == {}
    models = [parse_situation(s) for s, *_ in CASES]
    result = engine.evaluate(from_situations(models), lambda idx: [models[i] for i in idx])
    assert_same(engine, result, models)


@pytest.mark.parametrize("whole", [1.0, 0.0])
def test_columns_decide_again_only_the_rows_that_need_it(pack, monkeypatch, tmp_path, whole):
    """Re-decisions (each value of an unknown fact) are computed on the rows left undetermined
    with such a fact unknown, a sub-chunk, and gathered back (or over the whole chunk, where
    most rows need them: ``frames.WHOLE``): rows that need them among rows that do not, twice
    through the same plan, decide as the reference does."""
    from tongcheng.batch import frames, phases

    monkeypatch.setattr(frames, "WHOLE", whole)

    known = {**BASE, "person": {"birth_date": "1970-01-01", "sex": "male",
                                "employment": "employed"}, "request": {"hospital_grade": 2},
             "provident_fund": {"balance": 1, "couple_application": False}, "results": []}
    situations = [known] * 5 + [s for s, *_ in CASES] + [known] * 5 + [BASE]
    models = [parse_situation(s) for s in situations]
    engine = BatchEvaluator(pack)
    monkeypatch.setenv(phases.ENV, str(tmp_path / "phases.json"))
    path = phases.start()
    try:
        for _ in range(2):  # the second time, the plan made the first time
            result = engine.evaluate(from_situations(models), lambda idx: [models[i] for i in idx])
            assert_same(engine, result, models)
        counts = dict(phases._active.counts)
    finally:
        phases.finish(path)
    assert counts["redecided_groups"] > 0
    if whole:  # each group of re-decisions (a rule's cases, ...) on its few rows, not all 22
        assert counts["redecided_rows"] < counts["redecided_groups"] * len(models) / 2
    else:
        assert counts["redecided_rows"] == counts["redecided_groups"] * len(models)
