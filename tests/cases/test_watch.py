"""``tongcheng watch``: a JSON Lines stream of events, one case per subject, notifications out.

The stream's output is exactly what the cases give when driven directly; a malformed line is
reported with its line number and skipped, the others kept; closed and idle cases are dropped;
two streams watched from two threads give what they give one after the other.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tongcheng.cases import Case, CaseStore, load_triggers
from tongcheng.cases.watch import Rejected, Watcher, watch_stream
from tongcheng.cli import main

ROOT = Path(__file__).resolve().parents[2]
CONFLICT_PACK = ROOT / "tests" / "packs" / "conflict"

RETIREE = {
    "target": "370600",
    "person": {"birth_date": "1962-04-01", "sex": "male", "employment": "retired",
               "retired_on": "2022-04-01", "pension_place": "370600", "lives_in": "370600"},
    "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "1990-01"}],
}
WORKER = {"target": "370600", "insurance": [
    {"scheme": "employee_medical", "place": "370600", "from": "2010-01"},
    {"scheme": "pension", "place": "370600", "from": "2010-01"}]}

# (subject, on, action, payload): the story of two people, interleaved
STORY = [
    ("王", "2025-05-06", "open", RETIREE),
    ("孙", "2025-09-01", "open", WORKER),
    ("王", "2025-06-03", "event", {"type": "move", "to": "371000"}),
    ("孙", "2025-09-30", "event", {"type": "transfer_in", "scheme": "employee_medical",
                                   "to": "370200"}),
    ("王", "2025-07-01", "event", {"type": "hospital_admission", "hospital": "370200"}),
    ("王", "2025-07-02", "facts", {"person": {"sex": "male"}}),
    (None, None, "advance_to", "2025-10-20"),
    ("孙", None, "advance_to", "2025-10-22"),
    ("王", None, "close", True),
    ("孙", "2025-10-23", "event", {"type": "move", "to": "371000"}),
]


def line(subject, on, action, payload) -> str:
    data = {}
    if subject is not None:
        data["subject"] = subject
    if on is not None:
        data["on"] = on
    data[action] = payload
    return json.dumps(data, ensure_ascii=False)


def run(lines, **kwargs):
    out, rejects = [], []
    stats = watch_stream(lines, out.append, rejects.append, **kwargs)
    return out, rejects, stats


def direct(story, pack, lang="zh"):
    """What the cases give, driven one by one through the Case API, as watch writes it."""
    store, cases, out = CaseStore(), {}, []
    triggers = load_triggers(pack)

    def records(number, subject, update):
        head = {"line": number, "subject": subject, "case": update.case}
        return ([{"type": "notification", **head, **n.to_json(lang)}
                 for n in update.notifications]
                + [{"type": "alert", **head, **a.to_json(lang)} for a in update.alerts])

    for number, (subject, on, action, payload) in enumerate(story, start=1):
        if action == "open":
            cases[subject] = Case.open(subject, payload, on=date.fromisoformat(on), pack=pack,
                                       triggers=triggers, store=store)
            out += records(number, subject, cases[subject].opening)
        elif action == "event":
            out += records(number, subject, cases[subject].record({**payload, "on": on}))
        elif action == "facts":
            update = cases[subject].update(payload, on=date.fromisoformat(on))
            out += records(number, subject, update)
        elif action == "advance_to":
            day = date.fromisoformat(payload)
            for s in [subject] if subject else list(cases):
                if cases[s].clock < day:
                    out += records(number, s, cases[s].advance_to(day))
        elif action == "close":
            cases.pop(subject).close()
    return out


# --- the stream gives what the cases give --------------------------------------------------------


def test_a_stream_gives_what_the_cases_give(pack):
    out, rejects, stats = run([line(*step) for step in STORY], pack=pack)
    assert rejects == []
    assert out == direct(STORY, pack)
    kinds = [(r["subject"], r["type"], r.get("trigger") or r.get("kind")) for r in out]
    assert ("王", "notification", "pension.certify_where_living") in kinds
    assert ("王", "notification", "medical.direct_settlement_at_hospital") in kinds
    assert ("孙", "notification", "medical_insurance.recognition_due") in kinds
    assert ("孙", "alert", "due") in kinds and ("孙", "alert", "overdue") in kinds
    due = next(r for r in out if r.get("kind") == "due")
    assert due["line"] == 7 and due["deadline"]["due"] == "2025-10-20"
    assert (stats.opened, stats.closed, stats.open, stats.rejected) == (2, 1, 1, 0)
    assert stats.notifications == sum(r["type"] == "notification" for r in out)


def test_changes_on_request(pack):
    story = [STORY[0], STORY[2]]
    out, _, stats = run([line(*s) for s in story], pack=pack, changes=True, lang="en")
    changes = [r for r in out if r["type"] == "change"]
    opened = Case.open("王", RETIREE, on=date(2025, 5, 6), pack=pack)
    # the opening reports its first decisions once, not as 26 "newly determined" changes
    assert [c for c in changes if c["line"] == 1] == []
    first = [r for r in out if r["type"] == "opened"]
    assert len(first) == 1 and first[0]["line"] == 1 and first[0]["on"] == "2025-05-06"
    assert [(d["rule"], d["status"]) for d in first[0]["decisions"]] == \
        [(d.rule, d.status.value) for d in opened.decisions]
    moved = [c for c in changes if c["line"] == 2]
    assert any(c["rule"] == "pension.remote_certification" and "newly_eligible" in c["kinds"]
               for c in moved)
    assert moved[0]["event"] == "move" and moved[0]["as_of"] == "2025-06-03"
    assert stats.changes == len(changes)
    note = next(r for r in out if r["type"] == "notification")
    assert note["message"].startswith("Your pension is paid by Yantai")


def test_a_backdated_events_change_is_stamped_with_the_events_date(pack):
    """The move happened on 2025-06-03 but reaches the stream after the clock moved on to
    2025-07-02: the change it causes is dated 2025-06-03 (the case's clock stays)."""
    story = [STORY[0], ("王", "2025-07-02", "facts", {"person": {"sex": "male"}}),
             ("王", "2025-06-03", "event", {"type": "move", "to": "371000"})]
    out, rejects, _ = run([line(*s) for s in story], pack=pack, changes=True)
    assert rejects == []
    moved = [r for r in out if r["type"] == "change" and r["line"] == 3]
    assert moved and {r["on"] for r in moved} == {"2025-06-03"}
    assert {r["as_of"] for r in moved} == {"2025-07-02"}


def test_an_event_may_carry_its_own_date(pack):
    event = {"subject": "王", "event": {"type": "move", "to": "371000", "on": "2025-06-03"}}
    out, rejects, _ = run([line(*STORY[0]), json.dumps(event)], pack=pack)
    assert rejects == []
    assert [r["on"] for r in out if r["line"] == 2] == ["2025-06-03"]


# --- malformed lines ---------------------------------------------------------------------------

BAD = [
    ("not json", "not JSON"),
    ('["a list"]', "expected a JSON object"),
    ('{"subject": "王", "on": "2025-06-01", "facts": {}, "mood": "happy"}', "unknown key 'mood'"),
    ('{"subject": "王", "on": "2025-06-01"}', "no action"),
    ('{"subject": "王", "on": "2025-06-01", "facts": {}, "close": true}',
     "more than one action (facts, close)"),
    ('{"subject": "nobody", "on": "2025-06-01", "event": {"type": "move", "to": "371000"}}',
     "subject nobody has no open case"),
    ('{"subject": "王", "on": "2025-06-01", "facts": {"person": {"sex": "x"}}}', "person.sex"),
    ('{"subject": "王", "on": "2025-06-01", "event": {"type": "fly", "to": "371000"}}',
     "expected an event type, one of: transfer_in"),
    ('{"subject": "王", "on": "2025-06-01", "event": {"type": "move", "to": "999999"}}',
     "event.to"),
    ('{"subject": "王", "on": "2025-06-01", "event": {"type": "card_issued", "kind": "transit", '
     '"issuer": "370700"}}', "cards: unknown, so a card cannot be added"),
    ('{"subject": "王", "on": "2025-06-01", "open": {}}', "already has an open case"),
    ('{"subject": "王", "advance_to": "2025-01-01"}', "cannot go back"),
    ('{"subject": "王", "close": "yes"}', "close: expected true"),
    ('{"subject": "王", "on": "2025-06-01", "event": {"type": "move", "to": "371000", '
     '"on": "2025-06-02"}}', "differ"),
    ('{"subject": "王", "on": "2025-13-01", "facts": {}}', "not a calendar date"),
    ('{"subject": "王", "on": 20250601, "facts": {}}', "expected a date as YYYY-MM-DD"),
    ('{"subject": 7, "on": "2025-06-01", "facts": {}}', "subject: expected a non-empty string"),
    ('{"on": "2025-06-01", "facts": {}}', "subject: required for facts"),
    ('{"subject": "李", "open": {"target": "370600"}}', "needs a date"),
    ('{"subject": "李", "on": "2025-06-01", "open": {"as_of": "2025-06-01", "bogus": 1}}',
     "bogus"),
    (b'{"subject": "\xff"}', "not UTF-8"),
]


def test_malformed_lines_are_reported_with_their_number_and_the_others_kept(pack):
    good = [line(*step) for step in STORY]
    stream: list[str | bytes] = [good[0]]
    expected = {}
    for text, reason in BAD:
        stream.append(text)
        expected[len(stream)] = reason
    stream += ["", "   ", *good[1:]]  # blank lines are skipped, not rejected
    out, rejects, stats = run(stream, pack=pack, lang="en")
    assert [r["line"] for r in rejects] == list(expected)
    for r in rejects:
        assert expected[r["line"]] in r["reason"], r
        assert "\n" not in r["reason"]
    assert stats.rejected == len(BAD)
    assert next(r for r in rejects if "nobody" in r["reason"])["subject"] == "nobody"
    # the good lines give what they give alone, under their own line numbers
    shift = len(BAD) + 2
    clean = direct(STORY, pack, lang="en")
    for r in clean:
        r["line"] += shift if r["line"] > 1 else 0
    assert out == clean


def test_a_rejected_step_leaves_the_case_as_it_was(pack):
    watcher = Watcher(pack)
    watcher.feed(1, line(*STORY[0]))
    before = watcher.case("王").facts
    with pytest.raises(Rejected):
        watcher.feed(2, '{"subject": "王", "on": "2025-06-01", "event": {"type": "card_issued",'
                        ' "kind": "transit", "issuer": "370700"}}')
    assert watcher.case("王").facts == before and watcher.case("王").clock == date(2025, 5, 6)


# --- close and idle ------------------------------------------------------------------------------


def test_closed_cases_are_dropped(small_pack):
    lines = []
    for i in range(30):
        lines += [line(f"p{i}", "2025-05-06", "open", RETIREE), line(f"p{i}", None, "close", True)]
    watcher = Watcher(small_pack)
    for number, text in enumerate(lines, start=1):
        watcher.feed(number, text)
    assert len(watcher.store) == 0 and watcher.subjects == ()
    assert watcher.stats.opened == watcher.stats.closed == 30
    # a closed subject may open again
    assert watcher.feed(99, line("p0", "2025-06-01", "open", RETIREE)) is not None
    assert watcher.subjects == ("p0",)


def test_idle_cases_are_dropped_by_the_streams_dates(small_pack):
    lines = [
        line("a", "2025-01-02", "open", RETIREE),
        line("b", "2025-01-20", "open", RETIREE),
        line("b", "2025-02-10", "event", {"type": "move", "to": "371000"}),  # a idle 39 days
        line("a", "2025-02-11", "event", {"type": "move", "to": "371000"}),
        line("c", "2025-02-12", "open", RETIREE),
    ]
    out, rejects, stats = run(lines, pack=small_pack, idle_days=30, lang="en")
    dropped = [r for r in out if r["type"] == "dropped"]
    assert dropped == [{"type": "dropped", "line": 3, "subject": "a", "case": "case-1",
                        "reason": "idle", "idle_since_before": "2025-01-11"}]
    assert [(r["line"], r["subject"]) for r in rejects] == [(4, "a")]
    assert "dropped as idle" in rejects[0]["reason"]
    assert (stats.dropped, stats.open) == (1, 2)
    # without --idle-days nothing is dropped
    out, rejects, stats = run(lines, pack=small_pack)
    assert not rejects and stats.open == 3 and not [r for r in out if r["type"] == "dropped"]


def test_a_subject_idle_too_long_may_open_again(small_pack):
    lines = [line("a", "2025-01-02", "open", RETIREE), line("a", "2025-03-02", "open", RETIREE)]
    _, rejects, stats = run(lines, pack=small_pack, idle_days=10)
    assert not rejects and stats.opened == 2 and stats.dropped == 1


# --- threads ------------------------------------------------------------------------------------


def _stream(seed: int, n: int = 12) -> list[str]:
    places = ["371000", "370200", "370700", "370100", "370682"]
    lines = []
    for i in range(n):
        s = f"s{seed}-{i}"
        lines.append(line(s, "2025-05-06", "open", RETIREE))
        lines.append(line(s, "2025-06-03", "event",
                          {"type": "move", "to": places[(i + seed) % len(places)]}))
        lines.append(line(s, "2025-09-30", "event", {"type": "transfer_in",
                     "scheme": "employee_medical", "to": places[(i * seed + 1) % len(places)]}))
        if i % 3 == 0:
            lines.append(line(s, "2025-10-01", "event", {"type": "fly"}))  # rejected
        lines.append(line(s, None, "advance_to", "2025-10-22"))
        lines.append(line(s, None, "close", True))
    return lines


def test_two_streams_in_two_threads_give_their_sequential_results(small_pack):
    streams = [_stream(1), _stream(2)]
    sequential = [run(s, pack=small_pack)[:2] for s in streams]
    assert all(out and rejects for out, rejects in sequential)
    results: list = [None, None]

    def worker(i: int) -> None:
        results[i] = run(streams[i], pack=small_pack)[:2]

    for _ in range(2):
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == sequential


# --- the command ---------------------------------------------------------------------------------


def invoke(*args, stdin=None):
    return CliRunner().invoke(main, ["watch", *map(str, args)], input=stdin,
                              catch_exceptions=False)


def test_command_reads_stdin_and_writes_stdout(pack):
    stream = "\n".join(line(*step) for step in STORY) + "\n"
    result = invoke("-", stdin=stream)
    assert result.exit_code == 0, result.stderr
    out = [json.loads(t) for t in result.stdout.splitlines()]
    assert out == direct(STORY, pack)
    assert "已处理 10 行" in result.stderr and "拒收 0 行" in result.stderr  # Chinese by default


def test_command_file_output_and_rejects(tmp_path, pack):
    events = tmp_path / "events.jsonl"
    events.write_text(line(*STORY[0]) + "\nnot json\n" + line(*STORY[2]) + "\n",
                      encoding="utf-8")
    result = invoke(events, "-o", tmp_path / "out.jsonl", "--lang", "en")
    assert result.exit_code == 1
    assert "line 2: not JSON" in result.stderr
    out = [json.loads(t) for t in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [r["trigger"] for r in out] == ["pension.certify_where_living"]
    assert result.stdout == ""
    result = invoke(events, "-o", tmp_path / "out.jsonl", "--rejects", tmp_path / "rej.jsonl",
                    "--lang", "en")
    assert result.exit_code == 1 and "line 2:" not in result.stderr
    rejects = [json.loads(t) for t in (tmp_path / "rej.jsonl").read_text("utf-8").splitlines()]
    assert rejects == [{"line": 2, "reason": "not JSON: Expecting value (column 1)"}]


def test_command_progress_lines(tmp_path, small_pack):
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(_stream(3, 2)) + "\n", encoding="utf-8")
    result = invoke(events, "--progress", "4", "--pack", small_pack.root, "-o", tmp_path / "o")
    assert result.exit_code == 1  # one line rejected
    progress = [json.loads(t) for t in result.stderr.splitlines() if t.startswith("{")]
    assert [p["progress"] for p in progress] == [4, 8, 11]
    assert all(p["max_rss_mb"] > 0 for p in progress) and progress[-1]["open"] == 0


def test_command_exit_codes(tmp_path):
    assert invoke(tmp_path / "missing.jsonl").exit_code == 2
    assert invoke().exit_code == 2
    assert invoke("-", "--idle-days", "-1", stdin="").exit_code == 2
    result = invoke("-", "--pack", tmp_path, stdin="")
    assert result.exit_code == 3 and "规则包载入失败" in result.stderr
    result = invoke("-", "--pack", tmp_path, "--lang", "en", stdin="")
    assert result.exit_code == 3 and "rule pack failed to load" in result.stderr
    bad = tmp_path / "triggers.yaml"
    bad.write_text("- id: x\n  rule: no.such_rule\n", encoding="utf-8")
    result = invoke("-", "--triggers", bad, stdin="")
    assert result.exit_code == 3 and "triggers.yaml" in result.stderr
    # a rule conflict met in the stream is a defect of the pack: exit 3, naming the line
    stream = (line("x", "2025-06-01", "open", {"target": "370100"}) + "\n"
              + line("y", "2025-06-01", "open", {"target": "370200"}) + "\n")
    result = invoke("-", "--pack", CONFLICT_PACK, stdin=stream)
    assert result.exit_code == 3 and "第 2 行:" in result.stderr and "同时适用" in result.stderr
    assert "disagree" not in result.stderr  # the default language, Chinese throughout
    result = invoke("-", "--pack", CONFLICT_PACK, "--lang", "en", stdin=stream)
    assert result.exit_code == 3 and "line 2:" in result.stderr
    assert "Traceback" not in result.output
    assert invoke("-", stdin="").exit_code == 0


def test_importing_the_cli_does_not_import_durable_rules():
    code = ("import sys, tongcheng.cli; "
            "print(sorted(m for m in sys.modules "
            "if m.startswith(('durable', 'chinese_calendar'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_watcher_keeps_only_the_last_step_of_each_case(small_pack):
    watcher = Watcher(small_pack)
    for number, text in enumerate(_stream(4, 1)[:3], start=1):
        watcher.feed(number, text)
    case = watcher.case("s4-0")
    assert [u.event for u in case.history] == ["transfer_in"]
    assert case.evaluation is case.history[-1].evaluation
    full = CaseStore()
    kept = Case.open("x", RETIREE, on=date(2025, 5, 6), pack=small_pack, store=full)
    kept.record({"type": "move", "to": "371000", "on": "2025-06-03"})
    assert [u.event for u in kept.history] == ["opened", "move"]


def test_the_readme_example(pack):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("**`tongcheng watch EVENTS`**"):]
    stream = [t for t in section[:section.index("- **Lines.**")].splitlines()
              if t.startswith('{"subject": "王"') or t.startswith('{"advance_to"')]
    assert len(stream) == 6
    out, rejects, _ = run(stream, pack=pack)
    assert not rejects
    assert [(r["line"], r.get("trigger") or r.get("kind")) for r in out] == [
        (2, "pension.certify_where_living"), (4, "medical_insurance.recognition_due"),
        (5, "overdue")]
    assert out[1]["deadline"]["due"] == "2025-10-20"


def test_a_case_that_cannot_move_with_the_others_is_named_and_the_others_move(
        small_pack, monkeypatch):
    from tongcheng.errors import Problem, SituationError

    advance = Case.advance_to

    def refuse_a(case, day):
        if case.subject == "a":
            raise SituationError([Problem("as_of", "refused for the test")])
        return advance(case, day)

    monkeypatch.setattr(Case, "advance_to", refuse_a)
    lines = [line(s, "2025-05-06", "open", RETIREE) for s in "ab"] + ['{"advance_to": '
                                                                    '"2025-06-01"}']
    watcher = Watcher(small_pack)
    for number, text in enumerate(lines, start=1):
        records = watcher.feed(number, text)
    assert records == [{"type": "rejected", "line": 3, "subject": "a",
                        "reason": "as_of: refused for the test"}]
    assert watcher.case("a").clock == date(2025, 5, 6)
    assert watcher.case("b").clock == date(2025, 6, 1)
    out, rejects, stats = run(lines, pack=small_pack)
    assert rejects == [{"line": 3, "subject": "a", "reason": "as_of: refused for the test"}]
    assert stats.rejected == 1 and not [r for r in out if r["type"] == "rejected"]


def test_rejected_events_are_said_in_the_stream_language(pack):
    """An event that cannot be applied is rejected in the stream's language: Chinese by
    default, with no English sentence; English with ``lang="en"``."""
    from test_languages import foreign
    from tongcheng.cases.events import EVENT_TYPES
    from tongcheng.cases.watch import KEYS

    stream = [line(*STORY[0]),
              line("王", "2025-06-01", "event", {"type": "card_issued", "kind": "transit",
                                                  "issuer": "370700"}),
              line("王", "2025-06-01", "event", {"type": "fly", "to": "371000"}),
              line("王", "2025-06-01", "event", {"type": "move", "to": "371000", "why": 1}),
              line("王", "2025-06-01", "event", {"type": "move"}),
              line("王", "2025-06-01", "event", {"type": "move", "to": "999999"})]
    _, rejects, _ = run(stream, pack=pack)
    reasons = [r["reason"] for r in rejects]
    assert [r["line"] for r in rejects] == [2, 3, 4, 5, 6]
    assert reasons[0].startswith("cards: 未知(尚未给出),因此无法向其中加入新卡")
    assert "应为以下事件类型之一" in reasons[1]
    assert "event.why: 未知的键" in reasons[2] and "event.to: 缺少必填的键" in reasons[3]
    assert "event.to: 未知的地区代码 '999999'" in reasons[4]
    for reason in reasons:
        names = (*KEYS, "type", *EVENT_TYPES)  # keys and event types, as written
        assert not [w for w in foreign(reason, "zh") if w not in names], reason
    _, rejects, _ = run(stream, pack=pack, lang="en")
    assert rejects[0]["reason"].startswith("cards: unknown, so a card cannot be added")
    assert "event.to: required key is missing" in rejects[3]["reason"]


def test_rejects_and_the_closing_line_speak_chinese_by_default(tmp_path):
    """Chinese is the default: a reject's reason and the summary say no English words."""
    from test_languages import foreign

    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([
        "not json", '{"subject": "甲"}', '{"subject": "乙", "close": true}',
        '{"subject": "甲", "on": "2025-13-01", "open": {}}',
        '{"subject": "甲", "bogus": 1, "close": true}']) + "\n", encoding="utf-8")
    result = invoke(events, "-o", tmp_path / "out.jsonl", "--rejects", tmp_path / "rej.jsonl")
    assert result.exit_code == 1
    rejects = [json.loads(t) for t in (tmp_path / "rej.jsonl").read_text("utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [1, 2, 3, 4, 5]
    reasons = [r["reason"] for r in rejects]
    assert reasons[0].startswith("不是 JSON") and "没有动作" in reasons[1]
    assert "没有未结的案件" in reasons[2] and "不是日历上的日期" in reasons[3]
    assert "未知的键" in reasons[4]
    from tongcheng.cases.watch import KEYS

    for text in [*reasons, result.stderr]:  # the keys of a line are names, as written
        assert not [w for w in foreign(text, "zh") if w not in KEYS], text
    assert "拒收 5 行" in result.stderr
