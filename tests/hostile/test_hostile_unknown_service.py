"""A ``request.service`` the pack does not know, on every face that reads a situation. The
contract: invalid input naming ``request.service`` and the nearest known ids, never a plain
"ineligible". ``check`` refused it; ``timeline`` showed months of ``ineligible``, ``watch``
opened the case and decided it, and a pack's test case with the typo ran (its zh message also
carried the English words of every situation problem)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hostiletools import assert_clean, run

from test_languages import foreign

ROOT = Path(__file__).resolve().parents[2]
TYPO = {"as_of": "2025-06-01", "target": "370285", "person": {"hukou": "370682"},
        "request": {"service": "hukou_migrationx"}}
NEAREST = "hukou_migration"
SAID = {"zh": "request.service: 未知的政务服务事项 'hukou_migrationx'",
        "en": "request.service: unknown service item 'hukou_migrationx'"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_timeline_refuses_an_unknown_service(tmp_path, lang):
    situation = tmp_path / "s.json"
    situation.write_text(json.dumps(TYPO), encoding="utf-8")
    result = run("timeline", situation, "--from", "2025-01", "--to", "2025-03", "--lang", lang)
    assert_clean(result, 2)
    assert SAID[lang] in result.stderr and NEAREST in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_watch_rejects_the_line_of_an_unknown_service(tmp_path, lang):
    known = {**TYPO, "request": {"service": NEAREST}}
    lines = [{"subject": "P1", "on": "2025-06-01", "open": TYPO},
             {"subject": "P2", "on": "2025-06-01", "open": known},
             {"subject": "P2", "on": "2025-06-02",
              "facts": {"request": {"service": "hukou_migrationx"}}}]
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = run("watch", events, "-o", tmp_path / "out.jsonl", "--lang", lang)
    assert_clean(result, 1)
    line = {"zh": "第 {} 行 ({}): ", "en": "line {} ({}): "}[lang]
    assert line.format(1, "P1") + SAID[lang] in result.stderr, result.stderr
    assert line.format(3, "P2") + SAID[lang] in result.stderr, result.stderr
    closing = {"zh": "开立案件 1 件", "en": "1 cases opened"}[lang]  # P2 only
    assert closing in result.stderr


@pytest.fixture
def pack_with_a_typo(tmp_path) -> Path:
    """A copy of the bundled pack whose only test case names an unknown service."""
    pack = tmp_path / "my-pack"
    shutil.copytree(ROOT / "rules", pack)
    for old in (pack / "tests").glob("*.yaml"):
        old.unlink()
    (pack / "tests" / "typo.yaml").write_text(
        "- name: hukou migration at Laixi\n"
        "  situation:\n"
        "    as_of: 2025-06-01\n"
        "    target: '370285'\n"
        "    person: {hukou: '370682', sex: mle}\n"
        "    request: {service: hukou_migrationx}\n"
        "  expect:\n"
        "    services.cross_city_handling: {status: ineligible}\n", encoding="utf-8")
    return pack


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pack_test_case_with_an_unknown_service_is_broken_not_passed(pack_with_a_typo, lang):
    result = run("test", "--pack", pack_with_a_typo, "--lang", lang)
    assert_clean(result, 2)
    assert SAID[lang] in result.stdout and NEAREST in result.stdout, result.stdout
    assert "typo.yaml:6" in result.stdout
    summary = {"zh": "0 个通过,0 个失败,1 个无效", "en": "0 passed, 0 failed, 1 broken"}[lang]
    assert summary in result.stdout


def test_a_pack_test_cases_situation_problems_are_chinese_in_chinese(pack_with_a_typo):
    result = run("test", "--pack", pack_with_a_typo)
    problems = [line for line in result.stdout.splitlines() if "情形无效" in line]
    assert len(problems) == 2, result.stdout
    for line in problems:
        said = line.split(": ", 1)[1]
        assert foreign(said, "zh") == [], line


def test_a_pack_folder_given_as_the_path_runs_its_tests(pack_with_a_typo):
    """``tongcheng test my-pack`` (as ``lint my-pack``): its tests/, not its rules read as
    test files (54 "broken cases" of catalogue.yaml, triggers.yaml … before)."""
    result = run("test", pack_with_a_typo, "--lang", "en")
    assert_clean(result, 2)
    assert "0 passed, 0 failed, 1 broken (1 file(s))" in result.stdout, result.stdout
    assert "catalogue.yaml" not in result.stdout and "zones.yaml" not in result.stdout


# --- screen and compare: the row is a reject naming it, in every format ---------------------

ROWS = [{**TYPO, "request": {"service": NEAREST}}, TYPO, {**TYPO, "request": None}]


def population(tmp_path: Path, fmt: str) -> Path:
    """ROWS as ``fmt``: a known item, the typo, no request."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / f"people.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(ROWS), path)
    else:
        head = "as_of,target,person.hukou,request.service\n"
        path.write_text(head + "".join(
            f"2025-06-01,370285,370682,{(r['request'] or {}).get('service', '')}\n"
            for r in ROWS), encoding="utf-8")
    return path


def rejects(path: Path) -> dict[int, list[str]]:
    return {e["row"]: [p["path"] for p in e["problems"]]
            for e in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "csv"])
def test_screen_rejects_the_row_naming_an_unknown_service(tmp_path, fmt):
    out = tmp_path / "out.jsonl"
    result = run("screen", population(tmp_path, fmt), "-o", out, "--lang", "en",
                 "--rule", "services.cross_city_handling")
    assert_clean(result, 1)
    written = [json.loads(line)["_row"] for line in out.read_text("utf-8").splitlines()]
    assert written == [0, 2]
    assert rejects(tmp_path / "out.jsonl.rejects.jsonl") == {1: ["request.service"]}
    said = (tmp_path / "out.jsonl.rejects.jsonl").read_text("utf-8")
    assert "unknown service item 'hukou_migrationx'" in said and NEAREST in said


def test_compare_rejects_the_row_naming_a_service_neither_side_knows(tmp_path):
    out = tmp_path / "report"
    result = run("compare", population(tmp_path, "parquet"), "-o", out, "--no-html")
    assert_clean(result, 1)
    assert rejects(out / "rejects.jsonl") == {1: ["request.service"]}
    assert "未知的政务服务事项 'hukou_migrationx'" in (out / "rejects.jsonl").read_text("utf-8")
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["population"] == {"rows": 3, "decided": 2, "rejected": 1, "changed": 0}
