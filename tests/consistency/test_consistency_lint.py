"""tongcheng lint: each check fires on its broken pack, with file, line and a clear message in
both languages (Chinese by default, ``--lang en``)."""

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
LINE_ZH = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<severity>错误|警告): (?P<msg>.*) "
                     r"\[(?P<check>[a-z-]+)\]$")


def run(pack: Path, *args: str, lang: str = "en"):
    return CliRunner().invoke(main, ["lint", str(pack), *args, "--lang", lang])


def findings(pack: Path):
    return lint_pack(load_pack(pack))


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_the_bundled_pack_has_no_lint_error():
    result = CliRunner().invoke(main, ["lint", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert all(LINE.match(line) for line in result.stdout.splitlines()), result.stdout
    assert " error:" not in result.stdout
    result = CliRunner().invoke(main, ["lint"])  # Chinese, the default
    assert result.exit_code == 0, result.output
    assert all(LINE_ZH.match(line) for line in result.stdout.splitlines()), result.stdout
    assert " 错误:" not in result.stdout and "0 个错误" in result.stderr


def test_the_clean_pack_is_clean():
    assert [f for f in findings(PACKS / "clean") if f.severity == "error"] == []


# (pack, check, severity, file, line marker, words in the message, words in its Chinese)
CASES = [
    ("lint-unknown-value", "unknown-value", "error", "rules/words.yaml",
     'person.sex == "mail"', ("person.sex", "'mail' never matches", "male, female"),
     ("person.sex 只能是 'male'、'female' 之一", "'mail' 永远不会匹配")),
    ("lint-unknown-value", "unknown-value", "error", "rules/words.yaml",
     "employe_medical", ("item.scheme", "'employe_medical'"),
     ("`item.scheme`", "'employe_medical' 永远不会匹配")),
    ("lint-unknown-value", "unknown-value", "error", "rules/words.yaml",
     "379999", ("'379999'", "not a place code"), ("'379999' 不是地区名录中已知的地区代码",)),
    ("lint-unknown-value", "never-equal", "warning", "rules/words.yaml",
     "370211", ("370211 (Huangdao)", "county", "never equal"),
     ("370211(黄岛区)是区县", "永远不会相等")),
    ("lint-parameter-field", "unknown-parameter-field", "error", "rules/caps.yaml",
     "caps.couple", ("'couple'", "test.cap", "370600"),
     ("读取参数 test.cap 的字段 'couple'", "370600 的数值没有这个字段")),
    ("lint-parameter-field", "unknown-parameter-field", "error", "rules/caps.yaml",
     "caps.triple", ("'triple'", "370200, 370600"), ("'triple'", "370200、370600")),
    ("lint-parameter-field", "unknown-parameter-field", "error", "rules/caps.yaml",
     "pick(minimum", ("pick", "'male', 'female'", "370600"),
     ("选取参数 test.minimum 的字段", "'male'、'female'", "370600")),
    ("lint-parameter-field", "value-shape", "warning", "parameters/caps.yaml",
     "test.minimum:", ("different shapes", "men, women"),
     ("数值形式不一", "370600 为含 `men`、`women` 字段的记录")),
    ("lint-monotonic-path", "unknown-fact-path", "error", "rules/months.yaml",
     "months: [insurance.months", ("'insurance.months'", "not a path of the situation"),
     ("'insurance.months' 不是情形中的事实路径",)),
    ("lint-monotonic-path", "monotonic-path", "warning", "rules/months.yaml",
     "months: [insurance.months", ("person.sex", "cannot give it more months"),
     ("person.sex 既不是期间或许可的列表", "无法为它增加月数")),
    ("lint-parameters", "unused-parameter", "warning", "parameters/values.yaml",
     "test.forgotten:", ("test.forgotten", "no rule reads it"),
     ("参数 test.forgotten 已声明,但没有规则读取它",)),
    ("lint-parameters", "no-value", "warning", "parameters/values.yaml",
     '"371000": []', ("371000 Weihai", "with no value", "missing_parameters"),
     ("371000 威海市", "却没有数值", "missing_parameters")),
    ("lint-parameters", "reference", "warning", "parameters/values.yaml",
     "reference: TODO", ("'TODO'", "does not say where"), ("出处 'TODO' 说不清数值从何而来",)),
    ("lint-parameters", "undated-value", "warning", "parameters/values.yaml",
     "{value: 12", ("no dates", "undated: true"), ("没有日期", "`undated: true`")),
    ("lint-parameters", "value-gap", "warning", "parameters/values.yaml",
     "from: 2023-01-01", ("no value from 2022-01-01 to 2022-12-31",),
     ("从 2022-01-01 到 2022-12-31 没有数值",)),
    ("lint-basis", "basis-date", "error", "rules/early.yaml",
     "from: 2019-06-01", ("2019-06-01", "before any of its basis documents", "2020-01-01"),
     ("自 2019-06-01 起", "早于其任何依据文件的发布日期", "2020-01-01")),
    ("lint-basis", "basis", "warning", "rules/early.yaml",
     "basis:", ("cites no sentence and no article",), ("没有引用其依据文件", "语句或条款")),
    ("lint-basis", "member-date", "warning", "zones.yaml",
     'place: "370200", from: 2020-06-01', ("late_zone", "2020-06-01", "2021-01-01"),
     ("区域 late_zone:成员 370200 自 2020-06-01 起", "(2021-01-01)")),
    ("lint-overlap-undecided", "overlap-undecided", "warning", "rules/lists.yaml",
     "- label: card_holder", ("could not decide", "'insured'", "'card_holder'", "count()"),
     ("无法判断", "'insured' 与 'card_holder'", "`count()`")),
    ("lint-parameter-coverage", "parameter-coverage", "warning", "rules/allowance.yaml",
     'param("test.allowance")', ("never at 370700 Weifang",), ("370700 潍坊市 始终没有",)),
    ("lint-untested", "untested", "warning", "rules/cards.yaml", "- id: test.card",
     ("every test case of rule test.card finds it not applicable",),
     ("规则 test.card 的每个测试用例都判定它不适用",)),
    ("lint-untested", "untested", "warning", "rules/cards.yaml", "- label: qingdao",
     ("no test case applies exception 'qingdao' of rule test.card",),
     ("没有测试用例使规则 test.card 的例外 'qingdao' 适用",)),
    ("lint-untested", "untested", "warning", "rules/cards.yaml", "- id: test.permit",
     ("no test case of the pack checks rule test.permit",),
     ("规则包中没有测试用例检验规则 test.permit",)),
    ("lint-quote-subject", "quote-subject", "warning", "rules/cards.yaml",
     "quote: 公交卡与社保卡互通互认", ("about Jinan (370100)", "outside the zones",
                                "“济南市实现公交卡与社保卡互通互认"),
     ("说的是济南市(370100)", "不在所引用的区域之内", "“济南市实现公交卡与社保卡互通互认")),
    ("lint-gap", "gap", "error", "rules/loan.yaml",
     'param("test.minimum_months")', ("test.minimum_months", "370700 Weifang", "371000 Weihai",
                                       "declared("),
     ("没有为 370700 潍坊市、371000 威海市(test_zone)声明", "`declared(\"test.minimum_months\")`")),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}:{c[1]}:{c[4][:12]}" for c in CASES])
def test_each_check_fires_with_file_line_and_message(case):
    pack, check, severity, file, marker, words, words_zh = case
    root = PACKS / pack
    expected_line = line_of(root / file, marker)
    hits = [f for f in findings(root) if f.check == check and f.file == file]
    assert hits, f"no {check} finding in {pack}: {findings(root)}"
    matching = [f for f in hits if all(w in f.message for w in words)]
    assert matching, [f.message for f in hits]
    f = matching[0]
    assert f.severity == severity
    assert f.line == expected_line, (f.line, expected_line, f.message)
    assert all(w in f.zh for w in words_zh), f.zh
    assert f.text("zh") == f.zh and f.text("en") == f.message


def test_overlapping_exceptions_are_an_error_with_a_counterexample_that_conflicts():
    result = run(CONFLICT)
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if "[overlap]" in x)
    m = LINE.match(line)
    assert m and m["severity"] == "error"
    assert m["file"] == str(CONFLICT / "rules/conflict.yaml")
    assert "'city_rule' and 'place_rule'" in m["msg"] and "overrides" in m["msg"]
    line = next(x for x in run(CONFLICT, lang="zh").stdout.splitlines() if "[overlap]" in x)
    m = LINE_ZH.match(line)
    assert m and m["severity"] == "错误" and m["file"] == str(CONFLICT / "rules/conflict.yaml")
    assert "例外 'city_rule' 与 'place_rule' 会同时适用" in m["msg"] and "`overrides`" in m["msg"]
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
    assert result.stderr == f"{root}: fails to load\n"
    result = run(root, lang="zh")  # the loader's words for the problem are its own
    assert result.exit_code == 3
    (said,) = result.stdout.splitlines()
    assert said.startswith(f"{root / 'zones.yaml'}:{line}: 错误: test_zone.members[3].from")
    assert said.endswith(" [load]") and result.stderr == f"{root}:规则包载入失败\n"


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
        "  370200 Qingdao  2020-01-01 – 2020-12-31: 100 (high; from 370000)",
        "  370200 Qingdao  2021-01-01 – …: 120 (high; from 370200)",
        "  370600 Yantai  2020-01-01 – …: 100 (high; from 370000)",
        "  370700 Weifang  2020-01-01 – …: NONE: no value known",
        "  371000 Weihai  2020-01-01 – …: 100 (high; from 370000)",
    ]
    result = run(PACKS / "lint-parameter-coverage", "--parameter-coverage", lang="zh")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "test.allowance 读取 test.allowance",
        "  370200 青岛市  2020-01-01 – 2020-12-31:100(可信度 高;取自 370000)",
        "  370200 青岛市  2021-01-01 – …:120(可信度 高;取自 370200)",
        "  370600 烟台市  2020-01-01 – …:100(可信度 高;取自 370000)",
        "  370700 潍坊市  2020-01-01 – …:无:没有已知数值",
        "  371000 威海市  2020-01-01 – …:100(可信度 高;取自 370000)",
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
