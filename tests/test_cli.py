"""The command line as its users see it (CONTRACT.md): output, exit codes and error messages.

Exit codes of ``check``: 0 decisions printed; 2 the situation or the command is invalid (the
message names the path and what was expected); 3 a rule pack fails to load, or a rule of it
cannot be decided (the message names the file and line). Never a traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import tongcheng
from packtools import (
    BREAKAGE_IDS,
    BREAKAGES,
    CONFLICT_PACK,
    Breakage,
    copy_pack,
    line_of,
    replace_once,
)
from tongcheng.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "recognition-yantai-qingdao.yaml"
RECOGNITION = "medical_insurance.contribution_years_recognition"
SENIOR = "transit.senior_free_ride"
CONFLICT_RULE = "test.conflicting_exceptions"


def run(*args: str | Path, stdin: str | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], input=stdin, catch_exceptions=False)


def squeeze(text: str) -> str:
    """Text without whitespace, to find words however the terminal wrapped them."""
    return "".join(text.split())


def assert_clean_failure(result: Result, code: int) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.output
    assert result.stdout == ""


def check_json(*args: str) -> dict:
    result = run("check", EXAMPLE, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def pack() -> tongcheng.RulePack:
    return tongcheng.load_pack(tongcheng.bundled_pack_path())


@pytest.fixture
def situation(tmp_path):
    """Write a situation file; return its path."""

    def write(text: str, name: str = "situation.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


VALID = 'as_of: 2025-06-01\ntarget: "370200"\n'


# --- check: decisions ---------------------------------------------------------------------------


def test_check_json_gives_one_decision_per_rule_in_pack_order(pack):
    out = check_json()
    assert out["as_of"] == "2025-06-01"
    assert out["rule_pack"]["name"] == pack.info.name
    assert out["rule_pack"]["version"] == pack.info.version
    assert out["rule_pack"]["digest"].startswith("sha256:")
    assert out["rule_pack"]["digest"] == pack.info.digest
    assert [d["rule"] for d in out["decisions"]] == list(pack.rule_ids)
    for d in out["decisions"]:
        assert set(d) >= {"rule", "title", "status", "outcome", "reasons", "missing", "basis"}
        assert set(d["title"]) == {"zh", "en"}
        assert d["status"] in ("eligible", "ineligible", "undetermined", "not_applicable")
        assert "missing_parameters" in d
    # stable: the same input gives the same output, byte for byte
    assert check_json() == out


def test_check_recognition_decision(pack):
    out = check_json()
    decision = next(d for d in out["decisions"] if d["rule"] == RECOGNITION)
    assert decision["status"] == "eligible"
    assert decision["outcome"]["recognized_months"] == 305
    assert decision["outcome"]["processing_limit_working_days"] == 9
    assert decision["missing"] == []
    assert decision["missing_parameters"] == []
    assert decision["title"]["zh"] == pack.rule(RECOGNITION).title.zh
    quotes = [b["quote"] for b in decision["basis"] if "quote" in b]
    # 烟台 (the city) joins 青岛 in the five Jiaodong cities; the metro area holds only some of
    # Yantai's counties, so the grant rests on the 2025 sentence alone
    assert "胶东五市职工医疗保险实现缴费年限互认,办理时限缩短至9个工作日" in quotes
    assert "进一步完善都市圈内医疗保险关系跨地区无障碍转移和缴费年限互认" not in quotes
    assert {"zone": "jiaodong", "firmness": "in_force"}.items() <= next(
        b for b in decision["basis"] if b.get("quote", "").startswith("胶东五市")).items()
    for b in decision["basis"]:
        assert b["document"]
        assert b["source"]
    # a basis known only from a secondary report says so instead of quoting
    assert any(b["source"] == "secondary" and "quote" not in b for b in decision["basis"])
    kinds = [r["kind"] for r in decision["reasons"]]
    assert kinds[:3] == ["in_force", "zone", "scope"]
    assert "condition" in kinds and "outcome" in kinds


def test_check_rule_filter_is_repeatable_and_keeps_pack_order(pack):
    out = check_json("--rule", SENIOR, "--rule", RECOGNITION)
    assert [d["rule"] for d in out["decisions"]] == [
        r for r in pack.rule_ids if r in (SENIOR, RECOGNITION)
    ]
    only = check_json("--rule", RECOGNITION)
    assert [d["rule"] for d in only["decisions"]] == [RECOGNITION]


def test_check_as_of_overrides_the_situation():
    out = check_json("--as-of", "2024-01-01", "--rule", RECOGNITION)
    assert out["as_of"] == "2024-01-01"
    decision = out["decisions"][0]
    # 2024: only the 2023 metropolitan area is in force, which holds three Yantai counties but
    # not the whole city: whether 烟台 months count is unknown until the county is given
    assert decision["status"] == "undetermined"
    assert decision["missing"] == ["insurance[0].place"]
    before = check_json("--as-of", "2022-01-01", "--rule", RECOGNITION)
    assert before["as_of"] == "2022-01-01"
    assert before["decisions"][0]["status"] == "not_applicable"


def test_check_lang_en_gives_english_labels(pack):
    rule = pack.rule(RECOGNITION)
    zh = next(d for d in check_json()["decisions"] if d["rule"] == RECOGNITION)
    en = next(d for d in check_json("--lang", "en")["decisions"] if d["rule"] == RECOGNITION)
    scope = lambda d: next(r for r in d["reasons"] if r["kind"] == "scope")  # noqa: E731
    assert scope(zh)["label"] == rule.scope[0].label.zh
    assert scope(en)["label"] == rule.scope[0].label.en
    assert en["reasons"][0]["label"] == "The rule is in force at the evaluation date"
    assert en["reading"] == rule.reading.en
    assert en["title"] == zh["title"] == {"zh": rule.title.zh, "en": rule.title.en}


def test_check_prints_one_line_per_rule_and_the_questions(pack):
    result = run("check", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    for rule in pack.rules:
        (line,) = [x for x in lines if x.endswith(f"  {rule.id}")]
        assert rule.title.zh in line, rule.id
        assert line[0] in "✔✘?–"
    granted = next(x for x in lines if x.endswith(RECOGNITION))
    assert granted.startswith("✔ 符合") and "recognized_months = 305" in granted
    undetermined = next(x for x in lines if x.endswith("  provident_fund.transfer"))
    assert undetermined.startswith("? 待定") and "缺: provident_fund.periods" in undetermined
    assert "下一步可询问" in result.stdout and "此人持有哪些卡" in result.stdout
    assert "--explain" in lines[-1]
    assert "判断过程:" not in result.stdout  # traces only when asked
    assert len(lines) < len(pack.rules) + 20


def test_check_explain_shows_traces_and_basis(pack):
    result = run("check", EXAMPLE, "--explain")
    assert result.exit_code == 0, result.stderr
    text = squeeze(result.stdout)
    for word in ("规则", "状态", "✔符合", "–不适用", "?待定", "判断过程:", "政策依据:"):
        assert word in text
    for rule in pack.rules:
        assert squeeze(rule.title.zh) in text, rule.id
    assert "recognized_months=305" in text


def test_check_rule_shows_that_rule_explained():
    result = run("check", EXAMPLE, "--rule", RECOGNITION, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "trace:" in result.stdout and "basis:" in result.stdout
    assert "provident_fund.transfer" not in result.stdout


def test_check_in_english(pack):
    result = run("check", EXAMPLE, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    text = squeeze(result.stdout)
    for word in ("✔eligible", "–notapplicable", "?undetermined", "asknext", "needs:"):
        assert word in text
    assert "状态" not in text and "符合" not in text and "缺:" not in text
    for rule in pack.rules:
        assert squeeze(rule.title.en) in text, rule.id


def test_a_mistyped_rule_gets_did_you_mean():
    result = run("check", EXAMPLE, "--rule", "medical_insurance.contribution_year_recognition")
    assert_clean_failure(result, 2)
    assert ("未知的规则 'medical_insurance.contribution_year_recognition'(是否应为 "
            "'medical_insurance.contribution_years_recognition'?)") in result.stderr
    result = run("check", EXAMPLE, "--rule", "medical_insurance.contribution_year_recognition",
                 "--lang", "en")
    assert_clean_failure(result, 2)
    assert ("unknown rule 'medical_insurance.contribution_year_recognition' (did you mean "
            "'medical_insurance.contribution_years_recognition'?)") in result.stderr
    result = run("rules", "transit.senior_freeride", "--lang", "en")
    assert_clean_failure(result, 2)
    assert "(did you mean 'transit.senior_free_ride'?)" in result.stderr


def test_check_reads_stdin():
    result = run("check", "-", "--format", "json", "--rule", RECOGNITION, stdin=EXAMPLE.read_text())
    assert result.exit_code == 0, result.stderr
    decision = json.loads(result.stdout)["decisions"][0]
    assert decision["outcome"]["recognized_months"] == 305


def test_check_reads_json_files(situation):
    path = situation(json.dumps({"as_of": "2025-06-01", "target": 370200}), "s.json")
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2025-06-01"


# --- check: invalid input (exit 2) ----------------------------------------------------------------

INSURED = 'as_of: 2025-06-01\ntarget: "370200"\ninsurance:\n'

BAD_SITUATIONS = [
    (
        "month-13",
        INSURED + '  - {scheme: employee_medical, place: "370600", from: 2015-13}\n',
        ("insurance[0].from:", "2015-13"),
    ),
    (
        "to-before-from",
        INSURED + '  - {scheme: employee_medical, place: "370600", from: 2000-01, to: 2015-12}\n'
        '  - {scheme: employee_medical, place: "370200", from: 2016-05, to: 2016-01}\n',
        ("insurance[1].to: month before 'from'",),
    ),
    (
        "unknown-key",
        VALID + "persn: {sex: male}\n",
        ("persn: unknown key", "'person'"),
    ),
    (
        "nested-unknown-key",
        VALID + 'person: {sex: male, hukuo: "370600"}\n',
        ("person.hukuo: unknown key", "'hukou'"),
    ),
    (
        "bad-sex",
        VALID + "person: {sex: man}\n",
        ("person.sex:", "male, female", "'man'"),
    ),
    (
        "negative-balance",
        VALID + "provident_fund: {balance: -5}\n",
        ("provident_fund.balance:", "negative"),
    ),
    (
        "unknown-place",
        'as_of: 2025-06-01\ntarget: "999999"\n',
        ("target:", "999999"),
    ),
    (
        "retired-place-as-target",
        'as_of: 2025-06-01\ntarget: "370282"\n',
        ("target:", "370282", "370215"),
    ),
]


@pytest.mark.parametrize(
    ("text", "expect"), [c[1:] for c in BAD_SITUATIONS], ids=[c[0] for c in BAD_SITUATIONS]
)
def test_invalid_situation_exits_2_naming_path_and_expectation(situation, text, expect):
    path = situation(text)
    result = run("check", path, "--format", "json", "--lang", "en")
    assert_clean_failure(result, 2)
    for fragment in expect:
        assert fragment in result.stderr
    # The same problem in Chinese (the default language): the path, then Chinese words.
    chinese = run("check", path, "--format", "json")
    assert_clean_failure(chinese, 2)
    assert expect[0].split(":")[0] + ":" in chinese.stderr
    assert "情形无效" in chinese.stderr and "invalid situation" not in chinese.stderr


def test_invalid_situation_names_every_problem(situation):
    path = situation(VALID + "person: {sex: man}\nprovident_fund: {balance: -5}\npersn: 1\n")
    result = run("check", path)
    assert_clean_failure(result, 2)
    for path_ in ("person.sex:", "provident_fund.balance:", "persn:"):
        assert path_ in result.stderr


@pytest.mark.parametrize("value", ["2025-02-30", "yesterday", "2025-6-1", "2025-06"])
def test_non_date_as_of_exits_2(situation, value):
    result = run("check", situation(VALID), "--as-of", value)
    assert_clean_failure(result, 2)
    assert "--as-of" in result.stderr
    assert repr(value) in result.stderr


def test_unknown_rule_exits_2(situation):
    result = run("check", situation(VALID), "--rule", RECOGNITION, "--rule", "no.such_rule")
    assert_clean_failure(result, 2)
    assert "no.such_rule" in result.stderr
    assert RECOGNITION in result.stderr  # the message lists the rules there are


def test_missing_file_exits_2(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    result = run("check", missing, "--lang", "en")
    assert_clean_failure(result, 2)
    assert "nowhere.yaml" in result.stderr
    assert "no such file" in result.stderr
    assert "没有这个文件" in run("check", missing).stderr


def test_invalid_yaml_names_the_line(situation):
    path = situation('as_of: 2025-06-01\ntarget: "370200"\nperson: {sex: male\ninsurance: []\n')
    result = run("check", path, "--lang", "en")
    assert_clean_failure(result, 2)
    assert re.search(r"situation\.yaml:[45]\b", result.stderr), result.stderr
    assert "not valid YAML" in result.stderr
    assert "不是有效的 YAML" in run("check", path).stderr


def test_invalid_json_names_the_line(situation):
    path = situation('{"as_of": "2025-06-01",\n "target": "370200",}\n', "s.json")
    result = run("check", path, "--lang", "en")
    assert_clean_failure(result, 2)
    assert re.search(r"s\.json:2\b", result.stderr), result.stderr
    assert "not valid JSON" in result.stderr
    assert "不是有效的 JSON" in run("check", path).stderr


def test_invalid_stdin_exits_2_naming_stdin():
    result = run("check", "-", stdin='{"as_of": "2025-06-01", "person": {"sex": "x"}}')
    assert_clean_failure(result, 2)
    assert "<stdin>" in result.stderr
    assert "person.sex:" in result.stderr


def test_no_traceback_through_a_real_process(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(INSURED + '  - {scheme: employee_medical, place: "370600", from: 2015-13}\n')
    proc = subprocess.run(
        [sys.executable, "-m", "tongcheng.cli", "check", str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "insurance[0].from:" in proc.stderr
    assert proc.stdout == ""

    good = tmp_path / "good.yaml"
    good.write_text(EXAMPLE.read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "tongcheng.cli", "check", str(good), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["as_of"] == "2025-06-01"


# --- rule-pack errors (exit 3) --------------------------------------------------------------------


@pytest.fixture(scope="module", params=BREAKAGES, ids=BREAKAGE_IDS)
def broken(request, tmp_path_factory) -> tuple[Path, Breakage, int]:
    copy = copy_pack(tmp_path_factory.mktemp(request.param.id))
    return copy, request.param, request.param.apply(copy)


def assert_names(stderr: str, file: str, line: int, words) -> None:
    place = re.compile(rf"{re.escape(file)}:{line}(?!\d)")
    hits = [ln for ln in stderr.splitlines() if place.search(ln) and all(w in ln for w in words)]
    assert hits, f"no line of stderr names {file}:{line} with {words}:\n{stderr}"


def test_check_with_a_broken_pack_exits_3(broken, tmp_path):
    copy, breakage, line = broken
    situation = tmp_path / "s.yaml"
    situation.write_text(VALID)
    result = run("check", situation, "--pack", copy, "--lang", "en")
    assert_clean_failure(result, 3)
    assert_names(result.stderr, breakage.file, line, breakage.expect)


def test_rules_with_a_broken_pack_exits_3(broken):
    copy, breakage, line = broken
    result = run("rules", "--pack", copy, "--lang", "en")
    assert_clean_failure(result, 3)
    assert_names(result.stderr, breakage.file, line, breakage.expect)


def test_missing_pack_yaml_exits_3(tmp_path):
    copy = copy_pack(tmp_path)
    (copy / "pack.yaml").unlink()
    for args in (("check", EXAMPLE, "--pack", copy), ("rules", "--pack", copy)):
        result = run(*args, "--lang", "en")
        assert_clean_failure(result, 3)
        assert "pack.yaml" in result.stderr
        assert "missing" in result.stderr
        result = run(*args)
        assert_clean_failure(result, 3)
        assert "规则包中缺少文件 pack.yaml" in result.stderr


def test_several_pack_problems_are_all_reported(tmp_path):
    copy = copy_pack(tmp_path)
    wanted = ("unknown-zone", "bad-confidence-word", "zone-place-not-a-place")
    applied = [(b, b.apply(copy)) for b in BREAKAGES if b.id in wanted]
    assert len(applied) == 3
    result = run("check", EXAMPLE, "--pack", copy, "--lang", "en")
    assert_clean_failure(result, 3)
    for b, line in applied:
        assert_names(result.stderr, b.file, line, b.expect)


def test_broken_pack_through_a_real_process(tmp_path):
    copy = copy_pack(tmp_path)
    breakage = next(b for b in BREAKAGES if b.id == "expression-syntax-error")
    line = breakage.apply(copy)
    proc = subprocess.run(
        [sys.executable, "-m", "tongcheng.cli", "check", str(EXAMPLE), "--pack", str(copy),
         "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr + proc.stdout
    assert_names(proc.stderr, breakage.file, line, breakage.expect)


# --- evaluation-time conflicts ----------------------------------------------------------------


def test_conflicting_exceptions_exit_3_naming_both(situation):
    result = run("check", situation(VALID), "--pack", CONFLICT_PACK, "--format", "json")
    assert_clean_failure(result, 3)
    assert CONFLICT_RULE in result.stderr
    assert "'city_rule'" in result.stderr
    assert "'place_rule'" in result.stderr
    assert re.search(r"rules/conflict\.yaml:\d+", result.stderr)
    assert "同时适用且结论不同" in result.stderr  # the default language, Chinese throughout
    assert "disagree" not in result.stderr and "error" not in result.stderr
    english = run("check", situation(VALID), "--pack", CONFLICT_PACK, "--lang", "en")
    assert_clean_failure(english, 3)
    assert "both apply and disagree" in english.stderr and "error:" in english.stderr


@pytest.mark.parametrize(("when", "says", "says_zh"), [
    # the tree shows a number: refused at load (for the pack's authors, in English)
    ("1 + 1", "a condition needs a truth value, got a number", None),
    # an if of two kinds is known only when it runs: a rule error, as clean, in either language
    ("(if true then 1 + 1 else false)", "not true or false", "得出数 2,不是真或假"),
])
def test_a_rule_failing_at_evaluation_exits_3_naming_its_line(situation, tmp_path, when, says,
                                                              says_zh):
    copy = copy_pack(tmp_path, CONFLICT_PACK)
    rule_file = copy / "rules" / "conflict.yaml"
    replace_once(
        rule_file,
        "  outcome:\n    level:",
        f"  conditions:\n    - label: {{zh: 一个数, en: A number}}\n      when: {when}\n"
        "  outcome:\n    level:",
    )
    line = line_of(rule_file, f"      when: {when}")
    path = situation('as_of: 2025-06-01\ntarget: "370600"\n')
    result = run("check", path, "--pack", copy, "--lang", "en")
    assert_clean_failure(result, 3)
    assert_names(result.stderr, "rules/conflict.yaml", line, (says,))
    if says_zh:  # the caseworker's language: no English sentence left
        result = run("check", path, "--pack", copy)
        assert_clean_failure(result, 3)
        assert_names(result.stderr, "rules/conflict.yaml", line, (says_zh, "在评估时出错"))
        assert says not in result.stderr and "error" not in result.stderr


def test_no_conflict_outside_the_exceptions(situation):
    path = situation('as_of: 2025-06-01\ntarget: "370600"\n')
    result = run("check", path, "--pack", CONFLICT_PACK, "--format", "json")
    assert result.exit_code == 0, result.stderr
    decision = json.loads(result.stdout)["decisions"][0]
    assert decision["outcome"] == {"level": "base"}
    assert "exception" not in decision


def test_overriding_exception_wins(situation, tmp_path):
    copy = copy_pack(tmp_path, CONFLICT_PACK)
    replace_once(
        copy / "rules" / "conflict.yaml",
        "    - label: place_rule\n",
        "    - label: place_rule\n      overrides: [city_rule]\n",
    )
    result = run("check", situation(VALID), "--pack", copy, "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["rule_pack"]["name"] == "test-conflict"
    decision = out["decisions"][0]
    assert decision["rule"] == CONFLICT_RULE
    assert decision["status"] == "eligible"
    assert decision["exception"] == "place_rule"
    assert decision["outcome"] == {"level": "place"}


# --- rules and schema ----------------------------------------------------------------------------


def test_rules_lists_every_rule_id(pack):
    result = run("rules")
    assert result.exit_code == 0, result.stderr
    text = squeeze(result.stdout)
    for rule_id in pack.rule_ids:
        assert rule_id in text, f"{rule_id} is not listed:\n{result.stdout}"


def test_rules_id_shows_basis_and_parameters_with_confidence():
    result = run("rules", RECOGNITION)
    assert result.exit_code == 0, result.stderr
    text = squeeze(result.stdout)
    assert "进一步完善都市圈内医疗保险关系跨地区无障碍转移和缴费年限互认" in text
    assert "medical_insurance.transfer_processing_limit_working_days" in text
    assert ",high]" in text

    retiree = squeeze(run("rules", "medical_insurance.retiree_benefit_years").stdout)
    assert "medical_insurance.retiree_min_months" in retiree
    assert ",medium]" in retiree
    assert "370600:(已声明,尚无已知数值)" in retiree
    english = squeeze(
        run("rules", "medical_insurance.retiree_benefit_years", "--lang", "en").stdout)
    assert "370600:(declared,novalueknown)" in english


def test_rules_id_shows_expressions_as_written(pack):
    result = run("rules", RECOGNITION)
    assert result.exit_code == 0, result.stderr
    text = squeeze(result.stdout)
    for clause in pack.rule(RECOGNITION).lets:
        assert squeeze(clause.text) in text, f"{clause.name}: {clause.text}"
    assert squeeze('insurance[item.scheme == "employee_medical"]') in text


def test_rules_unknown_id_exits_2():
    result = run("rules", "no.such_rule")
    assert_clean_failure(result, 2)
    assert "no.such_rule" in result.stderr


def test_rules_json(pack):
    result = run("rules", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rules = json.loads(result.stdout)
    assert [r["id"] for r in rules] == list(pack.rule_ids)
    for r in rules:
        assert r["zones"], r["id"]
        for z in r["zones"]:
            assert z["zone"] in pack.zones
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", z["from"])
        assert set(r["in_force"]) == {"from", "to"}
        assert r["basis"]
    recognition = next(r for r in rules if r["id"] == RECOGNITION)
    assert recognition["zones"] == [
        {"zone": "qingdao_metro", "from": "2023-10-06", "to": None, "firmness": "in_force"},
        {"zone": "jiaodong", "from": "2025-04-28", "to": None, "firmness": "in_force"},
    ]
    assert recognition["in_force"] == {"from": "2023-10-06", "to": None}
    assert recognition["parameters"] == {
        "medical_insurance.transfer_processing_limit_working_days": "high"
    }

    one = run("rules", RECOGNITION, "--format", "json")
    assert json.loads(one.stdout) == recognition


def test_schema_is_a_strict_json_schema():
    result = run("schema")
    assert result.exit_code == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    assert {"as_of", "target", "person", "insurance"} <= set(schema["properties"])
    defs = schema["$defs"]
    for name, definition in defs.items():
        if definition.get("type") == "object":
            assert definition.get("additionalProperties") is False, name
    assert "from" in defs["InsurancePeriod"]["properties"]
    assert "from_" not in defs["InsurancePeriod"]["properties"]
