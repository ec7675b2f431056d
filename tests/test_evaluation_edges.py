"""What users read of a decision at the edges, through the public API (tongcheng.evaluate and the
decision JSON): evaluation errors, definitions' facts and notes, exceptions that may apply, the
trace's zone notes, and untraced decisions equal to traced ones on every situation of the
repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import tongcheng
from exprtools import PACK_DIR, pack
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.situation import load_situation

ROOT = Path(__file__).resolve().parents[1]
GAOMI, WEIFANG, QINGDAO, YANTAI, RIZHAO = "370785", "370700", "370200", "370600", "371100"


def decide(situation: dict, rule: str, lang: str = "en", trace: bool = True) -> dict:
    full = {"as_of": "2025-06-01", **situation}
    result = tongcheng.evaluate(full, pack(), rules=[rule], trace=trace)
    return result.decision(rule).to_json(lang)


def period(place, start, end=None):
    return {"scheme": "employee_medical", "place": place, "from": start,
            **({"to": end} if end else {})}


def reason(decision: dict, name: str) -> dict:
    return next(r for r in decision["reasons"] if r["name"] == name)


# --- evaluation errors -----------------------------------------------------------------------


def test_division_by_zero_is_an_error_naming_the_rule_and_its_file():
    situation = {"target": QINGDAO, "provident_fund": {
        "balance": 1000, "periods": [{"place": RIZHAO, "from": "2020-01", "to": "2020-12"}]}}
    with pytest.raises(RuleError) as caught:
        decide(situation, "test.division")
    assert caught.value.rule == "test.division"
    assert str(caught.value).startswith("rules/edges.yaml:")
    assert "rule test.division: division by zero" in str(caught.value)


def test_division_by_a_count_that_may_be_zero_leaves_the_value_unknown():
    situation = {"target": QINGDAO, "provident_fund": {
        "balance": 1200, "periods": [{"place": YANTAI, "from": "2025-01"}]}}
    assert decide(situation, "test.division")["outcome"] == {"per_month": 200}
    situation["provident_fund"].pop("balance")
    d = decide(situation, "test.division")
    assert (d["status"], d["outcome"], d["missing"]) == (
        "eligible", {"per_month": None}, ["provident_fund.balance"])



def test_without_a_trace_one_false_condition_settles_the_decision():
    """Conditions: true, male, 1 / 0 > 0. A woman is ineligible without evaluating the third (a
    trace shows every condition, so it meets the error); the flagged parameter read by the
    scope test that holds is among the unverified ones either way."""
    woman = {"target": QINGDAO, "person": {"sex": "female"}}
    d = decide(woman, "test.settles", trace=False)
    assert d["status"] == "ineligible"
    assert [u for u in d["unverified_parameters"] if "test.dated" in u], d
    with pytest.raises(RuleError, match="division by zero"):
        decide(woman, "test.settles")
    with pytest.raises(RuleError, match="division by zero"):
        decide({**woman, "person": {"sex": "male"}}, "test.settles", trace=False)

def test_a_condition_that_gives_no_truth_value_is_an_error_naming_the_rule_and_the_line():
    with pytest.raises(RuleError) as caught:
        decide({"target": QINGDAO, "person": {"sex": "male"}}, "test.not_a_truth")
    assert str(caught.value).startswith("rules/edges.yaml:")
    assert "rule test.not_a_truth: conditions[0] (rules/edges.yaml:" in str(caught.value)
    assert str(caught.value).endswith("gave int 300, not true or false")


def test_an_unknown_rule_is_refused_naming_the_packs_rules():
    with pytest.raises(KeyError) as caught:
        tongcheng.evaluate({"as_of": "2025-06-01"}, pack(), rules=["test.nope", "test.frame"])
    assert "unknown rule test.nope; the pack's rules: test.frame, test.division" in str(
        caught.value)


def test_the_command_line_reports_an_evaluation_error_with_exit_3(tmp_path):
    from click.testing import CliRunner

    from tongcheng.cli import main

    path = tmp_path / "s.json"
    path.write_text(json.dumps({"as_of": "2025-06-01", "target": QINGDAO, "provident_fund": {
        "balance": 1, "periods": [{"place": RIZHAO, "from": "2020-01"}]}}))
    got = CliRunner().invoke(main, ["check", str(path), "--pack", str(PACK_DIR)])
    assert got.exit_code == 3, got.output
    assert "test.division" in got.output and "除数为零" in got.output
    assert "division" not in got.output.replace("test.division", "")  # Chinese throughout
    got = CliRunner().invoke(main, ["check", str(path), "--pack", str(PACK_DIR), "--lang", "en"])
    assert got.exit_code == 3, got.output
    assert "test.division" in got.output and "division by zero" in got.output
    assert "Traceback" not in got.output


def test_the_command_line_prints_the_librarys_decisions_with_their_trace():
    from click.testing import CliRunner

    from tongcheng.cli import main

    example = ROOT / "examples" / "recognition-yantai-qingdao.yaml"
    got = CliRunner().invoke(main, ["check", str(example), "--format", "json", "--lang", "en"])
    assert got.exit_code == 0, got.output
    expected = tongcheng.evaluate(load_situation(example)).to_json("en")
    assert json.loads(got.output) == expected
    assert all(d["reasons"] for d in expected["decisions"])


# --- definitions: facts, notes and missing facts of a `let` ----------------------------------

BOUNDED = {"target": GAOMI, "insurance": [period(GAOMI, "2020-01", "2020-12"),
                                          period(WEIFANG, "2021-01", "2021-06")]}
COARSE_NOTE = ("370700 潍坊市 is too coarse for Two counties: only 诸城市、高密市 are members; "
               "the county decides")


def test_a_definitions_facts_and_notes_appear_on_every_line_that_reads_it():
    d = decide(BOUNDED, "test.lets")
    assert d["status"] == "eligible"  # 12 months surely in: the condition holds
    condition = reason(d, "conditions[0]")
    assert condition["value"] is True
    assert condition["facts"] == {"insurance[0].place": GAOMI, "insurance[1].place": WEIFANG}
    assert condition["notes"] == [COARSE_NOTE]
    assert "missing" not in condition  # decided: nothing missing for this line
    counted = reason(d, "counted_months")
    assert counted["value"] is None and counted["missing"] == ["insurance[1].place"]
    assert counted["notes"] == [COARSE_NOTE]
    zh = decide(BOUNDED, "test.lets", "zh")
    assert reason(zh, "conditions[0]")["notes"] == [
        "370700 潍坊市 对两县而言不够具体:只有 诸城市、高密市 是成员;由区县决定"]


def test_min_with_an_unknown_first_argument_names_every_missing_fact():
    d = decide(BOUNDED, "test.lets")
    assert d["outcome"] == {"counted_months": None, "least": None, "if_a_man": None}
    assert d["missing"] == ["insurance[1].place", "person.sex", "provident_fund.balance"]
    least = reason(d, "least")
    assert least["missing"] == ["insurance[1].place", "provident_fund.balance"]
    assert least["facts"]["provident_fund"] is None  # the whole object is absent


def test_facts_read_before_a_definition_stay_on_the_line():
    d = decide({**BOUNDED, "person": {"sex": "male"}}, "test.lets")
    line = reason(d, "if_a_man")
    assert line["facts"] == {"person.sex": "male", "insurance[0].place": GAOMI,
                             "insurance[1].place": WEIFANG}
    assert (line["value"], line["missing"]) == (None, ["insurance[1].place"])
    assert reason(d, "counted_months")["facts"] == {"insurance[0].place": GAOMI,
                                                    "insurance[1].place": WEIFANG}


def test_a_decided_place_gets_no_note():
    d = decide({"target": GAOMI, "insurance": [period(GAOMI, "2020-01", "2020-12")],
                "provident_fund": {"balance": 5}, "person": {"sex": "female"}}, "test.lets")
    assert d["outcome"] == {"counted_months": 12, "least": 5, "if_a_man": 0}
    assert all("notes" not in r for r in d["reasons"] if r["kind"] != "zone")
    assert d["missing"] == []


# --- exceptions that may or may not apply ----------------------------------------------------

YOUNG = {"birth_date": "1990-01-01"}


def test_exceptions_that_apply_and_agree_replace_the_outcome_the_first_is_named():
    d = decide({"target": QINGDAO, "person": {**YOUNG, "sex": "female"},
                "insurance": [period(YANTAI, "2024-01")]}, "test.exceptions")
    assert (d["status"], d["exception"]) == ("eligible", "women")
    assert d["outcome"] == {"handling": "women counter", "months": 18}
    applies = [(r["label"], r["value"]) for r in d["reasons"] if r["kind"] == "exception"]
    assert applies == [("A woman", True), ("A woman", True), ("In Qingdao", True),
                       ("Aged 60 or more", False)]


def test_an_exception_that_overrides_others_wins_over_them():
    d = decide({"target": QINGDAO, "person": {"sex": "female", "birth_date": "1960-01-01"},
                "insurance": [period(YANTAI, "2024-01")]}, "test.exceptions")
    assert (d["status"], d["exception"], d["outcome"]) == ("ineligible", "seniors", {})
    assert reason(d, "seniors.conditions[0]")["label"] == "24 months or more"


def test_an_exception_that_may_apply_nulls_only_the_values_it_would_change():
    d = decide({"target": QINGDAO, "person": YOUNG, "insurance": [period(YANTAI, "2024-01")]},
               "test.exceptions")
    assert d["status"] == "eligible" and "exception" not in d
    assert d["outcome"] == {"handling": None, "months": 18}
    assert d["missing"] == ["person.sex"]
    applies = [r for r in d["reasons"] if r["kind"] == "exception"]
    assert [(r["label"], r["value"]) for r in applies] == [
        ("A woman", None), ("A woman", None), ("In Qingdao", True), ("Aged 60 or more", False)]
    assert applies[0]["missing"] == ["person.sex"] and "missing" not in applies[2]


def test_an_exception_that_may_apply_and_would_change_the_status_leaves_it_undetermined():
    situation = {"target": QINGDAO, "person": {"sex": "male"},
                 "insurance": [period(YANTAI, "2024-06")]}  # 13 months: seniors need 24
    d = decide(situation, "test.exceptions")
    assert (d["status"], d["outcome"], d["missing"]) == ("undetermined", {},
                                                         ["person.birth_date"])
    situation["person"]["birth_date"] = "1960-01-01"
    assert decide(situation, "test.exceptions")["status"] == "ineligible"
    situation["person"]["birth_date"] = "1990-01-01"
    assert decide(situation, "test.exceptions")["status"] == "eligible"


def test_an_exception_that_may_apply_but_changes_nothing_leaves_nothing_missing():
    d = decide({"target": QINGDAO, "person": {"sex": "male"},
                "insurance": [period(YANTAI, "2023-01")]}, "test.exceptions")  # 30 months
    assert (d["status"], d["missing"]) == ("eligible", [])
    assert d["outcome"] == {"handling": "standard", "months": 30}


# --- zone notes: only on places that are so --------------------------------------------------


@pytest.mark.parametrize("target, value, notes", [
    (QINGDAO, True, ["370200 青岛市 is in Two cities (两市) since 2020-01-01",
                     "370200 青岛市 is in Later zone (后设区域) since 2020-01-01"]),
    (WEIFANG, None, ["370700 潍坊市 is too coarse for Two counties: only 370782 诸城市、"
                     "370785 高密市 are members; give the county"]),
    (RIZHAO, False, ["371100 日照市 is outside Two cities, Two counties, Later zone"]),
])
def test_the_zone_line_says_in_too_coarse_or_outside_only_where_it_is_so(target, value, notes):
    d = decide({"target": target}, "test.frame")
    zone = reason(d, "zone")
    assert (zone["value"], zone["facts"], zone["notes"]) == (value, {"target": target}, notes)
    assert zone.get("missing", []) == ([] if value is not None else ["target"])
    assert d["status"] == {True: "eligible", None: "undetermined", False: "not_applicable"}[value]


def test_the_zone_line_when_no_zone_of_the_rule_is_in_force_yet():
    assert decide({"as_of": "2022-12-31", "target": QINGDAO}, "test.zone_ended")[
        "status"] == "eligible"
    d = decide({"as_of": "2023-01-01", "target": QINGDAO}, "test.zone_ended")
    zone = reason(d, "zone")
    assert (zone["value"], zone["notes"]) == (False, ["no zone of this rule is in force at as_of"])
    assert d["status"] == "not_applicable"
    assert reason(decide({"as_of": "2023-01-01", "target": QINGDAO}, "test.zone_ended", "zh"),
                  "zone")["notes"] == ["评估日期时本规则没有生效的区域"]


def test_a_rule_out_of_force_says_its_dates():
    d = decide({"as_of": "2025-01-01", "target": QINGDAO}, "test.zone_ended")
    assert d["status"] == "not_applicable"
    assert d["reasons"] == [{
        "kind": "in_force", "name": "in_force",
        "label": "The rule is in force at the evaluation date", "value": False,
        "notes": ["in force 2020-01-01 – 2024-12-31; as_of is 2025-01-01"]}]
    zh = decide({"as_of": "2019-12-31", "target": QINGDAO}, "test.zone_ended", "zh")
    assert zh["reasons"][0]["notes"] == ["施行期间 2020-01-01 – 2024-12-31;评估日期为 2019-12-31"]


def test_a_rule_asked_at_an_unknown_place_of_a_project():
    project = {"jointly_introduced": True, "flying_out": "370285", "gdp": 100, "tax": 10}
    result = tongcheng.evaluate({"as_of": "2025-06-01", "project": project},
                                rules=["enclave.revenue_sharing"])
    d = result.decisions[0].to_json("en")
    assert (d["status"], d["missing"]) == ("undetermined", ["project.flying_in"])
    zone = reason(d, "zone")
    assert (zone["value"], zone["missing"], zone["notes"]) == (
        None, ["project.flying_in"], ["project.flying_in unknown: where is the rule asked?"])


def test_the_zone_line_of_an_unknown_target():
    d = decide({}, "test.frame")
    zone = reason(d, "zone")
    assert (zone["value"], zone["missing"], zone["notes"]) == (
        None, ["target"], ["target unknown: where is the rule asked?"])
    assert (d["status"], d["missing"]) == ("undetermined", ["target"])
    zh = reason(decide({}, "test.frame", "zh"), "zone")
    assert zh["notes"] == ["target 未知:规则在何地适用?"]


# --- untraced decisions are the traced ones without their reasons, everywhere ---------------


def _repository_situations() -> list[tuple[str, dict]]:
    """Every situation written down in the repository: examples, golden cases (the project's
    copy and the contract's), and the situations of the pack's own cases (rules/tests)."""
    out: list[tuple[str, dict]] = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        out.append((f"example {path.name}", load_situation(path)))
    for source in (ROOT / "tests" / "data" / "golden-cases.yaml",
                   ROOT.parent / "shared" / "product" / "golden-cases.yaml"):
        if source.is_file():
            for case in YAML(typ="safe").load(source.read_text(encoding="utf-8")):
                out.append((f"golden {source.parent.name}: {case['name']}", case["situation"]))
    for path in sorted((ROOT / "rules" / "tests").glob("*.yaml")):
        for case in YAML(typ="safe").load(path.read_text(encoding="utf-8")):
            if isinstance(case["situation"], dict):
                out.append((f"{path.name}: {case['name']}", case["situation"]))
    return out


def test_the_repository_has_many_situations():
    assert len(_repository_situations()) > 150


def test_untraced_decisions_equal_traced_ones_without_reasons_on_every_repository_situation():
    for name, situation in _repository_situations():
        traced = tongcheng.evaluate(situation)
        bare = tongcheng.evaluate(situation, trace=False)
        for lang in ("zh", "en"):
            expected = traced.to_json(lang)
            for d in expected["decisions"]:
                d["reasons"] = []
            assert bare.to_json(lang) == expected, name
