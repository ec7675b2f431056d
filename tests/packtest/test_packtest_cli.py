"""``tongcheng test``: runs YAML cases (the contract's golden-case file as it stands), reports a
failure with its file and line, expected against actual and the trace that decided; JUnit XML;
exit codes 0/1/2/3; and pytest runs a pack's cases through the plugin."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from tongcheng.cli import main
from tongcheng.pack.loader import bundled_pack_path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden-cases.yaml"
N_GOLDEN = len(YAML(typ="safe").load(GOLDEN.read_text("utf-8")))  # the contract's cases

FAILING = """\
- name: recognition, Yantai then Qingdao, asked in Qingdao
  situation:
    as_of: 2025-06-01
    target: "370200"
    insurance:
      - {scheme: employee_medical, place: "370600", from: 2000-01, to: 2015-12}
  expect:
    medical_insurance.contribution_years_recognition:
      status: eligible
      outcome: {recognized_months: 200}

- name: Jinan months are not recognised in Qingdao
  situation:
    as_of: 2025-06-01
    target: "370200"
    insurance:
      - {scheme: employee_medical, place: "370100", from: 2000-01, to: 2015-12}
  expect:
    medical_insurance.contribution_years_recognition: {status: eligible}
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_the_contract_golden_cases_pass_as_they_stand():
    result = run("test", str(GOLDEN), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"{N_GOLDEN} passed, 0 failed, 0 broken (1 file(s))" in result.output


def test_a_failure_shows_file_line_expected_actual_and_the_deciding_trace(tmp_path):
    (tmp_path / "cases.yaml").write_text(FAILING, encoding="utf-8")
    result = run("test", str(tmp_path / "cases.yaml"), "--lang", "en")
    assert result.exit_code == 1, result.output
    out = result.output
    shown = str(tmp_path / "cases.yaml")
    # the outcome that differs: expected 200, got 192, with its outcome clause
    assert f"{shown}:1: FAIL recognition, Yantai then Qingdao, asked in Qingdao" in out
    assert ("medical_insurance.contribution_years_recognition (line 10): "
            "outcome.recognized_months: expected 200, got 192") in out
    assert "= Recognised cumulative contribution months: 192" in out
    # the status that differs, and the condition that was false
    assert f"{shown}:12: FAIL Jinan months are not recognised in Qingdao" in out
    assert ("medical_insurance.contribution_years_recognition (line 19): status: expected "
            "eligible, got ineligible") in out
    assert ("✘ Some of those months were paid in a member place of a zone shared with the "
            "target") in out
    assert "insurance[0].place=370100" in out
    assert "0 passed, 2 failed, 0 broken (1 file(s))" in out


def test_the_report_in_chinese(tmp_path):
    (tmp_path / "cases.yaml").write_text(FAILING, encoding="utf-8")
    out = run("test", str(tmp_path / "cases.yaml")).output
    assert "status: 应为 eligible,实际为 ineligible" in out
    assert "判断依据:" in out and "其中有月份缴于与办理地同属一个区域的成员地" in out
    assert "0 个通过,2 个失败,0 个无效(1 个文件)" in out


def test_junit_xml(tmp_path):
    (tmp_path / "cases.yaml").write_text(FAILING, encoding="utf-8")
    report = tmp_path / "out" / "junit.xml"
    result = run("test", str(tmp_path / "cases.yaml"), str(GOLDEN), "--junit-xml", str(report),
                 "--lang", "en")
    assert result.exit_code == 1
    suites = ET.parse(report).getroot().findall("testsuite")
    assert [s.get("failures") for s in suites] == ["2", "0"]
    assert [len(s.findall("testcase")) for s in suites] == [2, N_GOLDEN]
    first = suites[0].find("testcase")
    assert first.get("line") == "1"
    assert "expected 200, got 192" in first.find("failure").get("message")


def test_broken_file_exits_2_and_the_rest_still_runs(tmp_path):
    (tmp_path / "broken.yaml").write_text(FAILING.replace("{status: eligible}",
                                                          "{status: eligble}"), "utf-8")
    result = run("test", str(tmp_path / "broken.yaml"), "--lang", "en")
    assert result.exit_code == 2, result.output
    assert ":19: medical_insurance.contribution_years_recognition: status: expected one of" in (
        result.output)
    assert "(did you mean 'eligible'?)" in result.output
    assert "FAIL recognition, Yantai then Qingdao" in result.output  # the good case ran
    assert "0 passed, 1 failed, 1 broken" in result.output


def test_a_path_that_does_not_exist():
    result = run("test", "no/such/cases.yaml", "--lang", "en")
    assert result.exit_code == 2
    assert "error: no/such/cases.yaml: no such file or folder" in result.output
    result = run("test", "no/such/cases.yaml")  # Chinese by default, as every command
    assert result.exit_code == 2
    assert "错误: no/such/cases.yaml:没有这个文件或文件夹" in result.output


def test_a_junit_file_that_cannot_be_written_is_said_after_the_report(tmp_path):
    (tmp_path / "a-file").write_text("x")
    where = tmp_path / "a-file" / "r.xml"  # (its folder cannot be made)
    result = run("test", str(GOLDEN), "--junit-xml", str(where))
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "个通过" in result.output  # the report was printed first: nothing is lost
    assert f"错误: --junit-xml: {where}:无法写入" in result.output


def test_a_pack_without_tests(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(bundled_pack_path(), pack, ignore=shutil.ignore_patterns("tests"))
    result = run("test", "--pack", str(pack), "--lang", "en")
    assert result.exit_code == 2
    assert f"no test files (*.yaml) in {pack}/tests/" in result.output
    result = run("test", "--pack", str(pack))
    assert result.exit_code == 2
    assert f"错误: {pack}/tests/ 中没有测试文件(*.yaml)" in result.output


def test_a_pack_that_fails_to_load(tmp_path):
    (tmp_path / "pack.yaml").write_text("name: x\n", encoding="utf-8")
    result = run("test", "--pack", str(tmp_path), str(GOLDEN), "--lang", "en")
    assert result.exit_code == 3
    assert "rule pack failed to load" in result.output
    result = run("test", "--pack", str(tmp_path), str(GOLDEN))
    assert result.exit_code == 3 and "规则包载入失败" in result.output
    assert "version:缺少必填的键" in result.output and "required" not in result.output


def test_a_test_file_inside_a_pack_runs_against_that_pack(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(bundled_pack_path(), pack, ignore=shutil.ignore_patterns("tests"))
    (pack / "tests").mkdir()
    (pack / "tests" / "cases.yaml").write_text(FAILING, encoding="utf-8")
    # make the pack's own rule answer differently from the bundled one: Jinan joins the metro
    zones = pack / "zones.yaml"
    zones.write_text(zones.read_text("utf-8").replace(
        '    - {place: "370687", from: 2023-10-06}   # 海阳',
        '    - {place: "370687", from: 2023-10-06}   # 海阳\n'
        '    - {place: "370100", from: 2023-10-06}', 1), "utf-8")  # the metro area's entry
    result = run("test", str(pack / "tests" / "cases.yaml"), "--lang", "en")
    assert "FAIL Jinan months" not in result.output, result.output
    assert "1 passed, 1 failed, 0 broken" in result.output


pytest_plugins = ["pytester"]


@pytest.fixture
def pack_with_tests(tmp_path):
    pack = tmp_path / "my-pack"
    shutil.copytree(bundled_pack_path(), pack, ignore=shutil.ignore_patterns("tests"))
    (pack / "tests").mkdir()
    (pack / "tests" / "golden.yaml").write_bytes(GOLDEN.read_bytes())
    (pack / "tests" / "failing.yaml").write_text(FAILING, encoding="utf-8")
    return pack


def test_pytest_runs_the_pack_cases(pytester, pack_with_tests):
    result = pytester.runpytest_inprocess(str(pack_with_tests / "tests"), "-p",
                                          "no:cacheprovider")
    result.assert_outcomes(passed=N_GOLDEN, failed=2)
    result.stdout.fnmatch_lines([
        "*my-pack/tests/failing.yaml:12: FAIL Jinan months are not recognised in Qingdao",
        "*status: expected eligible, got ineligible",
    ])


def test_pytest_reports_a_broken_file_at_its_line(pytester, pack_with_tests):
    (pack_with_tests / "tests" / "failing.yaml").write_text("- name: [x\n", encoding="utf-8")
    result = pytester.runpytest_inprocess(str(pack_with_tests / "tests"), "-p",
                                          "no:cacheprovider")
    result.assert_outcomes(errors=1)  # pytest stops at a collection error, as for Python files
    result.stdout.fnmatch_lines(["*my-pack/tests/failing.yaml:2: not valid YAML*"])
