"""City overlays: layered on the bundled pack they add and replace with provenance, name
themselves in the stack's digest, and a conflicting one is refused with its file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import tongcheng
from tongcheng.cli import main
from tongcheng.errors import PackError
from tongcheng.pack.loader import load_pack

HERE = Path(__file__).resolve().parent
OVERLAYS = HERE.parent / "packs" / "overlays"
ROOT = HERE.parents[1]
KEEP = ROOT / "examples" / "overlays" / "qingdao-keep-25-20"
LOAN = "provident_fund.cross_city_loan"
RETIREE = "medical_insurance.retiree_benefit_years"


def line_of(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    assert content.count(text) == 1
    return content[: content.index(text)].count("\n") + 1


def weihai_borrower(**fund) -> dict:
    """A depositor of Weihai and Yantai asking for a loan in Weihai."""
    return {"as_of": "2025-06-01", "target": "371000",
            "provident_fund": {"periods": [{"place": "370600", "from": "2018-01", "to": "2022-12"},
                                           {"place": "371000", "from": "2023-01"}],
                               "balance": 30000, "outstanding_loans": 0,
                               "couple_application": False, **fund}}


@pytest.fixture(scope="module")
def base():
    return tongcheng.bundled_pack()


@pytest.fixture(scope="module")
def loan_caps():
    return load_pack(overlays=[OVERLAYS / "weihai-loan-caps"])


def test_loan_caps_overlay_turns_unknown_ceilings_into_numbers(base, loan_caps):
    before = tongcheng.evaluate(weihai_borrower(), base).decision(LOAN)
    after = tongcheng.evaluate(weihai_borrower(), loan_caps).decision(LOAN)
    assert before.status.value == after.status.value == "eligible"
    assert before.outcome["loan_ceiling"] is None
    assert "provident_fund.loan_cap[371000]" in before.missing_parameters
    # min(cap 500,000, 15 × max(balance 30,000, floor 20,000)) = 450,000
    assert after.outcome["loan_ceiling"] == 450000
    assert after.missing_parameters == ()
    couple = tongcheng.evaluate(weihai_borrower(couple_application=True, spouse_balance=20000),
                                loan_caps).decision(LOAN)
    assert couple.outcome["loan_ceiling"] == 700000  # the couple cap is below 15 × 50,000
    # the overlay's values are flagged as below high confidence, with their reference
    flagged = {p["parameter"]: p for p in after.flagged_parameters}
    assert flagged["provident_fund.loan_cap"]["confidence"] == "low"
    assert "Test overlay" in flagged["provident_fund.loan_cap"]["reference"]
    # other cities are untouched
    qingdao = dict(weihai_borrower(), target="370200", as_of="2026-06-01")
    assert (tongcheng.evaluate(qingdao, base).decision(LOAN).outcome
            == tongcheng.evaluate(qingdao, loan_caps).decision(LOAN).outcome)


def test_the_stack_names_itself_in_its_digest(base, loan_caps):
    assert loan_caps.info.name == base.info.name
    assert loan_caps.info.version == f"{base.info.version}+weihai-loan-caps@0.1"
    assert loan_caps.info.digest != base.info.digest
    assert loan_caps.info.digest.startswith("sha256:") and len(loan_caps.info.digest) == 71
    # every evaluation names the stack
    out = tongcheng.evaluate(weihai_borrower(), loan_caps).to_json()
    assert out["rule_pack"]["digest"] == loan_caps.info.digest
    assert out["rule_pack"]["version"].endswith("+weihai-loan-caps@0.1")
    # the layers: the base pack and the overlay, each with its own digest
    assert [lay.info.name for lay in loan_caps.layers] == [base.info.name, "weihai-loan-caps"]
    assert loan_caps.layers[0].info.digest == base.info.digest
    # the same stack gives the same digest; another order or another overlay does not
    again = load_pack(overlays=[OVERLAYS / "weihai-loan-caps"])
    assert again.info.digest == loan_caps.info.digest
    two = load_pack(overlays=[OVERLAYS / "weihai-loan-caps", KEEP])
    swapped = load_pack(overlays=[KEEP, OVERLAYS / "weihai-loan-caps"])
    assert len({two.info.digest, swapped.info.digest, loan_caps.info.digest}) == 3


def test_the_digest_follows_the_overlays_files(tmp_path):
    copy = tmp_path / "caps"
    shutil.copytree(OVERLAYS / "weihai-loan-caps", copy)
    first = load_pack(overlays=[copy]).info.digest
    path = copy / "parameters" / "provident_fund.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("500000", "510000"), "utf-8")
    assert load_pack(overlays=[copy]).info.digest != first


def test_a_value_meeting_the_packs_is_refused_with_file_and_line():
    overlay = OVERLAYS / "conflict-value"
    with pytest.raises(PackError) as e:
        load_pack(overlays=[overlay])
    (where, message), = e.value.problems
    file = overlay / "parameters" / "medical_insurance.yaml"
    assert where.file == str(file.resolve())
    assert where.line == line_of(file, "- from: 2026-01-01")
    assert "medical_insurance.retiree_min_months[370200]" in message
    base_file = Path(tongcheng.bundled_pack_path()) / "parameters" / "medical_insurance.yaml"
    assert f"{base_file}:{line_of(base_file, '- from: 2026-01-01')}" in message
    assert "replace:" in message  # says how to replace instead


def test_a_rule_defined_again_without_replace_is_refused(tmp_path):
    overlay = OVERLAYS / "conflict-rule"
    with pytest.raises(PackError) as e:
        load_pack(overlays=[overlay])
    (where, message), = e.value.problems
    assert where.file == str((overlay / "rules" / "transit.yaml").resolve())
    assert where.line == 1
    assert "transit.senior_free_ride" in message and "replace: true" in message
    # with replace: true it takes the rule's place (and lint says so)
    copy = tmp_path / "replacing"
    shutil.copytree(overlay, copy)
    rules = copy / "rules" / "transit.yaml"
    rules.write_text(rules.read_text("utf-8").replace(
        "- id: transit.senior_free_ride", "- id: transit.senior_free_ride\n  replace: true"),
        "utf-8")
    stack = load_pack(overlays=[copy])
    base = tongcheng.bundled_pack()
    assert stack.rule_ids == base.rule_ids  # in its place, not appended
    person = {"as_of": "2025-06-01", "target": "370600", "person": {"birth_date": "1962-01-01"}}
    assert tongcheng.evaluate(person, base).decision("transit.senior_free_ride").status == (
        "eligible")
    assert tongcheng.evaluate(person, stack).decision("transit.senior_free_ride").status == (
        "ineligible")  # 63, and the replacing rule asks for 65
    result = CliRunner().invoke(main, ["lint", "--overlay", str(copy), "--lang", "en"])
    assert f"{rules.resolve()}:1: note: overlay conflict-rule replaces rule " \
           "transit.senior_free_ride" in result.output
    result = CliRunner().invoke(main, ["lint", "--overlay", str(copy)])  # Chinese, the default
    assert f"{rules.resolve()}:1: 提示: 覆盖层 conflict-rule 替换规则 " \
           "transit.senior_free_ride(下层原处:" in result.output


def test_an_overlay_adds_documents_sources_and_rules():
    stack = load_pack(overlays=[OVERLAYS / "new-rule"])
    assert stack.rule_ids[-1] == "test.park_entry"
    situation = {"as_of": "2025-01-01", "target": "370600",
                 "cards": [{"kind": "social_security", "issuer": "370200"}]}
    d = tongcheng.evaluate(situation, stack).decision("test.park_entry")
    assert d.status.value == "eligible"
    assert d.basis[0].document.id == "test_park_notice"
    changes = [(c.action, c.kind, c.id) for c in stack.layers[-1].changes]
    assert changes == [("adds", "document", "test_park_notice"), ("adds", "rule",
                                                                   "test.park_entry")]


def test_a_quote_not_in_the_overlays_source_is_refused(tmp_path):
    copy = tmp_path / "misquoted"
    shutil.copytree(OVERLAYS / "new-rule", copy)
    rules = copy / "rules" / "parks.yaml"
    rules.write_text(rules.read_text("utf-8").replace("可免费进入", "可免票进入"), "utf-8")
    with pytest.raises(PackError) as e:
        load_pack(overlays=[copy])
    (where, message), = e.value.problems
    assert where.file == str(rules.resolve()) and where.line == line_of(rules, "quote:")
    assert "word for word" in message


def test_replace_states_its_provenance_and_lint_lists_it():
    stack = load_pack(overlays=[KEEP])
    values = stack.parameters["medical_insurance.retiree_min_months"].places["370200"]
    assert [v.value["male"] for v in values] == [300, 300]
    assert all(v.reference and v.confidence for v in values)
    assert values[1].confidence == "low" and values[1].reference.startswith("Scenario")
    change, = stack.layers[-1].changes
    assert (change.action, change.id) == ("replaces",
                                          "medical_insurance.retiree_min_months[370200]")
    result = CliRunner().invoke(main, ["lint", "--overlay", str(KEEP), "--format", "json"])
    notes = [f for f in json.loads(result.output)["findings"] if f["severity"] == "note"]
    assert [n["check"] for n in notes] == ["overlay-replaces"]
    assert notes[0]["file"].endswith("qingdao-keep-25-20/parameters/medical_insurance.yaml")
    assert "parameters/medical_insurance.yaml:" in notes[0]["message"]


@pytest.mark.parametrize("text, expected", [
    ("replace: [\"370600\"]\n  values:\n    \"370600\": []",
     "replaces 370600, which has no values below"),
    ("replace: [\"370200\"]\n  values: {}", "replaces 370200 but gives it no values"),
    ("unit: days\n  values: {}", "counted in months below, not days"),
])
def test_amendments_say_what_is_wrong(tmp_path, text, expected):
    overlay = tmp_path / "bad"
    (overlay / "parameters").mkdir(parents=True)
    (overlay / "overlay.yaml").write_text("name: bad\nversion: '1'\n", "utf-8")
    (overlay / "parameters" / "p.yaml").write_text(
        f"medical_insurance.retiree_min_months:\n  {text}\n", "utf-8")
    with pytest.raises(PackError) as e:
        load_pack(overlays=[overlay])
    assert any(expected in m and loc.line for loc, m in e.value.problems), e.value.describe()


def test_a_pack_given_as_an_overlay_is_refused():
    with pytest.raises(PackError) as e:
        load_pack(overlays=[tongcheng.bundled_pack_path()])
    assert "rule pack, not an overlay" in e.value.describe()


def test_every_command_with_pack_takes_overlay(tmp_path):
    runner = CliRunner()
    caps = str(OVERLAYS / "weihai-loan-caps")
    situation = tmp_path / "s.json"
    situation.write_text(json.dumps(weihai_borrower()), "utf-8")
    out = runner.invoke(main, ["check", str(situation), "--overlay", caps, "--rule", LOAN,
                               "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["decisions"][0]["outcome"]["loan_ceiling"] == 450000
    for args in (["rules", LOAN], ["coverage"], ["lint"]):
        result = runner.invoke(main, [*args, "--overlay", str(OVERLAYS / "conflict-value")])
        assert result.exit_code == 3, (args, result.output)
        assert "conflict-value/parameters/medical_insurance.yaml:4" in result.output
    for command in ("screen", "watch", "serve", "verify", "timeline"):
        help_text = runner.invoke(main, [command, "--help"]).output
        assert "--overlay" in help_text, command


def test_an_overlay_admits_a_county_to_a_zone(tmp_path):
    overlay = OVERLAYS / "anqiu-joins"
    stack = load_pack(overlays=[overlay])
    worker = {"as_of": "2026-06-01", "target": "370200", "person": {"residence": []},
              "insurance": [{"scheme": "employee_medical", "place": "370784",
                             "from": "2010-01", "to": "2019-12"}]}
    hukou = "hukou.admission_years_accumulation"  # a metro-area rule
    base = tongcheng.evaluate(worker, tongcheng.bundled_pack()).decision(hukou)
    after = tongcheng.evaluate(worker, stack).decision(hukou)
    assert (base.status.value, after.status.value) == ("ineligible", "eligible")
    assert after.outcome["accumulated_insurance_months"] == 120
    earlier = tongcheng.evaluate({**worker, "as_of": "2026-02-28"}, stack).decision(hukou)
    assert earlier.status.value == "ineligible"  # a member from 2026-03-01 only
    recognition = "medical_insurance.contribution_years_recognition"
    zone = stack.zones["qingdao_metro"]
    assert "370784" in zone.members_at(__import__("datetime").date(2026, 3, 1))
    assert "370784" not in zone.members_at(__import__("datetime").date(2026, 2, 28))
    assert zone.basis[-1].quote.startswith("自2026年3月1日起")
    # the rules citing the zone see its new member (their zone references are relinked)
    rule = stack.rule(recognition)
    assert next(r.zone for r in rule.zones if r.zone.id == "qingdao_metro") is zone
    change, = [c for c in stack.layers[-1].changes if c.kind == "zone member"]
    assert (change.action, change.id) == ("adds", "qingdao_metro[370784]")
    # the same member again is a conflict, with the overlay's file and line
    copy = tmp_path / "twice"
    shutil.copytree(overlay, copy)
    zones = copy / "zones.yaml"
    zones.write_text(zones.read_text("utf-8").replace('"370784"', '"370785"'), "utf-8")
    with pytest.raises(PackError) as e:
        load_pack(overlays=[copy])
    (where, message), = e.value.problems
    assert where.file == str(zones.resolve()) and where.line == 3
    assert "370785 is already a member of zone qingdao_metro" in message
