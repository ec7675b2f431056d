"""``tongcheng replay``: a few thousand generated situations, recorded, are decided again with
the screening evaluator under their own archived pack (every decision reproduced) and under a
changed pack (exactly the transitions the reference evaluator gives, naming the records)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from recordtools import RECOGNITION, sql, synthetic

import tongcheng
from tongcheng.cli import main
from tongcheng.records.replay import replay_bodies, replay_reference, replay_store
from tongcheng.records.store import RecordStore
from tongcheng.testing import situations

SENIOR = "transit.senior_free_ride"


@pytest.fixture(scope="module")
def population():
    return synthetic(2000, seed=7)


@pytest.fixture(scope="module")
def recorded(population):
    """The records of the population, decided once by the reference evaluator."""
    from recordtools import record_of

    pack = tongcheng.bundled_pack()
    return [record_of(s, pack=pack) for s in population]


def _fill(store, records):
    store.archive_pack(tongcheng.bundled_pack())
    for k in range(0, len(records), 500):
        store.write(records[k:k + 500])
    return records


def _changed_pack(tmp_path: Path):
    """The bundled pack with free rides from 65 instead of 60, and 10 working days instead of
    9 to transfer medical insurance."""
    folder = tmp_path / "pack"
    shutil.copytree(tongcheng.bundled_pack_path(), folder)
    transit = folder / "parameters" / "transit.yaml"
    text = transit.read_text(encoding="utf-8")
    assert text.count("value: 60") == 1
    transit.write_text(text.replace("value: 60", "value: 65"), encoding="utf-8")
    medical = folder / "parameters" / "medical_insurance.yaml"
    text = medical.read_text(encoding="utf-8")
    assert text.count("value: 9\n") == 1
    medical.write_text(text.replace("value: 9\n", "value: 10\n"), encoding="utf-8")
    return tongcheng.load_pack(folder)


def test_replay_under_the_archived_pack_reproduces_every_decision(store_url, recorded):
    store = RecordStore.open(store_url)
    records = _fill(store, recorded)
    report = replay_store(store)
    assert report.mode == "own" and report.records == len(records) > 1900
    assert report.decisions == sum(len(r.decisions) for r in records)
    assert report.same == report.decisions, report.to_json(5)
    assert not report.problems and report.to_json()["reproduced"]
    assert report.packs == {tongcheng.bundled_pack().info.digest: len(records)}
    # the reference evaluator agrees on everything, missing facts included
    pack = store.archived(records[0].pack_digest)
    assert all(replay_reference(r, pack) == [] for r in records[::100])
    store.close()


def test_replay_under_a_changed_pack_reports_exactly_the_expected_transitions(
        tmp_path, recorded):
    """The reference evaluator decides the two rules whose parameters changed under the new
    pack; every other rule reads nothing that changed, so no other transition may appear."""
    store = RecordStore.open(str(tmp_path / "r.db"))
    records = _fill(store, recorded)
    changed = _changed_pack(tmp_path)
    expected: Counter = Counter()
    expected_ids: dict = {}
    outcome_changes = set()
    for r in records:
        again = tongcheng.evaluate(dict(r.situation), changed, as_of=r.as_of, trace=False,
                                   rules=[SENIOR, RECOGNITION])
        for d in (r.decision(SENIOR), r.decision(RECOGNITION)):
            now = again.decision(d.rule)
            if now.status.value != d.status:
                key = (d.rule, d.status, now.status.value)
                expected[key] += 1
                expected_ids.setdefault(key, set()).add(r.id)
            elif json.loads(json.dumps(dict(now.outcome), default=float)) != d.outcome:
                outcome_changes.add((d.rule, r.id))
    assert expected[(SENIOR, "eligible", "ineligible")] > 20  # the change does something
    report = replay_store(store, pack=changed, limit=None)
    assert report.mode == "other" and not report.problems
    assert dict(report.transitions) == dict(expected)
    for key, ids in expected_ids.items():
        assert set(report.examples[("status", *key)]) == ids
    assert {(rule, rid) for (kind, rule, *_), found in report.examples.items()
            if kind == "outcome" for rid in found} == outcome_changes
    assert report.outcome_changes[RECOGNITION] == sum(
        1 for r in records if r.decision(RECOGNITION).status == "eligible")
    assert report.same + report.changed == report.decisions
    store.close()


def test_a_recorded_decision_altered_is_a_difference_naming_the_record(tmp_path, recorded):
    store = RecordStore.open(str(tmp_path / "r.db"))
    records = _fill(store, recorded[:30])
    eligible = next(r for r in records if r.decision(SENIOR).status == "eligible")
    body = eligible.body.replace(
        f'"rule":"{SENIOR}","status":"eligible"', f'"rule":"{SENIOR}","status":"ineligible"')
    assert body != eligible.body
    sql(store, "UPDATE records SET body = :b WHERE id = :i", b=body, i=eligible.id)
    report = replay_store(store, from_bodies=True)  # compact columns: test_records_compact
    assert report.problems
    assert dict(report.transitions) == {(SENIOR, "ineligible", "eligible"): 1}
    assert report.examples[("status", SENIOR, "ineligible", "eligible")] == [eligible.id]
    runner = CliRunner()
    result = runner.invoke(main, ["replay", "--records", str(tmp_path / "r.db"), "--lang", "en",
                                  "--from-bodies"])
    assert result.exit_code == 1, result.output
    assert eligible.id in result.output and "ineligible → eligible" in result.output
    store.close()


@settings(max_examples=3, database=None)
@given(st.lists(situations(), min_size=25, max_size=25))
def test_replay_reproduces_generated_situations_with_their_rules_and_dates(people):
    """Situations drawn by ``tongcheng.testing`` (projects, coarse places, edge dates, a rule
    subset now and then) through records and back."""
    from recordtools import record_of

    records = [record_of(s, rules=[SENIOR, RECOGNITION] if k % 7 == 0 else None)
               for k, s in enumerate(people)]
    report = replay_bodies([(r.id, r.body) for r in records],
                           pack_for=lambda _d: tongcheng.bundled_pack())
    assert report.same == report.decisions == sum(len(r.decisions) for r in records)
    assert not report.transitions and not report.problems


def test_replay_under_a_pack_that_fails_ends_with_exit_3_naming_the_rule(tmp_path):
    """A pack defect met while deciding records again (here two exceptions that conflict)
    ends the replay cleanly, in the asked language, as ``check`` and ``compare`` do."""
    conflict = Path(__file__).parents[1] / "packs" / "conflict"
    situation = tmp_path / "s.yaml"
    situation.write_text('as_of: 2025-06-01\ntarget: "370200"\n')
    db = str(tmp_path / "r.db")
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(situation), "--records", db]).exit_code == 0
    zh = runner.invoke(main, ["replay", "--records", db, "--pack", str(conflict)])
    en = runner.invoke(main, ["replay", "--records", db, "--pack", str(conflict), "--lang",
                              "en"])
    assert zh.exit_code == en.exit_code == 3, zh.output
    assert "Traceback" not in zh.output + en.output and zh.exception.__class__ is SystemExit
    assert "test.conflicting_exceptions" in zh.output and "同时适用且结论不同" in zh.output
    assert "both apply and disagree" in en.output
