"""Issue 11, item 3 (two points): an unknown ``request.service`` is invalid input naming the
nearest known ids, on every face; an unquoted impossible date is named by its path (or file)
and line, and every other problem of the file is still listed — situations and rule packs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import tongcheng
from packtools import copy_pack, line_of, replace_once
from tongcheng.cli import main
from tongcheng.errors import PackError, SituationError

MIGRATION_TYPO = {"as_of": "2025-06-01", "target": "370285", "person": {"hukou": "370682"},
                  "request": {"service": "hukou_migraton"}}


def run(*args: str | Path, stdin: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, catch_exceptions=False)


def test_unknown_service_is_refused_by_the_library_naming_the_nearest_ids():
    with pytest.raises(SituationError) as caught:
        tongcheng.evaluate(MIGRATION_TYPO)
    [problem] = caught.value.problems
    assert problem.path == "request.service" and problem.code == "unknown_service"
    assert "'hukou_migraton'" in problem.message
    nearest = problem.message.split("nearest known ids: ")[1].split(", ")
    assert nearest[0] == "hukou_migration" and len(nearest) == 3
    assert set(nearest) <= tongcheng.bundled_pack().service_ids
    assert "最接近的已知事项:hukou_migration" in problem.text("zh")


def test_a_known_service_or_none_is_decided_as_before():
    known = {**MIGRATION_TYPO, "request": {"service": "cross_region_business_licence"}}
    d = tongcheng.evaluate(known).decision("services.cross_city_handling")
    assert d.status.value == "eligible"
    no_request = {k: v for k, v in MIGRATION_TYPO.items() if k != "request"}
    assert tongcheng.evaluate(no_request).decision("services.cross_city_handling").status.value \
        == "eligible"


def test_unknown_service_exits_2_with_every_other_problem(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("as_of: 2025-06-01\ntarget: \"370285\"\nperson: {hukou: \"370682\", sex: x}\n"
                    "request:\n  service: passport\n", encoding="utf-8")
    result = run("check", path, "--lang", "en")
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.output
    assert f"{path}:5: request.service: unknown service item 'passport'; nearest known ids: " \
           "passport_application" in result.stderr
    assert f"{path}:3: person.sex: expected one of: male, female" in result.stderr
    chinese = run("check", path)
    assert chinese.exit_code == 2
    assert "request.service: 未知的政务服务事项 'passport'" in chinese.stderr


def test_an_unquoted_impossible_date_in_a_situation_keeps_the_other_problems(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("as_of: 2025-06-01\nperson:\n  birth_date: 1965-02-30\n  sex: man\n"
                    "insurance:\n  - {scheme: pension, place: \"370200\", from: 2016-05, "
                    "to: 2016-01}\n", encoding="utf-8")
    result = run("check", path, "--format", "json", "--lang", "en")
    assert result.exit_code == 2
    assert f"{path}:3: person.birth_date: expected a real calendar date as YYYY-MM-DD, got " \
           "'1965-02-30' (day is out of range for month)" in result.stderr
    assert f"{path}:4: person.sex:" in result.stderr
    assert f"{path}:6: insurance[0].to: month before 'from'" in result.stderr
    # from standard input too (no file name: the line in words)
    piped = run("check", "-", "--lang", "en", stdin=path.read_text("utf-8"))
    assert piped.exit_code == 2 and "<stdin>:3: person.birth_date:" in piped.stderr


def test_an_unquoted_impossible_date_in_a_rule_pack_names_file_and_line(tmp_path):
    pack = copy_pack(tmp_path)
    rules = pack / "rules" / "promises.yaml"
    replace_once(rules, "    - {zone: laixi_laiyang, from: 2021-12-29}\n",
                 "    - {zone: laixi_laiyang, from: 2023-13-06}\n")
    replace_once(rules, "  domain: credit\n", "  domian: credit\n")
    zones = pack / "zones.yaml"
    replace_once(zones, '    - {place: "371083", from: 2025-04-28}   # 乳山',
                 '    - {place: "371083", from: 2025-02-29}   # 乳山')
    with pytest.raises(PackError) as caught:
        tongcheng.load_pack(pack)
    found = {(str(loc.file), loc.line): message for loc, message in caught.value.problems}
    date_line = line_of(rules, "from: 2023-13-06")
    assert "expected a real calendar date as YYYY-MM-DD, got '2023-13-06'" in \
        found[("rules/promises.yaml", date_line)]
    assert any(file == "rules/promises.yaml" and "domian" in m for (file, _), m in found.items())
    assert "got '2025-02-29'" in found[("zones.yaml", line_of(zones, "from: 2025-02-29"))]
    result = run("rules", "--pack", pack)
    assert result.exit_code == 3 and f"rules/promises.yaml:{date_line}:" in result.stderr


def test_terms_and_outcomes_are_kept_in_step(tmp_path):
    """A pack with terms refuses an outcome text that is not a term (prose of one language)."""
    pack = copy_pack(tmp_path)
    rules = pack / "rules" / "promises.yaml"
    replace_once(rules, """      expr: '"ground_handling_subsidy"'""",
                 """      expr: '"地接补贴 (ground handling)"'""")
    with pytest.raises(PackError) as caught:
        tongcheng.load_pack(pack)
    [(loc, message)] = caught.value.problems
    assert loc.file == "rules/promises.yaml" and "is not a term" in message
    assert json.dumps(message, ensure_ascii=False).count("地接补贴") == 1
