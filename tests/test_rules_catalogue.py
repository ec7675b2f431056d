"""The catalogue's health, culture, household, social-card and recognition rules: firmness,
reading and quoted basis; their examples. (Each rule on every status: rules/tests/*.yaml.)"""

from __future__ import annotations

from pathlib import Path

import pytest

import tongcheng

ROOT = Path(__file__).resolve().parents[1]

TESTS = "health.test_result_recognition"
QD_CARD = "culture.qingdao_culture_tourism_card"
LIBRARY = "culture.library_card_borrowing"
CAPITAL_CARD = "culture.capital_culture_tourism_card"
TALENT = "household.talent_recognition_laixi_laiyang"
HUKOU = "hukou.admission_years_accumulation"
SOCIAL_CARD = "social_security.card_one_card"
APPRAISAL = "social_security.labour_capacity_appraisal_recognition"
INJURY = "social_security.work_injury_determination_recognition"
ELDERLY = "elderly_care.assessment_level_recognition"

RULES = {
    TESTS: "in_force",
    QD_CARD: "in_force",
    LIBRARY: "promise",
    CAPITAL_CARD: "pilot",
    TALENT: "in_force",
    HUKOU: "in_force",
    SOCIAL_CARD: "in_force",
    APPRAISAL: "promise",
    INJURY: "promise",
    ELDERLY: "promise",
}


def card(kind, issuer):
    return {"kind": kind, "issuer": issuer}


# Each rule on every status: the pack's own cases, rules/tests/*.yaml (run by pytest through
# tongcheng's plugin, and by `tongcheng test`); tests/test_pack_cases.py checks they cover every
# status of every rule.


@pytest.mark.parametrize("rule", list(RULES))
def test_firmness_reading_and_quoted_basis(rule):
    d = tongcheng.evaluate({"as_of": "2025-06-01", "target": "370200"}, rules=[rule]).decision(rule)
    out = d.to_json("en")
    assert out["firmness"] == RULES[rule]
    assert out.get("reading"), rule
    assert out["basis"] and all(b.get("quote") for b in out["basis"]), out["basis"]


def test_work_injury_quote_keeps_the_sources_dropped_character():
    d = tongcheng.evaluate({"as_of": "2025-06-01", "target": "370100"}, rules=[INJURY])
    quotes = [b["quote"] for b in d.decision(INJURY).to_json()["basis"]]
    assert quotes == ["推动工伤认定*策统一,结果互认"]


def test_culture_card_count_is_flagged_as_unverified():
    d = tongcheng.evaluate(
        {"as_of": "2025-06-01", "target": "370200", "cards": [card("culture_tourism", "370200")]},
        rules=[QD_CARD],
    ).decision(QD_CARD)
    assert d.status.value == "eligible"
    flagged = {p["parameter"] for p in d.flagged_parameters}
    assert flagged == {"culture.qingdao_culture_tourism_card_a_grade_sites"}


EXAMPLES = [
    (
        "health-test-results-laiyang-laixi.yaml",
        TESTS,
        "eligible",
        {"recognized_results": 2},
    ),
    ("culture-library-card-zibo-jinan.yaml", LIBRARY, "eligible", {"usable_cards": 1}),
    ("household-talent-laiyang-laixi.yaml", TALENT, "eligible", {}),
    (
        "hukou-accumulation-gaomi-qingdao.yaml",
        HUKOU,
        "eligible",
        {"accumulated_residence_months": 112, "accumulated_insurance_months": 114},
    ),
]


@pytest.mark.parametrize(
    ("file", "rule", "status", "outcome"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_example_evaluates_as_expected(file, rule, status, outcome):
    path = ROOT / "examples" / file
    assert path.read_text("utf-8").startswith("#"), "an example opens with a comment"
    situation = tongcheng.load_situation(path)
    d = tongcheng.evaluate(situation).decision(rule)
    assert d.status.value == status, d.to_json("en")
    for key, expected in outcome.items():
        value = d.outcome[key]
        assert (len(value) if isinstance(value, list) else value) == expected, d.outcome
