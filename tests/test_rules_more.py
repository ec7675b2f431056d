"""Services, projects and the further social-insurance and fund rules, on every status; data-only
extension of the catalogue; declared overrides and undeclared conflicts."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

import tongcheng
from tongcheng.errors import RuleConflict

SERVICES = "services.cross_city_handling"
ENCLAVE = "enclave.revenue_sharing"
WORK_INJURY = "social_insurance.work_injury_direct_settlement"
CAPITAL = "social_insurance.capital_circle_transfer"
EXCHANGE = "provident_fund.information_exchange"
FLEXIBLE = "provident_fund.flexible_worker_same_city"
RENTAL = "housing.public_rental_for_residents"

PROJECT = {"jointly_introduced": True, "flying_out": "370285", "flying_in": "370682",
           "gdp": 1000000.05, "tax": 333.33}


def ins(place, start, end=None, scheme="employee_medical"):
    p = {"scheme": scheme, "place": place, "from": start}
    if end:
        p["to"] = end
    return p


CASES = [
    # --- one-stop services --------------------------------------------------------------------
    ("services: Laiyang hukou at a Laixi hall: the 双莱 window wins over the metro rule",
     SERVICES, {"as_of": "2025-06-01", "target": "370285", "person": {"hukou": "370682"}},
     "eligible", {"handling": "online_or_window_either_city"}, []),
    ("services: Gaomi hukou in Qingdao (Huangdao): metro one-place acceptance",
     SERVICES, {"as_of": "2025-06-01", "target": "370211", "person": {"hukou": "370785"},
                "request": {"service": "enterprise_registration"}},
     "eligible", {"handling": "accepted_in_one_place"}, []),
    ("services: Weihai hukou in Rizhao: the Jiaodong items online",
     SERVICES, {"as_of": "2022-06-01", "target": "371100", "person": {"hukou": "371000"}},
     "eligible", {"handling": "online_one_network"}, []),
    ("services: Jinan hukou in Qingdao", SERVICES,
     {"as_of": "2025-06-01", "target": "370200", "person": {"hukou": "370100"}},
     "ineligible", {}, []),
    ("services: asking for an item no shared zone lists", SERVICES,
     {"as_of": "2025-06-01", "target": "370600", "person": {"hukou": "371000"},
      "request": {"service": "enterprise_registration"}},
     "ineligible", {}, []),
    ("services: hukou unknown", SERVICES, {"as_of": "2025-06-01", "target": "370200"},
     "undetermined", {}, ["person.hukou"]),
    ("services: local hukou", SERVICES,
     {"as_of": "2025-06-01", "target": "370200", "person": {"hukou": "370285"}},
     "not_applicable", {}, []),
    ("services: before the Jiaodong services started", SERVICES,
     {"as_of": "2020-05-18", "target": "370200", "person": {"hukou": "370600"}},
     "not_applicable", {}, []),
    # --- flying enclave (a project) ----------------------------------------------------------
    ("enclave: 6:4 with the remainder cent to the flying-out side", ENCLAVE,
     {"as_of": "2025-06-01", "project": PROJECT}, "eligible",
     {"gdp_flying_out": 600000.03, "gdp_flying_in": 400000.02, "tax_flying_in": 133.33}, []),
    ("enclave: amounts unknown leave outcome values null", ENCLAVE,
     {"as_of": "2025-06-01", "project": {**PROJECT, "gdp": None, "tax": None}}, "eligible",
     {"gdp_flying_in": None}, ["project.gdp", "project.tax"]),
    ("enclave: whether jointly introduced is unknown", ENCLAVE,
     {"as_of": "2025-06-01", "project": {**PROJECT, "jointly_introduced": None}},
     "undetermined", {}, ["project.jointly_introduced"]),
    ("enclave: not a joint project", ENCLAVE,
     {"as_of": "2025-06-01", "project": {**PROJECT, "jointly_introduced": False}},
     "not_applicable", {}, []),
    ("enclave: a person is not a project", ENCLAVE,
     {"as_of": "2025-06-01", "target": "370285", "person": {"sex": "male"}},
     "not_applicable", {}, []),
    ("enclave: before the pilot zone", ENCLAVE, {"as_of": "2021-06-01", "project": PROJECT},
     "not_applicable", {}, []),
    # --- work-injury settlement --------------------------------------------------------------
    ("work injury: insured in Laizhou, treated in Qingdao", WORK_INJURY,
     {"as_of": "2025-06-01", "target": "370200", "insurance": [ins("370683", "2020-01",
                                                                  scheme="work_injury")]},
     "eligible", {"insured_place": "370683"}, []),
    ("work injury: insured in Weihai (outside the metro area)", WORK_INJURY,
     {"as_of": "2025-06-01", "target": "370200", "insurance": [ins("371000", "2020-01",
                                                                  scheme="work_injury")]},
     "ineligible", {}, []),
    ("work injury: insured in 潍坊 (too coarse)", WORK_INJURY,
     {"as_of": "2025-06-01", "target": "370200", "insurance": [ins("370700", "2020-01",
                                                                  scheme="work_injury")]},
     "undetermined", {}, ["insurance[0].place"]),
    ("work injury: no running work-injury insurance", WORK_INJURY,
     {"as_of": "2025-06-01", "target": "370200", "insurance": [ins("370683", "2020-01")]},
     "not_applicable", {}, []),
    # --- capital circle transfers ------------------------------------------------------------
    ("capital: Zibo pension months to Jinan", CAPITAL,
     {"as_of": "2025-06-01", "target": "370100",
      "insurance": [ins("370300", "2010-01", "2014-12", "pension"),
                    ins("370300", "2010-01", "2014-12", "unemployment")]},
     "eligible", {"pension_months": 60, "unemployment_months": 60, "medical_months": 0}, []),
    ("capital: Qingdao months to Jinan", CAPITAL,
     {"as_of": "2025-06-01", "target": "370100",
      "insurance": [ins("370200", "2010-01", "2014-12", "pension")]},
     "ineligible", {}, []),
    ("capital: insurance unknown", CAPITAL, {"as_of": "2025-06-01", "target": "370100"},
     "undetermined", {}, ["insurance"]),
    ("capital: only work-injury months elsewhere", CAPITAL,
     {"as_of": "2025-06-01", "target": "370100",
      "insurance": [ins("370300", "2010-01", "2014-12", "work_injury")]},
     "not_applicable", {}, []),
    # --- fund information exchange -----------------------------------------------------------
    ("exchange: Haiyang deposits verified in Qingdao", EXCHANGE,
     {"as_of": "2025-06-01", "target": "370200",
      "provident_fund": {"periods": [{"place": "370687", "from": "2015-01", "to": "2019-12"}]}},
     "eligible", {"verifiable_places": ["370687"]}, []),
    ("exchange: Weihai deposits (outside the metro area)", EXCHANGE,
     {"as_of": "2025-06-01", "target": "370200",
      "provident_fund": {"periods": [{"place": "371000", "from": "2015-01", "to": "2019-12"}]}},
     "ineligible", {}, []),
    ("exchange: a coarse Yantai record", EXCHANGE,
     {"as_of": "2025-06-01", "target": "370200",
      "provident_fund": {"periods": [{"place": "370600", "from": "2015-01", "to": "2019-12"}]}},
     "undetermined", {}, ["provident_fund.periods[0].place"]),
    ("exchange: no deposits elsewhere", EXCHANGE,
     {"as_of": "2025-06-01", "target": "370200", "provident_fund": {"periods": []}},
     "not_applicable", {}, []),
    # --- flexible workers (pilot) -------------------------------------------------------------
    ("flexible: Zhucheng hukou, living in Qingdao", FLEXIBLE,
     {"as_of": "2025-06-01", "target": "370200",
      "person": {"employment": "flexible", "hukou": "370782", "lives_in": "370203"}},
     "eligible", {"deposit_at_target": True}, []),
    ("flexible: Jinan hukou", FLEXIBLE,
     {"as_of": "2025-06-01", "target": "370200",
      "person": {"employment": "flexible", "hukou": "370100", "lives_in": "370200"}},
     "ineligible", {}, []),
    ("flexible: where the person lives is unknown", FLEXIBLE,
     {"as_of": "2025-06-01", "target": "370200",
      "person": {"employment": "flexible", "hukou": "370782"}},
     "undetermined", {}, ["person.lives_in"]),
    ("flexible: employed, not flexible", FLEXIBLE,
     {"as_of": "2025-06-01", "target": "370200",
      "person": {"employment": "employed", "hukou": "370782", "lives_in": "370200"}},
     "not_applicable", {}, []),
    # --- public rental housing (promise) -----------------------------------------------------
    ("rental: Rizhao hukou with a Qingdao residence permit", RENTAL,
     {"as_of": "2025-06-01", "target": "370200",
      "person": {"hukou": "371100", "lives_in": "370200",
                 "residence": [{"place": "370212", "since": "2020-01-01"}]}},
     "eligible", {"within_coverage": True}, []),
    ("rental: no permit at the target", RENTAL,
     {"as_of": "2025-06-01", "target": "370200",
      "person": {"hukou": "371100", "lives_in": "370200", "residence": []}},
     "ineligible", {}, []),
    ("rental: permits unknown", RENTAL,
     {"as_of": "2025-06-01", "target": "370200",
      "person": {"hukou": "371100", "lives_in": "370200"}},
     "undetermined", {}, ["person.residence"]),
    ("rental: local hukou", RENTAL,
     {"as_of": "2025-06-01", "target": "370200",
      "person": {"hukou": "370200", "lives_in": "370200"}},
     "not_applicable", {}, []),
]


@pytest.mark.parametrize(("name", "rule", "situation", "status", "outcome", "missing"),
                         CASES, ids=[c[0] for c in CASES])
def test_rule(name, rule, situation, status, outcome, missing):
    decision = tongcheng.evaluate(situation, rules=[rule]).decision(rule)
    assert decision.status.value == status, decision.to_json("en")
    for key, value in outcome.items():
        assert decision.outcome[key] == value, decision.outcome
    for path in missing:
        assert path in decision.missing, decision.missing


def test_these_rules_are_covered_on_every_status():
    seen = {(rule, status) for _, rule, _, status, _, _ in CASES}
    pack = tongcheng.bundled_pack()
    for rule in (SERVICES, ENCLAVE, WORK_INJURY, CAPITAL, EXCHANGE, FLEXIBLE, RENTAL):
        statuses = ["eligible", "undetermined", "not_applicable"]
        if pack.rule(rule).conditions:  # a rule without conditions grants whenever in scope
            statuses.append("ineligible")
        for status in statuses:
            assert (rule, status) in seen, (rule, status)


def test_enclave_shares_add_up_exactly():
    for gdp in ("0.01", "0.03", "1000000.05", "12345678.99", "7"):
        d = tongcheng.evaluate({"as_of": "2025-06-01", "project": {**PROJECT, "gdp": Decimal(gdp)}},
                               rules=[ENCLAVE]).decision(ENCLAVE)
        out, into = Decimal(str(d.outcome["gdp_flying_out"])), Decimal(
            str(d.outcome["gdp_flying_in"]))
        assert out + into == Decimal(gdp)
        assert out >= into


def test_service_catalogue_counts_known_and_announced():
    pack = tongcheng.bundled_pack()
    announced = {a.zone: a for a in pack.announced}
    assert announced["jiaodong"].count == 82
    assert announced["laixi_laiyang"].at_least
    known = [s.id for s in pack.services if s.zone == "jiaodong"]
    assert known == ["hukou_migration", "passport_application"]


@pytest.fixture
def pack_copy(tmp_path):
    root = tmp_path / "pack"
    shutil.copytree(tongcheng.bundled_pack_path(), root)
    for f in root.rglob("*"):
        f.chmod(0o644 if f.is_file() else 0o755)
    return root


def test_adding_a_service_item_is_a_data_change(pack_copy):
    services = pack_copy / "services.yaml"
    services.write_text(services.read_text(encoding="utf-8") + """
  - id: social_security_card_replacement
    name: {zh: 社保卡补换, en: Social security card replacement}
    zone: jiaodong
    from: 2020-05-19
    channel: online
    basis:
      - document: jiaodong_guidance_2020
""", encoding="utf-8")
    pack = tongcheng.load_pack(pack_copy)
    d = tongcheng.evaluate({"as_of": "2025-06-01", "target": "370600",
                            "person": {"hukou": "371000"},
                            "request": {"service": "social_security_card_replacement"}},
                           pack, rules=[SERVICES]).decision(SERVICES)
    assert d.status.value == "eligible"
    assert "social_security_card_replacement" in {i["id"] for i in d.outcome["items"]}


def test_adding_a_zone_member_is_a_data_change(pack_copy):
    situation = {"as_of": "2025-06-01", "target": "370200",
                 "insurance": [ins("370786", "2010-01", "2019-12")],  # 昌邑, Weifang
                 "person": {"sex": "male"}}
    rule = "residence_permit.mutual_recognition"
    permit = {**situation, "person": {"residence": [{"place": "370786"}]}}
    before = tongcheng.evaluate(permit, tongcheng.load_pack(pack_copy), rules=[rule])
    assert before.decision(rule).status.value == "ineligible"
    zones = pack_copy / "zones.yaml"
    zones.write_text(zones.read_text(encoding="utf-8").replace(
        '    - {place: "370687", from: 2023-10-06}   # 海阳',
        '    - {place: "370687", from: 2023-10-06}   # 海阳\n'
        '    - {place: "370786", from: 2025-01-01}   # 昌邑 (hypothetical new member)'),
        encoding="utf-8")
    after = tongcheng.evaluate(permit, tongcheng.load_pack(pack_copy), rules=[rule])
    assert after.decision(rule).status.value == "eligible"


def test_an_undeclared_overlap_is_reported_not_resolved(pack_copy):
    rules = pack_copy / "rules" / "services.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "      overrides: [metro_one_place]\n" in text
    rules.write_text(text.replace("      overrides: [metro_one_place]\n", ""), encoding="utf-8")
    pack = tongcheng.load_pack(pack_copy)
    with pytest.raises(RuleConflict) as err:
        tongcheng.evaluate({"as_of": "2025-06-01", "target": "370285",
                            "person": {"hukou": "370682"}}, pack, rules=[SERVICES])
    assert {err.value.first, err.value.second} == {"shuanglai_window", "metro_one_place"}


def test_the_2017_drawing_of_the_metro_area_holds_before_2023():
    from datetime import date

    from tongcheng.pack.zones import contains
    from tongcheng.places import default_registry

    zone = tongcheng.bundled_pack().zones["qingdao_metro"]
    reg = default_registry()
    assert contains(reg, zone, "370786", date(2020, 1, 1)) is True    # 昌邑: all of Weifang, 2017
    assert contains(reg, zone, "370786", date(2024, 1, 1)) is False   # not in the 2023 drawing
    assert contains(reg, zone, "370785", date(2024, 1, 1)) is True    # 高密
    assert contains(reg, zone, "370683", date(2020, 1, 1)) is False   # 莱州 joined in 2023
    assert contains(reg, zone, "370700", date(2024, 1, 1)) is None    # 潍坊: too coarse


def test_a_rule_that_ends_stops_deciding(pack_copy):
    rules = pack_copy / "rules" / "transit.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace(
        "    - {zone: shandong, from: 2021-01-01}\n",
        "    - {zone: shandong, from: 2021-01-01}\n"
        "  in_force: {from: 2021-01-01, to: 2024-12-31}\n"),
        encoding="utf-8")
    pack = tongcheng.load_pack(pack_copy)
    s = {"target": "370600", "person": {"birth_date": "1950-01-01"}}
    rule = "transit.senior_free_ride"
    assert tongcheng.evaluate({**s, "as_of": "2024-06-01"}, pack,
                              rules=[rule]).decision(rule).status.value == "eligible"
    assert tongcheng.evaluate({**s, "as_of": "2025-06-01"}, pack,
                              rules=[rule]).decision(rule).status.value == "not_applicable"
