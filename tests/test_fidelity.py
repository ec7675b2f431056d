"""The review of the bundled pack against its sources (issue 11): each defect it found, as the
situation that showed it, and the answer the sources allow."""

from __future__ import annotations

import pytest

import tongcheng

RETIRED_IN_YANTAI = {"birth_date": "1955-01-01", "sex": "male", "employment": "retired",
                     "retired_on": "2015-02-01", "pension_place": "370600"}


def decide(situation: dict, rule: str):
    return tongcheng.evaluate(situation, rules=[rule]).decision(rule)


def quotes(d) -> list[str]:
    return [b.quote or "" for b in d.basis]


# --- every zone test respects the rule's zone dates ------------------------------------------


def test_social_card_in_2022_shows_no_metro_treatment():
    """``in_zone(target, "qingdao_metro")`` used to ignore the rule's own 2023-10-06 start: the
    2017 drawing of the metro area made a Weifang card in Qingdao a metro-area card in 2022."""
    d = decide({"as_of": "2022-06-01", "target": "370200", "person": {"sex": "male"},
                "cards": [{"kind": "social_security", "issuer": "370700"}]},
               "social_security.card_one_card")
    assert d.status.value == "eligible"
    assert d.outcome["services"] == ["social_security"]
    assert d.outcome["explored_services"] == []
    later = decide({"as_of": "2024-06-01", "target": "370200", "person": {"sex": "male"},
                    "cards": [{"kind": "social_security", "issuer": "370785"}]},
                   "social_security.card_one_card")
    assert later.outcome["services"] == ["social_security", "resident_services"]


# --- firmness per zone -----------------------------------------------------------------------


def test_pension_certification_in_jiaodong_rests_on_a_promise():
    d = decide({"as_of": "2025-06-01", "target": "371000",
                "person": {**RETIRED_IN_YANTAI, "lives_in": "371000"}},
               "pension.remote_certification")
    assert (d.status.value, d.firmness) == ("eligible", "promise")
    assert any("资格核查互认" in q for q in quotes(d))
    assert not any("认证信息交换" in q for q in quotes(d))  # the metro area does not join them
    out = d.to_json("en")
    assert out["firmness"] == "promise"
    assert {"zone": "jiaodong", "firmness": "promise"}.items() <= out["basis"][0].items()


def test_pension_certification_in_the_metro_area_is_in_force():
    d = decide({"as_of": "2025-06-01", "target": "370200",
                "person": {**RETIRED_IN_YANTAI, "pension_place": "370682", "lives_in": "370200"}},
               "pension.remote_certification")
    assert (d.status.value, d.firmness) == ("eligible", "in_force")
    assert any("认证信息交换" in q for q in quotes(d))
    # before the metro area, the same person rested on the 2020 promise alone
    early = decide({"as_of": "2022-06-01", "target": "370200",
                    "person": {**RETIRED_IN_YANTAI, "pension_place": "370682",
                               "lives_in": "370200"}}, "pension.remote_certification")
    assert (early.status.value, early.firmness) == ("eligible", "promise")


def test_transit_cards_in_the_capital_circle_are_a_promise():
    d = decide({"as_of": "2025-06-01", "target": "370100", "person": {"sex": "female"},
                "cards": [{"kind": "transit", "issuer": "370300"}]},
               "transit.card_interoperability")
    assert (d.status.value, d.firmness) == ("eligible", "promise")
    assert any("积极推进" in q for q in quotes(d))
    jiaodong = decide({"as_of": "2025-06-01", "target": "370600", "person": {"sex": "female"},
                       "cards": [{"kind": "transit", "issuer": "371100"}]},
                      "transit.card_interoperability")
    assert (jiaodong.status.value, jiaodong.firmness) == ("eligible", "in_force")


def test_a_social_security_card_is_not_a_transit_card():
    d = decide({"as_of": "2025-06-01", "target": "370600", "person": {"sex": "female"},
                "cards": [{"kind": "social_security", "issuer": "371100"},
                          {"kind": "transit", "issuer": "370100"}]},
               "transit.card_interoperability")
    assert d.status.value == "ineligible"  # the Jinan transit card is not one of 胶东's


def test_fund_transfer_in_the_capital_circle_is_a_promise_and_loans_have_no_source_there():
    s = {"as_of": "2025-06-01", "target": "370100", "person": {"sex": "male"},
         "provident_fund": {"periods": [{"place": "371600", "from": "2012-01", "to": "2020-12"},
                                        {"place": "370100", "from": "2021-01"}],
                            "balance": 50000, "outstanding_loans": 0}}
    result = tongcheng.evaluate(s)
    transfer = result.decision("provident_fund.transfer")
    assert (transfer.status.value, transfer.firmness) == ("eligible", "promise")
    assert any("支持提升" in q for q in quotes(transfer))
    assert result.decision("provident_fund.cross_city_loan").status.value == "not_applicable"


def test_the_qingdao_culture_card_is_for_qingdao_sites_only():
    card = {"person": {"sex": "female"}, "cards": [{"kind": "culture_tourism",
                                                     "issuer": "370200"}]}
    at_yantai = decide({"as_of": "2025-06-01", "target": "370600", **card},
                       "culture.qingdao_culture_tourism_card")
    at_qingdao = decide({"as_of": "2025-06-01", "target": "370203", **card},
                        "culture.qingdao_culture_tourism_card")
    assert at_yantai.status.value == "not_applicable"
    assert at_qingdao.status.value == "eligible"


def test_flexible_workers_conditions_are_the_projects_reading():
    rule = tongcheng.bundled_pack().rule("provident_fund.flexible_worker_same_city")
    assert rule.reading is not None
    assert "project's reading" in rule.reading.en and "本项目" in rule.reading.zh
    for word in ("household registration", "lives"):
        assert word in rule.reading.en


def test_the_qindaotong_card_fee_is_a_parameter_flagged_unverified():
    rule = tongcheng.bundled_pack().rule("transit.senior_free_ride")
    fee = next(c for e in rule.exceptions for c in e.outcome if c.name == "card_fee_yuan")
    assert "param(" in fee.text and "12" not in fee.text
    d = decide({"as_of": "2025-06-01", "target": "370202",
                "person": {"birth_date": "1950-01-01", "sex": "male"}}, "transit.senior_free_ride")
    assert d.outcome["card_fee_yuan"] == 12
    assert any(u.startswith("transit.qingdao_senior_card_fee") for u in
               d.to_json("en")["unverified_parameters"])


WEIFANG_2023 = {"as_of": "2023-06-01", "target": "370700", "person": {"sex": "male"},
                "provident_fund": {"periods": [{"place": "370700", "from": "2020-01"}],
                                   "balance": 40000, "outstanding_loans": 0}}


def test_weifangs_balance_floor_is_not_inferred_from_silence():
    from datetime import date

    from tongcheng.pack import parameters as params
    from tongcheng.places import default_registry

    floor = tongcheng.bundled_pack().parameters["provident_fund.loan_balance_floor"]
    assert floor.places["370700"] == ()  # declared, without a value
    hit = params.lookup(default_registry(), floor, "370786", date(2023, 6, 1))
    assert (hit.status, hit.key) == (params.Lookup.NO_VALUE,
                                     "provident_fund.loan_balance_floor[370700]")


def test_weifangs_cap_is_not_applied_to_couples():
    pack = tongcheng.bundled_pack()
    weifang = pack.parameters["provident_fund.loan_cap"].places["370700"]
    assert all(v.value.get("couple") is None for v in weifang)
    assert all(v.value.get("single") == 600000 for v in weifang)


def test_no_outstanding_loan_is_a_flagged_reading_outside_qingdao():
    """The only source for "no outstanding loan" is a Qingdao Q&A repost: elsewhere the
    condition is the project's reading, flagged as an unverified parameter."""
    s = {"as_of": "2025-06-01", "target": "371000", "person": {"sex": "male"},
         "provident_fund": {"periods": [{"place": "370600", "from": "2020-01"}],
                            "balance": 40000, "outstanding_loans": 1}}
    d = decide(s, "provident_fund.cross_city_loan")
    assert d.status.value == "ineligible"
    flagged = d.to_json("en")["unverified_parameters"]
    assert any(u.startswith("provident_fund.loan_no_outstanding_loan") for u in flagged)


# --- evaluator semantics the contract fixes ---------------------------------------------------

RETIREE = "medical_insurance.retiree_benefit_years"


@pytest.mark.parametrize(("until", "status"), [("2020-03", "eligible"), ("2006-08",
                                                                         "undetermined"),
                                               ("2001-08", "ineligible")])
def test_sex_unknown_decides_when_both_minimums_agree(until, status):
    d = decide({"as_of": "2025-06-01", "target": "370200",
                "person": {"birth_date": "1960-03-01", "employment": "retired",
                           "retired_on": "2020-04-01"},
                "insurance": [{"scheme": "employee_medical", "place": "370200", "from": "1985-01",
                               "to": until}]}, RETIREE)
    assert d.status.value == status
    assert "person.sex" in d.missing
    if status != "undetermined":
        assert d.outcome["required_months"] is None  # 300 or 240: depends on the sex
    cases = [r for r in d.reasons if r.kind == "cases"]
    assert bool(cases) == (status != "undetermined")


def test_ineligible_retiree_decisions_carry_the_shortfall():
    d = decide({"as_of": "2025-06-01", "target": "370200",
                "person": {"birth_date": "1960-03-01", "sex": "male", "employment": "retired",
                           "retired_on": "2020-04-01"},
                "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "1999-01",
                               "to": "2019-12"}]}, RETIREE)
    assert d.status.value == "ineligible"
    assert d.outcome == {"required_months": 300, "counted_months": 252, "shortfall_months": 48}
    shown = {r.name: r.value for r in d.reasons if r.kind == "outcome"}
    assert shown == d.outcome


def test_a_retiree_in_hospital_elsewhere_is_insured_without_paying():
    d = decide({"as_of": "2025-06-01", "target": "370200",
                "person": {"birth_date": "1955-01-01", "sex": "male", "employment": "retired",
                           "retired_on": "2015-02-01"},
                "insurance": [{"scheme": "employee_medical", "place": "370200", "from": "1980-01",
                               "to": "1999-12"},
                              {"scheme": "employee_medical", "place": "370600", "from": "2000-01",
                               "to": "2015-01"}]}, "medical.inpatient_direct_settlement")
    assert (d.status.value, d.outcome["insured_place"]) == ("eligible", "370600")


def test_a_retiree_last_insured_at_the_hospitals_city_is_ineligible():
    d = decide({"as_of": "2025-06-01", "target": "370600",
                "person": {"employment": "retired", "retired_on": "2015-02-01"},
                "insurance": [{"scheme": "employee_medical", "place": "370200", "from": "1980-01",
                               "to": "1999-12"},
                              {"scheme": "employee_medical", "place": "370600", "from": "2000-01",
                               "to": "2015-01"}]}, "medical.inpatient_direct_settlement")
    assert d.status.value == "ineligible"


SERVICES = "services.cross_city_handling"


def test_service_outcome_is_what_the_trace_shows_and_certain_items_are_listed():
    """A Yantai hukou given as the city at a Laixi hall: the 胶东 items are certain; whether the
    双莱 window or the metro area's one-place acceptance applies depends on the county."""
    d = decide({"as_of": "2025-06-01", "target": "370285", "person": {"hukou": "370600"}},
               SERVICES)
    assert d.status.value == "eligible"
    shown = {r.name: r.value for r in d.reasons if r.kind == "outcome"}
    assert shown == d.outcome
    assert d.outcome["handling"] is None
    ids = {i["id"] for i in d.outcome["items"]}
    assert "hukou_migration" in ids
    assert not any(i["zone"] == "laixi_laiyang" for i in d.outcome["items"])
    assert "person.hukou" in d.missing


def test_an_applied_exceptions_basis_is_in_the_decisions_basis():
    d = decide({"as_of": "2025-06-01", "target": "370285", "person": {"hukou": "370682"}},
               SERVICES)
    assert d.exception == "shuanglai_window"
    assert "建立“线上一网通办、线下异地可办”工作机制" in quotes(d)
    ride = decide({"as_of": "2025-06-01", "target": "370202",
                   "person": {"birth_date": "1950-01-01"}}, "transit.senior_free_ride")
    assert ride.exception == "qingdao_card"
    assert "qingdao_qindaotong_senior_card" in {b.document.id for b in ride.basis}


def test_a_city_level_hukou_too_coarse_for_a_county_zone_asks_for_the_county():
    d = decide({"as_of": "2025-06-01", "target": "370285",
                "person": {"hukou": "370600", "talent": "high_level"}},
               "household.talent_recognition_laixi_laiyang")
    assert d.status.value == "undetermined"
    assert d.missing == ("person.hukou",)
    from tongcheng.questions import question_for

    assert "县" in question_for("person.hukou", "zh")
    assert "county" in question_for("person.hukou", "en")


@pytest.mark.parametrize(("day", "services"), [
    ("2023-10-05", ["social_security"]),
    ("2023-10-06", ["social_security", "resident_services"]),
])
def test_the_metro_treatment_of_the_social_card_starts_on_the_rules_day(day, services):
    d = decide({"as_of": day, "target": "370285", "person": {"sex": "female"},
                "cards": [{"kind": "social_security", "issuer": "370785"}]},
               "social_security.card_one_card")
    assert d.outcome["services"] == services


def test_a_weifang_card_given_as_the_city_asks_for_the_county_in_the_metro_area():
    """潍坊 370700 holds the metro members 诸城 and 高密 but is not one: whether the residents'
    one card applies depends on the county; the card still serves social security (胶东)."""
    d = decide({"as_of": "2024-06-01", "target": "370200", "person": {"sex": "female"},
                "cards": [{"kind": "social_security", "issuer": "370700"}]},
               "social_security.card_one_card")
    assert d.status.value == "eligible"
    assert d.outcome["services"] is None and d.outcome["explored_services"] is None
    assert d.missing == ("cards[0].issuer",)
