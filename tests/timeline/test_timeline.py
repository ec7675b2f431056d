"""A person's timeline: the same decisions as ``check`` at the end of every month, changes on
the right day with the right reason, and the command's faces."""

from __future__ import annotations

import json
import pickle
from datetime import date

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import tongcheng
from tongcheng.cli import main
from tongcheng.months import format_month, month_of, parse_month
from tongcheng.situation import load_situation, parse_situation
from tongcheng.testing import situations
from tongcheng.timeline import TimelineError, build, month_end

PACK = tongcheng.bundled_pack()
RECOGNITION = "medical_insurance.contribution_years_recognition"
LOAN = "provident_fund.cross_city_loan"
SENIOR = "transit.senior_free_ride"


def changes_of(timeline, rule_id):
    return [(c.day, c.before.status.value, c.after.status.value, [w.kind for w in c.why])
            for c in timeline.rule(rule_id).changes]


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_the_timeline_equals_check_at_every_month(data):
    raw = data.draw(situations(pack=PACK))
    situation = parse_situation(raw)
    born = situation.person.birth_date if situation.person else None
    first = max(parse_month("2019-06"), month_of(born) + 1 if born else 0)
    assume(first <= parse_month("2026-06"))  # a person born after the months drawn
    start = data.draw(st.integers(first, parse_month("2026-06")), label="start")
    end = data.draw(st.integers(start, min(start + 60, parse_month("2028-12"))), label="end")
    timeline = build(PACK, situation, start, end)
    for month in range(start, end + 1):
        result = tongcheng.evaluate(situation, PACK, as_of=month_end(month))
        for rule in timeline.rules:
            segment = rule.at(month)
            d = result.decision(rule.rule.id)
            assert (segment.first.status, segment.first.firmness) == (d.status, d.firmness), (
                rule.rule.id, format_month(month))
            if month in (segment.start, segment.end):  # the decisions it keeps: whole
                kept = segment.first if month == segment.start else segment.last
                assert kept.outcome == d.outcome and set(kept.missing) == set(d.missing), (
                    rule.rule.id, format_month(month))
    for rule in timeline.rules:  # each change on its day: before and after, as check says
        for change in rule.changes:
            day_before = date.fromordinal(change.day.toordinal() - 1)
            assert tongcheng.evaluate(situation, PACK, as_of=day_before).decision(
                rule.rule.id).status == change.before.status
            assert tongcheng.evaluate(situation, PACK, as_of=change.day).decision(
                rule.rule.id).status == change.after.status
            assert change.why


def test_zones_opening_change_the_recognition_of_a_yantai_worker():
    model = load_situation("examples/recognition-yantai-qingdao.yaml")
    timeline = build(PACK, model, parse_month("2020-01"), parse_month("2030-12"))
    assert changes_of(timeline, RECOGNITION) == [
        (date(2023, 10, 6), "not_applicable", "undetermined", ["zone_opened"]),
        (date(2025, 4, 28), "undetermined", "eligible", ["zone_opened", "test"]),
    ]
    change = timeline.rule(RECOGNITION).changes[1]
    why = change.why[0].to_json("en")
    assert why["zone"] == "jiaodong" and "Jiaodong" in why["text"]
    test = change.why[1].to_json("zh")
    assert test["before"] is None and test["after"] is True and "成员地" in test["text"]
    # segments cover the window without gaps, and the outcome grows while the period runs
    segments = timeline.rule(RECOGNITION).segments
    assert [(format_month(s.start), format_month(s.end), s.first.status.value)
            for s in segments] == [("2020-01", "2023-09", "not_applicable"),
                                   ("2023-10", "2025-03", "undetermined"),
                                   ("2025-04", "2030-12", "eligible")]
    assert segments[-1].first.outcome["recognized_months"] == 304  # 2025-04: to April
    assert segments[-1].last.outcome["recognized_months"] == 305  # paid up to 2025-05


def test_a_person_who_keeps_paying_reaches_the_loan_minimum():
    weihai = parse_situation({
        "as_of": "2025-01-15", "target": "371000",
        "provident_fund": {"periods": [{"place": "371000", "from": "2025-01"}],
                           "balance": 20000, "outstanding_loans": 0,
                           "couple_application": False}})
    timeline = build(PACK, weihai, parse_month("2025-01"), parse_month("2025-12"), rules=[LOAN])
    (day, before, after, why), = changes_of(timeline, LOAN)
    assert (day, before, after) == (date(2025, 6, 1), "ineligible", "eligible")
    assert why[0] == "threshold"  # six months from January: reached on 1 June
    change = timeline.rule(LOAN).changes[0]
    assert change.after.outcome["continuous_months"] == 6
    assert "reached" in change.why[0].text.en and "界限" in change.why[0].text.zh


def test_a_parameter_value_from_a_date_changes_the_decision():
    weihai = parse_situation({
        "as_of": "2023-06-01", "target": "371000",
        "provident_fund": {"periods": [{"place": "370600", "from": "2021-01", "to": "2021-12"},
                                       {"place": "371000", "from": "2022-01"}],
                           "balance": 20000, "outstanding_loans": 0,
                           "couple_application": False}})
    timeline = build(PACK, weihai, parse_month("2022-06"), parse_month("2023-06"), rules=[LOAN])
    (day, before, after, _), = changes_of(timeline, LOAN)
    assert (day, before, after) == (date(2023, 2, 5), "undetermined", "eligible")
    parameter = timeline.rule(LOAN).changes[0].why[0].to_json("en")
    assert parameter["kind"] == "parameter"
    assert parameter["parameter"] == "provident_fund.loan_min_consecutive_months"
    assert (parameter["place"], parameter["before"], parameter["after"]) == ("371000", None, 6)


def test_a_birthday_and_the_29th_of_february():
    # (a 60th birthday of one born on 29 February falls in a leap year: 1964 + 60 = 2024)
    for born, turns in (("1964-05-10", date(2024, 5, 10)), ("1964-02-29", date(2024, 2, 29)),
                        ("1963-02-28", date(2023, 2, 28))):
        person = parse_situation({"as_of": "2022-01-01", "target": "370200",
                                  "person": {"birth_date": born}})
        timeline = build(PACK, person, parse_month("2022-01"), parse_month("2025-12"),
                         rules=[SENIOR])
        (day, before, after, why), = changes_of(timeline, SENIOR)
        assert (day, before, after, why[0]) == (turns, "ineligible", "eligible", "birthday")


def test_windows_that_cannot_be_drawn():
    person = parse_situation({"as_of": "2022-01-01", "person": {"birth_date": "2021-05-01"}})
    with pytest.raises(TimelineError, match="before the person's birth"):
        build(PACK, person, parse_month("2021-01"), parse_month("2022-01"))
    with pytest.raises(TimelineError, match="before 'from'") as empty:
        build(PACK, person, parse_month("2022-01"), parse_month("2021-12"))
    # each face names the bounds its own way: the library's words, the command line's flags
    assert empty.value.field == "to"
    assert empty.value.describe("en", "--from", "--to") == "--to 2021-12 is before --from 2022-01"
    assert empty.value.describe("zh") == "'to' 2021-12 早于 'from' 2022-01"
    again = pickle.loads(pickle.dumps(empty.value))  # (from a worker: both languages kept)
    assert (again.field, again.describe("zh", "--from", "--to")) == (
        "to", "--to 2021-12 早于 --from 2022-01")
    with pytest.raises(KeyError, match="unknown rule"):
        build(PACK, person, parse_month("2022-01"), parse_month("2022-02"), rules=["nope"])


def test_the_command(tmp_path):
    runner = CliRunner()
    args = ["timeline", "examples/recognition-yantai-qingdao.yaml", "--from", "2020-01",
            "--to", "2030-12", "--rule", RECOGNITION]
    table = runner.invoke(main, [*args, "--lang", "en"])
    assert table.exit_code == 0, table.output
    assert "2025-04-28: undetermined → eligible — the rule applies in Jiaodong" in table.output
    strip = table.output.splitlines()[5]
    assert strip.strip() == "·" * 45 + "?" * 18 + "✔" * 69
    zh = runner.invoke(main, [*args])
    assert "2025-04-28: 待定 → 符合" in zh.output and "eligible" not in zh.output
    out = json.loads(runner.invoke(main, [*args, "--format", "json"]).output)
    assert out["months"] == 132 and out["rule_pack"]["digest"] == PACK.info.digest
    rule = out["rules"][0]
    assert len(rule["statuses"]) == 132 and rule["statuses"][-1] == "eligible"
    assert rule["changes"][1]["why"][0]["kind"] == "zone_opened"
    for bad, message in ((["--to", "2019-12"], "before --from"),
                         (["--from", "2020-13"], "not a calendar month")):
        result = runner.invoke(main, [*args, *bad, "--lang", "en"])
        assert result.exit_code == 2 and message in result.output, result.output
    early = runner.invoke(main, [*args, "--to", "2019-12"])
    assert early.exit_code == 2 and "错误: --to 2019-12 早于 --from 2020-01" in early.output
    missing = runner.invoke(main, ["timeline", str(tmp_path / "no.yaml"), "--from", "2020-01",
                                   "--to", "2020-02"])
    assert missing.exit_code == 2 and "没有这个文件" in missing.output
    unknown = runner.invoke(main, [*args, "--rule", "transit.senior_freeride"])
    assert unknown.exit_code == 2 and "是否应为 'transit.senior_free_ride'" in unknown.output


def test_a_pack_defect_ends_the_timeline_in_its_language(tmp_path):
    from pathlib import Path

    conflict = Path(__file__).parents[1] / "packs" / "conflict"
    path = tmp_path / "s.yaml"
    path.write_text('as_of: 2025-06-01\ntarget: "370200"\n')
    args = ["timeline", str(path), "--from", "2025-01", "--to", "2025-03", "--pack",
            str(conflict)]
    zh, en = CliRunner().invoke(main, args), CliRunner().invoke(main, [*args, "--lang", "en"])
    assert zh.exit_code == en.exit_code == 3, zh.output
    assert zh.output.startswith("错误: ") and "同时适用且结论不同" in zh.output
    assert "disagree" not in zh.output
    assert en.output.startswith("error: ") and "both apply and disagree" in en.output
