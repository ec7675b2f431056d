"""triggers.yaml: loaded and checked like the pack, every problem with its file and line."""

from __future__ import annotations

import pytest

from tongcheng.cases.triggers import load_triggers
from tongcheng.errors import PackError
from tongcheng.evaluate.decision import Status

GOOD = """\
- id: pension.certify
  rule: pension.remote_certification
  service: {zh: 认证, en: Certification}
  message: {zh: "{pension_place}", en: "{pension_place}"}
"""


def test_bundled_triggers_load(pack):
    triggers = load_triggers(pack)
    assert len(triggers) >= 5
    assert triggers.digest.startswith("sha256:")
    recognition = triggers.get("medical_insurance.recognition_due")
    assert recognition.deadline.working_days == "processing_limit_working_days"
    assert recognition.on == ("transfer_in",)
    assert recognition.with_ == (("scheme", ("employee_medical",)),)
    assert recognition.fires == "on_event"
    pension = triggers.get("pension.certify_where_living")
    assert pension.on == () and pension.fires == "on_change"
    assert pension.becomes is Status.ELIGIBLE
    assert str(pension.location).startswith("triggers.yaml:")


def test_a_pack_without_triggers_has_none(pack, tmp_path):
    assert len(load_triggers(pack, None)) >= 1
    path = tmp_path / "t.yaml"
    with pytest.raises(PackError, match="missing triggers file"):
        load_triggers(pack, path)


def _load(pack, tmp_path, text):
    path = tmp_path / "triggers.yaml"
    path.write_text(text, encoding="utf-8")
    return load_triggers(pack, path)


def _problem(pack, tmp_path, text):
    with pytest.raises(PackError) as caught:
        _load(pack, tmp_path, text)
    return caught.value.problems


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        ("rule: pension.remote_certification", "rule: pension.remote", "unknown rule"),
        ("  service:", "  on: [moved]\n  service:", "unknown event 'moved'"),
        ("  service:", "  on: moved\n  service:", "unknown event 'moved'"),
        ("  service:", "  on: []\n  service:", "never fires"),
        ('en: "{pension_place}"', 'en: "{pension}"', "placeholder {pension} is not an outcome"),
        ('en: "{pension_place}"', 'en: "{pension_place!r}"', "plain outcome name"),
        ('en: "{pension_place}"', 'en: "{pension_place"', "malformed placeholder"),
        ("  service:", "  deadline: {working_days: 9}\n  service:", "never a constant"),
        ("  service:", "  deadline: {working_days: months}\n  service:", "is not an outcome"),
        ("  service:", "  becomes: ineligible\n  deadline: {working_days: pension_place}\n"
         "  service:", "needs 'becomes: eligible'"),
        ("  service:", "  becomes: granted\n  service:", "Input should be"),
        ("  service:", "  fires: on_event\n  service:", "needs the events listed"),
        ("  service:", "  colour: red\n  service:", "unknown key"),
        ("  service:", "  where: [{outcome: pension, op: '==', value: x}]\n  service:",
         "'pension' is not an outcome"),
        ("  service:", "  where: [{outcome: pension_place, op: '>', value: x}]\n  service:",
         "compares numbers only"),
        ("  service:", "  where: [{outcome: pension_place, op: in, value: []}]\n  service:",
         "non-empty list"),
        ("  service:", "  where: [{outcome: pension_place, op: in, value: [a, 1]}]\n"
         "  service:", "all be numbers or all strings"),
        ("  service:", "  where: [{outcome: pension_place, op: '==', value: [a]}]\n"
         "  service:", "single value"),
        ("  service:", "  with: {scheme: pension}\n  service:", "list them in 'on'"),
        ("  service:", "  on: [move]\n  with: {scheme: pension}\n  service:",
         "has no field 'scheme'"),
        ("  service:", "  on: [transfer_in]\n  with: {scheme: pensions}\n  service:",
         "'pensions'"),
    ],
)
def test_problems_name_file_and_line(pack, tmp_path, old, new, expect):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    problems = _problem(pack, tmp_path, text)
    messages = " | ".join(message for _, message in problems)
    assert expect in messages
    location = problems[0].where
    assert location.file.endswith("triggers.yaml")
    # reported on a line that was written for this test, not at the entry or the file
    written = [line.strip() for line in new.strip().splitlines() if line.strip() != "service:"]
    assert location.line in {_line(text, line) for line in written}, location


def test_duplicate_ids_and_yaml_errors(pack, tmp_path):
    problems = _problem(pack, tmp_path, GOOD + GOOD)
    assert any("defined twice" in m for _, m in problems)
    assert problems[0].where.line == GOOD.count("\n") + 1
    problems = _problem(pack, tmp_path, "- id: [unclosed\n")
    assert "not valid YAML" in problems[0].message and problems[0].where.line is not None
    problems = _problem(pack, tmp_path, "id: x\n")
    assert "expected a list of triggers" in problems[0].message


def test_every_problem_is_reported_at_once(pack, tmp_path):
    text = GOOD.replace("pension.remote_certification", "nope") + GOOD.replace(
        "pension.certify", "other").replace("{pension_place}", "{x}")
    problems = _problem(pack, tmp_path, text)
    assert len(problems) >= 3
    lines = [loc.line for loc, _ in problems]
    assert lines == sorted(lines) and lines[0] < lines[-1]


def test_where_and_with_compile(pack, tmp_path):
    triggers = _load(pack, tmp_path, GOOD.replace("  service:", (
        "  on: [transfer_in, retirement]\n"
        "  where: [{outcome: pension_place, op: in, value: ['370600', '370700', '370600']}]\n"
        "  service:")))
    (t,) = triggers
    assert t.on == ("transfer_in", "retirement")
    assert t.where[0].value == ("370600", "370700") and t.where[0].kind == "string"
