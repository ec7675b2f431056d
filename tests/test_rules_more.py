"""Services and projects: exact enclave shares, the service catalogue, data-only extension of the
catalogue and zones; declared overrides and undeclared conflicts; dated drawings and rules that
end. (Each rule on every status: rules/tests/*.yaml.)"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

import tongcheng
from tongcheng.errors import RuleConflict

SERVICES = "services.cross_city_handling"
ENCLAVE = "enclave.revenue_sharing"

PROJECT = {"jointly_introduced": True, "flying_out": "370285", "flying_in": "370682",
           "gdp": 1000000.05, "tax": 333.33}


def ins(place, start, end=None, scheme="employee_medical"):
    p = {"scheme": scheme, "place": place, "from": start}
    if end:
        p["to"] = end
    return p


# Each rule on every status: the pack's own cases, rules/tests/*.yaml (run by pytest through
# tongcheng's plugin, and by `tongcheng test`); tests/test_pack_cases.py checks they cover every
# status of every rule.


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
