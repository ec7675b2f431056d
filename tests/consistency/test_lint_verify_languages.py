"""``tongcheng lint`` and ``tongcheng verify`` in both languages: Chinese by default, English with
``--lang en``; each run says everything in its own language (ids, paths, check ids, code and
quoted text as they are), and ``--format json`` gives each message in the asked language only,
under the same keys, the severity as its English id."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from authorwords import chinese_left, english_left
from rulegen import load_generated
from tongcheng.cli import main
from tongcheng.consistency.lint import lint_pack
from tongcheng.consistency.properties import PROPERTY_NAMES
from tongcheng.consistency.report import SEVERITIES
from tongcheng.pack.loader import load_pack
from tongcheng.pack.model import RulePack

TESTS = Path(__file__).resolve().parents[1]
PACKS = TESTS / "packs" / "consistency"
CONFLICT = TESTS / "packs" / "conflict"
KEEP = TESTS.parent / "examples" / "overlays" / "qingdao-keep-25-20"
LINE = {"en": re.compile(r"^(?P<where>\S+:\d+): (?:error|warning|note): .+ "
                        r"\[(?P<check>[a-z-]+)\]$"),
        "zh": re.compile(r"^(?P<where>\S+:\d+): (?:错误|警告|提示): .+ \[(?P<check>[a-z-]+)\]$")}
# every pack that makes lint find something: each check of tests/packs/consistency/README.md
LINT_PACKS = [*sorted(p for p in PACKS.iterdir() if p.name.startswith("lint-")
                      and p.name != "lint-undated-member"), PACKS / "clean", CONFLICT]


def invoke(*args: str | Path, lang: str | None = None):
    extra = ["--lang", lang] if lang else []
    return CliRunner().invoke(main, [*map(str, args), *extra])


def ids(pack: RulePack) -> set[str]:
    """The names a pack gives (rules, exceptions, zones, parameters, documents, overlays) and the
    suite's properties: a message writes them as they are."""
    out = {*pack.rule_ids, *pack.zones, *pack.parameters, *pack.documents, *PROPERTY_NAMES}
    out |= {e.label for r in pack.rules for e in r.exceptions}
    out |= {layer.info.name for layer in pack.layers}
    return out


def assert_in_its_language(text: str, lang: str, names: set[str]) -> None:
    if lang == "zh":
        assert not english_left(text, names), f"English in a Chinese run: " \
            f"{english_left(text, names)}\n{text}"
        assert re.search(r"[\u4e00-\u9fff]", text), text
    else:
        assert not chinese_left(text), f"Chinese in an English run: {chinese_left(text)}\n{text}"


# --- lint ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("pack", LINT_PACKS, ids=lambda p: p.name)
def test_lint_says_each_finding_in_the_language_asked(pack):
    names = ids(load_pack(pack))
    runs = {lang: invoke("lint", pack, lang=lang) for lang in ("zh", "en")}
    runs["default"] = invoke("lint", pack)  # Chinese unless asked
    places = {}
    for lang in ("zh", "en", "default"):
        result, said = runs[lang], "en" if lang == "en" else "zh"
        assert result.exit_code in (0, 1), result.output
        lines = result.stdout.splitlines()
        assert lines and all(LINE[said].match(line) for line in lines), result.stdout
        places[lang] = [(LINE[said].match(x)["where"], LINE[said].match(x)["check"])
                        for x in lines]
        assert_in_its_language(result.stdout + result.stderr, said, names)
    # the same findings, in the same order (an overlap's counterexample is z3's: it may differ)
    assert places["zh"] == places["en"] == places["default"]
    assert runs["zh"].exit_code == runs["en"].exit_code
    assert re.fullmatch(rf"{re.escape(str(pack))}:\d+ 个错误,\d+ 个警告\n", runs["zh"].stderr)
    assert re.fullmatch(rf"{re.escape(str(pack))}: \d+ error\(s\), \d+ warning\(s\)\n",
                        runs["en"].stderr)


@pytest.mark.parametrize("pack", [PACKS / "lint-gap", CONFLICT, PACKS / "lint-parameters"],
                         ids=lambda p: p.name)
def test_lint_json_gives_each_message_in_the_language_asked_under_the_same_keys(pack):
    loaded = load_pack(pack)
    findings = lint_pack(loaded)
    data = {lang: json.loads(invoke("lint", pack, "--format", "json", lang=lang).stdout)
            for lang in ("zh", "en")}
    assert data["zh"].keys() == data["en"].keys() == {"pack", "loaded", "errors", "warnings",
                                                      "findings"}
    for lang, said in data.items():
        assert len(said["findings"]) == len(findings)
        for entry, finding in zip(said["findings"], findings, strict=True):
            assert set(entry) <= {"file", "line", "severity", "check", "message",
                                  "counterexample"}
            assert entry["severity"] in SEVERITIES and entry["check"] == finding.check
            assert entry["message"] == finding.text(lang)
            assert_in_its_language(entry["message"], lang, ids(loaded))
    strip = [{k: v for k, v in f.items() if k != "message"} for f in data["zh"]["findings"]]
    assert strip == [{k: v for k, v in f.items() if k != "message"}
                     for f in data["en"]["findings"]]


def test_lint_notes_what_an_overlay_changes_in_both_languages():
    stack = load_pack(overlays=[KEEP])
    zh, en = (invoke("lint", "--overlay", KEEP, lang=lang) for lang in ("zh", "en"))
    (note_zh,) = [x for x in zh.stdout.splitlines() if "[overlay-" in x]
    (note_en,) = [x for x in en.stdout.splitlines() if "[overlay-" in x]
    assert ": 提示: 覆盖层 qingdao-keep-25-20 替换参数数值 " \
           "medical_insurance.retiree_min_months[370200](下层原处:" in note_zh
    assert ": note: overlay qingdao-keep-25-20 replaces parameter place " \
           "medical_insurance.retiree_min_months[370200] (below: " in note_en
    assert_in_its_language(zh.stdout + zh.stderr, "zh", ids(stack))
    assert_in_its_language(en.stdout + en.stderr, "en", ids(stack))


def test_lint_coverage_table_in_both_languages():
    pack = PACKS / "lint-parameters"
    names = ids(load_pack(pack))
    for lang in ("zh", "en"):
        result = invoke("lint", pack, "--parameter-coverage", lang=lang)
        assert result.exit_code == 0 and result.stdout
        assert_in_its_language(result.stdout, lang, names)


def test_the_checks_no_test_pack_makes_speak_both_too():
    """given-empty and unguarded-empty (generated rules), each said in its language."""
    rule = {"id": "gen.r0", "title": {"zh": "规则", "en": "A rule"}, "domain": "test",
            "zones": [{"zone": "cities", "from": "2020-01-01"}],
            "conditions": [{"label": {"zh": "条件", "en": "A condition"},
                            "when": 'exists(insurance[given(item.to) and item.to < '
                                    'month("2024-01")]) and request.service < "b"'}],
            "basis": [{"document": "test_notice", "article": "第十条"}]}
    pack = load_generated([rule])
    found = [f for f in lint_pack(pack) if f.check in ("given-empty", "unguarded-empty")]
    assert {f.check for f in found} == {"given-empty", "unguarded-empty"} and len(found) == 3
    for f in found:
        assert_in_its_language(f.zh, "zh", ids(pack))
        assert_in_its_language(f.message, "en", ids(pack))


def test_a_pack_that_fails_to_load_is_said_in_the_language_asked():
    root = PACKS / "lint-undated-member"
    zh, en = (invoke("lint", root, lang=lang) for lang in ("zh", "en"))
    assert zh.exit_code == en.exit_code == 3
    assert zh.stderr == f"{root}:规则包载入失败\n" and en.stderr == f"{root}: fails to load\n"
    # the problem's own words are the loader's (PackError's): here, the line around them
    assert re.fullmatch(r"\S+zones\.yaml:\d+: 错误: .+ \[load\]\n", zh.stdout), zh.stdout
    assert re.fullmatch(r"\S+zones\.yaml:\d+: error: .+ \[load\]\n", en.stdout), en.stdout
    data = json.loads(invoke("lint", root, "--format", "json", lang="en").stdout)
    assert data["loaded"] is False and data["findings"][0]["check"] == "load"
    zh, en = (invoke("verify", root, lang=lang) for lang in ("zh", "en"))
    assert zh.exit_code == en.exit_code == 3
    assert zh.stderr.startswith("错误: 规则包载入失败") and "zones.yaml:" in zh.stderr
    assert en.stderr.startswith("error: rule pack failed to load:") and "zones.yaml:" in en.stderr


def test_the_commands_own_errors_follow_lang():
    zh, en = (invoke("verify", "--property", "nonsense", lang=lang) for lang in ("zh", "en"))
    assert zh.exit_code == en.exit_code == 2
    assert zh.stderr.startswith("错误: 未知的性质 nonsense;可选的性质:no_contradictions、")
    assert en.stderr.startswith("error: unknown property nonsense; properties: ")
    for command in ("lint", "verify"):
        zh, en = (invoke(command, PACKS / "clean", "--pack", CONFLICT, lang=lang)
                  for lang in ("zh", "en"))
        assert zh.exit_code == en.exit_code == 2  # a usage error (cli_usage: click's frame)
        (said,) = [line for line in zh.stderr.splitlines() if line.startswith("错误: ")]
        assert said.startswith("错误: 给出了两个规则包") and "Error: two packs given" in en.stderr
        assert_in_its_language(said, "zh", set())
        assert_in_its_language(en.stderr, "en", set())


# --- verify -------------------------------------------------------------------------------------

# (pack, what to run): each makes a property fail, one skips a property with its reason
VERIFY_RUNS = [
    (CONFLICT, ("--property", "no_contradictions", "-n", "50")),
    (PACKS / "verify-eval-error", ("--property", "no_contradictions", "-n", "50")),
    (PACKS / "verify-asymmetric", ("--property", "mutual_recognition_symmetric", "--property",
                                   "monotonic_outcomes", "-n", "150")),
    (PACKS / "verify-too-early", ("--property", "time", "-n", "100")),
    (PACKS / "verify-incomplete", ("--property", "information_complete", "-n", "150")),
    (PACKS / "verify-monotonic-outcome", ("--property", "monotonic_outcomes", "-n", "150")),
]


@pytest.mark.parametrize(("pack", "args"), VERIFY_RUNS, ids=lambda x: getattr(x, "name", ""))
def test_verify_says_its_report_and_failures_in_the_language_asked(pack, args, tmp_path):
    names = ids(load_pack(pack))
    zh = invoke("verify", pack, *args, "--shrink-seconds", "3", "--save", tmp_path / "zh",
                lang="zh")
    en = invoke("verify", pack, *args, "--shrink-seconds", "3", "--save", tmp_path / "en",
                lang="en")
    assert zh.exit_code == en.exit_code == 1, zh.output
    assert zh.stdout.startswith(f"tongcheng verify {pack}:") and "每项性质" in zh.stdout
    assert "\n未通过 " in zh.stdout and re.search(r"项未通过\(用时 \d+\.\d 秒;种子 0\)\n$",
                                                  zh.stdout)
    assert "\nFAILED " in en.stdout and re.search(r"properties failed \(\d+\.\ds; seed 0\)\n$",
                                                   en.stdout)
    assert_in_its_language(zh.output, "zh", names)
    assert_in_its_language(en.output, "en", names)
    # the saved files: the same names, the comment in the run's language
    saved = {lang: sorted(p.name for p in (tmp_path / lang).iterdir()) for lang in ("zh", "en")}
    assert saved["zh"] == saved["en"] and saved["zh"]
    for lang in ("zh", "en"):
        for name in saved[lang]:
            head = "".join(line[2:] + "\n" for line in
                           (tmp_path / lang / name).read_text("utf-8").splitlines()
                           if line.startswith("# "))
            assert_in_its_language(head, lang, names)


def test_verify_json_gives_notes_and_failures_in_the_language_asked():
    pack = PACKS / "verify-asymmetric"
    args = ("verify", pack, "--property", "mutual_recognition_symmetric", "--property",
            "monotonic_outcomes", "-n", "150", "--shrink-seconds", "3", "--format", "json")
    data = {lang: json.loads(invoke(*args, lang=lang).stdout) for lang in ("zh", "en")}
    names = ids(load_pack(pack))
    for lang, said in data.items():
        failed, skipped = said["properties"]
        assert set(failed) == set(skipped) == {"name", "status", "examples", "seconds", "note",
                                                "failure", "saved"}
        assert (failed["status"], skipped["status"]) == ("failed", "skipped")
        assert set(failed["failure"]) == {"property", "rule", "message", "situations"}
        assert_in_its_language(failed["failure"]["message"], lang, names)
        assert_in_its_language(skipped["note"], lang, names)
        for situation in failed["failure"]["situations"]:
            assert_in_its_language(situation["label"], lang, names)
    assert data["zh"]["properties"][1]["note"] == "没有规则声明单调的结果"
    assert data["en"]["properties"][1]["note"] == "no rule declares a monotonic outcome"
    assert [s["label"] for s in data["zh"]["properties"][0]["failure"]["situations"]] == [
        label.replace("record in ", "记录在 ").replace("record moved to ", "记录移到 ")
        for label in (s["label"] for s in data["en"]["properties"][0]["failure"]["situations"])]


def test_the_suite_says_every_summary_in_both_languages():
    from tongcheng.consistency.properties import PROPERTIES

    for prop in PROPERTIES:
        assert prop.summary_zh and prop.said("zh") == prop.summary_zh
        assert_in_its_language(prop.said("zh"), "zh", set())
        assert_in_its_language(prop.said("en"), "en", set())


def test_a_load_problem_takes_its_chinese_from_the_pack_error():
    """lint lists a load problem at its file and line, in the language asked: each
    ``PackProblem`` carries its Chinese (several lines kept as they are)."""
    from tongcheng.consistency.lint import load_findings
    from tongcheng.errors import Location, PackError, PackProblem

    problems = [PackProblem(Location("zones.yaml", 9), "required key is missing", "缺少必填的键"),
                PackProblem(Location("rules/a.yaml", 3), "first line\n  second line",
                            "第一行\n  第二行")]
    found = load_findings(PackError(problems))
    assert [(f.file, f.line, f.check, f.message, f.zh) for f in found] == [
        ("zones.yaml", 9, "load", "required key is missing", "缺少必填的键"),
        ("rules/a.yaml", 3, "load", "first line\n  second line", "第一行\n  第二行")]
    assert [f.text("zh") for f in found] == ["缺少必填的键", "第一行\n  第二行"]
