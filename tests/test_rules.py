"""Each bundled rule on eligible, ineligible, undetermined and not-applicable situations."""

from __future__ import annotations

import pytest

import tongcheng

MED = "medical_insurance.contribution_years_recognition"
RETIREE = "medical_insurance.retiree_benefit_years"
INPATIENT = "medical.inpatient_direct_settlement"
PENSION = "pension.remote_certification"
TRANSFER = "provident_fund.transfer"
LOAN = "provident_fund.cross_city_loan"
CARDS = "transit.card_interoperability"
SENIOR = "transit.senior_free_ride"
PERMIT = "residence_permit.mutual_recognition"


def period(place, start, end=None, scheme="employee_medical", **extra):
    p = {"scheme": scheme, "place": place, "from": start, **extra}
    if end:
        p["to"] = end
    return p


def fund(place, start, end=None):
    p = {"place": place, "from": start}
    if end:
        p["to"] = end
    return p


PERSON = {"birth_date": "1975-03-03", "sex": "male"}
RETIRED = {
    "birth_date": "1960-01-01",
    "sex": "male",
    "employment": "retired",
    "retired_on": "2020-02-01",
}

CASES = [
    # --- recognition -----------------------------------------------------------------------
    (
        "recognition: Laiyang months in Qingdao, 2024",
        MED,
        {
            "as_of": "2024-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [period("370682", "2010-01", "2019-12"), period("370200", "2020-01")],
        },
        "eligible",
        {"recognized_months": 174},
        [],
    ),
    (
        "recognition: overlapping months count once",
        MED,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [
                period("370600", "2010-01", "2015-12"),
                period("370200", "2015-01", "2016-12"),
            ],
        },
        "eligible",
        {"recognized_months": 84},
        [],
    ),
    (
        "recognition: deemed months are not recognised",
        MED,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [
                period("370600", "1990-01", "1999-12", deemed=True),
                period("370600", "2000-01", "2000-12"),
            ],
        },
        "eligible",
        {"recognized_months": 12},
        [],
    ),
    (
        "recognition: Jinan months are outside every shared zone",
        MED,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [period("370100", "2010-01", "2019-12")],
        },
        "ineligible",
        {},
        [],
    ),
    (
        "recognition: Weifang city code in 2024 is too coarse for the metro area",
        MED,
        {
            "as_of": "2024-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [period("370700", "2010-01", "2019-12")],
        },
        "undetermined",
        {},
        ["insurance[0].place"],
    ),
    (
        "recognition: target 潍坊 too coarse in 2024 (only 高密/诸城 are members)",
        MED,
        {
            "as_of": "2024-06-01",
            "target": "370700",
            "person": PERSON,
            "insurance": [period("370200", "2010-01", "2019-12")],
        },
        "undetermined",
        {},
        ["target"],
    ),
    (
        "recognition: before the metro area existed",
        MED,
        {
            "as_of": "2023-01-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [period("370682", "2010-01", "2019-12")],
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "recognition: target outside every zone",
        MED,
        {
            "as_of": "2025-06-01",
            "target": "370100",
            "person": PERSON,
            "insurance": [period("370200", "2010-01", "2019-12")],
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "recognition: months after as_of are ignored",
        MED,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [period("370600", "2025-07", "2026-12"), period("370200", "2020-01")],
        },
        "not_applicable",
        {},
        [],
    ),
    # --- retiree minimum --------------------------------------------------------------------
    (
        "retiree: Qingdao 2026 minimum met with deemed years",
        RETIREE,
        {
            "as_of": "2026-04-01",
            "target": "370200",
            "person": {**RETIRED, "retired_on": "2026-03-01"},
            "insurance": [
                period("370200", "1990-01", "1995-12", deemed=True),
                period("370600", "1996-01", "2005-12"),
                period("370200", "2006-01", "2026-02"),
            ],
        },
        "eligible",
        {"required_months": 360, "counted_months": 434, "shortfall_months": 0},
        [],
    ),
    (
        "retiree: Qingdao 2025 minimum, woman, short",
        RETIREE,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {
                "birth_date": "1970-01-01",
                "sex": "female",
                "employment": "retired",
                "retired_on": "2025-01-01",
            },
            "insurance": [
                period("370600", "2010-01", "2014-12"),
                period("370200", "2015-01", "2024-12"),
            ],
        },
        "ineligible",
        {},
        [],
    ),
    (
        "retiree: sex unknown, months between the two minimums",
        RETIREE,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {"employment": "retired", "retired_on": "2025-01-01"},
            "insurance": [period("370200", "2004-01", "2024-12")],
        },
        "undetermined",
        {},
        ["person.sex"],
    ),
    (
        "retiree: sex unknown, months below both minimums: ineligible with the figures",
        RETIREE,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {"employment": "retired", "retired_on": "2025-01-01"},
            "insurance": [period("370200", "2010-01", "2024-12")],
        },
        "ineligible",
        {"counted_months": 180, "required_months": None, "shortfall_months": None},
        ["person.sex"],
    ),
    (
        "retiree: retired_on unknown",
        RETIREE,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {"sex": "male", "employment": "retired"},
            "insurance": [period("370200", "2010-01", "2024-12")],
        },
        "undetermined",
        {},
        ["person.retired_on"],
    ),
    (
        "retiree: still employed",
        RETIREE,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {**PERSON, "employment": "employed"},
            "insurance": [period("370200", "2010-01", "2024-12")],
        },
        "not_applicable",
        {},
        [],
    ),
    # --- inpatient settlement ---------------------------------------------------------------
    (
        "inpatient: insured in Yantai, hospital in Weihai",
        INPATIENT,
        {
            "as_of": "2025-06-01",
            "target": "371000",
            "person": PERSON,
            "insurance": [period("370600", "2015-01", scheme="resident_medical")],
        },
        "eligible",
        {"insured_place": "370600"},
        [],
    ),
    (
        "inpatient: insured in Jinan, hospital in Qingdao",
        INPATIENT,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [period("370100", "2015-01")],
        },
        "ineligible",
        {},
        [],
    ),
    (
        "inpatient: no running medical period, employed",
        INPATIENT,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {**PERSON, "employment": "employed"},
            "insurance": [period("370600", "2015-01", "2020-12")],
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "inpatient: no running medical period, retired or not unknown",
        INPATIENT,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [period("370600", "2015-01", "2020-12")],
        },
        "undetermined",
        {},
        ["person.employment"],
    ),
    (
        "inpatient: retired, last insured in Yantai, in hospital in Qingdao",
        INPATIENT,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {**PERSON, "employment": "retired", "retired_on": "2020-12-31"},
            "insurance": [period("370600", "2015-01", "2020-12")],
        },
        "eligible",
        {"insured_place": "370600"},
        [],
    ),
    (
        "inpatient: insurance unknown",
        INPATIENT,
        {"as_of": "2025-06-01", "target": "370200", "person": PERSON},
        "undetermined",
        {},
        ["insurance"],
    ),
    # --- pension certification -------------------------------------------------------------
    (
        "pension: paid by Rizhao, living in Qingdao",
        PENSION,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {**RETIRED, "pension_place": "371100", "lives_in": "370200"},
        },
        "eligible",
        {"pension_place": "371100"},
        [],
    ),
    (
        "pension: paid by Jinan, living in Qingdao",
        PENSION,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {**RETIRED, "pension_place": "370100", "lives_in": "370200"},
        },
        "ineligible",
        {},
        [],
    ),
    (
        "pension: pension place unknown",
        PENSION,
        {"as_of": "2025-06-01", "target": "370200", "person": {**RETIRED, "lives_in": "370200"}},
        "undetermined",
        {},
        ["person.pension_place"],
    ),
    (
        "pension: not living at the target",
        PENSION,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {**RETIRED, "pension_place": "370600", "lives_in": "370600"},
        },
        "not_applicable",
        {},
        [],
    ),
    # --- fund transfer ------------------------------------------------------------------------
    (
        "transfer: Weifang months to Qingdao",
        TRANSFER,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "provident_fund": {
                "periods": [fund("370700", "2012-03", "2019-12"), fund("370200", "2020-01")]
            },
        },
        "eligible",
        {"transferable_months": 94},
        [],
    ),
    (
        "transfer: Zibo months within the capital circle to Jinan",
        TRANSFER,
        {
            "as_of": "2025-06-01",
            "target": "370100",
            "provident_fund": {"periods": [fund("370300", "2012-01", "2012-12")]},
        },
        "eligible",
        {"transferable_months": 12},
        [],
    ),
    (
        "transfer: Jinan months are not transferred to Qingdao by these zones",
        TRANSFER,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "provident_fund": {"periods": [fund("370100", "2012-01", "2012-12")]},
        },
        "ineligible",
        {},
        [],
    ),
    (
        "transfer: no months outside the target",
        TRANSFER,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "provident_fund": {"periods": [fund("370200", "2012-01")]},
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "transfer: periods unknown",
        TRANSFER,
        {"as_of": "2025-06-01", "target": "370200", "provident_fund": {"balance": 1000}},
        "undetermined",
        {},
        ["provident_fund.periods"],
    ),
    # --- fund loan ----------------------------------------------------------------------------
    (
        "loan: Yantai record counts in Qingdao, 2026 caps",
        LOAN,
        {
            "as_of": "2026-06-01",
            "target": "370200",
            "provident_fund": {
                "periods": [fund("370600", "2015-07", "2025-12"), fund("370200", "2026-01")],
                "balance": 30000,
                "outstanding_loans": 0,
                "couple_application": False,
            },
        },
        "eligible",
        {"continuous_months": 132, "loan_ceiling": 600000},
        [],
    ),
    (
        "loan: couple, balance floor and cap",
        LOAN,
        {
            "as_of": "2026-06-01",
            "target": "370200",
            "provident_fund": {
                "periods": [fund("370200", "2025-01")],
                "balance": 2000,
                "spouse_balance": 3000,
                "outstanding_loans": 0,
                "couple_application": True,
            },
        },
        "eligible",
        {"continuous_months": 18, "loan_ceiling": 200000},
        [],
    ),
    (
        "loan: a gap breaks the run",
        LOAN,
        {
            "as_of": "2026-06-01",
            "target": "370200",
            "provident_fund": {
                "periods": [fund("370600", "2015-07", "2025-10"), fund("370200", "2026-03")],
                "balance": 30000,
                "outstanding_loans": 0,
                "couple_application": False,
            },
        },
        "ineligible",
        {},
        [],
    ),
    (
        "loan: an outstanding loan",
        LOAN,
        {
            "as_of": "2026-06-01",
            "target": "370200",
            "provident_fund": {
                "periods": [fund("370200", "2020-01")],
                "balance": 30000,
                "outstanding_loans": 1,
            },
        },
        "ineligible",
        {},
        [],
    ),
    (
        "loan: Yantai's deposit condition is not known",
        LOAN,
        {
            "as_of": "2025-06-01",
            "target": "370600",
            "provident_fund": {"periods": [fund("370600", "2020-01")], "outstanding_loans": 0},
        },
        "undetermined",
        {},
        [],
    ),
    (
        "loan: periods unknown",
        LOAN,
        {"as_of": "2025-06-01", "target": "370200", "provident_fund": {"outstanding_loans": 0}},
        "undetermined",
        {},
        ["provident_fund.periods"],
    ),
    (
        "loan: target outside the zones",
        LOAN,
        {
            "as_of": "2025-06-01",
            "target": "370800",
            "provident_fund": {"periods": [fund("370800", "2020-01")], "outstanding_loans": 0},
        },
        "not_applicable",
        {},
        [],
    ),
    # --- cards --------------------------------------------------------------------------------
    (
        "cards: Weifang transit card in Weihai",
        CARDS,
        {
            "as_of": "2025-06-01",
            "target": "371000",
            "cards": [{"kind": "transit", "issuer": "370700"}],
        },
        "eligible",
        {"usable_cards": [{"kind": "transit", "issuer": "370700"}]},
        [],
    ),
    (
        "cards: Jinan card in Qingdao",
        CARDS,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "cards": [{"kind": "transit", "issuer": "370100"}],
        },
        "ineligible",
        {},
        [],
    ),
    (
        "cards: Zibo card in Binzhou (capital circle)",
        CARDS,
        {
            "as_of": "2025-06-01",
            "target": "371600",
            "cards": [{"kind": "transit", "issuer": "370300"}],
        },
        "eligible",
        {},
        [],
    ),
    (
        "cards: cards unknown",
        CARDS,
        {"as_of": "2025-06-01", "target": "370200"},
        "undetermined",
        {},
        ["cards"],
    ),
    (
        "cards: only a library card",
        CARDS,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "cards": [{"kind": "library", "issuer": "370600"}],
        },
        "not_applicable",
        {},
        [],
    ),
    # --- senior free ride ---------------------------------------------------------------------
    (
        "senior: Qingdao exception names the card",
        SENIOR,
        {"as_of": "2025-06-01", "target": "370285", "person": {"birth_date": "1960-01-01"}},
        "eligible",
        {"free": True, "card_fee_yuan": 12},
        [],
    ),
    (
        "senior: the day before the 60th birthday",
        SENIOR,
        {"as_of": "2025-02-27", "target": "370600", "person": {"birth_date": "1965-02-28"}},
        "ineligible",
        {},
        [],
    ),
    (
        "senior: birth date unknown",
        SENIOR,
        {"as_of": "2025-06-01", "target": "370600", "person": {"sex": "male"}},
        "undetermined",
        {},
        ["person.birth_date"],
    ),
    (
        "senior: outside Shandong",
        SENIOR,
        {"as_of": "2025-06-01", "target": "110101", "person": {"birth_date": "1950-01-01"}},
        "not_applicable",
        {},
        [],
    ),
    (
        "senior: before 2021",
        SENIOR,
        {"as_of": "2020-06-01", "target": "370600", "person": {"birth_date": "1950-01-01"}},
        "not_applicable",
        {},
        [],
    ),
    # --- residence permits -----------------------------------------------------------------
    (
        "permit: Gaomi permit in Qingdao",
        PERMIT,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {"residence": [{"place": "370785", "since": "2019-01-01"}]},
        },
        "eligible",
        {"recognized_permits": [{"place": "370785", "since": "2019-01-01"}]},
        [],
    ),
    (
        "permit: Changyi permit, a Weifang county outside the metro area",
        PERMIT,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {"residence": [{"place": "370786", "since": "2019-01-01"}]},
        },
        "ineligible",
        {},
        [],
    ),
    (
        "permit: Weifang city code is too coarse",
        PERMIT,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {"residence": [{"place": "370700", "since": "2019-01-01"}]},
        },
        "undetermined",
        {},
        ["person.residence[0].place"],
    ),
    (
        "permit: only a Qingdao permit",
        PERMIT,
        {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {"residence": [{"place": "370211", "since": "2019-01-01"}]},
        },
        "not_applicable",
        {},
        [],
    ),
    (
        "permit: permits unknown",
        PERMIT,
        {"as_of": "2025-06-01", "target": "370200", "person": {"sex": "female"}},
        "undetermined",
        {},
        ["person.residence"],
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


def test_these_rules_are_covered_on_every_status():
    seen = {(rule, status) for _, rule, _, status, _, _ in CASES}
    for rule in (MED, RETIREE, INPATIENT, PENSION, TRANSFER, LOAN, CARDS, SENIOR, PERMIT):
        for status in ("eligible", "ineligible", "undetermined", "not_applicable"):
            assert (rule, status) in seen, (rule, status)


def test_missing_parameter_is_named_and_explained():
    d = tongcheng.evaluate(
        {
            "as_of": "2025-06-01",
            "target": "370600",
            "provident_fund": {"periods": [fund("370600", "2020-01")], "outstanding_loans": 0},
        },
        rules=[LOAN],
    ).decision(LOAN)
    assert d.missing_parameters == ("provident_fund.loan_min_consecutive_months[370600]",)
    assert d.missing == ()


def test_unverified_parameter_is_flagged_in_the_trace():
    d = tongcheng.evaluate(
        {
            "as_of": "2026-06-01",
            "target": "370200",
            "provident_fund": {
                "periods": [fund("370200", "2020-01")],
                "balance": 1000,
                "outstanding_loans": 0,
                "couple_application": False,
            },
        },
        rules=[LOAN],
    ).decision(LOAN)
    flagged = {p["parameter"] for p in d.flagged_parameters}
    assert "provident_fund.loan_min_consecutive_months" in flagged  # medium and undated
    assert "unverified_parameters" in d.to_json()
    used = [p for r in d.reasons for p in r.parameters]
    assert all("reference" in p and "confidence" in p for p in used if p.get("value") is not None)


def test_unverified_parameter_is_flagged_without_a_trace_too():
    situation = {
        "as_of": "2026-06-01",
        "target": "370200",
        "provident_fund": {
            "periods": [fund("370200", "2020-01")],
            "balance": 1000,
            "outstanding_loans": 0,
            "couple_application": False,
        },
    }
    traced = tongcheng.evaluate(situation, rules=[LOAN]).decision(LOAN)
    bare = tongcheng.evaluate(situation, rules=[LOAN], trace=False).decision(LOAN)
    assert bare.reasons == ()
    assert bare.flagged_parameters == traced.flagged_parameters != ()
    assert bare.to_json()["unverified_parameters"] == traced.to_json()["unverified_parameters"]


def test_high_confidence_parameter_is_not_flagged():
    d = tongcheng.evaluate(
        {"as_of": "2025-06-01", "target": "370600", "person": {"birth_date": "1950-01-01"}},
        rules=[SENIOR],
    ).decision(SENIOR)
    assert d.status.value == "eligible"
    assert d.flagged_parameters == ()


def test_coarse_place_with_settled_status_leaves_outcome_null():
    """Settled status, unknown outcome value: the value is null and missing names the path."""
    d = tongcheng.evaluate(
        {
            "as_of": "2024-06-01",
            "target": "370200",
            "person": PERSON,
            "insurance": [
                period("370682", "2010-01", "2019-12"),
                period("370700", "2000-01", "2000-12"),
                period("370200", "2020-01", "2024-05"),
            ],
        },
        rules=[MED],
    ).decision(MED)
    assert d.status.value == "eligible"
    assert d.outcome["recognized_months"] is None
    assert "insurance[1].place" in d.missing


def test_trace_notes_follow_the_language():
    """Zone sentences of the trace come in the language asked for."""
    situation = {
        "as_of": "2024-06-01",
        "target": "370700",
        "insurance": [
            {"scheme": "employee_medical", "place": "370600", "from": "2010-01", "to": "2015-12"}
        ],
    }
    d = tongcheng.evaluate(situation, rules=[MED]).decision(MED)
    assert d.status.value == "undetermined"
    zh = [n for r in d.to_json("zh")["reasons"] for n in r.get("notes", [])]
    en = [n for r in d.to_json("en")["reasons"] for n in r.get("notes", [])]
    assert any("不够具体" in n and "请提供区县" in n for n in zh), zh
    assert any("too coarse" in n and "give the county" in n for n in en), en
    assert not any("too coarse" in n for n in zh)
