"""Parameters as a caseworker meets them: missing, unverified, flagged in the trace or not; a
coarse place under a settled status; trace notes in both languages. (Each rule on every status:
rules/tests/*.yaml.)"""

from __future__ import annotations

import tongcheng

MED = "medical_insurance.contribution_years_recognition"
LOAN = "provident_fund.cross_city_loan"
SENIOR = "transit.senior_free_ride"


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
