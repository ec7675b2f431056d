"""The catalogue's health, culture, household, social-card and recognition rules, each on
eligible, ineligible, undetermined and not-applicable situations; and their examples."""

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


def lab_result(place, grade=2, issued="2025-05-20", kind="medical_test", **extra):
    r = {"kind": kind, "place": place, "issued": issued, **extra}
    if grade is not None:
        r["hospital_grade"] = grade
    return r


def result(kind, place, issued="2024-11-01", **extra):
    return {"kind": kind, "place": place, "issued": issued, **extra}


def card(kind, issuer):
    return {"kind": kind, "issuer": issuer}


def period(place, start, end=None, scheme="employee_medical", **extra):
    p = {"scheme": scheme, "place": place, "from": start, **extra}
    if end:
        p["to"] = end
    return p


def permit(place, since=None):
    p = {"place": place}
    if since:
        p["since"] = since
    return p


GRADE_2 = {"hospital_grade": 2}
TALENTED = {"talent": "high_level", "hukou": "370682"}

CASES = [
    # --- medical test results ----------------------------------------------------------------
    (
        "tests: Laiyang grade-II result at a Laixi grade-II hospital",
        TESTS,
        {
            "as_of": "2025-06-10",
            "target": "370285",
            "results": [lab_result("370682"), lab_result("370682", grade=1)],
            "request": GRADE_2,
        },
        "eligible",
        {"recognized_results": [lab_result("370682")]},
        [],
    ),
    (
        "tests: Yantai result in Qingdao in 2021, under the Jiaodong guidance",
        TESTS,
        {
            "as_of": "2021-06-01",
            "target": "370200",
            "results": [lab_result("370600", grade=3, issued="2021-05-20")],
            "request": {"hospital_grade": 3},
        },
        "eligible",
        {},
        [],
    ),
    (
        "tests: a Jinan result is outside every shared zone",
        TESTS,
        {
            "as_of": "2025-06-10",
            "target": "370200",
            "results": [lab_result("370100", grade=3)],
            "request": GRADE_2,
        },
        "ineligible",
        {},
        [],
    ),
    (
        "tests: a member-place result from a grade-I clinic",
        TESTS,
        {
            "as_of": "2025-06-10",
            "target": "370285",
            "results": [lab_result("370682", grade=1)],
            "request": GRADE_2,
        },
        "ineligible",
        {},
        [],
    ),
    (
        "tests: the hospital at the target is grade I",
        TESTS,
        {
            "as_of": "2025-06-10",
            "target": "370285",
            "results": [lab_result("370682", grade=3)],
            "request": {"hospital_grade": 1},
        },
        "ineligible",
        {},
        [],
    ),
    (
        "tests: the grade of the hospital that made the result is unknown",
        TESTS,
        {
            "as_of": "2025-06-10",
            "target": "370285",
            "results": [lab_result("370682", grade=None)],
            "request": GRADE_2,
        },
        "undetermined",
        {},
        ["results[0].hospital_grade"],
    ),
    (
        "tests: the grade of the hospital at the target is unknown",
        TESTS,
        {"as_of": "2025-06-10", "target": "370285", "results": [lab_result("370682")]},
        "undetermined",
        {},
        ["request.hospital_grade"],
    ),
    (
        "tests: results unknown",
        TESTS,
        {"as_of": "2025-06-10", "target": "370285", "request": GRADE_2},
        "undetermined",
        {},
        ["results"],
    ),
    (
        "tests: a result from the target's own city (Laixi is Qingdao)",
        TESTS,
        {
            "as_of": "2025-06-10",
            "target": "370285",
            "results": [lab_result("370202", grade=3)],
            "request": GRADE_2,
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "tests: before the Jiaodong guidance",
        TESTS,
        {
            "as_of": "2019-12-01",
            "target": "370200",
            "results": [lab_result("370600", issued="2019-11-01")],
            "request": GRADE_2,
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "tests: target outside every zone",
        TESTS,
        {
            "as_of": "2025-06-10",
            "target": "370100",
            "results": [lab_result("370200")],
            "request": GRADE_2,
        },
        "not_applicable",
        {},
        [],
    ),
    # --- Qingdao culture-and-tourism card -----------------------------------------------------
    (
        "qingdao card: a Qingdao card, asked in Yantai (the report names Qingdao's sites only)",
        QD_CARD,
        {
            "as_of": "2025-06-01",
            "target": "370600",
            "cards": [card("culture_tourism", "370200")],
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "qingdao card: a Qingdao card, asked in Qingdao",
        QD_CARD,
        {
            "as_of": "2025-06-01",
            "target": "370212",
            "cards": [card("culture_tourism", "370200"), card("library", "370600")],
        },
        "eligible",
        {
            "a_grade_sites_at_least": 30,
            "usable_cards": [card("culture_tourism", "370200")],
            "discount_kinds": ["hot_spring_leisure", "performing_arts", "museums"],
        },
        [],
    ),
    (
        "qingdao card: a card issued by a Qingdao district counts",
        QD_CARD,
        {"as_of": "2025-06-01", "target": "370200", "cards": [card("culture_tourism", "370211")]},
        "eligible",
        {"a_grade_sites_at_least": 30},
        [],
    ),
    (
        "qingdao card: a Yantai culture card is not the Qingdao card",
        QD_CARD,
        {"as_of": "2025-06-01", "target": "370200", "cards": [card("culture_tourism", "370600")]},
        "ineligible",
        {},
        [],
    ),
    (
        "qingdao card: cards unknown",
        QD_CARD,
        {"as_of": "2025-06-01", "target": "370200"},
        "undetermined",
        {},
        ["cards"],
    ),
    (
        "qingdao card: before the 2025 joint meeting",
        QD_CARD,
        {"as_of": "2025-04-27", "target": "370200", "cards": [card("culture_tourism", "370200")]},
        "not_applicable",
        {},
        [],
    ),
    (
        "qingdao card: no culture-and-tourism card",
        QD_CARD,
        {"as_of": "2025-06-01", "target": "370200", "cards": [card("transit", "370200")]},
        "not_applicable",
        {},
        [],
    ),
    (
        "qingdao card: target in Jinan",
        QD_CARD,
        {"as_of": "2025-06-01", "target": "370100", "cards": [card("culture_tourism", "370200")]},
        "not_applicable",
        {},
        [],
    ),
    # --- capital circle library cards ---------------------------------------------------------
    (
        "library: a Zibo card in Jinan",
        LIBRARY,
        {"as_of": "2025-06-01", "target": "370100", "cards": [card("library", "370300")]},
        "eligible",
        {"usable_cards": [card("library", "370300")]},
        [],
    ),
    (
        "library: a Qingdao card in Jinan",
        LIBRARY,
        {"as_of": "2025-06-01", "target": "370100", "cards": [card("library", "370200")]},
        "ineligible",
        {},
        [],
    ),
    (
        "library: cards unknown",
        LIBRARY,
        {"as_of": "2025-06-01", "target": "370100"},
        "undetermined",
        {},
        ["cards"],
    ),
    (
        "library: no library card",
        LIBRARY,
        {"as_of": "2025-06-01", "target": "370100", "cards": [card("transit", "370300")]},
        "not_applicable",
        {},
        [],
    ),
    (
        "library: target in Qingdao, outside the capital circle",
        LIBRARY,
        {"as_of": "2025-06-01", "target": "370200", "cards": [card("library", "370300")]},
        "not_applicable",
        {},
        [],
    ),
    # --- capital circle culture-tourism one card (pilot) --------------------------------------
    (
        "capital card: a Tai'an card in Jinan",
        CAPITAL_CARD,
        {"as_of": "2025-06-01", "target": "370100", "cards": [card("culture_tourism", "370900")]},
        "eligible",
        {"usable_cards": [card("culture_tourism", "370900")]},
        [],
    ),
    (
        "capital card: a Qingdao card in Liaocheng",
        CAPITAL_CARD,
        {"as_of": "2025-06-01", "target": "371500", "cards": [card("culture_tourism", "370200")]},
        "ineligible",
        {},
        [],
    ),
    (
        "capital card: cards unknown",
        CAPITAL_CARD,
        {"as_of": "2025-06-01", "target": "371500"},
        "undetermined",
        {},
        ["cards"],
    ),
    (
        "capital card: only a library card",
        CAPITAL_CARD,
        {"as_of": "2025-06-01", "target": "370100", "cards": [card("library", "370300")]},
        "not_applicable",
        {},
        [],
    ),
    # --- Laixi–Laiyang talents ----------------------------------------------------------------
    (
        "talent: Laiyang household, asked in Laixi",
        TALENT,
        {"as_of": "2025-03-15", "target": "370285", "person": TALENTED},
        "eligible",
        {
            "hukou_recognized": True,
            "treatment_shared": True,
            "talent": "high_level",
            "hukou_place": "370682",
        },
        [],
    ),
    (
        "talent: Laixi household, asked in Laiyang",
        TALENT,
        {
            "as_of": "2025-03-15",
            "target": "370682",
            "person": {"talent": "shortage_technical", "hukou": "370285"},
        },
        "eligible",
        {"talent": "shortage_technical"},
        [],
    ),
    (
        "talent: a Zhifu (Yantai) household is outside the pilot zone",
        TALENT,
        {"as_of": "2025-03-15", "target": "370285", "person": {**TALENTED, "hukou": "370602"}},
        "ineligible",
        {},
        [],
    ),
    (
        "talent: talent category unknown",
        TALENT,
        {"as_of": "2025-03-15", "target": "370285", "person": {"hukou": "370682"}},
        "undetermined",
        {},
        ["person.talent"],
    ),
    (
        "talent: Yantai city code is too coarse for the pilot zone",
        TALENT,
        {"as_of": "2025-03-15", "target": "370285", "person": {**TALENTED, "hukou": "370600"}},
        "undetermined",
        {},
        ["person.hukou"],
    ),
    (
        "talent: target Qingdao city is too coarse (only Laixi is in the zone)",
        TALENT,
        {"as_of": "2025-03-15", "target": "370200", "person": TALENTED},
        "undetermined",
        {},
        ["target"],
    ),
    (
        "talent: not a recognised talent",
        TALENT,
        {"as_of": "2025-03-15", "target": "370285", "person": {**TALENTED, "talent": "none"}},
        "not_applicable",
        {},
        [],
    ),
    (
        "talent: household in Qingdao, asked in Laixi (same city)",
        TALENT,
        {"as_of": "2025-03-15", "target": "370285", "person": {**TALENTED, "hukou": "370202"}},
        "not_applicable",
        {},
        [],
    ),
    (
        "talent: before the pilot zone",
        TALENT,
        {"as_of": "2021-06-01", "target": "370285", "person": TALENTED},
        "not_applicable",
        {},
        [],
    ),
    # --- household admission years ------------------------------------------------------------
    (
        "hukou: Gaomi then Qingdao, permits and insurance",
        HUKOU,
        {
            "as_of": "2025-06-20",
            "target": "370200",
            "person": {
                "residence": [permit("370785", "2016-03-01"), permit("370211", "2021-02-01")]
            },
            "insurance": [
                period("370785", "2016-01", "2020-12", scheme="pension"),
                period("370785", "2016-01", "2020-12"),
                period("370211", "2021-01", scheme="pension"),
            ],
        },
        "eligible",
        {"accumulated_residence_months": 112, "accumulated_insurance_months": 114},
        [],
    ),
    (
        "hukou: deemed months and non-member months are not counted",
        HUKOU,
        {
            "as_of": "2025-06-20",
            "target": "370211",
            "person": {"residence": []},
            "insurance": [
                period("370682", "1990-01", "1999-12", scheme="pension", deemed=True),
                period("370682", "2010-01", "2010-12", scheme="unemployment"),
                period("370786", "2011-01", "2011-12", scheme="pension"),
                period("370200", "2012-01", "2012-06", scheme="pension"),
            ],
        },
        "eligible",
        {"accumulated_residence_months": 0, "accumulated_insurance_months": 18},
        [],
    ),
    (
        "hukou: Laiyang insurance, permits unknown: residence months null",
        HUKOU,
        {
            "as_of": "2025-06-20",
            "target": "370200",
            "person": {"sex": "male"},
            "insurance": [period("370682", "2015-01", "2019-12")],
        },
        "eligible",
        {"accumulated_residence_months": None, "accumulated_insurance_months": 60},
        ["person.residence"],
    ),
    (
        "hukou: a member permit without its date of issue",
        HUKOU,
        {
            "as_of": "2025-06-20",
            "target": "370200",
            "person": {"residence": [permit("370683")]},
            "insurance": [],
        },
        "eligible",
        {"accumulated_residence_months": None, "accumulated_insurance_months": 0},
        ["person.residence[0].since"],
    ),
    (
        "hukou: Changyi history is outside the metropolitan area",
        HUKOU,
        {
            "as_of": "2025-06-20",
            "target": "370200",
            "person": {"residence": [permit("370786", "2018-01-01")]},
            "insurance": [period("370786", "2018-01", "2020-12", scheme="pension")],
        },
        "ineligible",
        {},
        [],
    ),
    (
        "hukou: Weifang city code is too coarse",
        HUKOU,
        {
            "as_of": "2025-06-20",
            "target": "370200",
            "person": {"residence": []},
            "insurance": [period("370700", "2018-01", "2020-12", scheme="pension")],
        },
        "undetermined",
        {},
        ["insurance[0].place"],
    ),
    (
        "hukou: permits and insurance unknown",
        HUKOU,
        {"as_of": "2025-06-20", "target": "370200", "person": {"sex": "female"}},
        "undetermined",
        {},
        ["insurance", "person.residence"],
    ),
    (
        "hukou: only Qingdao history",
        HUKOU,
        {
            "as_of": "2025-06-20",
            "target": "370200",
            "person": {"residence": [permit("370211", "2020-01-01")]},
            "insurance": [period("370202", "2020-01")],
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "hukou: before the metro plan",
        HUKOU,
        {
            "as_of": "2023-10-05",
            "target": "370200",
            "person": {"residence": [permit("370785", "2016-03-01")]},
            "insurance": [],
        },
        "not_applicable",
        {},
        [],
    ),
    # --- social security card one card --------------------------------------------------------
    (
        "social card: a Gaomi card in Qingdao (metro area: resident services, explored uses)",
        SOCIAL_CARD,
        {"as_of": "2025-06-01", "target": "370200", "cards": [card("social_security", "370785")]},
        "eligible",
        {
            "usable_cards": [card("social_security", "370785")],
            "services": ["social_security", "resident_services"],
            "explored_services": ["transport", "tourism", "culture"],
        },
        [],
    ),
    (
        "social card: a Weihai card in Gaomi (Jiaodong only)",
        SOCIAL_CARD,
        {"as_of": "2025-06-01", "target": "370785", "cards": [card("social_security", "371000")]},
        "eligible",
        {"services": ["social_security"], "explored_services": []},
        [],
    ),
    (
        "social card: a Rizhao city card in Yantai city: metro services need the county",
        SOCIAL_CARD,
        {"as_of": "2025-06-01", "target": "370600", "cards": [card("social_security", "371100")]},
        "eligible",
        {"usable_cards": [card("social_security", "371100")], "services": None},
        ["target", "cards[0].issuer"],
    ),
    (
        "social card: a Jinan card in Qingdao",
        SOCIAL_CARD,
        {"as_of": "2025-06-01", "target": "370200", "cards": [card("social_security", "370100")]},
        "ineligible",
        {},
        [],
    ),
    (
        "social card: cards unknown",
        SOCIAL_CARD,
        {"as_of": "2025-06-01", "target": "370200"},
        "undetermined",
        {},
        ["cards"],
    ),
    (
        "social card: only a transit card",
        SOCIAL_CARD,
        {"as_of": "2025-06-01", "target": "370200", "cards": [card("transit", "370600")]},
        "not_applicable",
        {},
        [],
    ),
    (
        "social card: target in Jinan",
        SOCIAL_CARD,
        {"as_of": "2025-06-01", "target": "370100", "cards": [card("social_security", "370300")]},
        "not_applicable",
        {},
        [],
    ),
    # --- labour capacity appraisal ------------------------------------------------------------
    (
        "appraisal: a Zhucheng conclusion in Qingdao",
        APPRAISAL,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "results": [result("labour_capacity_appraisal", "370782", level="七级")],
        },
        "eligible",
        {"recognized_results": [result("labour_capacity_appraisal", "370782", level="七级")]},
        [],
    ),
    (
        "appraisal: a Changyi conclusion is outside the metropolitan area",
        APPRAISAL,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "results": [result("labour_capacity_appraisal", "370786")],
        },
        "ineligible",
        {},
        [],
    ),
    (
        "appraisal: Weifang city code is too coarse",
        APPRAISAL,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "results": [result("labour_capacity_appraisal", "370700")],
        },
        "undetermined",
        {},
        ["results[0].place"],
    ),
    (
        "appraisal: only other kinds of result",
        APPRAISAL,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "results": [result("work_injury_determination", "370782")],
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "appraisal: before the metro plan",
        APPRAISAL,
        {
            "as_of": "2023-06-01",
            "target": "370200",
            "results": [result("labour_capacity_appraisal", "370782", issued="2023-01-01")],
        },
        "not_applicable",
        {},
        [],
    ),
    # --- work-injury determination ------------------------------------------------------------
    (
        "injury: a Zibo determination in Jinan",
        INJURY,
        {
            "as_of": "2025-06-01",
            "target": "370100",
            "results": [result("work_injury_determination", "370300")],
        },
        "eligible",
        {"recognized_results": [result("work_injury_determination", "370300")]},
        [],
    ),
    (
        "injury: a Qingdao determination in Jinan",
        INJURY,
        {
            "as_of": "2025-06-01",
            "target": "370100",
            "results": [result("work_injury_determination", "370200")],
        },
        "ineligible",
        {},
        [],
    ),
    (
        "injury: results unknown",
        INJURY,
        {"as_of": "2025-06-01", "target": "370100"},
        "undetermined",
        {},
        ["results"],
    ),
    (
        "injury: target in Qingdao, outside the capital circle",
        INJURY,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "results": [result("work_injury_determination", "370300")],
        },
        "not_applicable",
        {},
        [],
    ),
    # --- elderly self-care assessment ---------------------------------------------------------
    (
        "elderly: a Dezhou assessment in Jinan keeps its level",
        ELDERLY,
        {
            "as_of": "2025-06-01",
            "target": "370100",
            "results": [result("elderly_care_assessment", "371400", level="轻度失能")],
        },
        "eligible",
        {"recognized_results": [result("elderly_care_assessment", "371400", level="轻度失能")]},
        [],
    ),
    (
        "elderly: a Yantai assessment in Binzhou",
        ELDERLY,
        {
            "as_of": "2025-06-01",
            "target": "371600",
            "results": [result("elderly_care_assessment", "370600")],
        },
        "ineligible",
        {},
        [],
    ),
    (
        "elderly: results unknown",
        ELDERLY,
        {"as_of": "2025-06-01", "target": "371600"},
        "undetermined",
        {},
        ["results"],
    ),
    (
        "elderly: an assessment from the target's own city",
        ELDERLY,
        {
            "as_of": "2025-06-01",
            "target": "370100",
            "results": [result("elderly_care_assessment", "370102")],
        },
        "not_applicable",
        {},
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "rule", "situation", "status", "outcome", "missing"), CASES, ids=[c[0] for c in CASES]
)
def test_rule(name, rule, situation, status, outcome, missing):
    decision = tongcheng.evaluate(situation, rules=[rule]).decision(rule)
    assert decision.status.value == status, decision.to_json("en")
    for key, value in outcome.items():
        assert decision.outcome[key] == value, decision.outcome
    for path in missing:
        assert path in decision.missing, decision.missing
    if status != "undetermined":
        assert set(decision.missing) <= set(missing), decision.missing


def test_every_catalogue_rule_is_covered_on_every_status():
    seen = {(rule, status) for _, rule, _, status, _, _ in CASES}
    pack_rules = set(tongcheng.bundled_pack().rule_ids)
    for rule in RULES:
        assert rule in pack_rules, rule
        for status in ("eligible", "ineligible", "undetermined", "not_applicable"):
            assert (rule, status) in seen, (rule, status)


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
