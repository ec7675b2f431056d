"""Helpers of the record store tests: records of real evaluations, generated populations, and
SQL run behind the program's back."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

import tongcheng
from tongcheng.records.record import Record, make_record
from tongcheng.records.store import RecordStore
from tongcheng.situation import parse_situation

YANTAI_QINGDAO = {
    "as_of": "2025-06-01", "target": "370200",
    "person": {"birth_date": "1960-05-10", "sex": "male", "hukou": "370600",
               "lives_in": "370200", "employment": "employed", "work_place": "370200"},
    "insurance": [
        {"scheme": "employee_medical", "place": "370600", "from": "2000-01", "to": "2015-12"},
        {"scheme": "employee_medical", "place": "370200", "from": "2016-01", "to": "2025-05"}],
}
RECOGNITION = "medical_insurance.contribution_years_recognition"


def record_of(facts: dict[str, Any], *, pack: Any = None, channel: str = "cli",
              actor: str | None = None, rules: list[str] | None = None,
              as_of: date | None = None) -> Record:
    situation = parse_situation(facts, as_of=as_of)
    evaluation = tongcheng.evaluate(situation, pack, rules=rules, trace=False)
    return make_record(evaluation, situation, channel=channel, actor=actor, rules=rules)


def synthetic(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` synthetic residents (``tongcheng synth``), as situations the model accepts."""
    from tongcheng.batch.layout import plain_rows
    from tongcheng.batch.synth import block

    out = []
    for row in plain_rows(block(seed, 0, n, date(2025, 6, 1))):
        try:
            parse_situation(row)
        except tongcheng.SituationError:
            continue
        out.append(row)
    return out


def fill(store: RecordStore, situations: list[dict[str, Any]], pack: Any = None,
         **kw: Any) -> list[Record]:
    pack = pack or tongcheng.bundled_pack()
    store.archive_pack(pack)
    records = [record_of(s, pack=pack, **kw) for s in situations]
    for k in range(0, len(records), 500):
        store.write(records[k:k + 500])
    return records


def sql(store: RecordStore, text: str, **params: Any) -> None:
    """Run SQL on the store's database directly, as someone with the password would."""
    with store.engine.connect() as conn:
        conn.execute(sa.text(text), params)
        conn.commit()


def write_as_before(engine: sa.Engine, records: list[Record]) -> None:
    """Insert records into a store of an earlier schema, as that schema's code did: only the
    columns its tables have (reflected from the database)."""
    from tongcheng.records.store import _row

    tables = sa.MetaData()
    tables.reflect(engine)
    kept, decided = tables.tables["records"], tables.tables.get("decisions")
    rows, decisions = [], []
    for record in records:
        row = _row(record, record.body)
        rows.append({c.name: row.get(c.name) for c in kept.c})  # ``leaf``: null
        decisions.extend({"record_id": record.id, "rule": d.rule, "status": d.status,
                          "firmness": d.firmness, "outcome": d.outcome_text}
                         for d in record.decisions)
    with engine.begin() as conn:
        conn.execute(kept.insert(), rows)
        if decided is not None:
            conn.execute(decided.insert(), [{k: v for k, v in d.items() if k in decided.c}
                                            for d in decisions])


def seal_as_before(engine: sa.Engine) -> None:
    """Seal a store of schema 0001–0003 as that schema's sealer did: each record not yet in the
    log read again, hashed, appended as a leaf and marked with it (``records.leaf``)."""
    from tongcheng.records import merkle
    from tongcheng.records.ids import id_time
    from tongcheng.records.record import digest
    from tongcheng.records.store import RecordStore, leaf_data

    tables = sa.MetaData()
    tables.reflect(engine)
    records, leaves = tables.tables["records"], tables.tables["leaves"]
    store = RecordStore(engine)
    with engine.begin() as conn:
        last = store.latest_head(conn)
        tree = merkle.CompactTree(last.size if last else 0,
                                  [bytes.fromhex(h) for h in last.subtrees] if last else ())
        rows = conn.execute(sa.select(records.c.id, records.c.body)
                            .where(records.c.leaf.is_(None)).order_by(records.c.id)).all()
        for k, row in enumerate(rows):
            at, body_digest = id_time(row.id), digest(row.body)
            conn.execute(leaves.insert().values(idx=tree.size + k, record_id=row.id, at=at,
                                                digest=body_digest))
            conn.execute(records.update().where(records.c.id == row.id)
                         .values(leaf=tree.size + k))
        tree.extend([merkle.hash_leaf(leaf_data(row.id, id_time(row.id), digest(row.body)))
                     for row in rows])
        head = store._new_head(tree)
        conn.execute(tables.tables["tree_heads"].insert().values(
            size=head.size, root=head.root, subtrees=",".join(head.subtrees), at=head.at,
            key_id=None, signature=None))
