"""Broken test files: each mistake an author makes gets one clear message with file and line
(and the nearest known word where there is one); a broken case does not stop the others."""

from __future__ import annotations

import re
import textwrap

import pytest

import tongcheng
from tongcheng.packtest.cases import read_test_file

GOOD_CASE = """\
- name: senior free ride on the 60th birthday
  situation:
    as_of: 2025-06-01
    target: "371100"
    person: {birth_date: 1965-06-01, sex: male}
  expect:
    transit.senior_free_ride: {status: eligible}
"""


@pytest.fixture(scope="module")
def pack():
    return tongcheng.bundled_pack()


def problems(tmp_path, pack, text: str, name: str = "cases.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    test_file = read_test_file(path, pack, name)
    return [p.text("en") for p in test_file.all_problems]


def test_a_good_file_has_no_problem(tmp_path, pack):
    assert problems(tmp_path, pack, GOOD_CASE) == []


def test_bad_yaml_is_named_with_its_line(tmp_path, pack):
    got = problems(tmp_path, pack, GOOD_CASE + "- name: [unclosed\n  expect: {}\n")
    assert len(got) == 1
    assert got[0].startswith("cases.yaml:9:") and "not valid YAML" in got[0], got
    # in Chinese, in Chinese words (ruamel's own English stays out)
    path = tmp_path / "cases.yaml"
    zh = [p.text("zh") for p in read_test_file(path, pack, "cases.yaml").all_problems]
    assert zh[0].startswith("cases.yaml:9: 不是有效的 YAML:"), zh
    assert not re.search(r"[A-Za-z]{4,}", zh[0].replace("YAML", "").replace("cases.yaml", "")), zh


def test_a_file_that_cannot_be_read_is_said_in_both_languages(tmp_path, pack):
    (tmp_path / "cases.yaml").write_bytes(b"\xff\xfe- name: x\n")
    said = read_test_file(tmp_path / "cases.yaml", pack, "cases.yaml").all_problems
    assert [p.text("zh") for p in said] == ["cases.yaml: 无法读取(不是 UTF-8 文本(第 0 字节))"]
    assert said[0].text("en").startswith("cases.yaml: cannot read: 'utf-8' codec")


def test_a_file_that_is_not_a_list(tmp_path, pack):
    got = problems(tmp_path, pack, "name: x\nexpect: {}\n")
    assert got == ["cases.yaml:1: expected a list of test cases (each starting with "
                   "'- name: ...'), got a mapping"]


def test_an_empty_file(tmp_path, pack):
    got = problems(tmp_path, pack, "# nothing yet\n")
    assert len(got) == 1 and "the file is empty" in got[0]


def test_unknown_rule_gets_did_you_mean(tmp_path, pack):
    got = problems(tmp_path, pack, GOOD_CASE.replace("transit.senior_free_ride:",
                                                     "transit.senior_freeride:"))
    assert got == ["cases.yaml:7: the pack has no rule 'transit.senior_freeride' "
                   "(did you mean 'transit.senior_free_ride'?)"]


def test_unknown_expectation_key(tmp_path, pack):
    got = problems(tmp_path, pack, GOOD_CASE.replace("{status: eligible}",
                                                     "{stauts: eligible}"))
    assert len(got) == 1
    assert got[0].startswith("cases.yaml:7: transit.senior_free_ride: unknown expectation "
                             "'stauts' (did you mean 'status'?)"), got


def test_unknown_case_key(tmp_path, pack):
    got = problems(tmp_path, pack, GOOD_CASE.replace("  expect:", "  expcet:"))
    assert got[0] == ("cases.yaml:6: unknown key 'expcet' (did you mean 'expect'?); a case has "
                      "name, situation, as_of, expect, note")
    assert got[1] == "cases.yaml:1: 'expect' is missing (what each named rule must decide)"


def test_unknown_outcome_field(tmp_path, pack):
    text = """\
    - name: recognition
      situation:
        as_of: 2025-06-01
        target: "370200"
        insurance:
          - {scheme: employee_medical, place: "370600", from: 2000-01, to: 2015-12}
      expect:
        medical_insurance.contribution_years_recognition:
          status: eligible
          outcome: {recognised_months: 192}
    """
    got = problems(tmp_path, pack, text)
    assert len(got) == 1
    assert got[0].startswith(
        "cases.yaml:10: medical_insurance.contribution_years_recognition has no outcome field "
        "'recognised_months' (did you mean 'recognized_months'?); its outcome fields: "
        "recognized_months, processing_limit_working_days"), got


def test_unknown_situation_path_in_missing(tmp_path, pack):
    text = GOOD_CASE.replace("{status: eligible}",
                             "{status: undetermined, missing_has: [person.birth_dat]}")
    got = problems(tmp_path, pack, text)
    assert got == ["cases.yaml:7: transit.senior_free_ride: missing_has: 'person.birth_dat': the "
                   "situation has no field person.birth_dat (did you mean 'birth_date'?)"]


def test_unknown_parameter_in_missing_parameters(tmp_path, pack):
    text = GOOD_CASE.replace("{status: eligible}",
                             "{missing_parameters: ['transit.senior_free_ride_min_ag[371100]']}")
    got = problems(tmp_path, pack, text)
    assert got == ["cases.yaml:7: transit.senior_free_ride: missing_parameters: the pack has no "
                   "parameter 'transit.senior_free_ride_min_ag' (did you mean "
                   "'transit.senior_free_ride_min_age'?)"]


@pytest.mark.parametrize(("expectation", "message"), [
    ("{status: 5}", "transit.senior_free_ride: status: expected one of eligible | ineligible | "
                    "undetermined | not_applicable, got the number 5"),
    ("{status: eligable}", "transit.senior_free_ride: status: expected one of eligible | "
                           "ineligible | undetermined | not_applicable, got the text 'eligable' "
                           "(did you mean 'eligible'?)"),
    ("{missing_has: insurance}", "transit.senior_free_ride: missing_has: expected a list of "
                                 "texts such as [insurance], got the text 'insurance'"),
    ("{outcome: 3}", "transit.senior_free_ride: outcome: expected a mapping of field: value, "
                     "got the number 3"),
    ("{missing_parameters_nonempty: yes}", "transit.senior_free_ride: "
                                           "missing_parameters_nonempty: expected true or false, "
                                           "got the text 'yes'"),
    ("{firmness: firm}", "transit.senior_free_ride: firmness: expected one of in_force | pilot | "
                         "promise, got the text 'firm'"),
])
def test_wrong_types(tmp_path, pack, expectation, message):
    got = problems(tmp_path, pack, GOOD_CASE.replace("{status: eligible}", expectation))
    assert got == [f"cases.yaml:7: {message}"]


def test_missing_situation_file(tmp_path, pack):
    text = GOOD_CASE.replace("""  situation:
    as_of: 2025-06-01
    target: "371100"
    person: {birth_date: 1965-06-01, sex: male}
""", "  situation: situations/senior.yaml\n")
    got = problems(tmp_path, pack, text)
    assert got == ["cases.yaml:2: no situation file situations/senior.yaml (looked for "
                   "situations/senior.yaml, beside the test file)"]


def test_situation_file_beside_the_test_file(tmp_path, pack):
    (tmp_path / "situations").mkdir()
    (tmp_path / "situations" / "senior.yaml").write_text(
        "as_of: 2025-06-01\ntarget: '371100'\nperson:\n  birth_date: 1965-02-30\n",
        encoding="utf-8")
    text = GOOD_CASE.replace("""  situation:
    as_of: 2025-06-01
    target: "371100"
    person: {birth_date: 1965-06-01, sex: male}
""", "  situation: situations/senior.yaml\n")
    got = problems(tmp_path, pack, text)
    # the invalid date is named in the situation file, at its own line
    assert len(got) == 1 and got[0].startswith(
        "situations/senior.yaml:4: invalid situation: person.birth_date:"), got


def test_invalid_inline_situation_names_the_line(tmp_path, pack):
    text = GOOD_CASE.replace('target: "371100"', 'target: "371100"\n    persn: {}')
    got = problems(tmp_path, pack, text)
    assert len(got) == 1
    assert got[0].startswith("cases.yaml:5: invalid situation: situation.persn: unknown key"), got
    assert "did you mean 'person'" in got[0]


def test_a_broken_case_leaves_the_others_to_run(tmp_path, pack):
    path = tmp_path / "cases.yaml"
    path.write_text(GOOD_CASE + GOOD_CASE.replace("senior free ride", "second").replace(
        "{status: eligible}", "{status: 5}"), encoding="utf-8")
    test_file = read_test_file(path, pack, "cases.yaml")
    assert [c.broken for c in test_file.cases] == [False, True]


def test_duplicate_case_names(tmp_path, pack):
    got = problems(tmp_path, pack, GOOD_CASE + GOOD_CASE)
    assert got == ["cases.yaml:8: the case name 'senior free ride on the 60th birthday' is used "
                   "twice (first at line 1)"]


def test_problems_are_said_in_chinese_too(tmp_path, pack):
    path = tmp_path / "cases.yaml"
    path.write_text(GOOD_CASE.replace("transit.senior_free_ride:", "transit.senior_freeride:"),
                    encoding="utf-8")
    [problem] = read_test_file(path, pack, "cases.yaml").all_problems
    assert problem.text("zh") == ("cases.yaml:7: 规则包中没有规则 'transit.senior_freeride'"
                                  "(是否应为 'transit.senior_free_ride'?)")
