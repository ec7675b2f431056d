"""tongcheng lint: each check fires on its broken pack, with file, line and a clear message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tongcheng.cli import main
from tongcheng.consistency.lint import lint_pack
from tongcheng.pack.loader import load_pack

PACKS = Path(__file__).resolve().parents[1] / "packs" / "consistency"
CONFLICT = Path(__file__).resolve().parents[1] / "packs" / "conflict"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<severity>error|warning): (?P<msg>.*) "
                  r"\[(?P<check>[a-z-]+)\]$")


def run(pack: Path, *args: str):
    return CliRunner().invoke(main, ["lint", str(pack), *args])


def findings(pack: Path):
    return lint_pack(load_pack(pack))


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_the_bundled_pack_has_no_lint_error():
    result = CliRunner().invoke(main, ["lint"])
    assert result.exit_code == 0, result.output
    assert all(LINE.match(line) for line in result.stdout.splitlines()), result.stdout
    assert " error:" not in result.stdout


def test_the_clean_pack_is_clean():
    assert [f for f in findings(PACKS / "clean") if f.severity == "error"] == []


# (pack, check, severity, file, line marker, words in the message)
CASES = [
    ("lint-unknown-value", "unknown-value", "error", "rules/words.yaml",
     'person.sex == "mail"', ("person.sex", "'mail' never matches", "male, female")),
    ("lint-unknown-value", "unknown-value", "error", "rules/words.yaml",
     "employe_medical", ("item.scheme", "'employe_medical'")),
    ("lint-unknown-value", "unknown-value", "error", "rules/words.yaml",
     "379999", ("'379999'", "not a place code")),
    ("lint-unknown-value", "never-equal", "warning", "rules/words.yaml",
     "370211", ("370211", "county", "never equal")),
    ("lint-parameter-field", "unknown-parameter-field", "error", "rules/caps.yaml",
     "caps.couple", ("'couple'", "test.cap", "370600")),
    ("lint-parameter-field", "unknown-parameter-field", "error", "rules/caps.yaml",
     "caps.triple", ("'triple'", "370200, 370600")),
    ("lint-parameter-field", "unknown-parameter-field", "error", "rules/caps.yaml",
     "pick(minimum", ("pick", "'male', 'female'", "370600")),
    ("lint-parameter-field", "value-shape", "warning", "parameters/caps.yaml",
     "test.minimum:", ("different shapes", "men, women")),
    ("lint-monotonic-path", "unknown-fact-path", "error", "rules/months.yaml",
     "months: [insurance.months", ("'insurance.months'", "not a path of the situation")),
    ("lint-monotonic-path", "monotonic-path", "warning", "rules/months.yaml",
     "months: [insurance.months", ("person.sex", "cannot give it more months")),
    ("lint-parameters", "unused-parameter", "warning", "parameters/values.yaml",
     "test.forgotten:", ("test.forgotten", "no rule reads it")),
    ("lint-parameters", "no-value", "warning", "parameters/values.yaml",
     '"371000": []', ("371000", "with no value", "missing_parameters")),
    ("lint-parameters", "reference", "warning", "parameters/values.yaml",
     "reference: TODO", ("'TODO'", "does not say where")),
    ("lint-parameters", "undated-value", "warning", "parameters/values.yaml",
     "{value: 12", ("no dates", "undated: true")),
    ("lint-parameters", "value-gap", "warning", "parameters/values.yaml",
     "from: 2023-01-01", ("no value from 2022-01-01 to 2022-12-31",)),
    ("lint-basis", "basis-date", "error", "rules/early.yaml",
     "from: 2019-06-01", ("2019-06-01", "before any of its basis documents", "2020-01-01")),
    ("lint-basis", "basis", "warning", "rules/early.yaml",
     "basis:", ("cites no sentence and no article",)),
    ("lint-basis", "member-date", "warning", "zones.yaml",
     'place: "370200", from: 2020-06-01', ("late_zone", "2020-06-01", "2021-01-01")),
    ("lint-overlap-undecided", "overlap-undecided", "warning", "rules/lists.yaml",
     "- label: card_holder", ("could not decide", "'insured'", "'card_holder'", "count()")),
    ("lint-parameter-coverage", "parameter-coverage", "warning", "rules/allowance.yaml",
     'param("test.allowance")', ("never at 370700 潍坊市",)),
    ("lint-untested", "untested", "warning", "rules/cards.yaml", "- id: test.card",
     ("every test case of rule test.card finds it not applicable",)),
    ("lint-untested", "untested", "warning", "rules/cards.yaml", "- label: qingdao",
     ("no test case applies exception 'qingdao' of rule test.card",)),
    ("lint-untested", "untested", "warning", "rules/cards.yaml", "- id: test.permit",
     ("no test case of the pack checks rule test.permit",)),
    ("lint-quote-subject", "quote-subject", "warning", "rules/cards.yaml",
     "quote: 公交卡与社保卡互通互认", ("about 济南市 (370100)", "outside the zones",
                                "“济南市实现公交卡与社保卡互通互认")),
    ("lint-gap", "gap", "error", "rules/loan.yaml",
     'param("test.minimum_months")', ("test.minimum_months", "370700 潍坊市", "371000 威海市",
                                       "declared(")),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}:{c[1]}:{c[4][:12]}" for c in CASES])
def test_each_check_fires_with_file_line_and_message(case):
    pack, check, severity, file, marker, words = case
    root = PACKS / pack
    expected_line = line_of(root / file, marker)
    hits = [f for f in findings(root) if f.check == check and f.file == file]
    assert hits, f"no {check} finding in {pack}: {findings(root)}"
    matching = [f for f in hits if all(w in f.message for w in words)]
    assert matching, [f.message for f in hits]
    f = matching[0]
    assert f.severity == severity
    assert f.line == expected_line, (f.line, expected_line, f.message)


def test_overlapping_exceptions_are_an_error_with_a_counterexample_that_conflicts():
    result = run(CONFLICT)
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if "[overlap]" in x)
    m = LINE.match(line)
    assert m and m["severity"] == "error"
    assert m["file"] == str(CONFLICT / "rules/conflict.yaml")
    assert "'city_rule' and 'place_rule'" in m["msg"] and "overrides" in m["msg"]
    data = json.loads(run(CONFLICT, "--format", "json").stdout)
    example = next(f["counterexample"] for f in data["findings"] if f["check"] == "overlap")
    assert example["target"] == "370200"
    # The counterexample really makes both apply: tongcheng check refuses to pick (exit 3).
    import tongcheng
    from tongcheng.errors import RuleConflict

    with pytest.raises(RuleConflict):
        tongcheng.evaluate(example, load_pack(CONFLICT))


def test_disjoint_or_overridden_exceptions_are_not_reported():
    found = findings(PACKS / "lint-overlap-undecided")
    assert not [f for f in found if "test.cities" in f.message]
    assert not [f for f in findings(PACKS / "clean") if f.check.startswith("overlap")]


def test_a_pack_that_fails_to_load_exits_3_with_file_and_line():
    root = PACKS / "lint-undated-member"
    result = run(root)
    assert result.exit_code == 3
    line = line_of(root / "zones.yaml", '"371000"')
    assert f"{root / 'zones.yaml'}:{line}: error: test_zone.members[3].from: required key is " \
           "missing [load]" in result.stdout


def test_exit_codes_and_json():
    assert run(PACKS / "lint-parameters").exit_code == 0  # warnings only
    assert run(PACKS / "lint-gap").exit_code == 1
    data = json.loads(run(PACKS / "lint-gap", "--format", "json").stdout)
    assert data["errors"] == 1 and data["loaded"] is True
    (gap,) = [f for f in data["findings"] if f["severity"] == "error"]
    assert gap["check"] == "gap" and gap["severity"] == "error"
    assert gap["file"].endswith("rules/loan.yaml") and isinstance(gap["line"], int)
    assert run(PACKS / "no-such-pack").exit_code == 3


def test_quotes_about_the_zone_are_not_reported():
    found = [f for f in findings(PACKS / "lint-quote-subject") if f.check == "quote-subject"]
    assert len(found) == 1  # the zone's own sentence (测试区域各市…) is not about another city


def test_parameter_coverage_table():
    result = run(PACKS / "lint-parameter-coverage", "--parameter-coverage")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "test.allowance reads test.allowance",
        # Qingdao is silent before its first value: the province's answers (issue 11's fallback)
        "  370200 青岛市  2020-01-01 – 2020-12-31: 100 (high; from 370000)",
        "  370200 青岛市  2021-01-01 – …: 120 (high; from 370200)",
        "  370600 烟台市  2020-01-01 – …: 100 (high; from 370000)",
        "  370700 潍坊市  2020-01-01 – …: NONE: no value known",
        "  371000 威海市  2020-01-01 – …: 100 (high; from 370000)",
    ]
    data = json.loads(run(PACKS / "lint-parameter-coverage", "--parameter-coverage",
                          "--format", "json").stdout)
    assert data[0]["stretches"][3] == {"place": "370700", "from": "2020-01-01",
                                       "to": None, "value": None, "confidence": None,
                                       "declared_at": "370700", "none": "no_value"}


def test_a_pack_without_test_cases_is_told_so():
    found = [f for f in findings(PACKS / "lint-gap") if f.check == "untested"]
    assert [f.message for f in found] == [
        "the pack has no test cases (tests/*.yaml): no rule is checked by one; write them as "
        "the README's section \"Writing a rule\" shows"]
