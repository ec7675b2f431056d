"""Schema 0003's compact copies (each record's situation bytes and asked rules, each decision's
outcome JSON): written at append time, backfilled by the migration for a store of the previous
schema, proven by ``records verify`` to match the bodies, and what ``replay`` reads — with the
very same report as replaying from the bodies (``--from-bodies``)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from recordtools import RECOGNITION, record_of, sql, synthetic, write_as_before
from test_records_replay import SENIOR, _changed_pack, _fill

import tongcheng
from tongcheng.cli import main
from tongcheng.records import schema
from tongcheng.records.record import situation_text
from tongcheng.records.replay import replay_store
from tongcheng.records.store import (
    RecordStore,
    compact_columns,
    connect,
    current_revision,
    head_revision,
    migrate,
)
from tongcheng.records.verify import verify_store


@pytest.fixture(scope="module")
def recorded():
    """Records of 300 synthetic residents, some asking for two rules only."""
    pack = tongcheng.bundled_pack()
    return [record_of(s, pack=pack, rules=[SENIOR, RECOGNITION] if k % 9 == 0 else None)
            for k, s in enumerate(synthetic(300, seed=11))]


def _same_reports(a, b) -> None:
    left, right = a.to_json(), b.to_json()
    for data in (left, right):
        data.pop("seconds"), data.pop("phases"), data.pop("source")
    assert left == right


def _lines(decided: str) -> dict[str, list[str]]:
    return {line.split("\t")[0]: line.split("\t")[1:] for line in decided.split("\n")}


def test_compact_columns_are_written_with_each_record(store_url, recorded):
    store = RecordStore.open(store_url)
    records = _fill(store, recorded[:40])
    r = schema.records.c
    with store.engine.connect() as conn:
        rows = {row.id: row for row in conn.execute(sa.select(r.id, r.situation, r.rules,
                                                              r.decided))}
    for record in records:
        row = rows[record.id]
        assert row.situation == situation_text(record.body)  # the body's own bytes
        asked = json.loads(row.rules) if row.rules is not None else None
        assert asked == (list(record.rules) if record.rules is not None else None)
        lines = _lines(row.decided)
        assert list(lines) == [d.rule for d in record.decisions]
        for decision in record.decisions:
            status, firmness, outcome = lines[decision.rule]
            assert (status, firmness) == (decision.status, decision.firmness)
            assert (json.loads(outcome) if outcome else {}) == decision.outcome
    recognized = [_lines(rows[x.id].decided)[RECOGNITION][2] for x in records
                  if x.decision(RECOGNITION).status == "eligible"]
    assert recognized and all('"recognized_months":' in o for o in recognized)
    store.close()


def test_replay_from_the_compact_columns_equals_replay_from_the_bodies(store_url, recorded,
                                                                       tmp_path):
    store = RecordStore.open(store_url)
    _fill(store, recorded)
    own = replay_store(store, chunk_size=128)  # several chunks
    assert own.source == "compact" and own.records == len(recorded)
    assert own.same == own.decisions == sum(len(r.decisions) for r in recorded)
    assert not own.problems
    _same_reports(own, replay_store(store, from_bodies=True))
    changed = _changed_pack(tmp_path)
    other = replay_store(store, pack=changed, limit=None, chunk_size=100)
    assert other.transitions[(SENIOR, "eligible", "ineligible")] > 3
    _same_reports(other, replay_store(store, pack=changed, limit=None, from_bodies=True))
    store.close()


def test_the_decided_text_made_from_the_screening_result_is_the_one_recorded(recorded,
                                                                             tmp_path):
    """Replay compares each record's ``decided`` text whole with the text the screening
    evaluator's decisions would be written as; a record is split into decisions only when the
    two differ. They differ only where the recorded outcome holds a null the columns cannot
    tell from a value left out (and such a record is then compared decision by decision)."""
    from tongcheng.records.replay import _engine, _report
    from tongcheng.records.replay_compact import compact_chunks, expected_decided
    from tongcheng.records.replay_layout import population, situations_of

    store = RecordStore.open(str(tmp_path / "r.db"))
    _fill(store, recorded)
    report = _report(None, 5, "compact")
    (digest, chunk), = list(compact_chunks(store, None, report, True, 10_000))
    engine = _engine(store.archived(digest))
    result = engine.evaluate(population(chunk), situations_of(chunk)).sort("_row")
    text, count = expected_decided(engine, result, chunk.asked)
    by_id = {r.id: r for r in recorded}
    whole = 0
    for k, record_id in enumerate(chunk.ids):
        record = by_id[record_id]
        assert count[k] == len(record.decisions)
        if text[k] == chunk.decided[k]:
            whole += 1
            continue
        made, kept = text[k].split("\n"), chunk.decided[k].split("\n")
        assert len(made) == len(kept)
        for a, b in zip(made, kept, strict=True):
            assert a == b or (":null" in b and a.split("\t")[:3] == b.split("\t")[:3]), (a, b)
    assert whole > 0.95 * len(recorded)
    subsets = [k for k, a in enumerate(chunk.asked) if a is not None]
    assert subsets and all(text[k] == chunk.decided[k] for k in subsets)
    store.close()


def test_a_tampered_compact_column_fails_verify_and_replay_names_it(store_url, recorded):
    store = RecordStore.open(store_url)
    records = _fill(store, recorded[:60])
    store.seal()
    assert verify_store(store).ok
    eligible = [r for r in records if r.decision(SENIOR).status == "eligible"]
    flipped, reworded, moved = eligible[0], records[1], records[2]
    target = next(r for r in records[3:] if r.decision(RECOGNITION).outcome
                  and r not in (flipped, reworded, moved))
    replace = "UPDATE records SET decided = replace(decided, :a, :b) WHERE id = :i"
    sql(store, replace, a=f"{SENIOR}\teligible\t", b=f"{SENIOR}\tineligible\t", i=flipped.id)
    sql(store, replace, a='"recognized_months":', b='"recognized_months":1', i=target.id)
    sql(store, "UPDATE records SET situation = replace(situation, '\"sex\"', '\"sex\" ') "
               "WHERE id = :i", i=reworded.id)
    sql(store, "UPDATE records SET rules = :r WHERE id = :i", r=json.dumps([SENIOR]),
        i=moved.id)
    report = verify_store(store)
    named = {f.record for f in report.findings if f.kind == "columns"}
    assert named == {flipped.id, target.id, reworded.id, moved.id}, report.to_json()
    by_record = {f.record: f.message for f in report.findings}
    assert "decided" in by_record[target.id] and "situation" in by_record[reworded.id]
    assert "rules" in by_record[moved.id]

    compact = replay_store(store)  # the copies say something else: replay shows it
    assert compact.problems
    assert compact.transitions[(SENIOR, "ineligible", "eligible")] == 1
    assert compact.examples[("status", SENIOR, "ineligible", "eligible")] == [flipped.id]
    assert compact.examples[("outcome", RECOGNITION)] == [target.id]
    assert ("situation_digest" in {p for i, p in compact.integrity if i == reworded.id})
    bodies = replay_store(store, from_bodies=True)  # the bodies are intact
    assert not bodies.problems and bodies.same == bodies.decisions
    store.close()


def _previous_schema_store(url: str, records) -> None:
    """A store at schema 0002 holding ``records``, written as that schema's code wrote them."""
    engine = connect(url)
    migrate(engine, "0002")
    assert current_revision(engine) == "0002"
    write_as_before(engine, records)
    RecordStore(engine).archive_pack(tongcheng.bundled_pack())
    engine.dispose()


def test_migration_backfills_the_compact_columns_of_existing_records(store_url, recorded):
    records = recorded[:120]
    _previous_schema_store(store_url, records)
    store = RecordStore.open(store_url)  # opening migrates to 0003 (backfills), then on
    assert current_revision(store.engine) == head_revision()
    r = schema.records.c
    with store.engine.connect() as conn:
        rows = {row.id: tuple(row)[1:] for row in conn.execute(
            sa.select(r.id, r.situation, r.rules, r.decided))}
    for record in records:
        assert rows[record.id] == tuple(compact_columns(record).values())
    assert "decisions" not in sa.inspect(store.engine).get_table_names()  # now in `decided`
    store.seal()
    assert verify_store(store).ok
    own = replay_store(store)
    assert own.same == own.decisions == sum(len(x.decisions) for x in records)
    assert not own.problems
    _same_reports(own, replay_store(store, from_bodies=True))
    store.close()


def test_replay_command_says_what_it_compared_with(tmp_path, recorded):
    path = str(tmp_path / "r.db")
    store = RecordStore.open(path)
    _fill(store, recorded[:20])
    store.close()
    runner = CliRunner()
    compact = runner.invoke(main, ["replay", "--records", path, "--lang", "en"])
    assert compact.exit_code == 0, compact.output
    assert "compact columns (records verify proves they match the bodies" in compact.output
    bodies = runner.invoke(main, ["replay", "--records", path, "--from-bodies",
                                  "--format", "json"])
    assert bodies.exit_code == 0, bodies.output
    assert json.loads(bodies.output)["source"] == "bodies"
    zh = runner.invoke(main, ["replay", "--records", path])
    assert "紧凑列" in zh.output and "compact" not in zh.output


def test_reading_ahead_raises_the_readers_error_and_stops_with_the_caller(recorded):
    """Replay reads the next chunk in a thread while one is decided: an error while reading
    reaches the caller (after the chunks read before it), and a caller that stops closes the
    reading (its connection returned)."""
    from tongcheng.records.replay import _report
    from tongcheng.records.replay_compact import Chunk
    from tongcheng.records.replay_layout import read_ahead

    records = recorded[:5]
    chunk = Chunk([r.id for r in records], asked=[None] * 5,
                  texts=[situation_text(r.body) for r in records],
                  as_of=[r.as_of.isoformat() for r in records])
    closed = []

    def chunks():
        try:
            yield None, chunk
            yield None, chunk
            raise ValueError("the store went away")
        finally:
            closed.append(True)

    report = _report(None, 5, "compact")
    got = []
    with pytest.raises(ValueError, match="the store went away"):
        for _key, read, population in read_ahead(chunks(), report):
            got.append((read, population.persons.height))
    assert got == [(chunk, 5), (chunk, 5)] and closed == [True]
    assert report.phases["layout"] > 0
    closed.clear()
    reading = read_ahead(chunks(), report)
    next(reading)
    reading.close()
    assert closed == [True]
