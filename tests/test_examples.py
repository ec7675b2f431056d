"""Every bundled example evaluates, and shows the decision it was written for."""

from __future__ import annotations

from pathlib import Path

import pytest

import tongcheng

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

EXPECT = {
    "recognition-yantai-qingdao.yaml":
        ("medical_insurance.contribution_years_recognition", "eligible",
         {"recognized_months": 305, "processing_limit_working_days": 9}),
    "retiree-minimum-qingdao-2026.yaml":
        ("medical_insurance.retiree_benefit_years", "eligible", {"required_months": 360}),
    "inpatient-qingdao-insured-yantai.yaml":
        ("medical.inpatient_direct_settlement", "eligible", {"insured_place": "370600"}),
    "pension-certification-weihai.yaml":
        ("pension.remote_certification", "eligible", {"pension_place": "370600"}),
    "fund-transfer-weifang-qingdao.yaml":
        ("provident_fund.transfer", "eligible", {"transferable_months": 94}),
    "fund-loan-qingdao-2026.yaml":
        ("provident_fund.cross_city_loan", "eligible", {"loan_ceiling": 900000}),
    "transit-card-rizhao-in-yantai.yaml":
        ("transit.card_interoperability", "eligible", {}),
    "senior-free-ride-qingdao.yaml":
        ("transit.senior_free_ride", "eligible", {"card_fee_yuan": 12}),
    "residence-permit-gaomi.yaml":
        ("residence_permit.mutual_recognition", "eligible", {}),
    "services-laiyang-hukou-at-laixi.yaml":
        ("services.cross_city_handling", "eligible",
         {"handling": "online_or_window_either_city"}),
    "health-test-results-laiyang-laixi.yaml":
        ("health.test_result_recognition", "eligible", {}),
    "culture-library-card-zibo-jinan.yaml":
        ("culture.library_card_borrowing", "eligible", {}),
    "household-talent-laiyang-laixi.yaml":
        ("household.talent_recognition_laixi_laiyang", "eligible", {"hukou_recognized": True}),
    "hukou-accumulation-gaomi-qingdao.yaml":
        ("hukou.admission_years_accumulation", "eligible",
         {"accumulated_residence_months": 112, "accumulated_insurance_months": 114}),
    "enterprise-credit-yantai-in-qingdao.yaml":
        ("credit.joint_incentives_and_sanctions", "eligible", {"measures": "joint_sanctions"}),
    "enterprise-ground-handling-dongying-in-jinan.yaml":
        ("tourism.ground_handling_subsidy_sharing", "eligible",
         {"subsidy": "ground_handling_subsidy"}),
    "project-enclave-laixi-laiyang.yaml":
        ("enclave.revenue_sharing", "eligible",
         {"gdp_flying_in": 50000000.02, "gdp_flying_out": 75000000.03}),
}


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_evaluates(path):
    result = tongcheng.evaluate(tongcheng.load_situation(path))
    assert len(result.decisions) == len(tongcheng.bundled_pack().rules)
    if path.name in EXPECT:
        rule, status, outcome = EXPECT[path.name]
        d = result.decision(rule)
        assert d.status.value == status, d.to_json("en")
        for k, v in outcome.items():
            assert d.outcome[k] == v, d.outcome


def test_every_domain_has_an_example():
    pack = tongcheng.bundled_pack()
    covered = set()
    for path in EXAMPLES.glob("*.yaml"):
        result = tongcheng.evaluate(tongcheng.load_situation(path))
        covered |= {pack.rule(d.rule).domain for d in result.decisions
                    if d.status.value == "eligible"}
    assert {r.domain for r in pack.rules} - covered == set()
