"""The record store on SQLite and on a real PostgreSQL server: what a record holds, filters,
the Merkle log and its signatures, tampering in SQL behind the program's back (named by
``verify``), purges that keep the log verifiable, migrations, export."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from recordtools import (
    RECOGNITION,
    YANTAI_QINGDAO,
    fill,
    record_of,
    seal_as_before,
    sql,
    write_as_before,
)

import tongcheng
from tongcheng.records import schema
from tongcheng.records.ids import id_time, is_record_id, new_id
from tongcheng.records.record import FORMAT, Record, canonical, digest
from tongcheng.records.signing import generate_key
from tongcheng.records.store import (
    Filters,
    RecordStore,
    current_revision,
    head_revision,
    migrate,
)
from tongcheng.records.verify import verify_store


def _people(n: int) -> list[dict]:
    out = []
    for k in range(n):
        s = copy.deepcopy(YANTAI_QINGDAO)
        s["person"]["birth_date"] = f"{1950 + k % 40}-0{1 + k % 9}-1{k % 10}"
        if k % 3 == 0:
            s["target"] = "370100"  # 济南: outside the metro area
        out.append(s)
    return out


def test_ids_sort_by_time_and_say_when():
    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == 2000
    assert all(is_record_id(i) for i in ids)
    t = datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert id_time(new_id(t.timestamp())) == t
    assert new_id(t.timestamp()) < new_id((t + timedelta(milliseconds=1)).timestamp())


def test_a_record_holds_what_was_decided_for_which_facts_under_which_rules(store_url):
    store = RecordStore.open(store_url)
    record = record_of(YANTAI_QINGDAO, actor="caseworker-7")
    store.write([record])
    back = store.get(record.id)
    assert back == record
    data = back.to_json()
    assert data["format"] == FORMAT == "tongcheng.record/1"
    assert data["channel"] == "cli" and data["actor"] == "caseworker-7"
    assert data["situation_digest"] == digest(canonical(data["situation"]))
    pack = tongcheng.bundled_pack().info
    assert data["rule_pack"] == {"name": pack.name, "version": pack.version,
                                 "digest": pack.digest}
    assert data["package"] == {"name": "tongcheng", "version": tongcheng.__version__}
    assert data["as_of"] == "2025-06-01"
    assert len(data["decisions"]) == len(tongcheng.bundled_pack().rules)
    recognition = back.decision(RECOGNITION)
    assert recognition.status == "eligible" and recognition.firmness == "in_force"
    assert recognition.outcome["recognized_months"] == 305
    retiree = back.decision("medical_insurance.retiree_benefit_years")
    assert retiree.status in ("undetermined", "not_applicable")
    assert datetime.fromisoformat(data["at"].replace("Z", "+00:00")) == id_time(record.id)
    # the stored body is the canonical JSON, byte for byte
    with store.engine.connect() as conn:
        body = conn.execute(sa.select(schema.records.c.body)).scalar()
    assert body == canonical(data) and Record.from_body(body) == record
    store.close()


def test_filters_by_time_actor_channel_rule_status_and_pack(store_url):
    store = RecordStore.open(store_url)
    people = _people(12)
    records = fill(store, people[:6], actor="a1") + fill(store, people[6:], actor="a2",
                                                         channel="page")
    assert store.count() == 12
    assert store.count(Filters(actor="a1")) == 6
    assert store.count(Filters(channel="page")) == 6
    jinan = sum(1 for s in people if s["target"] == "370100")
    assert store.count(Filters(rule=RECOGNITION, status="not_applicable")) == jinan
    assert store.count(Filters(rule=RECOGNITION, status="eligible")) == 12 - jinan
    assert store.count(Filters(status="eligible")) == 12
    # the decided lines are matched literally and whole: no wildcard, no prefix of a rule
    assert store.count(Filters(rule=RECOGNITION.replace("_", "%"))) == 0
    assert store.count(Filters(rule=RECOGNITION[:-3])) == 0
    assert store.count(Filters(rule=RECOGNITION)) == 12
    digest_ = tongcheng.bundled_pack().info.digest
    assert store.count(Filters(pack_digest=digest_[:15])) == 12
    assert store.count(Filters(pack_digest="sha256:0000")) == 0
    middle = records[6].at
    assert store.count(Filters(since=middle)) == 6
    assert store.count(Filters(until=middle)) == 6
    assert [r.id for r in store.select(Filters(actor="a2"), limit=3)] == \
        [r.id for r in records[6:9]]
    store.close()


def test_sealed_signed_log_verifies_and_a_wrong_key_is_named(store_url, tmp_path):
    signer = generate_key(tmp_path / "key.pem")
    store = RecordStore.open(store_url, signer=signer)
    fill(store, _people(5))
    head = store.seal()
    assert head.size == 5 and head.signature
    fill(store, _people(3))
    assert store.seal().size == 8
    assert store.seal() is None  # nothing waiting
    report = verify_store(store, public_key=signer.public_hex)
    assert report.ok, report.findings
    assert (report.sealed, report.heads, report.signed_heads, report.pending) == (8, 2, 2, 0)
    assert report.key_source == "given"
    other = generate_key(tmp_path / "other.pem")
    report = verify_store(store, public_key=other.public_hex)
    assert [f.kind for f in report.findings] == ["signature", "signature"]
    assert "not by the key given" in report.findings[0].message
    # a head rewritten with a forged root fails its signature
    sql(store, "UPDATE tree_heads SET root = :r WHERE size = 5", r="00" * 32)
    kinds = {f.kind for f in verify_store(store, public_key=signer.public_hex).findings}
    assert kinds == {"signature", "log"}
    store.close()


def _tampered(store_url):
    store = RecordStore.open(store_url)
    records = fill(store, _people(10))
    store.seal()
    assert verify_store(store).ok
    return store, records


def _named(store, kind):
    report = verify_store(store)
    assert not report.ok
    return {f.record for f in report.findings if f.kind == kind}, report


def test_altering_a_record_behind_the_programs_back_is_named(store_url):
    store, records = _tampered(store_url)
    target = records[4]
    sql(store, "UPDATE records SET body = replace(body, '\"eligible\"', '\"ineligible\"') "
               "WHERE id = :i", i=target.id)
    named, report = _named(store, "altered")
    assert named == {target.id}
    assert f"record {target.id}" in report.findings[0].message
    assert target.id in report.findings[0].text("zh")
    store.close()


def test_altering_a_filter_column_or_a_decision_line_is_named(store_url):
    store, records = _tampered(store_url)
    sql(store, "UPDATE records SET actor = 'someone-else' WHERE id = :i", i=records[1].id)
    rule = "social_security.card_one_card"
    status = records[7].decision(rule).status
    other = "eligible" if status != "eligible" else "ineligible"
    sql(store, "UPDATE records SET decided = replace(decided, :a, :b) WHERE id = :i",
        a=f"{rule}\t{status}\t", b=f"{rule}\t{other}\t", i=records[7].id)
    named, report = _named(store, "columns")
    assert named == {records[1].id, records[7].id}
    messages = " ".join(f.message for f in report.findings)
    assert "actor" in messages and "decided" in messages
    store.close()


def test_deleting_a_record_is_named(store_url):
    store, records = _tampered(store_url)
    sql(store, "DELETE FROM records WHERE id = :i", i=records[3].id)
    named, report = _named(store, "removed")
    assert named == {records[3].id}
    assert "leaf 3" in report.findings[0].message
    store.close()


def _swap_ids(store, a: str, b: str) -> None:
    """Two rows trade ids (renumbered behind the program's back), through a third id."""
    sql(store, "UPDATE records SET id = 'swapping' WHERE id = :a", a=a)
    sql(store, "UPDATE records SET id = :a WHERE id = :b", a=a, b=b)
    sql(store, "UPDATE records SET id = :b WHERE id = 'swapping'", b=b)


def test_swapping_two_records_is_named(store_url):
    store, records = _tampered(store_url)
    a, b = records[2].id, records[6].id
    _swap_ids(store, a, b)
    named, report = _named(store, "moved")
    assert named == {a, b} and {f.kind for f in report.findings} == {"moved"}
    assert f"holds the body of record {b}" in next(f.message for f in report.findings
                                                     if f.record == a)
    store.close()


def test_swapping_two_records_before_sealing_is_named(store_url):
    store = RecordStore.open(store_url)
    records = fill(store, _people(4))
    a, b = records[0].id, records[3].id
    _swap_ids(store, a, b)
    named, report = _named(store, "moved")
    assert named == {a, b} and report.pending == 4
    store.close()


def test_renumbering_or_adding_a_record_behind_the_programs_back_is_named(store_url):
    store, records = _tampered(store_url)
    target = records[8]
    sql(store, "UPDATE records SET id = :n WHERE id = :i", n=target.id[:-1] + "0"
        if not target.id.endswith("0") else target.id[:-1] + "1", i=target.id)
    report = verify_store(store)
    assert {(f.kind, f.record) for f in report.findings} >= {("removed", target.id)}
    assert [f.kind for f in report.findings].count("unlogged") == 1
    # a row inserted directly (no pending row, no leaf): never sealed, named
    forged = record_of(YANTAI_QINGDAO)
    write_as_before(store.engine, [forged])
    named, _ = _named(store, "unlogged")
    assert forged.id in named
    assert store.seal() is None  # the sealer does not see it either
    store.close()


def test_a_record_altered_or_removed_before_sealing_is_named(store_url):
    store = RecordStore.open(store_url)
    records = fill(store, _people(4))
    sql(store, "UPDATE records SET body = replace(body, '\"eligible\"', '\"ineligible\"') "
               "WHERE id = :i", i=records[1].id)
    sql(store, "DELETE FROM records WHERE id = :i", i=records[2].id)
    report = verify_store(store)
    assert {(f.kind, f.record) for f in report.findings} == {
        ("altered", records[1].id), ("removed", records[2].id)}
    assert "before it was sealed" in " ".join(f.message for f in report.findings)
    # sealing keeps the digests the writer noted: after it, the same two are still named
    store.seal()
    report = verify_store(store)
    assert {(f.kind, f.record) for f in report.findings} == {
        ("altered", records[1].id), ("removed", records[2].id)}
    assert report.sealed == 4 and report.pending == 0
    store.close()


_WRITE_ONCE = {
    "sqlite": ["CREATE TRIGGER records_{op} BEFORE {op} ON records "
               "BEGIN SELECT RAISE(ABORT, 'records are written once'); END"],
    "postgresql": ["CREATE FUNCTION written_once() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'records are written once'; END $$",
                   "CREATE TRIGGER records_{op} BEFORE {op} ON records "
                   "FOR EACH ROW EXECUTE FUNCTION written_once()"],
}


def test_records_are_written_once(store_url):
    """Writing and sealing only insert records: with the database itself refusing any UPDATE
    or DELETE of a record (a trigger), records are written, sealed and verified (the sealer
    works on the small ``pending`` rows)."""
    store = RecordStore.open(store_url)
    statements = _WRITE_ONCE[store.engine.dialect.name]
    for op in ("UPDATE", "DELETE"):
        for text in statements if op == "UPDATE" else statements[-1:]:
            sql(store, text.format(op=op))
    records = fill(store, _people(5))
    assert store.seal().size == 5
    fill(store, _people(2))
    assert store.seal().size == 7
    report = verify_store(store)
    assert report.ok and (report.records, report.sealed, report.pending) == (7, 7, 0)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.pending)).scalar() == 0
    with pytest.raises(sa.exc.DatabaseError, match="written once"):  # the trigger does refuse
        sql(store, "UPDATE records SET lang = 'en' WHERE id = :i", i=records[0].id)
    store.close()


def test_rewriting_the_log_itself_is_caught_by_the_tree_head(store_url):
    store, records = _tampered(store_url)
    body = json.loads(store.get(records[5].id).body)
    body["actor"] = "forger"
    forged = canonical(body)
    sql(store, "UPDATE records SET body = :b, actor = 'forger' WHERE id = :i", b=forged,
        i=records[5].id)
    sql(store, "UPDATE leaves SET digest = :d WHERE record_id = :i", d=digest(forged),
        i=records[5].id)
    report = verify_store(store)
    assert [f.kind for f in report.findings] == ["log"]
    assert "does not match the log" in report.findings[0].message
    sql(store, "DELETE FROM leaves WHERE idx = 9")
    report = verify_store(store)
    kinds = [f.kind for f in report.findings]
    assert "log" in kinds and "unlogged" in kinds  # record 9 is in no leaf now
    assert records[9].id in {f.record for f in report.findings if f.kind == "unlogged"}
    store.close()


def test_unsealed_records_are_pending_and_checked_against_their_bodies(store_url):
    store = RecordStore.open(store_url)
    records = fill(store, _people(3))
    report = verify_store(store)
    assert report.ok and report.pending == 3 and report.sealed == 0
    sql(store, "UPDATE records SET lang = 'en' WHERE id = :i", i=records[0].id)
    named, _ = _named(store, "columns")
    assert named == {records[0].id}
    store.close()


def test_purge_removes_old_records_and_the_log_still_verifies(store_url, tmp_path):
    signer = generate_key(tmp_path / "key.pem")
    store = RecordStore.open(store_url, signer=signer)
    old = fill(store, _people(4))
    # a record's time is its id's millisecond (cut down): the cut falls on a whole millisecond,
    # or a record made just after it, in the same millisecond, would count as before it
    cut = datetime.now(UTC) + timedelta(milliseconds=5)
    cut = cut.replace(microsecond=cut.microsecond // 1000 * 1000)
    while datetime.now(UTC) <= cut:
        pass
    new = fill(store, _people(3))
    assert store.purge(cut) == 4
    assert store.count() == 3
    assert all(store.get(r.id) is None for r in old)
    report = verify_store(store, public_key=signer.public_hex)
    assert report.ok, report.findings
    assert (report.purged, report.sealed, report.records) == (4, 7, 3)
    # a deletion a signed purge does not cover is still named
    sql(store, "DELETE FROM records WHERE id = :i", i=new[0].id)
    named, _ = _named(store, "removed")
    assert named == {new[0].id}
    store.close()


def test_schema_migrates_forward_keeping_records(store_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tongcheng.records.store import connect

    engine = connect(store_url)
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    store = RecordStore(engine)
    record = record_of(YANTAI_QINGDAO)
    write_as_before(engine, [record])
    seal_as_before(engine)
    engine.dispose()
    store = RecordStore.open(store_url)  # opening migrates to the head
    assert current_revision(store.engine) == head_revision()
    assert store.get(record.id) == record and verify_store(store).ok
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert diff == []  # the revisions create exactly the tables schema.py describes
    store.close()


def test_migrating_a_populated_0003_store_to_write_once_records(store_url):
    """Schema 0004 on a store 0003's code wrote and sealed: the sealed records keep their
    leaves (found by id now), the unsealed ones are pending, the body is the last column."""
    from tongcheng.records.store import connect

    engine = connect(store_url)
    migrate(engine, "0003")
    people = _people(9)
    sealed = [record_of(s) for s in people[:6]]
    write_as_before(engine, sealed)
    RecordStore(engine).archive_pack(tongcheng.bundled_pack())
    seal_as_before(engine)
    unsealed = [record_of(s) for s in people[6:]]
    write_as_before(engine, unsealed)
    engine.dispose()
    store = RecordStore.open(store_url)
    assert current_revision(store.engine) == head_revision()
    columns = [c["name"] for c in sa.inspect(store.engine).get_columns("records")]
    assert "leaf" not in columns
    if store.engine.dialect.name == "sqlite":
        assert columns[-4:] == ["situation", "rules", "decided", "body"]
    report = verify_store(store)
    assert report.ok, report.findings
    assert (report.records, report.sealed, report.pending) == (9, 6, 3)
    assert [r.id for r in store.select()] == [r.id for r in sealed + unsealed]
    assert store.seal().size == 9
    report = verify_store(store)
    assert report.ok and (report.sealed, report.pending) == (9, 0)
    # tampering with a record migrated sealed, and with one sealed after, is still named
    sql(store, "UPDATE records SET body = replace(body, '\"male\"', '\"female\"') "
               "WHERE id IN (:a, :b)", a=sealed[2].id, b=unsealed[1].id)
    named, _ = _named(store, "altered")
    assert named == {sealed[2].id, unsealed[1].id}
    store.close()


def test_large_texts_compressed_with_lz4_on_postgresql(store_url):
    """Schema 0005 on a populated 0004 store: on PostgreSQL the records written after it are
    compressed with lz4, those written before keep pglz, and both read back and verify; on
    SQLite the records are as they were."""
    from tongcheng.records.store import connect

    engine = connect(store_url)
    migrate(engine, "0004")
    store = RecordStore(engine)
    people = _people(6)
    before = [record_of(s) for s in people[:3]]
    store.write(before)
    engine.dispose()
    store = RecordStore.open(store_url)
    assert current_revision(store.engine) == "0005"
    after = [record_of(s) for s in people[3:]]
    store.write(after)
    store.seal()
    assert [store.get(r.id) for r in before + after] == before + after
    assert verify_store(store).ok
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            set_to = dict(conn.exec_driver_sql(
                "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = "
                "'records'::regclass AND attname IN ('situation', 'decided', 'body')").all())
            stored = dict(conn.exec_driver_sql(
                "SELECT id, pg_column_compression(body) FROM records").all())
        assert set_to == {"situation": "l", "decided": "l", "body": "l"}
        assert all(len(r.body) > 2_000 for r in before + after)  # (kept compressed)
        assert {stored[r.id] for r in before} == {"pglz"}
        assert {stored[r.id] for r in after} == {"lz4"}
    store.close()


def test_export_jsonl_and_parquet(store_url, tmp_path):
    from tongcheng.records.export import write_jsonl, write_parquet

    store = RecordStore.open(store_url)
    records = fill(store, _people(4), actor="x")
    with open(tmp_path / "r.jsonl", "wb") as f:
        assert write_jsonl(store.bodies(), f) == 4
    lines = (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()
    assert [Record.from_body(line) for line in lines] == records
    assert write_parquet(store.bodies(Filters(actor="x")), tmp_path / "r.parquet") == 4
    table = pq.read_table(tmp_path / "r.parquet").to_pylist()
    assert [row["id"] for row in table] == [r.id for r in records]
    second = table[1]  # the first asks in 济南
    assert json.loads(second["situation"]) == records[1].situation
    decision = next(d for d in second["decisions"] if d["rule"] == RECOGNITION)
    assert json.loads(decision["outcome"])["recognized_months"] == 305
    store.close()


def test_opening_a_missing_store_without_create_names_it(tmp_path):
    from tongcheng.records.store import StoreError

    with pytest.raises(StoreError, match="no record store"):
        RecordStore.open(str(tmp_path / "none.db"), create=False)
    with pytest.raises(StoreError, match="unsupported database"):
        RecordStore.open("mysql://x")


def test_a_pack_with_an_overlay_is_archived_as_its_stack_and_restored(tmp_path):
    """A deployment's overlay (Weihai's loan caps) is part of what decided: the store keeps the
    stack, and replay decides again under it, everything reproduced."""
    from pathlib import Path

    from tongcheng.records.replay import replay_store

    overlay = Path(__file__).resolve().parents[1] / "packs" / "overlays" / "weihai-loan-caps"
    stack = tongcheng.load_pack(None, overlays=[overlay])
    assert stack.info.digest != tongcheng.bundled_pack().info.digest
    store = RecordStore.open(str(tmp_path / "r.db"))
    records = fill(store, _people(6), pack=stack)
    assert {r.pack_digest for r in records} == {stack.info.digest}
    restored = store.archived(stack.info.digest)
    assert restored.info.digest == stack.info.digest and len(restored.layers) == 2
    report = replay_store(store)
    assert report.same == report.decisions > 0 and not report.problems
    store.close()
