"""The rules of the promises issue 11 listed (item 5): their firmness read from their sentence,
the catalogue accounting for every promise listed (their cases: rules/tests/promises.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import tongcheng
from tongcheng.coverage import coverage

CAPITAL_TESTS = "health.capital_circle_test_result_recognition"
RECORDS = "health.record_sharing_laixi_laiyang"
PUBLIC_CARD = "social_security.capital_circle_public_service_card"
TALENT = "talent.metro_mutual_recognition"
CREDIT = "credit.joint_incentives_and_sanctions"
SUBSIDY = "tourism.ground_handling_subsidy_sharing"
TAX = "enclave.capital_circle_tax_sharing"

FIRMNESS = {
    CAPITAL_TESTS: "promise",
    RECORDS: "in_force",
    PUBLIC_CARD: "in_force",
    TALENT: "promise",
    CREDIT: "in_force",
    SUBSIDY: "in_force",
    TAX: "pilot",
}

CASES = Path(__file__).resolve().parents[1] / "rules" / "tests" / "promises.yaml"
"""Their cases, each on every status (run by the pack's tests: ``tongcheng test``)."""


@pytest.mark.parametrize("rule", list(FIRMNESS))
def test_firmness_is_read_from_the_sentence_and_said_with_the_decision(rule):
    pack = tongcheng.bundled_pack()
    found = pack.rule(rule)
    assert found.reading is not None
    assert all(b.quote for b in found.basis)
    cases = yaml.safe_load(CASES.read_text("utf-8"))
    eligible = next(c for c in cases if c["expect"].get(rule, {}).get("status") == "eligible")
    d = tongcheng.evaluate(eligible["situation"], rules=[rule]).decision(rule)
    assert d.firmness == FIRMNESS[rule]
    assert d.to_json("en")["firmness"] == FIRMNESS[rule]


# The promise sentences issue 11 lists; coverage must account for each: a rule citing it, or a
# catalogue entry quoting it with the reason it is not a rule.
LISTED_SENTENCES = [
    "推动电子病历、医学检验检查结果跨地区、跨机构互通互认",
    "实现居民健康档案、电子病历、预约挂号等信息互联互通",
    "实现公共服务领域一卡通",
    "推进跨区域人才互认",
    "加强区域间社会救助信息共享",
    "跨市开展守信联合激励和失信联合惩戒",
    "协议分享被整合或托管园区的税收、土地等收益",
    "探索实行项目转出地与转入地主体税收共享",
    "实现省会经济圈7市企业补贴共享",
    "胶州—高密临空临港协作区",
    "海阳、乳山市政府签约共建新能源产业联动区",
]


@pytest.mark.parametrize("sentence", LISTED_SENTENCES)
def test_coverage_accounts_for_every_listed_promise(sentence):
    pack = tongcheng.bundled_pack()
    report = coverage(pack)
    quoted_by_rules = [b.quote for r in pack.rules for b in r.basis if b.quote]
    quoted_by_entries = [b.get("quote", "") for t in report["treatments"]
                         for b in t.get("basis", [])]
    assert any(sentence in q for q in quoted_by_rules + quoted_by_entries), sentence
    for t in report["treatments"]:
        if any(sentence in b.get("quote", "") for b in t.get("basis", [])):
            assert t["status"] == "not_a_person_rule" and t["reason"]["zh"] and t["firmness"]


def test_county_cooperation_areas_are_dated_industry_zones():
    pack = tongcheng.bundled_pack()
    expected = {
        "jiaozhou_gaomi": ({"370281", "370785"}, "2023-10-06"),
        "pingdu_changyi_laizhou": ({"370283", "370786", "370683"}, "2023-10-06"),
        "haiyang_laiyang_jimo": ({"370687", "370682", "370215"}, "2023-10-06"),
        "haiyang_rushan": ({"370687", "371083"}, "2025-04-28"),
    }
    from datetime import date, timedelta

    for zone_id, (members, start) in expected.items():
        zone = pack.zones[zone_id]
        assert zone.kind == "industry"
        day = date.fromisoformat(start)
        assert set(zone.members_at(day)) == members
        assert not zone.members_at(day - timedelta(days=1))


def test_jinan_qingdao_items_are_an_announcement_without_invented_items():
    pack = tongcheng.bundled_pack()
    report = coverage(pack)
    [entry] = [s for s in report["service_items"] if s["zone"] == "jinan_qingdao"]
    assert entry == {"zone": "jinan_qingdao", "known": 0, "announced": 27, "at_least": False,
                     "items": [], "announced_on": "2026-01-27", "confidence": "medium"}
    assert not [s for s in pack.services if s.zone == "jinan_qingdao"]
    assert not [r for r in pack.rules for z in r.zones if z.zone.id == "jinan_qingdao"]
